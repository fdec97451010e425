import type { JetStreamClient } from "@nats-io/jetstream";

/** Publishes every item as JSON with its msg id, 2,000 in flight at a time. */
export async function publishAll<T>(js: JetStreamClient, items: Iterable<T>, subjectOf: (item: T) => string, idOf: (item: T) => string): Promise<void> {
  let batch: Promise<unknown>[] = [];
  for (const item of items) {
    batch.push(js.publish(subjectOf(item), JSON.stringify(item), { msgID: idOf(item) }));
    if (batch.length === 2_000) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
}
