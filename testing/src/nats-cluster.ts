import { freePort } from "./free-port";
import { startNatsServer, type NatsServerHandle, type NatsServerOptions } from "./nats-server";

export interface NatsClusterHandle {
  servers: NatsServerHandle[];
  /** Every server's client URL, comma-separated, as `NATS_URL` takes them. */
  urls: string;
  cleanup(): Promise<void>;
}

/** A JetStream cluster of real nats-servers on loopback, each with its own free ports and temporary store. */
export async function startNatsCluster(size = 3, options: NatsServerOptions = {}): Promise<NatsClusterHandle> {
  const routePorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routes = routePorts.map((port) => `nats-route://127.0.0.1:${port}`).join(", ");
  const servers = await Promise.all(
    routePorts.map((routePort, index) =>
      startNatsServer({
        ...options,
        extraConfig: [
          `server_name: n${index + 1}`,
          `cluster { name: cryptostream, listen: 127.0.0.1:${routePort}, routes: [${routes}] }`,
          options.extraConfig ?? "",
        ].join("\n"),
      }),
    ),
  );
  return {
    servers,
    urls: servers.map((server) => server.url).join(","),
    async cleanup() {
      await Promise.all(servers.map((server) => server.cleanup()));
    },
  };
}
