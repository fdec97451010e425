import { jetstreamManager } from "@nats-io/jetstream";
import { PRICES_STREAM, REFERENCE_STATUS_SUBJECTS, type ReferenceStatus, type Tick } from "@cryptostream/core";
import type { SimExchange } from "@cryptostream/sim-exchange";
import { readStream, waitFor } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { ingestOnSim } from "../test-support/ingest-on-sim";

const THREE = "binance,coinbase,kraken";
/** Short enough that a venue goes stale within a test; ages are stored times, so the waits are real. */
const STALE_MS = 400;

async function onSim(sources: string, prepare?: (sim: SimExchange) => void) {
  const stack = await ingestOnSim(["btc"], { SOURCES: sources, REFERENCE_STALE_AFTER: `${STALE_MS}ms` }, prepare);
  const statuses: ReferenceStatus[] = [];
  stack.nc.subscribe(REFERENCE_STATUS_SUBJECTS, { callback: (_, message) => void statuses.push(message.json<ReferenceStatus>()) });
  const venues = sources.split(",").filter((venue) => venue !== "binance") as ("coinbase" | "kraken")[];
  await waitFor(
    "ingest to connect to every venue",
    () => stack.sim.binanceClientCount() === 1 && venues.every((venue) => stack.sim.venueClientCount(venue) === 1),
  );
  const jsm = await jetstreamManager(stack.nc);
  const references = async () => (await readStream(stack.nc, PRICES_STREAM)).map((message) => JSON.parse(message.data) as Tick);
  const stored = async () => (await jsm.streams.info(PRICES_STREAM)).state.messages;
  /** Moves the market `count` times, each once every venue's tick of it is referenced. */
  const step = async (count: number, gapMs = 0) => {
    for (let i = 0; i < count; i++) {
      stack.sim.tick();
      const before = await stored();
      await waitFor("the step's reference ticks", async () => (await stored()) > before);
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    await stack.ingest.referencePublisher.flush();
  };
  const counter = async (name: string) =>
    ((await stack.metrics.registry.getSingleMetric(name)?.get())?.values ?? [])
      .filter((value) => value.value > 0)
      .map(({ labels, value }): Record<string, unknown> => ({ ...labels, value }));
  const health = async () =>
    (await (await fetch(`http://127.0.0.1:${stack.ingest.port}/healthz`)).json()) as {
      symbols: Record<string, { dropped: unknown[]; withheld: string | null }>;
    };
  return { ...stack, statuses, references, step, counter, health };
}

const market = (sim: SimExchange) => sim.market.coins.get("btc")!.price;

describe("the reference price against hostile venues", () => {
  // 30% off: within the gate's maxPriceJump of the market, so the gate takes it and the reference must leave it out (a thousandfold is off_market at the gate).
  it("drops a venue 30% off as an outlier: the price stays the median of the two that agree, counted once, in /healthz and a status event", async () => {
    const run = await onSim(THREE, (sim) => sim.behaveVenue("kraken", { factor: 1.3 }));
    try {
      await run.step(5);
      const last = (await run.references()).at(-1)!;
      expect(last.source).toBe("index");
      expect(Math.abs(last.price / market(run.sim) - 1)).toBeLessThan(0.002);
      expect(last.inputs?.find((input) => input.venue === "kraken")).toMatchObject({ dropped: "outlier" });
      expect(await run.counter("cryptostream_reference_venue_dropped_total")).toEqual([{ symbol: "btc", venue: "kraken", reason: "outlier", value: 1 }]);
      expect((await run.health()).symbols.btc!.dropped).toEqual([{ venue: "kraken", reason: "outlier" }]);
      await waitFor("the status event", () =>
        run.statuses.some((status) => status.dropped.some((entry) => entry.venue === "kraken" && entry.reason === "outlier")),
      );
    } finally {
      await run.close();
    }
  });

  it("refuses a venue that jumps a thousandfold mid-stream at the gate, and the reference never moves with it", async () => {
    const run = await onSim(THREE);
    try {
      await run.step(2);
      run.sim.behaveVenue("coinbase", { factor: 1000 });
      run.sim.tick();
      await run.step(2);
      expect(await run.counter("cryptostream_ticks_rejected_total")).toContainEqual({ stage: "ingest", reason: "price_jump", value: 3 });
      for (const tick of await run.references()) expect(Math.abs(tick.price / market(run.sim) - 1)).toBeLessThan(0.01);
    } finally {
      await run.close();
    }
  });

  it("drops a venue frozen at an old price once its last tick is stale, though its connection lives on", async () => {
    const run = await onSim(THREE);
    try {
      await run.step(2);
      run.sim.behaveVenue("kraken", { frozen: true });
      await run.step(4, STALE_MS / 2);
      const last = (await run.references()).at(-1)!;
      expect(last.inputs?.find((input) => input.venue === "kraken")).toMatchObject({ dropped: "stale" });
      expect(last.inputs?.filter((input) => !input.dropped).map((input) => input.venue)).toEqual(["binance", "coinbase"]);
      expect(run.sim.venueClientCount("kraken")).toBe(1);
      await waitFor("the status event", () =>
        run.statuses.some((status) => status.dropped.some((entry) => entry.venue === "kraken" && entry.reason === "stale")),
      );
    } finally {
      await run.close();
    }
  });

  it("outvotes a venue flapping 10% up and down on every tick: the reference never flaps", async () => {
    const run = await onSim(THREE, (sim) => sim.behaveVenue("kraken", { flapping: 0.1 }));
    try {
      await run.step(8);
      const references = await run.references();
      const withKraken = references.filter((tick) => tick.inputs?.some((input) => input.venue === "kraken") && tick.inputs.length === 3);
      expect(withKraken.length).toBeGreaterThan(10);
      for (const tick of withKraken) expect(tick.inputs?.find((input) => input.venue === "kraken")?.dropped).toBe("outlier");
      const prices = references.map((tick) => tick.price);
      expect(Math.max(...prices) / Math.min(...prices)).toBeLessThan(1.01);
    } finally {
      await run.close();
    }
  });

  it("withholds the price while the only two fresh venues disagree beyond the fraction: no majority, said in a status event, counted", async () => {
    const run = await onSim("binance,kraken", (sim) => sim.behaveVenue("kraken", { factor: 1.05 }));
    try {
      for (let i = 0; i < 3; i++) run.sim.tick();
      await waitFor("the withheld reference", async () => (await run.counter("cryptostream_reference_withheld_total")).length > 0);
      const withheld = await run.counter("cryptostream_reference_withheld_total");
      expect(withheld).toEqual([{ symbol: "btc", reason: "no_majority", value: expect.any(Number) }]);
      // What was published came from one venue alone, before the other was heard.
      for (const tick of await run.references()) expect(tick.source).not.toBe("index");
      await waitFor("the status event", () => run.statuses.some((status) => status.withheld === "no_majority"));
      expect((await run.health()).symbols.btc!.withheld).toBe("no_majority");
      run.sim.behaveVenue("kraken", {});
      run.sim.tick();
      await waitFor("an agreed reference again", async () => (await run.references()).some((tick) => tick.source === "index"));
      await waitFor("the status event of agreement", () => run.statuses.at(-1)?.withheld === undefined && run.statuses.at(-1)?.dropped.length === 0);
    } finally {
      await run.close();
    }
  });

  it("counts a jump in Coinbase's sequence numbers as messages lost on the way, and goes on with the next ticker", async () => {
    const run = await onSim(THREE);
    try {
      await run.step(1);
      const heartbeat = { channel: "heartbeats", client_id: "", timestamp: new Date().toISOString(), sequence_num: 10_000, events: [{ heartbeat_counter: 1 }] };
      run.sim.sendRawToVenueClients("coinbase", JSON.stringify(heartbeat));
      await waitFor("the gap counted", async () =>
        (await run.counter("cryptostream_ingest_upstream_errors_total")).some((value) => value.reason === "sequence_gap"),
      );
      await run.step(2);
      expect(await run.counter("cryptostream_ingest_upstream_errors_total")).toEqual([{ source: "coinbase", reason: "sequence_gap", value: 1 }]);
      expect((await run.references()).at(-1)!.inputs?.find((input) => input.venue === "coinbase")?.dropped).toBeUndefined();
    } finally {
      await run.close();
    }
  });

  it("goes on from the others when a venue is lost mid-stream, and takes it back when it returns", async () => {
    const run = await onSim(THREE);
    try {
      await run.step(2);
      run.sim.setVenueDown("coinbase", true);
      await run.step(4, STALE_MS / 2);
      expect((await run.references()).at(-1)!.inputs?.find((input) => input.venue === "coinbase")).toMatchObject({ dropped: "stale" });
      run.sim.setVenueDown("coinbase", false);
      await waitFor("ingest to reconnect to Coinbase", () => run.sim.venueClientCount("coinbase") === 1, 10_000);
      await run.step(2);
      expect((await run.references()).at(-1)!.inputs?.every((input) => input.dropped === undefined)).toBe(true);
      expect(await run.counter("cryptostream_ingest_upstream_errors_total")).toContainEqual(
        expect.objectContaining({ source: "coinbase", reason: "closed_abnormally" }),
      );
    } finally {
      await run.close();
    }
  });
});
