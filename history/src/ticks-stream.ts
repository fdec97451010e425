import type { ServerResponse } from "node:http";
import type { SequencedTick } from "@cryptostream/core";

const CHUNK_CHARS = 64 * 1024;

export interface TickStreamWriter {
  /** Adds a tick; resolves later only when the socket needs to drain first. */
  write(tick: SequencedTick): void | Promise<void>;
  end(): void;
  /** The client went away. */
  readonly gone: boolean;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Writes ticks as NDJSON, or as one JSON array, in chunks of about 64 KiB, respecting backpressure. */
export function tickStreamWriter(res: ServerResponse, asArray: boolean): TickStreamWriter {
  let gone = false;
  res.once("close", () => (gone = true));
  res.writeHead(200, {
    "content-type": asArray ? "application/json; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    "cache-control": "no-store",
  });
  let chunk = asArray ? "[" : "";
  let first = true;
  return {
    get gone() {
      return gone;
    },
    write(tick) {
      const json = JSON.stringify(tick);
      chunk += asArray ? (first ? json : `,${json}`) : `${json}\n`;
      first = false;
      if (chunk.length < CHUNK_CHARS) return;
      const full = res.write(chunk);
      chunk = "";
      return full || gone ? undefined : drained(res);
    },
    end() {
      if (!gone) res.end(asArray ? `${chunk}]` : chunk);
    },
  };
}
