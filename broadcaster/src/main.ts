import { runNatsService } from "@cryptostream/core";
import { startBroadcaster } from "./app";
import { loadBroadcasterConfig } from "./config";

runNatsService("broadcaster", loadBroadcasterConfig, startBroadcaster);
