import {
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type Consumer,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
  type OrderedConsumerOptions,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { systemClock, sleep, type Clock, type ClockTimer } from "./clock";
import { backoffDelay } from "./contracts/backoff";
import { LIVE_CONSUMER_EXPIRES_MS } from "./jetstream";
import type { Logger } from "./logger";

/** Where an ordered consumer starts reading. */
export type FollowStart = Partial<Pick<OrderedConsumerOptions, "deliver_policy" | "opt_start_seq" | "opt_start_time">>;

export interface StreamFollowerOptions {
  nc: NatsConnection;
  stream: string;
  /** Names the follower in logs. */
  name: string;
  logger: Logger;
  /** The watchdog's checks and the waits between attempts go by it. */
  clock?: Clock;
  /** Where the first read starts, and where reading starts again once the stream was reset under the follower. */
  start: () => FollowStart | Promise<FollowStart>;
  /** Each message in stream order, once: a read made again goes on after the last one handed over. */
  onMessage: (message: JsMsg) => void | Promise<void>;
  /** Awaits each message's handling before the next (backpressure for handlers that write); else one callback per read's batch. */
  awaitEach?: boolean;
  /** The stream was made again under the follower (a lost store, a new stream): called before it reads from `start()` again. */
  onStreamReset?: (handledUpTo: number) => void | Promise<void>;
  /** Behind the stream this long without handing anything over: the read is made again. */
  stallAfterMs?: number;
  /** How often the stream's last seq is compared with the follower's. */
  checkEveryMs?: number;
}

export interface FollowerStatus {
  /** Stream seq of the last message handed over (0: none). */
  handled: number;
  /** The stream's last seq when last asked. */
  streamLastSeq: number;
  /** How long the follower has been behind the stream without handing anything over (0: keeping up). */
  stalledForMs: number;
  /** How many times the read was made again since the start. */
  reopened: number;
}

const DEFAULT_STALL_AFTER_MS = 5_000;
const DEFAULT_CHECK_EVERY_MS = 1_000;
const CHECK_TIMEOUT_MS = 2_000;

/**
 * Follows a stream with an ordered consumer, and keeps following it whatever happens to
 * nats-server: a read that ends (for any reason, with or without an error) is made again from
 * the next seq, and a watchdog compares the stream's last seq with the follower's so that a
 * read that silently stopped delivering while the stream grows is made again too. A stream made
 * again under it (its creation time changed, or it holds less than was handed over) is read
 * from `start()` again after `onStreamReset`. NATS.js recovers most restarts itself; this makes
 * recovery not depend on which of its paths a restart happened to take.
 */
export class StreamFollower {
  private readonly clock: Clock;
  private readonly stallAfterMs: number;
  private consumer: Consumer | undefined;
  private messages: ConsumerMessages | undefined;
  private handled = 0;
  private streamLastSeq = 0;
  private epoch: string | undefined;
  private lastProgressAt: number;
  private behindSince: number | undefined;
  private reopened = 0;
  private reopening = false;
  private checking = false;
  private stopped = false;
  private readonly stopSignal = new AbortController();
  private watchdog: ClockTimer | undefined;
  private jsm: JetStreamManager | undefined;

  constructor(private readonly options: StreamFollowerOptions) {
    this.clock = options.clock ?? systemClock;
    this.stallAfterMs = options.stallAfterMs ?? DEFAULT_STALL_AFTER_MS;
    this.lastProgressAt = this.clock.now();
  }

  /** Opens the first read; fails if the stream cannot be read now. */
  async start(): Promise<void> {
    this.jsm = await jetstreamManager(this.options.nc, { timeout: CHECK_TIMEOUT_MS });
    const info = await this.jsm.streams.info(this.options.stream);
    [this.epoch, this.streamLastSeq] = [info.created, info.state.last_seq];
    await this.open(await this.options.start());
    this.watchdog = this.clock.setInterval(() => void this.check(), this.options.checkEveryMs ?? DEFAULT_CHECK_EVERY_MS);
  }

  status(): FollowerStatus {
    const stalledForMs = this.behindSince === undefined ? 0 : Math.max(0, this.clock.now() - Math.max(this.behindSince, this.lastProgressAt));
    return { handled: this.handled, streamLastSeq: this.streamLastSeq, stalledForMs, reopened: this.reopened };
  }

  /** Whether it has been behind the stream, handing nothing over, for longer than its stall limit. */
  isStalled(): boolean {
    return this.status().stalledForMs >= this.stallAfterMs;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopSignal.abort();
    this.watchdog?.clear();
    await this.closeRead();
  }

  private async open(start: FollowStart): Promise<void> {
    const consumer = await jetstream(this.options.nc).consumers.get(this.options.stream, start);
    const messages = await consumer.consume({
      max_messages: 4_096,
      expires: LIVE_CONSUMER_EXPIRES_MS,
      ...(this.options.awaitEach ? {} : { callback: (message: JsMsg) => void this.deliver(message) }),
    });
    [this.consumer, this.messages] = [consumer, messages];
    if (this.options.awaitEach) void this.drain(messages);
    void messages.closed().then((error) => this.ended(messages, error || undefined));
    if (this.stopped) await this.closeRead();
  }

  private async drain(messages: ConsumerMessages): Promise<void> {
    for await (const message of messages) await this.deliver(message);
  }

  private deliver(message: JsMsg): void | Promise<void> {
    // A read made again may bring again what the one before it had handed over already.
    if (message.seq <= this.handled) return;
    this.handled = message.seq;
    this.lastProgressAt = this.clock.now();
    try {
      const handling = this.options.onMessage(message);
      if (handling) return handling.catch((error: unknown) => this.handlerFailed(message, error));
    } catch (error) {
      this.handlerFailed(message, error);
    }
  }

  private handlerFailed(message: JsMsg, error: unknown): void {
    this.options.logger.error({ err: (error as Error).message, seq: message.seq }, `${this.options.name}: a message failed to apply; going on with the next`);
  }

  private ended(messages: ConsumerMessages, error: Error | undefined): void {
    if (this.stopped || messages !== this.messages) return;
    void this.reopen(`its read ended${error ? `: ${error.message}` : ""}`);
  }

  private async closeRead(): Promise<void> {
    const [consumer, messages] = [this.consumer, this.messages];
    [this.consumer, this.messages] = [undefined, undefined];
    await messages?.close().catch(() => undefined);
    // nats-server keeps an ordered consumer for 5 min after its reader left.
    void consumer?.delete().catch(() => undefined);
  }

  /** Makes the read again, from the next seq (or from `start()` after a reset), until it is open or the follower stops. */
  private async reopen(why: string, reset = false): Promise<void> {
    if (this.reopening || this.stopped) return;
    this.reopening = true;
    this.reopened++;
    this.options.logger.warn(
      { stream: this.options.stream, handled: this.handled, streamLastSeq: this.streamLastSeq },
      `${this.options.name}: ${why}; reading again`,
    );
    try {
      await this.closeRead();
      if (reset) {
        await this.options.onStreamReset?.(this.handled);
        this.handled = 0;
      }
      for (let attempt = 0; !this.stopped; attempt++) {
        try {
          const start = this.handled > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.handled + 1 } : await this.options.start();
          await this.open(start);
          return;
        } catch (error) {
          const delay = backoffDelay(attempt, { baseMs: 250, maxMs: 5_000 });
          this.options.logger.warn({ err: (error as Error).message, retryInMs: delay }, `${this.options.name}: cannot read ${this.options.stream} yet`);
          await sleep(this.clock, Math.max(100, delay), this.stopSignal.signal);
        }
      }
    } finally {
      this.reopening = false;
    }
  }

  /** The watchdog: the stream's last seq and creation time against what the follower has handed over. */
  private async check(): Promise<void> {
    if (this.checking || this.reopening || this.stopped) return;
    this.checking = true;
    try {
      // What was handed over before asking: messages handled while the answer travels are newer than it.
      const handled = this.handled;
      const info = await this.jsm!.streams.info(this.options.stream);
      this.streamLastSeq = info.state.last_seq;
      if (info.created !== this.epoch || info.state.last_seq < handled) {
        this.epoch = info.created;
        this.behindSince = undefined;
        return void this.reopen(`${this.options.stream} was made again (last seq ${info.state.last_seq}, ${handled} handed over)`, true);
      }
      if (info.state.last_seq <= this.handled) {
        this.behindSince = undefined;
        return;
      }
      this.behindSince ??= this.clock.now();
      if (this.isStalled()) {
        this.behindSince = undefined;
        void this.reopen(`no message for ${this.stallAfterMs} ms while ${this.options.stream} holds ${info.state.last_seq - this.handled} more`);
      }
    } catch {
      // nats-server away or busy: the next check asks again.
    } finally {
      this.checking = false;
    }
  }
}
