// Data-quality events end to end: the simulated exchange halts one symbol and goes silent, and
// a client of the real broadcaster is told, from ingest's reports and the ticks in JetStream.
import { SOURCE_STATUS_SUBJECTS, decodeSourceReport, type HelloMessage, type StatusMessage } from "@cryptostream/core";
import { WsTestClient, waitFor, type ReceivedMessage } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "./stack";

let stack: Stack;
let client: WsTestClient;
const url = () => `ws://127.0.0.1:${stack.broadcaster.port}/ws`;

beforeAll(async () => {
  stack = await startStack({
    symbols: ["btc", "eth"],
    intervalMs: 100,
    env: { broadcaster: { STALE_AFTER: "1s" }, ingest: { BINANCE_STALE_TIMEOUT: "1s" } },
  });
  client = await WsTestClient.open(url());
}, 30_000);
afterAll(async () => {
  client?.socket.terminate();
  await stack?.close();
});

const statusOf = (message: ReceivedMessage) => message as unknown as StatusMessage;
/** Waits for a `status` message after the first `after` messages that `match` accepts. */
const nextStatus = (after: number, match: (message: StatusMessage) => boolean, what: string) =>
  client.waitForMessage((message) => message.type === "status" && client.messages.indexOf(message) >= after && match(statusOf(message)), what, 15_000);

describe("status events", () => {
  it("start from ingest's reports on status.sources.<source>, which a nats user can watch", async () => {
    const texts: string[] = [];
    const subscription = stack.nc.subscribe(SOURCE_STATUS_SUBJECTS, { callback: (_error, message) => void texts.push(message.string()) });
    await waitFor("a report on status.sources.binance", () => texts.length > 0, 10_000);
    subscription.unsubscribe();
    const decoded = decodeSourceReport(texts[0]!);
    expect(decoded).toMatchObject({ ok: true, report: { source: "binance", state: "up", instance: expect.any(String) } });
  });

  it("tell a client when the exchange's source is up, when a symbol it halted goes stale, and when it trades again", async () => {
    await nextStatus(0, (m) => m.sources.binance?.state === "up", "binance reported up");
    const before = client.messages.length;
    stack.sim.market.setHalted("eth", true);
    const stale = statusOf(await nextStatus(before, (m) => m.symbols.eth?.state === "stale", "eth stale"));
    expect(stale.symbols.eth).toMatchObject({ state: "stale", source: "binance" });
    // btc kept trading: never said stale.
    expect(client.messages.some((m) => m.type === "status" && statusOf(m).symbols.btc)).toBe(false);

    const late = await WsTestClient.open(url());
    const hello = (await late.waitForMessage((m) => m.type === "hello", "hello")) as unknown as HelloMessage;
    expect(Object.keys(hello.status.symbols)).toEqual(["eth"]);
    expect(hello.status.sources.binance?.state).toBe("up");
    late.socket.terminate();

    const resumed = client.messages.length;
    stack.sim.market.setHalted("eth", false);
    const fresh = statusOf(await nextStatus(resumed, (m) => m.symbols.eth?.state === "fresh", "eth fresh"));
    expect(fresh.symbols.eth!.lastTickAt).toBeGreaterThan(stale.symbols.eth!.lastTickAt);
  });

  it("tell a client when the exchange falls silent (ingest's own view) and when it speaks again", async () => {
    const before = client.messages.length;
    stack.sim.setBinanceSilent(true);
    const down = statusOf(await nextStatus(before, (m) => m.sources.binance?.state === "down", "binance down"));
    expect(["silent", "disconnected"]).toContain(down.sources.binance!.reason);
    const back = client.messages.length;
    stack.sim.setBinanceSilent(false);
    await nextStatus(back, (m) => m.sources.binance?.state === "up", "binance up again");
  });
});
