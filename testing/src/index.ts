export { startNatsServer } from "./nats-server";
export { waitFor } from "./wait-for";

export type { NatsServerHandle, NatsServerOptions } from "./nats-server";
