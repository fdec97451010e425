import { createLogger } from "@cryptostream/core";
import { startSimExchange, type SimExchange } from "@cryptostream/sim-exchange";
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

  async function start(failures: { status: number; retryAfterSeconds?: number }[]) {
    sim = await startSimExchange({ intervalMs: 0, symbols: ["btc"] });
    sim.failCoinGecko(...failures);
    const bodies: string[] = [];
    poller = new CoinGeckoPoller({
      apiUrl: sim.coingeckoApiUrl,
      ids: ["bitcoin"],
      intervalMs: 50,
      plan: "demo",
      logger: createLogger({ service: "ingest", level: "silent" }),
      random: () => 0.999,
      onBody: (body) => bodies.push(body),
    });
    poller.start();
    return { sim, poller, bodies };
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
});
