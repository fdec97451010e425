import { pino, type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger };

export interface LoggerOptions {
  service: string;
  level?: string;
  /** `json` for machines, `pretty` for a terminal; defaults to pretty on a TTY. */
  format?: "json" | "pretty" | undefined;
}

export function createLogger({ service, level = "info", format }: LoggerOptions): Logger {
  const usePretty = format ? format === "pretty" : Boolean(process.stdout.isTTY);
  const options = { name: service, level };
  if (!usePretty) return pino(options);
  // One line per event: twenty symbols at start must not scroll the screen away.
  return pino(options, pretty({ sync: true, colorize: Boolean(process.stdout.isTTY), ignore: "pid,hostname", singleLine: true }));
}
