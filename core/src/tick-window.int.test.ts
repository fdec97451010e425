import { jetstream, jetstreamManager, type ConsumerConfig } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type NatsServerHandle } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRICES_STREAM } from "./contracts/names";
import { ensurePricesStream } from "./jetstream";
import { tickMsgId, type SequencedTick, type Tick } from "./contracts/tick";
import { visitTickWindow } from "./tick-window";

// More ticks than nats-server lets a push consumer have in flight (it asks for flow control every ~4,000 of these).
const TICKS = 20_000;
const SYMBOLS = ["btc", "eth", "sol"];

describe("visitTickWindow against a real nats-server", () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let firstTs: number;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    await ensurePricesStream(nc, { maxAgeMs: 3_600_000, maxPerSubject: 100_000, duplicateWindowMs: 60_000 });
    const js = jetstream(nc);
    firstTs = Date.now() - 60_000;
    for (let i = 0; i < TICKS; i += 1_000) {
      await Promise.all(
        Array.from({ length: 1_000 }, (_, j) => {
          const tick: Tick = { symbol: SYMBOLS[(i + j) % 3]!, price: 1 + i + j, ts: firstTs + i + j, source: "test" };
          return js.publish(`prices.${tick.symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) });
        }),
      );
    }
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.cleanup();
  });

  const expectStreamOrder = (ticks: SequencedTick[], firstSeq: number, step = 1) => ticks.forEach((tick, i) => expect(tick.seq).toBe(firstSeq + i * step));

  it("visits every tick of a window larger than one flow-control window, once, in stream order, with its stored JSON", async () => {
    const ticks: SequencedTick[] = [];
    const stored: (string | undefined)[] = [];
    const count = await visitTickWindow(
      nc,
      { sinceMs: 0, limit: 1_000_000 },
      {
        onTick: (tick, json) => {
          ticks.push(tick);
          stored.push(json);
        },
      },
    );
    expect(count).toBe(TICKS);
    expectStreamOrder(ticks, 1);
    expect(ticks[123]).toEqual({ symbol: SYMBOLS[123 % 3], price: 124, ts: firstTs + 123, source: "test", seq: 124 });
    expect(JSON.parse(stored[123]!)).toEqual({ symbol: SYMBOLS[123 % 3], price: 124, ts: firstTs + 123, source: "test" });
  });

  it("filters several symbols, stops at toSeq and at limit", async () => {
    const ticks: SequencedTick[] = [];
    await visitTickWindow(nc, { symbols: ["btc", "sol"], fromSeq: 11, toSeq: 5_000, limit: 1_000_000 }, { onTick: (tick) => void ticks.push(tick) });
    expect(ticks.map((t) => t.seq)).toEqual(Array.from({ length: 4_990 }, (_, i) => 11 + i).filter((seq) => (seq - 1) % 3 !== 1));
    expect(ticks.every((t) => t.symbol !== "eth")).toBe(true);

    const limited: SequencedTick[] = [];
    expect(await visitTickWindow(nc, { symbols: ["eth"], sinceMs: 0, limit: 7_000 }, { onTick: (tick) => void limited.push(tick) })).toBe(6_667);
    expectStreamOrder(limited, 2, 3);
    expect(await visitTickWindow(nc, { symbols: ["eth"], sinceMs: 0, limit: 10 }, { onTick: () => undefined })).toBe(10);
  });

  it("has nats-server keep a window's symbols: one filter subject for one, filter_subjects for several, none for all", async () => {
    const jsm = await jetstreamManager(nc);
    const filterDuringRead = async (symbols: string[] | undefined) => {
      let config: ConsumerConfig | undefined;
      await visitTickWindow(
        nc,
        { symbols, sinceMs: 0, limit: 1 },
        {
          onTick: async () => {
            config = (await jsm.consumers.list(PRICES_STREAM).next()).find((info) => info.config.deliver_subject !== undefined)?.config;
          },
        },
      );
      return { filter_subject: config?.filter_subject ?? "", filter_subjects: config?.filter_subjects ?? [] };
    };
    expect(await filterDuringRead(["sol", "btc", "sol"])).toEqual({ filter_subject: "", filter_subjects: ["prices.sol", "prices.btc"] });
    expect(await filterDuringRead(["eth"])).toEqual({ filter_subject: "prices.eth", filter_subjects: [] });
    expect(await filterDuringRead(undefined)).toEqual({ filter_subject: "", filter_subjects: [] });
  });

  it("pauses while the visitor's promise is pending and resolves only once the last one has settled", async () => {
    const ticks: SequencedTick[] = [];
    let unsettled = 0;
    const count = await visitTickWindow(
      nc,
      { sinceMs: 0, limit: 1_000_000 },
      {
        onTick: (tick) => {
          ticks.push(tick);
          if (tick.seq % 2_500 !== 0 && tick.seq !== TICKS) return;
          unsettled++;
          return new Promise<void>((resolve) =>
            setTimeout(() => {
              unsettled--;
              resolve();
            }, 100),
          );
        },
      },
    );
    expect(count).toBe(TICKS);
    expect(unsettled).toBe(0);
    expectStreamOrder(ticks, 1);
  });

  it("ends at the last tick stored when the read began, although ticks keep coming", async () => {
    const js = jetstream(nc);
    let published = 0;
    const ticks: SequencedTick[] = [];
    await visitTickWindow(
      nc,
      { symbols: ["btc"], sinceMs: 0, limit: 1_000_000 },
      {
        onTick: async (tick) => {
          ticks.push(tick);
          if (published < 20) {
            published++;
            const late: Tick = { symbol: "btc", price: 1, ts: Date.now() + published, source: "late" };
            await js.publish("prices.btc", JSON.stringify(late), { msgID: tickMsgId(late) });
          }
        },
      },
    );
    expect(ticks.length).toBe(Math.ceil(TICKS / 3));
    expect(ticks.some((t) => t.source === "late")).toBe(false);
  });

  it("goes on from the next tick when nats-server restarts in the middle of a window: every tick once, in order", async () => {
    const ticks: SequencedTick[] = [];
    let restarted = false;
    const count = await visitTickWindow(
      nc,
      { fromSeq: 1, toSeq: TICKS, limit: 1_000_000 },
      {
        onTick: async (tick) => {
          ticks.push(tick);
          if (tick.seq === 5_000 && !restarted) {
            restarted = true;
            await nats.stop({ hard: true });
            await nats.restart();
          }
        },
      },
    );
    expect(restarted).toBe(true);
    expect(count).toBe(TICKS);
    expectStreamOrder(ticks, 1);
  }, 60_000);

  const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;

  it.each([
    [{ sinceMs: -1e20, limit: 10 }, "sinceMs"],
    [{ sinceMs: 1e300, limit: 10 }, "sinceMs"],
    [{ sinceMs: Number.NaN, limit: 10 }, "sinceMs"],
    [{ untilMs: 8.64e15 + 1, limit: 10 }, "untilMs"],
    [{ fromSeq: -1, limit: 10 }, "fromSeq"],
    [{ fromSeq: 1.5, limit: 10 }, "fromSeq"],
    [{ toSeq: 2 ** 60, limit: 10 }, "toSeq"],
  ])("refuses the window %j with a RangeError naming %s, before asking the server anything", async (window, field) => {
    const before = timers();
    await expect(visitTickWindow(nc, window, { onTick: () => undefined })).rejects.toThrow(new RegExp(`invalid tick window: ${field}`));
    expect(timers()).toBe(before);
  });

  it("leaves no timer behind when the consumer cannot be made (the silence check once outlived such a read and crashed the process)", async () => {
    const other = await startNatsServer();
    const bare = await connect({ servers: other.url });
    try {
      const before = timers();
      await expect(visitTickWindow(bare, { sinceMs: 0, limit: 10 }, { onTick: () => undefined })).rejects.toThrow(/stream not found/);
      expect(timers()).toBe(before);
    } finally {
      await bare.close();
      await other.cleanup();
    }
  });
});
