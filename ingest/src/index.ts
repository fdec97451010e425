export { startIngest } from "./app";
export { ingestEnv, loadIngestConfig } from "./config";
export { TickPublisher } from "./publisher";
export type { IngestService } from "./app";
export { ReferenceFollower } from "./reference-follower";
