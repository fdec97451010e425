import type { WindowBusyReason } from "./contracts/codes";
import { systemClock, type Clock } from "./clock";
import { CryptoStreamError } from "./errors";

export interface WindowSlotLimits {
  /** Window reads running at once on this instance. */
  maxConcurrent: number;
  /** Of those, at most this many for one client (an address, or a connection). */
  maxPerClient: number;
  /** Reads waiting for a slot; past this, a read is refused at once. */
  maxQueued: number;
  /** A read that has waited this long for a slot is refused. */
  maxWaitMs: number;
}

/** A window read was refused: the instance or this client has as many running as it may. */
export class WindowReadsBusyError extends CryptoStreamError<WindowBusyReason> {
  override readonly name = "WindowReadsBusyError";
  constructor(
    readonly code: WindowBusyReason,
    message: string,
  ) {
    super(message);
  }
}

export function isWindowReadsBusy(error: unknown): error is WindowReadsBusyError {
  return error instanceof WindowReadsBusyError;
}

interface Waiter {
  client: string;
  grant: () => void;
  refuse: (error: Error) => void;
}

/**
 * Slots for reads of `PRICES` windows (replay, resume, `/api/ticks`): each read holds one
 * while it runs, so a flood of them costs the instance at most `maxConcurrent` reads at a
 * time and any one client at most `maxPerClient`. Others wait in a bounded FIFO queue for
 * at most `maxWaitMs`, and leave it when their client goes away.
 */
export class WindowReadSlots {
  private running = 0;
  private readonly perClient = new Map<string, number>();
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly limits: WindowSlotLimits,
    private readonly clock: Clock = systemClock,
  ) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  /**
   * Resolves with the function that gives the slot back, once one is free; rejects with
   * {@link WindowReadsBusyError} when refused, or with the signal's reason when aborted.
   */
  acquire(client: string, signal?: AbortSignal): Promise<() => void> {
    const { maxConcurrent, maxPerClient, maxQueued, maxWaitMs } = this.limits;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.heldBy(client) + this.queuedFor(client) >= maxPerClient) {
      return Promise.reject(new WindowReadsBusyError("client_limit", `at most ${maxPerClient} window reads at a time per client`));
    }
    if (this.running < maxConcurrent && this.queue.length === 0) return Promise.resolve(this.take(client));
    if (this.queue.length >= maxQueued) {
      return Promise.reject(new WindowReadsBusyError("queue_full", `the server is busy with ${this.running} window reads and ${this.queue.length} waiting`));
    }
    return new Promise((resolve, reject) => {
      const leave = (error: unknown) => {
        timer.clear();
        signal?.removeEventListener("abort", onAbort);
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(error);
      };
      const onAbort = () => leave(signal!.reason);
      const waiter: Waiter = {
        client,
        grant: () => {
          timer.clear();
          signal?.removeEventListener("abort", onAbort);
          resolve(this.take(client));
        },
        refuse: leave,
      };
      const timer = this.clock.setTimeout(
        () => leave(new WindowReadsBusyError("wait_timeout", `no window read slot came free within ${maxWaitMs} ms`)),
        maxWaitMs,
      );
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private queuedFor(client: string): number {
    let count = 0;
    for (const waiter of this.queue) if (waiter.client === client) count++;
    return count;
  }

  private heldBy(client: string): number {
    return this.perClient.get(client) ?? 0;
  }

  private take(client: string): () => void {
    this.running++;
    this.perClient.set(client, this.heldBy(client) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      const left = this.heldBy(client) - 1;
      if (left <= 0) this.perClient.delete(client);
      else this.perClient.set(client, left);
      this.grantNext();
    };
  }

  private grantNext(): void {
    while (this.running < this.limits.maxConcurrent) {
      const index = this.queue.findIndex((waiter) => this.heldBy(waiter.client) < this.limits.maxPerClient);
      if (index < 0) return;
      const [waiter] = this.queue.splice(index, 1);
      waiter!.grant();
    }
  }
}
