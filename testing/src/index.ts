export { startNatsServer } from "./nats-server";
export { fixtureLines, readFixture } from "./fixtures";
export { waitFor } from "./wait-for";

export type { NatsServerHandle, NatsServerOptions } from "./nats-server";
