import { backoffDelay, type HelloMessage, type SequencedTick, type ServerMessage } from "@cryptostream/core/contracts";

export interface FeedHandlers {
  onTicks(ticks: SequencedTick[]): void;
  onOpen(): void;
  onHello(hello: HelloMessage): void;
  /** The connection dropped; the next attempt starts at `retryAt` (ms since epoch). */
  onRetry(retryAt: number): void;
  /** The connection came back: whatever was fetched before may be stale. */
  onResync(): void;
}

export interface FeedOptions {
  url: string;
  handlers: FeedHandlers;
  createSocket?: (url: string) => WebSocket;
  /** Batches ticks per animation frame. */
  scheduleFrame?: (flush: () => void) => void;
  random?: () => number;
  now?: () => number;
}

export interface Feed {
  close(): void;
}

const BACKOFF = { baseMs: 500, maxMs: 30_000 };

/**
 * Connects to the broadcaster, reconnects with exponential backoff and full
 * jitter, resuming after the last seq it saw so no tick is missed, and hands
 * ticks over at most once per animation frame.
 */
export function connectFeed({
  url,
  handlers,
  createSocket = (target) => new WebSocket(target),
  scheduleFrame = (flush) => requestAnimationFrame(flush),
  random = Math.random,
  now = Date.now,
}: FeedOptions): Feed {
  let socket: WebSocket | undefined;
  let attempt = 0;
  let connectedBefore = false;
  let lastSeq = 0;
  /** The epoch of the stream `lastSeq` belongs to, from `hello`: resumed with it, a seq of a stream made again is not taken for a new one. */
  let epoch: string | undefined;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const batcher = frameBatcher(scheduleFrame, handlers.onTicks);
  const receive = (message: ServerMessage | undefined) => {
    if (message?.type === "hello") {
      epoch ??= message.epoch;
      handlers.onHello(message);
    } else if (message?.type === "reset") {
      // The snapshot after it counts in the stream as it is now, perhaps made again from seq 1.
      lastSeq = 0;
      epoch = message.epoch;
    } else if (message?.type === "snapshot" || message?.type === "ticks") {
      for (const tick of message.ticks) if (tick.seq > lastSeq) lastSeq = tick.seq;
      batcher.push(message.ticks);
    }
  };

  const connect = () => {
    const current = createSocket(resumeUrl(url, lastSeq, epoch));
    socket = current;
    current.onopen = () => {
      attempt = 0;
      handlers.onOpen();
      if (connectedBefore) handlers.onResync();
      connectedBefore = true;
    };
    current.onmessage = (event: MessageEvent) => receive(parseMessage(event.data));
    current.onclose = () => {
      if (closed || socket !== current) return;
      const delay = backoffDelay(attempt++, { ...BACKOFF, random });
      handlers.onRetry(now() + delay);
      retryTimer = setTimeout(connect, delay);
    };
  };

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      // Closing a socket that is still connecting makes browsers log an error: close it once open.
      if (socket?.readyState === 0) socket.onopen = () => socket?.close();
      else socket?.close();
    },
  };
}

/** Where to connect: with the last seq seen and its epoch, to resume after it. */
export function resumeUrl(url: string, lastSeq: number, epoch: string | undefined): string {
  if (lastSeq <= 0) return url;
  return epoch === undefined ? `${url}?resume=${lastSeq}` : `${url}?resume=${lastSeq}&epoch=${encodeURIComponent(epoch)}`;
}

/** A server frame, or undefined for one that is not JSON (ignored, as clients must ignore what they do not know). */
function parseMessage(data: unknown): ServerMessage | undefined {
  try {
    return JSON.parse(String(data)) as ServerMessage;
  } catch {
    return undefined;
  }
}

/** Collects ticks and hands them over together, once per scheduled frame. */
function frameBatcher(scheduleFrame: (flush: () => void) => void, onTicks: (ticks: SequencedTick[]) => void) {
  let buffer: SequencedTick[] = [];
  let frameRequested = false;
  const flush = () => {
    frameRequested = false;
    const ticks = buffer;
    buffer = [];
    if (ticks.length > 0) onTicks(ticks);
  };
  return {
    push(ticks: SequencedTick[]) {
      buffer.push(...ticks);
      if (frameRequested) return;
      frameRequested = true;
      scheduleFrame(flush);
    },
  };
}

/** `ws://host/ws` or `wss://host/ws` for the page's own origin. */
export function feedUrl(location: Pick<Location, "protocol" | "host">): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
}
