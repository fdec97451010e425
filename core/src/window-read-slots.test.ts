import { describe, expect, it } from "vitest";
import type { WindowBusyReason } from "./contracts/codes";
import { WindowReadSlots, isWindowReadsBusy } from "./window-read-slots";

const limits = { maxConcurrent: 2, maxPerClient: 2, maxQueued: 2, maxWaitMs: 60_000 };
const reasonOf = async (attempt: Promise<unknown>): Promise<WindowBusyReason | "granted" | "other"> =>
  attempt.then(
    () => "granted",
    (error: unknown) => (isWindowReadsBusy(error) ? error.code : "other"),
  );

describe("WindowReadSlots", () => {
  it("grants up to the instance's limit at once, queues the next in order and hands a freed slot to the first waiting", async () => {
    const slots = new WindowReadSlots(limits);
    const releaseA = await slots.acquire("a");
    await slots.acquire("b");
    const granted: string[] = [];
    const grantedTo = (client: string) => (release: () => void) => {
      granted.push(client);
      return release;
    };
    const c = slots.acquire("c").then(grantedTo("c"));
    const d = slots.acquire("d").then(grantedTo("d"));
    expect({ active: slots.active, queued: slots.queued }).toEqual({ active: 2, queued: 2 });
    expect(await reasonOf(slots.acquire("e"))).toBe("queue_full");
    releaseA();
    releaseA(); // a second call gives back nothing more
    await c;
    expect(granted).toEqual(["c"]);
    expect({ active: slots.active, queued: slots.queued }).toEqual({ active: 2, queued: 1 });
    void d;
  });

  it("refuses a client its running and waiting reads past its own share, while others still get in", async () => {
    const slots = new WindowReadSlots({ ...limits, maxConcurrent: 3, maxPerClient: 1 });
    await slots.acquire("flood");
    expect(await reasonOf(slots.acquire("flood"))).toBe("client_limit");
    expect(await reasonOf(slots.acquire("bystander"))).toBe("granted");
  });

  it("refuses a read that waited longer than maxWaitMs, and takes it out of the queue", async () => {
    const slots = new WindowReadSlots({ ...limits, maxConcurrent: 1, maxWaitMs: 20 });
    await slots.acquire("a");
    expect(await reasonOf(slots.acquire("b"))).toBe("wait_timeout");
    expect(slots.queued).toBe(0);
  });

  it("drops a waiting read whose client went away, with the signal's reason, and grants the next one instead", async () => {
    const slots = new WindowReadSlots({ ...limits, maxConcurrent: 1 });
    const release = await slots.acquire("a");
    const left = new AbortController();
    const leaving = slots.acquire("b", left.signal);
    const staying = slots.acquire("c");
    left.abort(new Error("client left"));
    await expect(leaving).rejects.toThrow("client left");
    release();
    await staying;
    expect({ active: slots.active, queued: slots.queued }).toEqual({ active: 1, queued: 0 });
    await expect(slots.acquire("d", AbortSignal.abort(new Error("gone already")))).rejects.toThrow("gone already");
  });
});
