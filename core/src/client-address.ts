import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

/**
 * Which proxies' `X-Forwarded-For` is believed: none; a count of proxy hops in front of the
 * server; or the proxies' own addresses. A client writes whatever it likes into the header,
 * and each proxy appends the address it saw, so only the entries that trusted proxies
 * appended, read from the right, say who connected.
 */
export type TrustedProxies = { kind: "none" } | { kind: "hops"; hops: number } | { kind: "addresses"; list: BlockList };

const MAX_HOPS = 10;

/** Reads `TRUST_PROXY`: `false`, `true` (one hop), a hop count, or addresses and CIDR ranges; a string says what is wrong. */
export function parseTrustedProxies(text: string): TrustedProxies | string {
  const trimmed = text.trim();
  if (trimmed === "false" || trimmed === "0") return { kind: "none" };
  if (trimmed === "true") return { kind: "hops", hops: 1 };
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    return hops <= MAX_HOPS ? { kind: "hops", hops } : `a hop count must be at most ${MAX_HOPS}`;
  }
  const list = new BlockList();
  for (const entry of trimmed
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [address, prefixText, extra] = entry.split("/");
    const family = isIP(address ?? "");
    const prefix = prefixText === undefined ? (family === 6 ? 128 : 32) : Number(prefixText);
    if (family === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
      return `"${entry}" is not an address or CIDR range; expected false, true, a hop count, or addresses such as 10.0.0.0/8,::1`;
    }
    list.addSubnet(address!, prefix, family === 6 ? "ipv6" : "ipv4");
  }
  return { kind: "addresses", list };
}

/** `::ffff:10.0.0.1` as `10.0.0.1`, so one rule covers both forms of an IPv4 peer. */
function plainAddress(address: string): string {
  const trimmed = address.trim();
  return trimmed.startsWith("::ffff:") && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The client's address: the peer itself unless it is a trusted proxy; then the rightmost
 * `X-Forwarded-For` entry that no trusted proxy wrote (nginx's `real_ip_recursive on`).
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trust: TrustedProxies): string {
  const remote = plainAddress(peer);
  if (trust.kind === "none" || !forwardedFor) return remote;
  const chain = [...forwardedFor.split(",").map(plainAddress).filter(Boolean), remote];
  if (trust.kind === "hops") return chain[Math.max(0, chain.length - 1 - trust.hops)]!;
  let index = chain.length - 1;
  while (index > 0 && isTrusted(trust.list, chain[index]!)) index--;
  return chain[index]!;
}

/** The address of the client that made a request, by {@link clientAddress}. */
export function requestClientAddress(req: IncomingMessage, trust: TrustedProxies): string {
  const header = req.headers["x-forwarded-for"];
  return clientAddress(req.socket.remoteAddress ?? "unknown", Array.isArray(header) ? header.join(",") : header, trust);
}
