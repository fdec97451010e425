import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export interface AdmissionPolicy {
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Allowed `Origin` values; empty allows any. */
  allowedOrigins: readonly string[];
  /** A shared secret the client sends as `?token=` or `Authorization: Bearer`. */
  authToken?: string | undefined;
  /** Or the secret of HS256 JWTs sent the same way. */
  jwtSecret?: string | undefined;
  /** Take the client address from `X-Forwarded-For` (behind the UI's proxy). */
  trustProxy: boolean;
}

export type Admission = { ok: true; ip: string } | { ok: false; status: 401 | 403 | 429 | 503; reason: string };

/** Decides, before the WebSocket upgrade, whether a connection may open. */
export class Admissions {
  private readonly perIp = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly policy: AdmissionPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  admit(req: IncomingMessage, url: URL): Admission {
    const { policy } = this;
    const origin = req.headers.origin;
    if (origin && policy.allowedOrigins.length > 0 && !policy.allowedOrigins.includes(origin)) {
      return { ok: false, status: 403, reason: `origin ${origin} is not allowed` };
    }
    if (policy.authToken || policy.jwtSecret) {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const token = url.searchParams.get("token") ?? bearer;
      if (!token) return { ok: false, status: 401, reason: "a token is required" };
      const valid =
        (policy.authToken !== undefined && safeEqual(token, policy.authToken)) ||
        (policy.jwtSecret !== undefined && verifyHs256(token, policy.jwtSecret, this.now()));
      if (!valid) return { ok: false, status: 401, reason: "the token is not valid" };
    }
    if (this.total >= policy.maxConnections) return { ok: false, status: 503, reason: "the server is full" };
    const ip = clientIp(req, policy.trustProxy);
    if ((this.perIp.get(ip) ?? 0) >= policy.maxConnectionsPerIp) {
      return { ok: false, status: 429, reason: `too many connections from ${ip}` };
    }
    return { ok: true, ip };
  }

  opened(ip: string): void {
    this.total++;
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
  }

  closed(ip: string): void {
    this.total--;
    const count = (this.perIp.get(ip) ?? 1) - 1;
    if (count <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, count);
  }
}

function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers["x-forwarded-for"];
  if (trustProxy && typeof forwarded === "string") return forwarded.split(",")[0]!.trim();
  return req.socket.remoteAddress ?? "unknown";
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Verifies an HS256 JWT's signature, `exp` and `nbf`. */
export function verifyHs256(token: string, secret: string, nowMs: number): boolean {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) return false;
  try {
    const alg = (JSON.parse(Buffer.from(header, "base64url").toString()) as { alg?: unknown }).alg;
    if (alg !== "HS256") return false;
    const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
    if (!safeEqual(signature, expected)) return false;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as { exp?: unknown; nbf?: unknown };
    const nowS = nowMs / 1000;
    if (typeof claims.exp === "number" && claims.exp <= nowS) return false;
    if (typeof claims.nbf === "number" && claims.nbf > nowS) return false;
    return true;
  } catch {
    return false;
  }
}

/** Signs an HS256 JWT; for tests and for operators who mint tokens. */
export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
