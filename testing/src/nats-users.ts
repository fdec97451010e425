import bcrypt from "bcryptjs";

/**
 * The environment nats-users.conf reads for these users' plaintext passwords (`ingest` ->
 * `INGEST_NATS_PASSWORD_HASH`): a bcrypt hash of each, as `make demo` and compose give nats-server.
 */
export function natsUserHashes(passwords: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(passwords).map(([user, password]) => [`${user.toUpperCase()}_NATS_PASSWORD_HASH`, bcrypt.hashSync(password, 4)]));
}
