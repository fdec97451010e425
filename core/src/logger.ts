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
  // One line per event: twenty symbols at start must not scroll the screen away. pino-pretty prints
  // an `err` on lines of its own (a stack, or even a string), so its text joins the message instead.
  return pino(
    options,
    pretty({
      sync: true,
      colorize: Boolean(process.stdout.isTTY),
      ignore: "pid,hostname,err",
      singleLine: true,
      messageFormat: (log, messageKey) => withError(String(log[messageKey] ?? ""), log.err),
    }),
  );
}

/** A log line's message with its error's text, on one line (JSON logs keep the whole error, stack included). */
export function withError(message: string, err: unknown): string {
  if (err === undefined || err === null || err === "") return message;
  const text = typeof err === "object" ? errorText(err as { message?: unknown; code?: unknown; errors?: unknown }) : String(err);
  return `${message}: ${text.replace(/\s*\n\s*/g, " ")}`;
}

/** An error as one line: its message, or, for an AggregateError with none (a refused connection to every address of a host), its errors'. */
function errorText(error: { message?: unknown; code?: unknown; errors?: unknown }): string {
  const message = typeof error.message === "string" ? error.message : "";
  if (message) return message;
  if (Array.isArray(error.errors)) return error.errors.map((inner: { message?: unknown }) => String(inner?.message ?? inner)).join("; ");
  return typeof error.code === "string" ? error.code : JSON.stringify(error);
}
