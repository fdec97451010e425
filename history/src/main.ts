import { runNatsService } from "@cryptostream/core";
import { startHistory } from "./app";
import { loadHistoryConfig } from "./config";

runNatsService("history", loadHistoryConfig, startHistory);
