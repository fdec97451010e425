import { createLogger } from "@cryptostream/core";
import { startSimExchange, type CoinGeckoMisbehaviour, type SimExchange } from "@cryptostream/sim-exchange";
import { FakeClock, waitFor } from "@cryptostream/testing";
import { afterEach, describe, expect, it } from "vitest";
import { CoinGeckoPoller } from "./coingecko-poller";

describe("CoinGeckoPoller against the simulated exchange", () => {
  let sim: SimExchange | undefined;
  let poller: CoinGeckoPoller | undefined;
  afterEach(async () => {
    poller?.close();
    await sim?.close();
  });

  /** The poller's schedule on `clock` when given (its interval then 1 s); its requests are real either way. */
  async function start(misbehaviours: CoinGeckoMisbehaviour[], timeoutMs?: number, clock?: FakeClock) {
    sim = await startSimExchange({ intervalMs: 0, symbols: ["btc"] });
    sim.misbehaveCoinGecko(...misbehaviours);
    const bodies: string[] = [];
    const errors: string[] = [];
    poller = new CoinGeckoPoller({
      apiUrl: sim.coingeckoApiUrl,
      ids: ["bitcoin"],
      intervalMs: clock ? 1_000 : 50,
      plan: "demo",
      logger: createLogger({ service: "ingest", level: "silent" }),
      random: () => (clock ? 0.5 : 0.999),
      ...(clock && { clock }),
      onBody: (body) => bodies.push(body),
      onError: (reason) => errors.push(reason),
      ...(timeoutMs !== undefined && { timeoutMs }),
    });
    poller.start();
    return { sim, poller, bodies, errors };
  }

  /** Waits for the poll after this one to be scheduled, checks it is `ms` away, and lets it happen. */
  const nextPollIn = async (clock: FakeClock, ms: number) => {
    await waitFor("the next poll scheduled", () => clock.pending === 1);
    const requests = sim!.coingeckoRequests.length;
    clock.advance(ms - 1);
    // A short real wait: long enough for a request the poller should not make to reach the server.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sim!.coingeckoRequests.length).toBe(requests);
    clock.advance(1);
    await waitFor("the next poll", () => sim!.coingeckoRequests.length === requests + 1);
  };

  // The schedule on a fake clock: no test waits for a backoff to pass.
  it("waits as long as Retry-After says after a 429", async () => {
    const clock = new FakeClock();
    const { bodies } = await start([{ status: 429, retryAfterSeconds: 7 }], undefined, clock);
    await nextPollIn(clock, 7_000);
    await waitFor("a successful poll", () => bodies.length === 1);
    expect(poller!.status()).toMatchObject({ rateLimited: 1, errors: 1 });
  });

  it("backs off exponentially (with full jitter) after 429s and 5xx without Retry-After, then polls on its interval again", async () => {
    const clock = new FakeClock();
    const { bodies } = await start([{ status: 429 }, { status: 429 }, { status: 503 }], undefined, clock);
    // interval + jitter of 0.5 times interval * 2^failures
    await nextPollIn(clock, 1_500);
    await nextPollIn(clock, 2_000);
    await nextPollIn(clock, 3_000);
    await waitFor("a successful poll", () => bodies.length === 1);
    await nextPollIn(clock, 1_000);
    await waitFor("a second successful poll", () => bodies.length === 2);
  });

  // Real time: a request timeout is got's, measured on a real socket.
  it("gives up on a response slower than its timeout, counts it, and takes the next one", async () => {
    const { bodies, errors } = await start([{ delayMs: 1_000 }, { delayMs: 100 }], 300);
    await waitFor("a successful poll", () => bodies.length === 1, 5_000);
    expect(errors).toEqual(["timeout"]);
    expect(poller!.status()).toMatchObject({ errors: 1, rateLimited: 0 });
    expect(JSON.parse(bodies[0]!)).toMatchObject([{ id: "bitcoin" }]);
  });

  it("reports each refusal by status", async () => {
    const clock = new FakeClock();
    const { bodies, errors } = await start([{ status: 429 }, { status: 503 }, { status: 500, delayMs: 50 }], undefined, clock);
    for (const backoffMs of [1_500, 2_000, 3_000]) await nextPollIn(clock, backoffMs);
    await waitFor("a successful poll", () => bodies.length === 1);
    expect(errors).toEqual(["http_429", "http_5xx", "http_5xx"]);
  });
});
