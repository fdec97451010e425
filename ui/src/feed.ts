import { backoffDelay, type HelloMessage, type SequencedTick, type ServerMessage, type StatusReport } from "@cryptostream/core/contracts";

export interface FeedHandlers {
  onTicks(ticks: SequencedTick[]): void;
  onOpen(): void;
  onHello(hello: HelloMessage): void;
  /** The connection dropped; the next attempt starts at `retryAt` (ms since epoch). */
  onRetry(retryAt: number): void;
  /** The connection came back: whatever was fetched before may be stale. */
  onResync(): void;
  /** Stale symbols and sources: the whole state (from `hello`), or what changed (from `status`). */
  onStatus(status: StatusReport, whole: boolean): void;
}

export interface FeedOptions {
  url: string;
  handlers: FeedHandlers;
  createSocket?: (url: string) => WebSocket;
  /** Batches ticks per animation frame. */
  scheduleFrame?: (flush: () => void) => void;
  random?: () => number;
  now?: () => number;
  /** At most one message per this many ms to start with (0: every tick); see {@link Feed.setThrottle}. */
  throttleMs?: number;
}

export interface Feed {
  /**
   * At most one message per `ms` (the latest of each symbol that changed; 0: every tick), now
   * and on every reconnect. Changing it brings a snapshot of every symbol.
   */
  setThrottle(ms: number): void;
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
  throttleMs: initialThrottleMs = 0,
}: FeedOptions): Feed {
  let socket: WebSocket | undefined;
  let attempt = 0;
  let connectedBefore = false;
  let closed = false;
  let throttleMs = initialThrottleMs;
  /** The throttle the server applies to the current socket (from its URL, or the last subscribe sent). */
  let socketThrottleMs = 0;
  const sendThrottle = () => {
    if (socket?.readyState !== 1 || socketThrottleMs === throttleMs) return;
    socket.send(JSON.stringify({ type: "subscribe", symbols: [], throttle: throttleMs }));
    socketThrottleMs = throttleMs;
  };
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const stream = streamPosition(handlers, frameBatcher(scheduleFrame, handlers.onTicks));

  const connect = () => {
    const current = createSocket(resumeUrl(url, stream.lastSeq, stream.epoch, throttleMs));
    socket = current;
    socketThrottleMs = throttleMs;
    current.onopen = () => {
      attempt = 0;
      sendThrottle();
      handlers.onOpen();
      if (connectedBefore) handlers.onResync();
      connectedBefore = true;
    };
    current.onmessage = (event: MessageEvent) => stream.receive(parseMessage(event.data));
    current.onclose = () => {
      if (closed || socket !== current) return;
      const delay = backoffDelay(attempt++, { ...BACKOFF, random });
      handlers.onRetry(now() + delay);
      retryTimer = setTimeout(connect, delay);
    };
  };

  connect();
  return {
    setThrottle(ms) {
      throttleMs = ms;
      sendThrottle();
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      // Closing a socket that is still connecting makes browsers log an error: close it once open.
      if (socket?.readyState === 0) socket.onopen = () => socket?.close();
      else socket?.close();
    },
  };
}

/**
 * Where the client is in the stream (the last seq seen, and the epoch of the stream it belongs to:
 * resumed with it, a seq of a stream made again is not taken for a new one), kept from the
 * messages it hands on.
 */
function streamPosition(handlers: FeedHandlers, batcher: ReturnType<typeof frameBatcher>) {
  const position = {
    lastSeq: 0,
    epoch: undefined as string | undefined,
    receive(message: ServerMessage | undefined) {
      if (message?.type === "hello") {
        position.epoch ??= message.epoch;
        handlers.onHello(message);
        if (message.status) handlers.onStatus(message.status, true);
      } else if (message?.type === "status") {
        handlers.onStatus(message, false);
      } else if (message?.type === "reset") {
        // The snapshot after it counts in the stream as it is now, perhaps made again from seq 1.
        position.lastSeq = 0;
        position.epoch = message.epoch;
      } else if (message?.type === "snapshot" || message?.type === "ticks") {
        for (const tick of message.ticks) if (tick.seq > position.lastSeq) position.lastSeq = tick.seq;
        batcher.push(message.ticks);
      }
    },
  };
  return position;
}

/** Where to connect: with the last seq seen and its epoch, to resume after it, and the throttle (ms) when there is one. */
export function resumeUrl(url: string, lastSeq: number, epoch: string | undefined, throttleMs = 0): string {
  const params = new URLSearchParams();
  if (lastSeq > 0) params.set("resume", String(lastSeq));
  if (lastSeq > 0 && epoch !== undefined) params.set("epoch", epoch);
  if (throttleMs > 0) params.set("throttle", `${throttleMs}ms`);
  const query = params.toString();
  return query ? `${url}?${query}` : url;
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
