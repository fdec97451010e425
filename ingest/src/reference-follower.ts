import { jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import {
  ReferenceBook,
  StreamFollower,
  TICKS_STREAM,
  decodeTick,
  priceSubject,
  referenceMemoryMs,
  systemClock,
  type Clock,
  type FollowerStatus,
  type Logger,
  type NatsConnection,
  type ReferenceOutcome,
  type ReferenceSettings,
} from "@cryptostream/core";
import type { TickPublisher } from "./publisher";
import { referenceStart, startConsumerOptions } from "./reference-start";

export interface ReferenceFollowerOptions {
  nc: NatsConnection;
  settings: ReferenceSettings;
  /** Where reference ticks go: `prices.<symbol>`, with the msg id of their input. */
  publisher: TickPublisher;
  logger: Logger;
  clock?: Clock;
  /** Every outcome of an input not yet referenced, with its input's stored time. */
  onOutcome?: (outcome: ReferenceOutcome, storedAt: number) => void;
  /** A message of `TICKS` that is not a venue tick: skipped. */
  onReject?: (reason: string, message: string) => void;
}

/**
 * Reads every venue tick of `TICKS` in stream order into a {@link ReferenceBook} and publishes
 * the reference tick each one makes. Every replica does the same from the same stream, so they
 * publish the same ticks under the same msg ids, which `PRICES` keeps once. The read survives
 * any restart of nats-server (a {@link StreamFollower}); a `TICKS` made again starts a new book
 * from where `PRICES` stands.
 */
export class ReferenceFollower {
  private readonly follower: StreamFollower;
  private book: ReferenceBook;
  private referencedUpTo = 0;

  constructor(private readonly options: ReferenceFollowerOptions) {
    this.book = new ReferenceBook(options.settings);
    this.follower = new StreamFollower({
      nc: options.nc,
      stream: TICKS_STREAM,
      name: "reference follower",
      logger: options.logger,
      clock: options.clock ?? systemClock,
      start: () => this.begin(),
      // One callback per message of a read: their reference ticks leave in one socket write
      // instead of one each (a quarter less CPU: bench/RESULTS.md).
      onMessage: (message) => this.apply(message),
    });
  }

  async start(): Promise<void> {
    await this.follower.start();
  }

  status(): FollowerStatus {
    return this.follower.status();
  }

  isStalled(): boolean {
    return this.follower.isStalled();
  }

  async stop(): Promise<void> {
    await this.follower.stop();
  }

  /** A new book, read from where the last reference tick in `PRICES` was formed. */
  private async begin() {
    const { nc, settings, logger } = this.options;
    const start = await referenceStart(await jetstreamManager(nc), referenceMemoryMs(settings));
    this.book = new ReferenceBook(settings);
    this.referencedUpTo = start.referencedUpTo;
    logger.info({ referencedUpTo: start.referencedUpTo, from: start.fromTime }, "reference price following TICKS");
    return startConsumerOptions(start);
  }

  private apply(message: JsMsg): void {
    const { publisher, onOutcome, onReject } = this.options;
    const [, venue, symbol] = message.subject.split(".");
    const decoded = decodeTick(message.string(), symbol);
    if (!decoded.ok || decoded.tick.source !== venue) {
      onReject?.(decoded.ok ? "subject_mismatch" : decoded.reason, decoded.ok ? `${decoded.tick.source} tick on ${message.subject}` : decoded.message);
      return;
    }
    const storedAt = Math.floor(message.info.timestampNanos / 1_000_000);
    const input = { seq: message.seq, storedAt, tick: decoded.tick };
    if (message.seq <= this.referencedUpTo) return this.book.record(input);
    const outcome = this.book.apply(input);
    if (outcome.kind === "tick") publisher.publish(outcome.tick, { subject: priceSubject(outcome.tick.symbol), msgId: outcome.msgId });
    onOutcome?.(outcome, storedAt);
  }
}
