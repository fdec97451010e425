import { randomUUID } from "node:crypto";
import type { KV } from "@nats-io/kv";
import {
  WRITER_LEASE_KEY,
  WRITER_LEASE_MS,
  isWrongLastSequence,
  systemClock,
  type Clock,
  type ClockTimer,
  type Logger,
  type WriterLossReason,
  type WriterTakeoverReason,
} from "@cryptostream/core";

export interface LeaseHolder {
  instance: string;
  /** ms since epoch when it took the lease. */
  since: number;
  /** Drawn by each process: a restarted instance of the same name does not take its predecessor's lease for its own. */
  token?: string;
}

export interface WriterLeaseOptions {
  kv: KV;
  instance: string;
  logger: Logger;
  clock?: Clock;
  /** Called once the lease is taken; not awaited (renewals go on while the writer starts). */
  onAcquired: (how: WriterTakeoverReason) => void;
  /** Called once the lease is lost; awaited only on shutdown, before the lease is handed over. */
  onLost: (why: WriterLossReason) => void | Promise<void>;
}

/** How often a candidate looks for a free lease, and the holder checks and renews its own. */
export const LEASE_TICK_MS = 250;
/** The holder renews this often: three renewals in one lease. */
export const LEASE_RENEW_MS = WRITER_LEASE_MS / 3;
/**
 * The holder stops counting on its lease this long before nats-server would let it expire,
 * measured from when it sent its last renewal (nats-server stamps the entry later still).
 */
const LEASE_MARGIN_MS = 500;

/**
 * One writer among many instances, elected with a key in a KV bucket whose max age is the lease:
 * taken with a create (which fails while any holder's entry exists), kept with updates checked
 * against the holder's own revision (which fail once another took it), given up with a delete
 * (a handover: the next candidate takes it within {@link LEASE_TICK_MS}). nats-server removes the
 * entry {@link WRITER_LEASE_MS} after its last renewal, so a holder that died frees it by itself.
 *
 * The holder believes it holds the lease only until {@link WRITER_LEASE_MS} minus a margin after it
 * sent its last renewal, by its own clock: a process paused past that (SIGSTOP, a long GC) finds
 * {@link held} false as soon as it runs again, before anything else it does. What it had already
 * sent when it was paused is refused by the writes' own revision checks (see the writers).
 */
export class WriterLease {
  private revision = 0;
  private validUntil = 0;
  private lastRenewal = 0;
  private holderSince = 0;
  private lastSeen: LeaseHolder | undefined;
  private busy = false;
  private ticking: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly clock: Clock;
  private timer: ClockTimer | undefined;
  private readonly token = randomUUID();

  constructor(private readonly options: WriterLeaseOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Whether this instance may write now. */
  held(): boolean {
    return this.revision > 0 && this.clock.now() < this.validUntil;
  }

  /** Who holds the lease, as last seen (this instance while it holds it). */
  holder(): LeaseHolder | undefined {
    const holder = this.revision > 0 ? { instance: this.options.instance, since: this.holderSince } : this.lastSeen;
    return holder && { instance: holder.instance, since: holder.since };
  }

  /** Starts campaigning; resolves after the first attempt (having taken the lease, or seen who holds it). */
  async start(): Promise<void> {
    this.timer = this.clock.setInterval(() => void this.tick(), LEASE_TICK_MS);
    await this.tick();
  }

  /** Stops campaigning; a holder stops writing (awaited), then hands the lease over. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.clear();
    // A renewal in flight would change the revision the handover is checked against.
    await this.ticking;
    const revision = this.revision;
    if (revision === 0) return;
    await this.lose("shutdown");
    await this.options.kv.delete(WRITER_LEASE_KEY, { previousSeq: revision }).catch((error: Error) => {
      this.options.logger.warn({ err: error.message }, "could not hand the writer lease over; it expires by itself");
    });
  }

  private tick(): Promise<void> {
    if (this.busy || this.closed) return this.ticking;
    this.busy = true;
    this.ticking = this.checkOrCampaign();
    return this.ticking;
  }

  private async checkOrCampaign(): Promise<void> {
    try {
      if (this.revision > 0 && !this.held()) await this.lose("expired");
      else if (this.revision > 0) await this.renewWhenDue();
      else await this.tryToTake();
    } catch (error) {
      this.options.logger.debug({ err: (error as Error).message }, "writer lease: NATS did not answer");
    } finally {
      this.busy = false;
    }
  }

  private async renewWhenDue(): Promise<void> {
    if (this.clock.now() - this.lastRenewal < LEASE_RENEW_MS) return;
    const sentAt = this.clock.now();
    try {
      // A renewal that NATS does not answer within a renewal period is given up, so the next check runs on time.
      this.hold(await this.options.kv.update(WRITER_LEASE_KEY, this.value(), this.revision, LEASE_RENEW_MS), sentAt);
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
      await this.lose("taken");
    }
  }

  private async tryToTake(): Promise<void> {
    const entry = await this.options.kv.get(WRITER_LEASE_KEY);
    const current = entry?.operation === "PUT" ? entry.json<LeaseHolder>() : undefined;
    const sentAt = this.clock.now();
    let how: WriterTakeoverReason;
    if (current?.token === this.token && entry) {
      // Its own lease, still stored (it lost track of it while NATS was out of reach): kept if nobody took it.
      this.holderSince = current.since;
      this.hold(await this.options.kv.update(WRITER_LEASE_KEY, this.value(), entry.revision).catch(() => 0), sentAt);
      how = "renewed";
    } else if (current) {
      this.lastSeen = current;
      return;
    } else {
      this.holderSince = sentAt;
      this.hold(await this.options.kv.create(WRITER_LEASE_KEY, this.value()).catch(() => 0), sentAt);
      how = entry ? "handed_over" : this.lastSeen ? "expired" : "vacant";
    }
    if (this.revision === 0) return;
    const previous = this.lastSeen;
    this.lastSeen = undefined;
    this.options.logger.info({ instance: this.options.instance, revision: this.revision, how, previous }, "took the writer lease");
    this.options.onAcquired(how);
  }

  private hold(revision: number, sentAt: number): void {
    this.revision = revision;
    this.lastRenewal = sentAt;
    this.validUntil = sentAt + WRITER_LEASE_MS - LEASE_MARGIN_MS;
  }

  private async lose(why: WriterLossReason): Promise<void> {
    const revision = this.revision;
    this.revision = 0;
    const fields = { instance: this.options.instance, revision, why };
    if (why === "shutdown") this.options.logger.info(fields, "handing the writer lease over");
    else this.options.logger.warn(fields, "lost the writer lease; stopped writing");
    await this.options.onLost(why);
  }

  private value(): string {
    return JSON.stringify({ instance: this.options.instance, since: this.holderSince, token: this.token } satisfies LeaseHolder);
  }
}
