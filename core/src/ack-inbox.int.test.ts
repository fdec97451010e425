import { isPublishError } from "./errors";
import { startNatsServer, type NatsServerHandle } from "@cryptostream/testing";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JetStreamAckInbox } from "./ack-inbox";

describe("JetStreamAckInbox's errors, against a real nats-server", () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.cleanup();
  });

  it("rejects a publish no stream takes as publish_refused, and what is in flight at close as publisher_closed", async () => {
    const inbox = new JetStreamAckInbox(nc, 5_000);
    const refused = await inbox.publish("nowhere.btc", "{}", "id-1").catch((error: unknown) => error);
    expect(isPublishError(refused, "publish_refused")).toBe(true);
    expect(refused).toMatchObject({ name: "PublishError", code: "publish_refused", message: expect.stringContaining("503") });

    await nats.stop();
    const inFlight = inbox.publish("nowhere.eth", "{}", "id-2").catch((error: unknown) => error);
    inbox.close();
    expect(isPublishError(await inFlight, "publisher_closed")).toBe(true);
    await nats.restart();
  });

  it("rejects a publish with no ack in time as publish_timeout", async () => {
    const silent = await connect({ servers: nats.url });
    // Someone answers nothing on this subject: the request is neither refused nor acked.
    silent.subscribe("quiet.>", { callback: () => undefined });
    await silent.flush();
    const inbox = new JetStreamAckInbox(nc, 200);
    const timedOut = await inbox.publish("quiet.btc", "{}", "id-3").catch((error: unknown) => error);
    expect(isPublishError(timedOut, "publish_timeout")).toBe(true);
    inbox.close();
    await silent.close();
  });
});
