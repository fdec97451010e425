import { connect } from "@nats-io/transport-node";
import { CANDLES_STREAM, candleSubject, createLogger, decodeCandle, ensureCandlesStream, type Candle, type NatsConnection } from "@cryptostream/core";
import { readStream, startNatsServer, type NatsServerHandle } from "@cryptostream/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CandlePublisher, type CandleFence } from "./candle-publisher";

const logger = createLogger({ service: "history", level: "silent" });
const bar = (openTime: number): Candle => ({
  symbol: "btc",
  interval: "1m",
  openTime,
  open: 1,
  high: 2,
  low: 1,
  close: 2,
  ticks: 2,
  firstSeq: openTime,
  lastSeq: openTime + 1,
  source: "ticks",
});

describe("the candle publisher's fence on a real nats-server", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let publisher: CandlePublisher | undefined;

  const stored = async () => (await readStream(nc, CANDLES_STREAM)).map((message) => (decodeCandle(message.data) as { candle: Candle }).candle.openTime);
  /** A view of CANDLES that is stale (knows of no candle) until it is asked to catch up. */
  const staleView = (storedElsewhere: (candle: Candle) => boolean) => {
    let caughtUp = false;
    const fence: CandleFence = {
      lastSeqOf: () => (caughtUp ? 1 : 0),
      storedAfterCatchUp: async (candle) => {
        caughtUp = true;
        return storedElsewhere(candle);
      },
    };
    return fence;
  };

  beforeEach(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    await ensureCandlesStream(nc);
    // Another writer's candle, the subject's first (seq 1).
    await nc.request(candleSubject("1m", "btc"), JSON.stringify(bar(0)));
  });
  afterEach(async () => {
    publisher?.close();
    await nc.close();
    await server.cleanup();
  });

  it("refuses a candle sent on a stale view; stores it after looking, when the other writer had not", async () => {
    const conflicts: Candle[] = [];
    publisher = new CandlePublisher(nc, { logger, fence: staleView(() => false), onConflict: (candle) => conflicts.push(candle) });
    publisher.submit(bar(60_000));
    await publisher.drain();
    expect(conflicts.map((candle) => candle.openTime)).toEqual([60_000]);
    expect(await stored()).toEqual([0, 60_000]);
  });

  it("refuses a candle sent on a stale view, and stores nothing when the other writer had stored it", async () => {
    const conflicts: Candle[] = [];
    publisher = new CandlePublisher(nc, { logger, fence: staleView(() => true), onConflict: (candle) => conflicts.push(candle) });
    publisher.submit(bar(60_000));
    await publisher.drain();
    expect(conflicts).toHaveLength(1);
    expect(await stored()).toEqual([0]);
  });

  it("publishes nothing once the instance may no longer write", async () => {
    let mayWrite = true;
    publisher = new CandlePublisher(nc, { logger, fence: staleView(() => false), mayWrite: () => mayWrite });
    mayWrite = false;
    publisher.submit(bar(60_000));
    await publisher.drain();
    expect(await stored()).toEqual([0]);
  });
});
