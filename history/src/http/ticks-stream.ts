import type { ServerResponse } from "node:http";
import { systemClock, type Clock, type SequencedTick } from "@cryptostream/core";

const CHUNK_CHARS = 64 * 1024;

export interface TickStreamWriter {
  /**
   * Adds a tick, reusing its stored JSON when given (the seq spliced in, nothing encoded again);
   * resolves later only when the socket needs to drain first.
   */
  write(tick: SequencedTick, storedJson?: string): void | Promise<void>;
  end(): void;
  /** The client went away. */
  readonly gone: boolean;
}

/** Settles when the socket drained or closed; a client that takes nothing for `timeoutMs` is cut off. */
function drained(res: ServerResponse, timeoutMs: number, clock: Clock): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      timer.clear();
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    const timer = clock.setTimeout(() => {
      res.destroy(new Error(`the client took nothing for ${timeoutMs} ms`));
      done();
    }, timeoutMs);
    res.on("drain", done);
    res.on("close", done);
  });
}

/** A stored tick's JSON that can take `,"seq":N` before its closing brace and stay one NDJSON line. */
function isOneLineObject(json: string): boolean {
  return json.endsWith("}") && json.indexOf("\n") === -1 && json.indexOf("\r") === -1;
}

/**
 * Writes ticks as NDJSON, or as one JSON array, in chunks of about 64 KiB, respecting
 * backpressure: at most one chunk waits in memory for a slow client, and one that takes
 * nothing for `sendTimeoutMs` is cut off, which ends the read behind it.
 */
export function tickStreamWriter(res: ServerResponse, asArray: boolean, sendTimeoutMs = 30_000, clock: Clock = systemClock): TickStreamWriter {
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
    write(tick, storedJson) {
      const json = storedJson !== undefined && isOneLineObject(storedJson) ? `${storedJson.slice(0, -1)},"seq":${tick.seq}}` : JSON.stringify(tick);
      chunk += asArray ? (first ? json : `,${json}`) : `${json}\n`;
      first = false;
      if (chunk.length < CHUNK_CHARS) return;
      const full = res.write(chunk);
      chunk = "";
      return full || gone ? undefined : drained(res, sendTimeoutMs, clock);
    },
    end() {
      if (!gone) res.end(asArray ? `${chunk}]` : chunk);
    },
  };
}
