import { runNatsService } from "@cryptostream/core";
import { startIngest } from "./app";
import { loadIngestConfig } from "./config";

runNatsService("ingest", loadIngestConfig, startIngest);
