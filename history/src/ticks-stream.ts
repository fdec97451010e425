import type { ServerResponse } from "node:http";
import { once } from "node:events";
import type { SequencedTick } from "@cryptostream/core";

const CHUNK_BYTES = 64 * 1024;

/**
 * Writes ticks as NDJSON, or as one JSON array, in chunks of about 64 KiB,
 * waiting for the socket to drain. Stops early when the client goes away.
 */
export async function streamTicks(res: ServerResponse, ticks: AsyncIterable<SequencedTick>, asArray: boolean): Promise<number> {
  let gone = false;
  res.once("close", () => (gone = true));
  res.writeHead(200, {
    "content-type": asArray ? "application/json; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    "cache-control": "no-store",
  });
  let chunk = asArray ? "[" : "";
  let count = 0;
  const write = async (text: string) => {
    if (!res.write(text) && !gone) await Promise.race([once(res, "drain"), once(res, "close")]);
  };
  for await (const tick of ticks) {
    const json = JSON.stringify(tick);
    chunk += asArray ? (count === 0 ? json : `,${json}`) : `${json}\n`;
    count++;
    if (chunk.length >= CHUNK_BYTES) {
      await write(chunk);
      chunk = "";
      if (gone) return count;
    }
  }
  res.end(asArray ? `${chunk}]` : chunk);
  return count;
}
