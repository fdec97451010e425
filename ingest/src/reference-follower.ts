import { jetstream, jetstreamManager, type Consumer, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import {
  LIVE_CONSUMER_EXPIRES_MS,
  ReferenceBook,
  TICKS_STREAM,
  decodeTick,
  priceSubject,
  referenceMemoryMs,
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
  /** Every outcome of an input not yet referenced, with its input's stored time. */
  onOutcome?: (outcome: ReferenceOutcome, storedAt: number) => void;
  /** A message of `TICKS` that is not a venue tick: skipped. */
  onReject?: (reason: string, message: string) => void;
}

/**
 * Reads every venue tick of `TICKS` in stream order into a {@link ReferenceBook} and publishes
 * the reference tick each one makes. Every replica does the same from the same stream, so they
 * publish the same ticks under the same msg ids, which `PRICES` keeps once.
 */
export class ReferenceFollower {
  private messages: ConsumerMessages | undefined;
  private consumer: Consumer | undefined;

  constructor(private readonly options: ReferenceFollowerOptions) {}

  async start(): Promise<void> {
    const { nc, settings, logger } = this.options;
    const start = await referenceStart(await jetstreamManager(nc), referenceMemoryMs(settings));
    const book = new ReferenceBook(settings);
    const consumer = await jetstream(nc).consumers.get(TICKS_STREAM, startConsumerOptions(start));
    // A callback rather than an iterator: the messages of one read are handled in one go, so their
    // reference ticks leave in one socket write instead of one each (a quarter less CPU: bench/RESULTS.md).
    const messages = await consumer.consume({
      max_messages: 4_096,
      expires: LIVE_CONSUMER_EXPIRES_MS,
      callback: (message) => this.apply(message, book, start.referencedUpTo),
    });
    [this.consumer, this.messages] = [consumer, messages];
    logger.info({ referencedUpTo: start.referencedUpTo, from: start.fromTime }, "reference price following TICKS");
  }

  async stop(): Promise<void> {
    await this.messages?.close();
    // nats-server would keep an ordered consumer 5 min after its reader left.
    await this.consumer?.delete().catch(() => undefined);
  }

  private apply(message: JsMsg, book: ReferenceBook, referencedUpTo: number): void {
    const { publisher, onOutcome, onReject } = this.options;
    const [, venue, symbol] = message.subject.split(".");
    const decoded = decodeTick(message.string(), symbol);
    if (!decoded.ok || decoded.tick.source !== venue) {
      onReject?.(decoded.ok ? "subject_mismatch" : decoded.reason, decoded.ok ? `${decoded.tick.source} tick on ${message.subject}` : decoded.message);
      return;
    }
    const storedAt = Math.floor(message.info.timestampNanos / 1_000_000);
    const input = { seq: message.seq, storedAt, tick: decoded.tick };
    if (message.seq <= referencedUpTo) return book.record(input);
    const outcome = book.apply(input);
    if (outcome.kind === "tick") publisher.publish(outcome.tick, { subject: priceSubject(outcome.tick.symbol), msgId: outcome.msgId });
    onOutcome?.(outcome, storedAt);
  }
}
