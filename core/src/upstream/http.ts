import got, { type Headers as GotHeaders } from "got";
import { httpStatusReason, type UpstreamErrorReason } from "../contracts";
import { CryptoStreamError } from "../errors";

export type UpstreamHeaders = GotHeaders;

/** A request to an exchange's REST API that got no usable answer, by why (`code`). */
export class UpstreamRequestError extends CryptoStreamError<UpstreamErrorReason> {
  override readonly name = "UpstreamRequestError";
  constructor(
    readonly code: UpstreamErrorReason,
    message: string,
    /** The venue's own error body, when it sent one. */
    readonly body?: unknown,
    /** How long the venue asked to be left alone (`Retry-After` of a 429 or 418), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export function isUpstreamRequestError(error: unknown): error is UpstreamRequestError {
  return error instanceof UpstreamRequestError;
}

export interface UpstreamGetOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
  searchParams?: Record<string, string | number>;
  /** Sees every answer's headers (a venue's used weight). */
  onHeaders?: (headers: UpstreamHeaders) => void;
}

/**
 * GETs `url` once (no retry: the caller decides, by the error's `code`) and gives its body as text.
 * A timeout, a network error and every status but 200 to 299 throw an {@link UpstreamRequestError}:
 * 429 and 418 (Binance's ban) as `http_429` with the `Retry-After` they name.
 */
export async function upstreamGet(url: string, { timeoutMs, headers = {}, searchParams, onHeaders }: UpstreamGetOptions): Promise<string> {
  let response: { statusCode: number; headers: UpstreamHeaders; body: string };
  try {
    response = await got(url, {
      headers,
      ...(searchParams ? { searchParams } : {}),
      timeout: { lookup: Math.min(2_000, timeoutMs), connect: Math.min(5_000, timeoutMs), request: timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
    });
  } catch (error) {
    const code = (error as Error).name === "TimeoutError" ? "timeout" : "network";
    throw new UpstreamRequestError(code, `${url}: ${(error as Error).message}`);
  }
  onHeaders?.(response.headers);
  const { statusCode, body } = response;
  if (statusCode >= 200 && statusCode < 300) return body;
  const parsed = parseJson(body);
  const detail = `${url}: HTTP ${statusCode}${body ? ` ${body.slice(0, 200)}` : ""}`;
  if (statusCode === 429 || statusCode === 418) throw new UpstreamRequestError("http_429", detail, parsed, retryAfterMs(response.headers));
  throw new UpstreamRequestError(httpStatusReason(statusCode), detail, parsed);
}

/** GETs `url` once as {@link upstreamGet} does, and parses its body as JSON (`http_4xx` when it is not). */
export async function upstreamGetJson(url: string, options: UpstreamGetOptions): Promise<unknown> {
  const body = await upstreamGet(url, options);
  const parsed = parseJson(body);
  if (parsed === undefined) throw new UpstreamRequestError("http_4xx", `${url}: the answer is not JSON: ${body.slice(0, 200)}`);
  return parsed;
}

/** `Retry-After` in seconds, as ms; undefined when absent or not a positive number (an HTTP date is not used by the venues). */
function retryAfterMs(headers: UpstreamHeaders): number | undefined {
  const seconds = Number(headers["retry-after"]);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1_000 : undefined;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
