import { systemClock, type Clock, type ClockTimer } from "./clock";
import { PublishError } from "./errors";
import { newInbox } from "./nats";
import { JetStreamApiCodes } from "@nats-io/jetstream";
import { headers, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";

export interface PublishAck {
  seq: number;
  duplicate: boolean;
}

interface Waiting {
  resolve: (ack: PublishAck) => void;
  reject: (error: Error) => void;
  deadline: number;
}

const SWEEP_MS = 100;

/**
 * JetStream publishes with their acks collected on one wildcard inbox, as the Go
 * client's async publish does: one subscription and one sweep timer for every
 * publish in flight, instead of a request, a subscription entry and a timer each.
 */
export class JetStreamAckInbox {
  private readonly prefix: string;
  private readonly waiting = new Map<string, Waiting>();
  private readonly subscription: Subscription;
  private readonly sweeper: ClockTimer;
  private next = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.prefix = newInbox(nc);
    this.subscription = nc.subscribe(`${this.prefix}.*`, { callback: (_error, msg) => this.settle(msg) });
    this.sweeper = clock.setInterval(() => this.sweep(), SWEEP_MS);
  }

  /**
   * Publishes with a `Nats-Msg-Id`, and, when given, the sequence the subject's last stored message
   * must have (`Nats-Expected-Last-Subject-Sequence`, 0: none); resolves with the stream's ack,
   * rejects on an error or after the timeout.
   */
  publish(subject: string, payload: string, msgId: string, expectedLastSubjectSeq?: number): Promise<PublishAck> {
    const reply = `${this.prefix}.${++this.next}`;
    const hdrs = headers();
    hdrs.set("Nats-Msg-Id", msgId);
    if (expectedLastSubjectSeq !== undefined) hdrs.set("Nats-Expected-Last-Subject-Sequence", String(expectedLastSubjectSeq));
    return new Promise((resolve, reject) => {
      this.waiting.set(reply, { resolve, reject, deadline: this.clock.now() + this.timeoutMs });
      try {
        this.nc.publish(subject, payload, { headers: hdrs, reply });
      } catch (error) {
        this.waiting.delete(reply);
        reject(error as Error);
      }
    });
  }

  close(): void {
    this.sweeper.clear();
    this.subscription.unsubscribe();
    for (const waiting of this.waiting.values()) waiting.reject(new PublishError("publisher_closed", "publisher closed"));
    this.waiting.clear();
  }

  private settle(msg: Msg): void {
    const waiting = this.waiting.get(msg.subject);
    if (!waiting) return;
    this.waiting.delete(msg.subject);
    if (msg.headers?.hasError) {
      waiting.reject(new PublishError("publish_refused", `publish refused: ${msg.headers.code} ${msg.headers.description}`));
      return;
    }
    try {
      const ack = msg.json<{ seq?: number; duplicate?: boolean; error?: { description?: string; err_code?: number } }>();
      if (ack.error?.err_code === JetStreamApiCodes.StreamWrongLastSequence) {
        waiting.reject(new PublishError("wrong_last_sequence", `publish refused: ${ack.error.description}`));
      } else if (ack.error || typeof ack.seq !== "number") {
        waiting.reject(new PublishError("publish_refused", `publish refused: ${ack.error?.description ?? "no sequence in the ack"}`));
      } else {
        waiting.resolve({ seq: ack.seq, duplicate: ack.duplicate === true });
      }
    } catch (error) {
      waiting.reject(error as Error);
    }
  }

  /** Rejects what has waited too long; the map is in publish order, so it stops at the first one still in time. */
  private sweep(): void {
    const now = this.clock.now();
    for (const [reply, waiting] of this.waiting) {
      if (waiting.deadline > now) return;
      this.waiting.delete(reply);
      waiting.reject(new PublishError("publish_timeout", `no ack within ${this.timeoutMs} ms`));
    }
  }
}
