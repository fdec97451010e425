import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { startNatsServer, type NatsServerHandle } from "./nats-server";

describe("startNatsServer", () => {
  let server: NatsServerHandle | undefined;
  afterAll(() => server?.cleanup());

  it("starts a JetStream server on a free port and restarts it on the same port", async () => {
    server = await startNatsServer();
    expect(server.port).toBeGreaterThan(0);
    const nc = await connect({ servers: server.url });
    const reply = await nc.request("$JS.API.INFO", undefined, { timeout: 2_000 });
    expect(reply.json<{ type: string }>().type).toBe("io.nats.jetstream.api.v1.account_info_response");
    await nc.close();

    await server.restart();
    const again = await connect({ servers: server.url });
    expect(again.getServer()).toContain(String(server.port));
    await again.close();
  });
});
