import { createLogger, inboxPrefixFor, provision, provisionViewerMirrors, viewersOperator, type PricesStreamSettings } from "@cryptostream/core";
import { connect } from "@nats-io/transport-node";

const SETTINGS: PricesStreamSettings = { maxAgeMs: 86_400_000, maxPerSubject: 100_000, duplicateWindowMs: 120_000 };

/** What `pnpm provision` does on a server with nats-users.conf, as the operator: the streams and buckets, then the viewers' mirrors. */
export async function provisionAsOperator(url: string, operator: { user: string; pass: string }): Promise<void> {
  const logger = createLogger({ service: "provision", level: "silent" });
  const nc = await connect({ servers: url, ...operator, inboxPrefix: inboxPrefixFor(operator.user) });
  await provision(nc, SETTINGS, logger);
  await nc.close();
  const viewers = viewersOperator(operator.user);
  const mirrors = await connect({ servers: url, user: viewers, pass: operator.pass, inboxPrefix: inboxPrefixFor(viewers) });
  await provisionViewerMirrors(mirrors, SETTINGS, logger);
  await mirrors.close();
}
