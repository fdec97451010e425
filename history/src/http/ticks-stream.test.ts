import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { SequencedTick } from "@cryptostream/core";
import { afterEach, describe, expect, it } from "vitest";
import { tickStreamWriter } from "./ticks-stream";

const tick = (seq: number): SequencedTick => ({ symbol: "btc", price: 100 + seq, ts: 1_763_800_000_000 + seq, source: "binance", seq });
const stored = ({ seq: _seq, ...rest }: SequencedTick) => JSON.stringify(rest);

describe("tickStreamWriter", () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  /** Serves one response written by the writer on a real loopback socket and returns its body. */
  async function body(asArray: boolean, write: (writer: ReturnType<typeof tickStreamWriter>) => void): Promise<string> {
    server = createServer((_req, res) => {
      const writer = tickStreamWriter(res, asArray);
      write(writer);
      writer.end();
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
  }

  it("splices the seq into a tick's stored JSON, and encodes the tick when the stored form would break a line", async () => {
    const text = await body(false, (writer) => {
      writer.write(tick(1), stored(tick(1)));
      writer.write(tick(2), JSON.stringify({ ...tick(2), seq: undefined }, null, 2));
      writer.write(tick(3));
    });
    const lines = text.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toEqual([`${stored(tick(1)).slice(0, -1)},"seq":1}`, JSON.stringify(tick(2)), JSON.stringify(tick(3))]);
    expect(lines.map((line) => JSON.parse(line))).toEqual([tick(1), tick(2), tick(3)]);
  });

  it("writes one JSON array across many 64 KiB chunks", async () => {
    const ticks = Array.from({ length: 5_000 }, (_, i) => tick(i + 1));
    const text = await body(true, (writer) => ticks.forEach((t) => void writer.write(t, stored(t))));
    expect(text.length).toBeGreaterThan(3 * 64 * 1024);
    expect(JSON.parse(text)).toEqual(ticks);
  });
});
