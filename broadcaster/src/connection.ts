import { jetstreamManager } from "@nats-io/jetstream";
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
import type { WebSocket } from "ws";
import { parseClientMessage } from "./client-message";
import type { BroadcastHub } from "./hub";
import { ClientSession, type SessionEvents, type SlowClientLimits } from "./session";

export interface ConnectionContext {
  hub: BroadcastHub;
  nc: NatsConnection;
  logger: Logger;
  serverId: string;
  simulated: boolean;
  limits: SlowClientLimits;
  /** Client messages allowed per second. */
  messageRate: number;
  resumeMaxTicks: number;
  events: SessionEvents & {
    onProtocolError?: (code: ProtocolErrorCode | "binary_frame" | "flood") => void;
    onResume?: (outcome: "caught_up" | "reset") => void;
    onReplay?: () => void;
  };
  now?: () => number;
}

const PAGE = 500;
const REPLAY_LIMIT = 100_000;
/** Close codes of RFC 6455. */
const UNSUPPORTED_DATA = 1003;
const POLICY_VIOLATION = 1008;

/**
 * Runs the protocol on one accepted WebSocket: hello, then a snapshot or a
 * gapless resume, then live ticks; and the client's requests, in order.
 */
export function openConnection(ws: WebSocket, url: URL, context: ConnectionContext): ClientSession {
  const { hub, logger, events, now = Date.now } = context;
  const session = new ClientSession(ws, context.limits, events);
  const fail = (code: ProtocolErrorCode, message: string) => {
    events.onProtocolError?.(code);
    session.send({ type: "error", code, message });
  };

  const requested = url.searchParams.get("symbols");
  if (requested !== null) {
    const symbols = requested.split(",").map((s) => s.trim()).filter(Boolean);
    const refused = symbols.filter((s) => !isValidSymbol(s) || !hub.knows(s));
    if (refused.length > 0) fail("unknown_symbol", `unknown symbols: ${refused.join(", ")}`);
    session.symbols = new Set(symbols.filter((s) => !refused.includes(s)));
  }
  hub.add(session);
  session.send({ type: "hello", version: PROTOCOL_VERSION, serverId: context.serverId, symbols: hub.symbols(), simulated: context.simulated });

  const resumeText = url.searchParams.get("resume");
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<void> | void) => {
    queue = queue.then(work).catch((error: unknown) => logger.warn({ err: (error as Error).message }, "client request failed"));
  };
  if (resumeText !== null && /^\d+$/.test(resumeText)) {
    enqueue(() => resume(session, Number(resumeText), context));
  } else {
    if (resumeText !== null) fail("bad_request", "resume must be a non-negative integer seq");
    session.send({ type: "snapshot", ticks: hub.snapshotFor(session) });
  }

  let windowStart = now();
  let windowCount = 0;
  let replaying = false;
  ws.on("message", (data, isBinary) => {
    if (isBinary) {
      events.onProtocolError?.("binary_frame");
      session.close(UNSUPPORTED_DATA, "binary frames are not supported");
      return;
    }
    const at = now();
    if (at - windowStart >= 1_000) {
      windowStart = at;
      windowCount = 0;
    }
    windowCount++;
    if (windowCount > context.messageRate * 5) {
      events.onProtocolError?.("flood");
      session.close(POLICY_VIOLATION, `more than ${context.messageRate * 5} messages in a second`);
      return;
    }
    if (windowCount > context.messageRate) {
      if (windowCount === context.messageRate + 1) fail("rate_limited", `at most ${context.messageRate} messages per second`);
      return;
    }
    const parsed = parseClientMessage(data.toString(), (symbol) => hub.knows(symbol));
    if (!parsed.ok) return fail(parsed.code, parsed.message);
    const message: ClientMessage = parsed.message;
    switch (message.type) {
      case "ping":
        return session.send({ type: "pong", ts: now() });
      case "subscribe":
      case "unsubscribe":
        return enqueue(() => {
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
        return enqueue(() => resume(session, message.seq, context));
      case "replay": {
        if (replaying) return fail("bad_request", "a replay is already running on this connection");
        const sinceMs = typeof message.since === "number" ? message.since : parseTimeBound(message.since, now());
        if (sinceMs === undefined) return fail("bad_request", `since "${message.since}" is not a time or a duration such as 5m`);
        replaying = true;
        events.onReplay?.();
        void replay(session, { sinceMs, symbols: message.symbols ?? [], untilMs: now() }, context)
          .catch((error: unknown) => fail("replay_failed", (error as Error).message))
          .finally(() => (replaying = false));
        return;
      }
    }
  });
  return session;
}

/**
 * Sends every tick of the session's symbols after `seq`, read from the stream,
 * then the live ticks held meanwhile: no gap, no duplicate. A point older than
 * the stream keeps (or too far back) gets `reset` and a fresh snapshot instead.
 */
async function resume(session: ClientSession, seq: number, context: ConnectionContext): Promise<void> {
  const { hub, nc } = context;
  session.hold();
  const upTo = hub.lastSeq;
  const { state } = await (await jetstreamManager(nc)).streams.info(PRICES_STREAM);
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
