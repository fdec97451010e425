import type { JetStreamManager } from "@nats-io/jetstream";
import {
  PRICES_STREAM,
  PROTOCOL_VERSION,
  isValidSymbol,
  parseTimeBound,
  visitTickWindow,
  type ClientMessage,
  type Logger,
  type NatsConnection,
  type ProtocolErrorCode,
  type SequencedTick,
} from "@cryptostream/core";
import type { RawData, WebSocket } from "ws";
import { parseClientMessage } from "./client-message";
import type { BroadcastHub } from "./hub";
import { ClientSession, type SessionEvents, type SlowClientLimits } from "./session";

export interface ConnectionContext {
  hub: BroadcastHub;
  nc: NatsConnection;
  /** Made once: each one asks the server for JetStream's info when created. */
  jsm: JetStreamManager;
  logger: Logger;
  serverId: string;
  simulated: boolean;
  limits: SlowClientLimits;
  /** Client messages allowed per second. */
  messageRate: number;
  resumeMaxTicks: number;
  /** A connection from this address has closed. */
  onClosed?: (ip: string) => void;
  events: SessionEvents & {
    onProtocolError?: (code: ProtocolErrorCode | "binary_frame" | "flood") => void;
    onResume?: (outcome: "caught_up" | "reset" | "failed") => void;
    onReplay?: () => void;
  };
  now?: () => number;
}

const PAGE = 500;
const REPLAY_LIMIT = 100_000;
/** Close codes of RFC 6455. */
const UNSUPPORTED_DATA = 1003;
const POLICY_VIOLATION = 1008;
const TRY_AGAIN_LATER = 1013;

const CONNECTION = Symbol("connection");
type TaggedSocket = WebSocket & { [CONNECTION]: Connection };

// One set of listeners for every socket: per-connection closures would cost memory on each idle connection.
function onMessage(this: WebSocket, data: RawData, isBinary: boolean) {
  (this as TaggedSocket)[CONNECTION].receive(data, isBinary);
}
function onPong(this: WebSocket) {
  (this as TaggedSocket)[CONNECTION].session.missedPongs = 0;
}
function onClose(this: WebSocket) {
  (this as TaggedSocket)[CONNECTION].closed();
}
function onError(this: WebSocket, error: Error) {
  (this as TaggedSocket)[CONNECTION].context.logger.debug({ err: error.message }, "client socket error");
}

/**
 * Runs the protocol on one accepted WebSocket: hello, then a snapshot or a
 * gapless resume, then live ticks; and the client's requests, in order.
 * `context.onClosed` gets `ip` once the socket has closed and the session has left the hub.
 */
export function openConnection(ws: WebSocket, url: URL, context: ConnectionContext, ip = ""): ClientSession {
  const connection = new Connection(ws, context, ip);
  (ws as TaggedSocket)[CONNECTION] = connection;
  ws.on("message", onMessage);
  ws.on("pong", onPong);
  ws.on("close", onClose);
  ws.on("error", onError);
  connection.start(url);
  return connection.session;
}

class Connection {
  readonly session: ClientSession;
  private queue: Promise<void> | undefined;
  private windowStart = 0;
  private windowCount = 0;
  private replaying = false;

  constructor(
    ws: WebSocket,
    readonly context: ConnectionContext,
    private readonly ip: string,
  ) {
    this.session = new ClientSession(ws, context.limits, context.events);
  }

  start(url: URL): void {
    const { hub } = this.context;
    const session = this.session;
    const requested = url.searchParams.get("symbols");
    if (requested !== null) {
      const symbols = requested.split(",").map((s) => s.trim()).filter(Boolean);
      const refused = symbols.filter((s) => !isValidSymbol(s) || !hub.knows(s));
      if (refused.length > 0) this.fail("unknown_symbol", `unknown symbols: ${refused.join(", ")}`);
      session.symbols = new Set(symbols.filter((s) => !refused.includes(s)));
    }
    hub.add(session);
    session.send({ type: "hello", version: PROTOCOL_VERSION, serverId: this.context.serverId, symbols: hub.symbols(), simulated: this.context.simulated });

    const resumeText = url.searchParams.get("resume");
    if (resumeText !== null && /^\d+$/.test(resumeText)) {
      this.enqueue(() => resume(session, Number(resumeText), this.context));
    } else {
      if (resumeText !== null) this.fail("bad_request", "resume must be a non-negative integer seq");
      session.send({ type: "snapshot", ticks: hub.snapshotFor(session) });
    }
  }

  closed(): void {
    this.context.hub.remove(this.session);
    this.context.onClosed?.(this.ip);
  }

  receive(data: RawData, isBinary: boolean): void {
    const { events, messageRate, now = Date.now } = this.context;
    const session = this.session;
    if (isBinary) {
      events.onProtocolError?.("binary_frame");
      session.close(UNSUPPORTED_DATA, "binary frames are not supported");
      return;
    }
    const at = now();
    if (at - this.windowStart >= 1_000) {
      this.windowStart = at;
      this.windowCount = 0;
    }
    this.windowCount++;
    if (this.windowCount > messageRate * 5) {
      events.onProtocolError?.("flood");
      session.close(POLICY_VIOLATION, `more than ${messageRate * 5} messages in a second`);
      return;
    }
    if (this.windowCount > messageRate) {
      if (this.windowCount === messageRate + 1) this.fail("rate_limited", `at most ${messageRate} messages per second`);
      return;
    }
    const parsed = parseClientMessage(data.toString(), (symbol) => this.context.hub.knows(symbol));
    if (!parsed.ok) return this.fail(parsed.code, parsed.message);
    this.handle(parsed.message);
  }

  private handle(message: ClientMessage): void {
    const { hub, now = Date.now } = this.context;
    const session = this.session;
    switch (message.type) {
      case "ping":
        return session.send({ type: "pong", ts: now() });
      case "subscribe":
      case "unsubscribe":
        return this.enqueue(() => {
          const current = session.symbols ?? new Set(hub.symbols());
          const next = new Set(current);
          for (const symbol of message.symbols) {
            if (message.type === "subscribe") next.add(symbol);
            else next.delete(symbol);
          }
          hub.subscribe(session, next);
          session.send({ type: "subscribed", symbols: [...next].sort() });
          if (message.type === "subscribe") {
            const added = new Set(message.symbols.filter((s) => !current.has(s)));
            const ticks = hub.snapshotFor(session).filter((tick) => added.has(tick.symbol));
            if (ticks.length > 0) session.send({ type: "snapshot", ticks });
          }
        });
      case "resume":
        return this.enqueue(() => resume(session, message.seq, this.context));
      case "replay": {
        if (this.replaying) return this.fail("bad_request", "a replay is already running on this connection");
        const sinceMs = typeof message.since === "number" ? message.since : parseTimeBound(message.since, now());
        if (sinceMs === undefined) return this.fail("bad_request", `since "${message.since}" is not a time or a duration such as 5m`);
        this.replaying = true;
        this.context.events.onReplay?.();
        void replay(session, { sinceMs, symbols: message.symbols ?? [], untilMs: now() }, this.context)
          .catch((error: unknown) => this.fail("replay_failed", (error as Error).message))
          .finally(() => (this.replaying = false));
        return;
      }
    }
  }

  private fail(code: ProtocolErrorCode, message: string): void {
    this.context.events.onProtocolError?.(code);
    this.session.send({ type: "error", code, message });
  }

  /** Runs the client's requests one after another: a resume finishes before the next subscribe. */
  private enqueue(work: () => Promise<void> | void): void {
    this.queue = (this.queue ?? Promise.resolve())
      .then(work)
      .catch((error: unknown) => this.context.logger.warn({ err: (error as Error).message }, "client request failed"));
  }
}

/**
 * Sends every tick of the session's symbols after `seq`, read from the stream,
 * then the live ticks held meanwhile: no gap, no duplicate. A point older than
 * the stream keeps (or too far back) gets `reset` and a fresh snapshot instead.
 */
async function resume(session: ClientSession, seq: number, context: ConnectionContext): Promise<void> {
  try {
    await resumeFromStream(session, seq, context);
  } catch (error) {
    // Without the stream there is no gapless way on: the client reconnects and asks again.
    context.events.onResume?.("failed");
    context.logger.warn({ err: (error as Error).message, seq }, "resume failed");
    session.close(TRY_AGAIN_LATER, "resume failed, try again");
  }
}

async function resumeFromStream(session: ClientSession, seq: number, context: ConnectionContext): Promise<void> {
  const { hub, nc } = context;
  session.hold();
  const upTo = hub.lastSeq;
  const { state } = await context.jsm.streams.info(PRICES_STREAM);
  const tooOld = seq + 1 < state.first_seq && upTo >= state.first_seq;
  if (seq > state.last_seq || tooOld || upTo - seq > context.resumeMaxTicks) {
    context.events.onResume?.("reset");
    session.send({ type: "reset" });
    const snapshot = hub.snapshotFor(session);
    session.send({ type: "snapshot", ticks: snapshot });
    session.release(hub.lastSeq);
    return;
  }
  let page: SequencedTick[] = [];
  let sent = seq;
  if (upTo > seq) {
    await visitTickWindow(
      nc,
      { symbols: session.symbols ? [...session.symbols] : [], fromSeq: seq + 1, toSeq: upTo, limit: context.resumeMaxTicks },
      {
        onTick: (tick) => {
          page.push(tick);
          if (page.length === PAGE) {
            session.sendTicks(page);
            page = [];
          }
        },
      },
    );
    session.sendTicks(page);
    sent = upTo;
  }
  context.events.onResume?.("caught_up");
  session.release(sent);
}

async function replay(
  session: ClientSession,
  window: { sinceMs: number; untilMs: number; symbols: string[] },
  context: ConnectionContext,
): Promise<void> {
  let page: SequencedTick[] = [];
  const closed = () => session.socket.readyState !== 1;
  const count = await visitTickWindow(context.nc, { ...window, limit: REPLAY_LIMIT }, {
    onTick: (tick) => {
      page.push(tick);
      if (page.length === PAGE) {
        session.send({ type: "replay", ticks: page });
        page = [];
      }
    },
    stopped: closed,
  });
  if (page.length > 0) session.send({ type: "replay", ticks: page });
  session.send({ type: "replay_end", count });
}
