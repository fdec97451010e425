export { CHROMIUM_PATH, buildUi, launchChromium, serveUi } from "./browser";
export type { UiEntry } from "./browser";
export { FakeClock } from "./fake-clock";
export { freePort } from "./free-port";
export { cpuTimeMs, openFileDescriptors, rssBytes } from "./proc";
export { startNatsCluster } from "./nats-cluster";
export { startNatsServer } from "./nats-server";
export { natsUserHashes } from "./nats-users";
export { fixtureLines, readFixture } from "./fixtures";
export { readStream } from "./stream-reader";
export { checkReferences } from "./reference-check";
export type { ReferenceCheck } from "./reference-check";
export type { StoredMessage } from "./stream-reader";
export { waitFor } from "./wait-for";
export { WsTestClient } from "./ws-client";

export type { NatsServerHandle, NatsServerOptions } from "./nats-server";
export type { ReceivedMessage } from "./ws-client";
export type { NatsClusterHandle } from "./nats-cluster";
