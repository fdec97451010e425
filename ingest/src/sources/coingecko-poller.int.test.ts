import { createLogger } from "@cryptostream/core";
import { startSimExchange, type CoinGeckoMisbehaviour, type SimExchange } from "@cryptostream/sim-exchange";
import { waitFor } from "@cryptostream/testing";
import { afterEach, describe, expect, it } from "vitest";
import { CoinGeckoPoller } from "./coingecko-poller";

describe("CoinGeckoPoller against the simulated exchange", () => {
  let sim: SimExchange | undefined;
  let poller: CoinGeckoPoller | undefined;
  afterEach(async () => {
    poller?.close();
    await sim?.close();
  });

  async function start(misbehaviours: CoinGeckoMisbehaviour[], timeoutMs?: number) {
    sim = await startSimExchange({ intervalMs: 0, symbols: ["btc"] });
    sim.misbehaveCoinGecko(...misbehaviours);
    const bodies: string[] = [];
    const errors: string[] = [];
    poller = new CoinGeckoPoller({
      apiUrl: sim.coingeckoApiUrl,
      ids: ["bitcoin"],
      intervalMs: 50,
      plan: "demo",
      logger: createLogger({ service: "ingest", level: "silent" }),
      random: () => 0.999,
      onBody: (body) => bodies.push(body),
      onError: (reason) => errors.push(reason),
      ...(timeoutMs !== undefined && { timeoutMs }),
    });
    poller.start();
    return { sim, poller, bodies, errors };
  }
  const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

  it("waits as long as Retry-After says after a 429", async () => {
    const { sim, bodies } = await start([{ status: 429, retryAfterSeconds: 1 }]);
    await waitFor("a successful poll", () => bodies.length === 1, 5_000);
    const [wait] = gaps(sim.coingeckoRequests);
    expect(wait).toBeGreaterThanOrEqual(990);
    expect(poller!.status()).toMatchObject({ rateLimited: 1, errors: 1 });
  });

  it("backs off exponentially after 429s without Retry-After, then polls on its interval again", async () => {
    const { sim, bodies } = await start([{ status: 429 }, { status: 429 }, { status: 503 }]);
    await waitFor("two successful polls", () => bodies.length === 2, 5_000);
    const [first, second, third, steady] = gaps(sim.coingeckoRequests);
    expect(first).toBeGreaterThanOrEqual(95);
    expect(second).toBeGreaterThanOrEqual(145);
    expect(third).toBeGreaterThanOrEqual(245);
    expect(second!).toBeGreaterThan(first!);
    expect(steady).toBeLessThan(first!);
  });

  it("gives up on a response slower than its timeout, counts it, and takes the next one", async () => {
    const { bodies, errors } = await start([{ delayMs: 1_000 }, { delayMs: 100 }], 300);
    await waitFor("a successful poll", () => bodies.length === 1, 5_000);
    expect(errors).toEqual(["timeout"]);
    expect(poller!.status()).toMatchObject({ errors: 1, rateLimited: 0 });
    expect(JSON.parse(bodies[0]!)).toMatchObject([{ id: "bitcoin" }]);
  });

  it("reports each refusal by status", async () => {
    const { bodies, errors } = await start([{ status: 429 }, { status: 503 }, { status: 500, delayMs: 50 }]);
    await waitFor("a successful poll", () => bodies.length === 1, 5_000);
    expect(errors).toEqual(["http_429", "http_5xx", "http_5xx"]);
  });
});
