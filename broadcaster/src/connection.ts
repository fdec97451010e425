import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  TIMER_LIMIT_MS,
  isValidSymbol,
  isWindowReadsBusy,
  parseTimeBound,
  type ClientMessage,
  type Clock,
  type ClockTimer,
  type Logger,
  type ProtocolErrorCode,
  type ReplayOutcome,
  type ResumeOutcome,
  type WindowReadSlots,
} from "@cryptostream/core";
import type { RawData, WebSocket } from "ws";
import type { TokenCheck } from "./admission";
import { MAX_SYMBOLS_PER_MESSAGE, THROTTLE_PROBLEM, isEpoch, parseClientMessage, parseThrottle } from "./client-message";
import { replayWindow, type ReplayWindow } from "./replay";
import { resumeFromStream, type ResumeContext } from "./resume";
import { ClientSession, type SessionEvents, type SlowClientLimits } from "./session";
import type { StatusBoard } from "./status-board";
import type { FrameSink } from "./ws-frame";

export type WindowReadKind = "resume" | "replay";

/** What every connection of this instance shares. */
export interface ConnectionContext extends ResumeContext {
  /** Slots for replays and resumes, shared by every connection of this instance. */
  windowSlots: WindowReadSlots;
  logger: Logger;
  serverId: string;
  simulated: boolean;
  limits: SlowClientLimits;
  /** Stale symbols and down sources, for `hello`. */
  status: StatusBoard;
  /** Client messages allowed per second. */
  messageRate: number;
  /** Checks a token sent in an `auth` message; absent when the server needs none. */
  checkToken?: (token: string) => TokenCheck;
  /** A connection from this address has closed. */
  onClosed?: (ip: string) => void;
  events: SessionEvents & {
    onProtocolError?: (code: ProtocolErrorCode | "binary_frame" | "flood") => void;
    onResume?: (outcome: ResumeOutcome) => void;
    onReplay?: (outcome: ReplayOutcome) => void;
    /** Something unexpected went wrong serving one client; that client was closed, nobody else. */
    onConnectionError?: () => void;
  };
  clock: Clock;
}

const CONNECTION = Symbol("connection");
/** Symbols not seen yet that one connection may wait for (each costs a set entry and a check per flush). */
export const MAX_UNSEEN_SYMBOLS = 100;
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
 * `wire` is the TCP socket under `ws`. `context.onClosed` gets `ip` once the socket has closed
 * and the session has left the hub.
 * `expiresAtMs`: when the token it was admitted with expires.
 */
export function openConnection(ws: WebSocket, wire: FrameSink, url: URL, context: ConnectionContext, ip = "", expiresAtMs?: number): ClientSession {
  const connection = new Connection(ws, wire, context, ip);
  (ws as TaggedSocket)[CONNECTION] = connection;
  ws.on("message", onMessage);
  ws.on("pong", onPong);
  ws.on("close", onClose);
  ws.on("error", onError);
  connection.guard(() => connection.start(url, expiresAtMs));
  return connection.session;
}

class Connection {
  readonly session: ClientSession;
  private queue: Promise<void> | undefined;
  private windowStart = 0;
  private windowCount = 0;
  /** The replay or resume in flight: one per connection. */
  private windowRead: WindowReadKind | undefined;
  /** Aborted when the socket closes: what this client started stops or leaves its queue. */
  private readonly gone = new AbortController();
  private expiryTimer: ClockTimer | undefined;

  constructor(
    ws: WebSocket,
    wire: FrameSink,
    readonly context: ConnectionContext,
    private readonly ip: string,
  ) {
    this.session = new ClientSession(ws, wire, context.limits, context.events, context.clock);
  }

  start(url: URL, expiresAtMs: number | undefined): void {
    const { hub } = this.context;
    const session = this.session;
    hub.add(session);
    session.send({
      type: "hello",
      version: PROTOCOL_VERSION,
      serverId: this.context.serverId,
      symbols: hub.symbols(),
      simulated: this.context.simulated,
      epoch: this.context.streamEpoch.current,
      status: this.context.status.current(),
    });
    this.expireAt(expiresAtMs);
    this.subscribeFromUrl(url);
    this.resumeOrSnapshot(url);
  }

  /** `?symbols=` (the known ones subscribed, the others refused with an error, after `hello`) and `?throttle=`. */
  private subscribeFromUrl(url: URL): void {
    const throttleText = this.param(url, "throttle");
    const throttle = throttleText === null ? undefined : parseThrottle(throttleText);
    if (throttleText !== null && throttle === undefined) this.fail("bad_request", THROTTLE_PROBLEM);
    const requested = this.param(url, "symbols");
    const { hub } = this.context;
    if (requested === null) {
      if (throttle !== undefined) hub.subscribe(this.session, undefined, throttle);
      return;
    }
    const listed = requested.split(",").map((s) => s.trim());
    const symbols = [...new Set(listed.filter(Boolean))].slice(0, MAX_SYMBOLS_PER_MESSAGE);
    const refused = symbols.filter((s) => !isValidSymbol(s));
    if (refused.length > 0) this.fail("unknown_symbol", `unknown symbols: ${refused.slice(0, 20).join(", ")}`);
    const kept = this.keepUnseen(symbols.filter((s) => !refused.includes(s)));
    hub.subscribe(this.session, new Set(kept), throttle);
  }

  /**
   * Of well-formed symbols to subscribe to, those the hub has not seen yet are kept (a `notice`
   * says which), up to {@link MAX_UNSEEN_SYMBOLS} a connection; any past that are refused.
   */
  private keepUnseen(symbols: readonly string[]): string[] {
    const { hub } = this.context;
    const before = new Set([...(this.session.symbols ?? [])].filter((symbol) => !hub.knows(symbol)));
    const unseen = symbols.filter((symbol) => !hub.knows(symbol) && !before.has(symbol));
    const room = Math.max(0, MAX_UNSEEN_SYMBOLS - before.size);
    const [taken, refused] = [unseen.slice(0, room), unseen.slice(room)];
    if (refused.length > 0)
      this.fail("unknown_symbol", `at most ${MAX_UNSEEN_SYMBOLS} symbols not seen yet per connection; refused: ${refused.slice(0, 20).join(", ")}`);
    if (taken.length > 0) {
      this.session.send({
        type: "notice",
        code: "unseen_symbols",
        symbols: taken,
        message: `no tick of ${taken.slice(0, 20).join(", ")} yet: subscribed, their ticks follow as soon as there are any`,
      });
    }
    return symbols.filter((symbol) => !refused.includes(symbol));
  }

  /** A parameter of the URL; one given more than once is refused (`bad_request`) and ignored: which was meant is not for the server to guess. */
  private param(url: URL, name: string): string | null {
    const values = url.searchParams.getAll(name);
    if (values.length <= 1) return values[0] ?? null;
    this.fail("bad_request", `${name} is given ${values.length} times in the URL; it was ignored`);
    return null;
  }

  /** `?resume=<seq>&epoch=<epoch>` resumes; anything else, or nothing, gets the snapshot. */
  private resumeOrSnapshot(url: URL): void {
    const resumeText = this.param(url, "resume");
    const epoch = this.param(url, "epoch") ?? undefined;
    const resumeSeq = resumeText !== null && /^\d{1,16}$/.test(resumeText) ? Number(resumeText) : undefined;
    if (epoch !== undefined && !isEpoch(epoch)) this.fail("bad_request", "epoch must be the string hello gave");
    else if (resumeSeq !== undefined && Number.isSafeInteger(resumeSeq)) return this.startResume(resumeSeq, epoch);
    else if (resumeText !== null) this.fail("bad_request", "resume must be a non-negative integer seq below 2^53");
    this.session.send({ type: "snapshot", ticks: this.context.hub.snapshotFor(this.session) });
  }

  closed(): void {
    this.gone.abort();
    this.expiryTimer?.clear();
    this.context.hub.remove(this.session);
    this.context.onClosed?.(this.ip);
  }

  receive(data: RawData, isBinary: boolean): void {
    this.guard(() => this.receiveFrame(data, isBinary));
  }

  /** Runs `work`; an error it throws closes this client alone, logged with its address. */
  guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.crashed(error);
    }
  }

  private crashed(error: unknown): void {
    this.context.events.onConnectionError?.();
    this.context.logger.error({ err: error, ip: this.ip }, "serving a client failed; closing that client");
    this.session.close(CLOSE_CODES.internalError, "internal error");
  }

  private receiveFrame(data: RawData, isBinary: boolean): void {
    const { events, messageRate, clock } = this.context;
    const session = this.session;
    if (isBinary) {
      events.onProtocolError?.("binary_frame");
      session.close(CLOSE_CODES.unsupportedData, "binary frames are not supported");
      return;
    }
    const at = clock.now();
    if (at - this.windowStart >= 1_000) {
      this.windowStart = at;
      this.windowCount = 0;
    }
    this.windowCount++;
    if (this.windowCount > messageRate * 5) {
      events.onProtocolError?.("flood");
      session.close(CLOSE_CODES.policyViolation, `more than ${messageRate * 5} messages in a second`);
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
    const { clock } = this.context;
    const now = () => clock.now();
    const session = this.session;
    switch (message.type) {
      case "ping":
        return session.send({ type: "pong", ts: now() });
      case "auth":
        return this.refreshToken(message.token);
      case "subscribe":
      case "unsubscribe":
        return this.enqueue(() => this.changeSubscription(message));
      case "resume":
        return this.startResume(message.seq, message.epoch);
      case "replay": {
        const sinceMs = typeof message.since === "number" ? message.since : parseTimeBound(message.since, now());
        if (sinceMs === undefined) return this.fail("bad_request", `since "${message.since}" is not a time or a duration such as 5m`);
        return this.startReplay({ sinceMs, symbols: message.symbols ?? [], untilMs: now() });
      }
    }
  }

  /**
   * Adds or removes symbols (and sets the throttle), answers `subscribed`, and snapshots what was
   * added, or every subscribed symbol when the throttle changed (ticks held for the old one are
   * not sent). No symbols named leaves the subscription as it is, and so does subscribing while
   * following every symbol: "every symbol" stays every symbol, those not seen yet included.
   */
  private changeSubscription(message: Extract<ClientMessage, { type: "subscribe" | "unsubscribe" }>): void {
    const { hub } = this.context;
    const session = this.session;
    const current = session.symbols ?? new Set(hub.symbols());
    const named = message.type === "subscribe" && session.symbols !== undefined ? this.keepUnseen(message.symbols) : message.symbols;
    let next = session.symbols;
    if (named.length > 0 && !(message.type === "subscribe" && session.symbols === undefined)) {
      const changed = new Set(current);
      for (const symbol of named) {
        if (message.type === "subscribe") changed.add(symbol);
        else changed.delete(symbol);
      }
      next = changed;
    }
    const throttleBefore = session.throttleMs;
    const throttle = message.type === "subscribe" && message.throttle !== undefined ? Number(message.throttle) : undefined;
    hub.subscribe(session, next, throttle);
    const symbols = [...(next ?? hub.symbols())].sort();
    session.send({ type: "subscribed", symbols, ...(session.throttleMs !== undefined && { throttle: session.throttleMs }) });
    if (message.type === "unsubscribe") return;
    const added = new Set(named.filter((s) => !current.has(s)));
    const throttleChanged = session.throttleMs !== throttleBefore;
    const ticks = hub.snapshotFor(session).filter((tick) => throttleChanged || added.has(tick.symbol));
    if (ticks.length > 0) session.send({ type: "snapshot", ticks });
  }

  private startResume(seq: number, epoch: string | undefined): void {
    if (this.windowRead) return this.fail("bad_request", `a ${this.windowRead} is already running on this connection`);
    // Held from now: no live tick may reach the client ahead of the older ones the resume reads.
    this.session.hold();
    this.enqueue(() => this.readWindow("resume", (stopped) => resumeFromStream(this.session, { seq, epoch }, this.context, stopped)));
  }

  private startReplay(window: ReplayWindow): void {
    if (this.windowRead) return this.fail("bad_request", `a ${this.windowRead} is already running on this connection`);
    void this.readWindow("replay", (stopped) => replayWindow(this.session, window, this.context, stopped));
  }

  /**
   * Runs one replay or resume in a slot of the instance's window reads, ending it when the
   * client leaves. A full instance answers `busy` (a resume closes with 1013: the client
   * comes back later); a failed read fails this client's request alone.
   */
  private async readWindow(kind: WindowReadKind, read: (stopped: () => boolean) => Promise<void>): Promise<void> {
    const { events, logger, windowSlots } = this.context;
    this.windowRead = kind;
    const signal = this.gone.signal;
    let release: (() => void) | undefined;
    try {
      release = await windowSlots.acquire(this.ip, signal);
      if (kind === "replay") events.onReplay?.("started");
      await read(() => signal.aborted || !this.session.isOpen);
    } catch (error) {
      if (signal.aborted) return;
      if (isWindowReadsBusy(error)) return this.refuseBusy(kind, error.message);
      logger.warn({ err: (error as Error).message, ip: this.ip, kind }, `${kind} failed`);
      if (kind === "replay") return this.fail("replay_failed", (error as Error).message);
      // Without the stream there is no gapless way on: the client reconnects and asks again.
      events.onResume?.("failed");
      this.session.close(CLOSE_CODES.tryAgainLater, "resume failed, try again");
    } finally {
      release?.();
      this.windowRead = undefined;
    }
  }

  private refuseBusy(kind: WindowReadKind, reason: string): void {
    if (kind === "replay") {
      this.context.events.onReplay?.("busy");
      return this.fail("busy", `replay refused: ${reason}; try again later`);
    }
    this.context.events.onResume?.("busy");
    this.fail("busy", `resume refused: ${reason}; reconnect later`);
    this.session.close(CLOSE_CODES.tryAgainLater, "busy, try again later");
  }

  private refreshToken(token: string): void {
    const check = this.context.checkToken?.(token) ?? { ok: true };
    if (!check.ok) return this.fail("unauthorized", check.reason);
    this.expireAt(check.expiresAtMs);
    this.session.send({ type: "authenticated", expiresAt: check.expiresAtMs ?? null });
  }

  /** Closes the connection when its token expires; an `auth` message with a newer one moves the moment. */
  private expireAt(expiresAtMs: number | undefined): void {
    this.expiryTimer?.clear();
    this.expiryTimer = undefined;
    if (expiresAtMs === undefined) return;
    const { clock } = this.context;
    const left = expiresAtMs - clock.now();
    if (left > TIMER_LIMIT_MS) {
      this.expiryTimer = clock.setTimeout(() => this.expireAt(expiresAtMs), TIMER_LIMIT_MS);
      return;
    }
    this.expiryTimer = clock.setTimeout(
      () => {
        this.fail("token_expired", "the token has expired; reconnect with a new one or send an auth message before it expires");
        this.session.close(CLOSE_CODES.tokenExpired, "token expired");
      },
      Math.max(0, left),
    );
  }

  private fail(code: ProtocolErrorCode, message: string): void {
    this.context.events.onProtocolError?.(code);
    this.session.send({ type: "error", code, message });
  }

  /** Runs the client's requests one after another: a resume finishes before the next subscribe. */
  private enqueue(work: () => Promise<void> | void): void {
    this.queue = (this.queue ?? Promise.resolve()).then(() => (this.gone.signal.aborted ? undefined : work())).catch((error: unknown) => this.crashed(error));
  }
}
