import { connect } from "@nats-io/transport-node";
import { WRITER_LEASE_KEY, WRITER_LEASE_MS, createLogger, ensureWriterLeaseBucket, isWrongLastSequence, type NatsConnection } from "@cryptostream/core";
import { FakeClock, startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WriterLossReason, WriterTakeoverReason } from "@cryptostream/core";
import { LEASE_TICK_MS, WriterLease } from "./writer-lease";

const logger = createLogger({ service: "history", level: "silent" });

interface Candidate {
  lease: WriterLease;
  nc: NatsConnection;
  taken: WriterTakeoverReason[];
  lost: WriterLossReason[];
}

describe("the writer lease on a real nats-server", () => {
  let server: NatsServerHandle;
  const candidates: Candidate[] = [];

  const candidate = async (instance: string, clock?: FakeClock): Promise<Candidate> => {
    const nc = await connect({ servers: server.url });
    const kv = await ensureWriterLeaseBucket(nc);
    const taken: WriterTakeoverReason[] = [];
    const lost: WriterLossReason[] = [];
    const lease = new WriterLease({ kv, instance, logger, clock, onAcquired: (how) => taken.push(how), onLost: (why) => void lost.push(why) });
    const made = { lease, nc, taken, lost };
    candidates.push(made);
    await lease.start();
    return made;
  };
  const holders = () => candidates.filter((c) => c.lease.held());

  beforeEach(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    for (const { lease, nc } of candidates.splice(0)) {
      await lease.close().catch(() => undefined);
      await nc.close().catch(() => undefined);
    }
    await server.cleanup();
  });

  it("is held by exactly one of three candidates, and each of the others knows which", async () => {
    const [a, b, c] = [await candidate("a"), await candidate("b"), await candidate("c")];
    expect(holders().map((h) => h.lease.holder()?.instance)).toEqual(["a"]);
    expect(a.taken).toEqual(["vacant"]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const other of [b, c]) {
      expect(other.lease.holder()?.instance).toBe("a");
      expect(other.taken).toEqual([]);
    }
    // Renewed in the meantime, still the one holder.
    expect(holders()).toEqual([a]);
  });

  it("is handed over on close: the next candidate takes it at once, and only one does", async () => {
    const a = await candidate("a");
    const [b, c] = [await candidate("b"), await candidate("c")];
    await a.lease.close();
    expect(a.lost).toEqual(["shutdown"]);
    await waitFor("another candidate to take the lease", () => holders().length === 1, 2_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(holders()).toHaveLength(1);
    expect([...b.taken, ...c.taken]).toEqual(["handed_over"]);
  });

  it("expires when its holder stops renewing (its connection gone): another takes it, knowing it expired", async () => {
    const a = await candidate("a");
    const b = await candidate("b");
    await a.nc.close();
    await waitFor("b to take the lease", () => b.lease.held(), WRITER_LEASE_MS + 2_000);
    expect(b.taken).toEqual(["expired"]);
  });

  it("is lost by a holder paused past it before it does anything else, and its old revision can no longer write", async () => {
    const paused = new FakeClock(Date.now());
    const a = await candidate("a", paused);
    expect(a.lease.held()).toBe(true);
    const revision = (await (await ensureWriterLeaseBucket(a.nc)).get(WRITER_LEASE_KEY))!.revision;
    // a's clock stands still (no renewal runs) while the real one goes on: its lease expires, b takes it.
    const b = await candidate("b");
    await waitFor("b to take the lease", () => b.lease.held(), WRITER_LEASE_MS + 2_000);
    expect(a.lease.held()).toBe(true);
    // a runs again: its clock has moved on as the real one did; before any timer fires, it knows.
    paused.advance(Date.now() - paused.now());
    expect(a.lease.held()).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    paused.advance(LEASE_TICK_MS);
    await waitFor("a to report the lease lost", () => a.lost.length > 0, 2_000);
    expect(a.lost).toEqual(["expired"]);
    expect(b.lease.held()).toBe(true);
    // What a had sent against its revision is refused: the revision check is the fence.
    const update = (await ensureWriterLeaseBucket(a.nc)).update(WRITER_LEASE_KEY, "{}", revision);
    await expect(update.catch((error: unknown) => isWrongLastSequence(error))).resolves.toBe(true);
  }, 15_000);

  it("is taken again by its own process that lost track of it while nobody took it, never by a restarted namesake", async () => {
    const clock = new FakeClock(Date.now());
    const a = await candidate("a", clock);
    // A second process under the same name (a restarted container keeps its host name) waits like anyone.
    const namesake = await candidate("a");
    expect(namesake.lease.held()).toBe(false);
    // a's renewals did not get through for a whole lease (as when NATS is out of reach), while the entry stayed.
    const nextTick = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      clock.advance(LEASE_TICK_MS);
    };
    clock.advance(WRITER_LEASE_MS);
    await nextTick();
    await waitFor("a to count its lease lost", () => a.lost.length > 0, 2_000);
    await nextTick();
    await waitFor("a to take its lease again", () => a.lease.held(), 2_000);
    expect(a.taken).toEqual(["vacant", "renewed"]);
    expect(namesake.taken).toEqual([]);
  });
});
