// What forms the reference price, in a process of its own as in ingest. `reference`: a
// ReferenceFollower on TICKS publishing to PRICES. `relay`: the floor of that path, the same
// consumer and publisher doing nothing but republish each venue tick to prices.<symbol>.
// Prints one ready line, then runs until killed.
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import { DEFAULT_REFERENCE_SETTINGS, LIVE_CONSUMER_EXPIRES_MS, TICKS_STREAM, createLogger, decodeTick, tickMsgId } from "@cryptostream/core";
import { ReferenceFollower, TickPublisher } from "@cryptostream/ingest";
import { connect } from "@nats-io/transport-node";

const [url, mode] = process.argv.slice(2);
const nc = await connect({ servers: url });
const logger = createLogger({ service: "bench-reference", level: "warn" });
const publisher = new TickPublisher({ nc, logger });
if (mode === "relay") {
  const consumer = await jetstream(nc).consumers.get(TICKS_STREAM, { deliver_policy: DeliverPolicy.All });
  await consumer.consume({
    max_messages: 4_096,
    expires: LIVE_CONSUMER_EXPIRES_MS,
    callback: (message) => {
      const decoded = decodeTick(message.string());
      if (decoded.ok) publisher.publish(decoded.tick, { subject: `prices.${decoded.tick.symbol}`, msgId: tickMsgId(decoded.tick) });
    },
  });
} else {
  await new ReferenceFollower({ nc, settings: DEFAULT_REFERENCE_SETTINGS, publisher, logger }).start();
}
console.log(JSON.stringify({ ready: true }));
