// Makes sure the env file given holds, for each NATS user of nats-users.conf, a random password
// (<USER>_NATS_PASSWORD, for the service that runs as it) and its bcrypt hash
// (<USER>_NATS_PASSWORD_HASH, for nats-server, which then never sees the plaintext): lines missing
// from an earlier release's file are added, existing passwords are kept.
//   node scripts/nats-passwords.mjs .data/nats-passwords.env
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import bcrypt from "bcryptjs";

const USERS = ["INGEST", "BROADCASTER", "HISTORY", "VIEWER", "REPLAY", "OPERATOR"];
const file = process.argv[2];
const text = existsSync(file) ? readFileSync(file, "utf8") : "";
const storedValue = (name) => new RegExp(`^export ${name}=(\\S+)$`, "m").exec(text)?.[1];
for (const user of USERS) {
  // A letter, then hex digits: nats-server reads environment values as configuration tokens.
  let password = storedValue(`${user}_NATS_PASSWORD`);
  if (!password) {
    password = `p${randomBytes(16).toString("hex")}`;
    appendFileSync(file, `export ${user}_NATS_PASSWORD=${password}\n`, { mode: 0o600 });
  }
  const hash = storedValue(`${user}_NATS_PASSWORD_HASH`)?.replace(/^'|'$/g, "");
  if (!hash || !bcrypt.compareSync(password, hash)) appendFileSync(file, `export ${user}_NATS_PASSWORD_HASH='${bcrypt.hashSync(password, 11)}'\n`);
}
