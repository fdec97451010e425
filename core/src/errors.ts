/**
 * CryptoStream's own errors: each with a `name`, a stable `code` and, where it wraps one, a
 * `cause`, and a helper to recognise it, as nats.js does with its errors. Errors of NATS
 * itself stay nats.js's own (`JetStreamApiError` with `JetStreamApiCodes`).
 */
export abstract class CryptoStreamError<Code extends string> extends Error {
  abstract readonly code: Code;
}

/** A configuration variable is missing or malformed; the service cannot start. */
export class ConfigError extends CryptoStreamError<"invalid_configuration"> {
  override readonly name = "ConfigError";
  readonly code = "invalid_configuration";
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

export type PublishErrorCode =
  /** No ack arrived within the publish timeout. */
  | "publish_timeout"
  /** The stream answered with an error instead of a sequence. */
  | "publish_refused"
  /** The publisher closed with the publish still in flight. */
  | "publisher_closed"
  /** Refused: the subject's last message was not the one the publish was checked against (another writer's since). */
  | "wrong_last_sequence";

/** A JetStream publish that did not get its ack: the publisher retries it with the same `Nats-Msg-Id`. */
export class PublishError extends CryptoStreamError<PublishErrorCode> {
  override readonly name = "PublishError";
  constructor(
    readonly code: PublishErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Whether `error` is a {@link PublishError}, of `code` when given. */
export function isPublishError(error: unknown, code?: PublishErrorCode): error is PublishError {
  return error instanceof PublishError && (code === undefined || error.code === code);
}
