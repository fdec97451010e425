import { createLogger, provisionAll, type PricesStreamSettings } from "@cryptostream/core";

const SETTINGS: PricesStreamSettings = { maxAgeMs: 86_400_000, maxPerSubject: 100_000, duplicateWindowMs: 120_000 };

/** What `pnpm provision` does on a server with nats-users.conf, as the operator: the streams and buckets, then the viewers' mirrors. */
export function provisionAsOperator(url: string, operator: { user: string; pass: string }): Promise<void> {
  return provisionAll({ url, user: operator.user, password: operator.pass }, SETTINGS, createLogger({ service: "provision", level: "silent" }));
}
