import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

export interface StoredMessage {
  seq: number;
  subject: string;
  data: string;
  /** When the stream stored it, ms since epoch. */
  storedAt: number;
  /** Its `Nats-Msg-Id`, when it had one. */
  msgId: string | undefined;
}

/** Every message a stream holds now, in seq order, read raw (no decoding, no dedup) with an ordered consumer. */
export async function readStream(nc: NatsConnection, stream: string): Promise<StoredMessage[]> {
  const { state } = await (await jetstreamManager(nc)).streams.info(stream);
  const messages: StoredMessage[] = [];
  if (state.messages === 0) return messages;
  const consumer = await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  while (messages.at(-1)?.seq !== state.last_seq) {
    const batch = await consumer.fetch({ max_messages: 10_000, expires: 2_000 });
    let got = 0;
    for await (const message of batch) {
      messages.push({
        seq: message.seq,
        subject: message.subject,
        data: message.string(),
        storedAt: Math.floor(message.info.timestampNanos / 1_000_000),
        msgId: message.headers?.get("Nats-Msg-Id") || undefined,
      });
      got++;
      if (message.seq >= state.last_seq) break;
    }
    if (got === 0) break;
  }
  return messages;
}
