import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { requestClientAddress, systemClock, type Clock, type TrustedProxies } from "@cryptostream/core";

export interface AdmissionPolicy {
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Allowed `Origin` values; empty allows any. */
  allowedOrigins: readonly string[];
  /** A shared secret the client sends as `?token=` or `Authorization: Bearer`. */
  authToken?: string | undefined;
  /** Or the secret of HS256 JWTs sent the same way. */
  jwtSecret?: string | undefined;
  /** What a JWT's `aud` and `iss` must be, when set. */
  jwtAudience?: string | undefined;
  jwtIssuer?: string | undefined;
  /** Whose `X-Forwarded-For` to believe (the UI's proxy). */
  trustedProxies: TrustedProxies;
}

/** `expiresAtMs`: when the token the connection opened with expires (a JWT's `exp`). */
export type Admission = { ok: true; ip: string; expiresAtMs?: number | undefined } | { ok: false; status: 401 | 403 | 429 | 503; reason: string };

export type TokenCheck = { ok: true; expiresAtMs?: number | undefined } | { ok: false; reason: string };

/** Decides, before the WebSocket upgrade, whether a connection may open. */
export class Admissions {
  private readonly perIp = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly policy: AdmissionPolicy,
    private readonly clock: Clock = systemClock,
  ) {}

  admit(req: IncomingMessage, url: URL): Admission {
    const { policy } = this;
    const origin = req.headers.origin;
    if (origin && policy.allowedOrigins.length > 0 && !policy.allowedOrigins.includes(origin)) {
      return { ok: false, status: 403, reason: `origin ${origin} is not allowed` };
    }
    let expiresAtMs: number | undefined;
    if (this.requiresToken) {
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
      // An empty `?token=` is no token: it must not hide a valid header.
      const token = url.searchParams.get("token") || bearer;
      if (!token) return { ok: false, status: 401, reason: "a token is required" };
      const check = this.checkToken(token);
      if (!check.ok) return { ok: false, status: 401, reason: check.reason };
      expiresAtMs = check.expiresAtMs;
    }
    if (this.total >= policy.maxConnections) return { ok: false, status: 503, reason: "the server is full" };
    const ip = requestClientAddress(req, policy.trustedProxies);
    if ((this.perIp.get(ip) ?? 0) >= policy.maxConnectionsPerIp) {
      return { ok: false, status: 429, reason: `too many connections from ${ip}` };
    }
    return { ok: true, ip, expiresAtMs };
  }

  get requiresToken(): boolean {
    return Boolean(this.policy.authToken || this.policy.jwtSecret);
  }

  /** Whether a token (at the upgrade, or sent later to refresh a connection's) admits now, and until when. */
  checkToken(token: string): TokenCheck {
    const { policy } = this;
    if (policy.authToken !== undefined && safeEqual(token, policy.authToken)) return { ok: true };
    if (policy.jwtSecret !== undefined) {
      const verified = verifyHs256(token, policy.jwtSecret, this.clock.now(), { audience: policy.jwtAudience, issuer: policy.jwtIssuer });
      if (verified.ok) return verified;
      return { ok: false, reason: `the token is not valid: ${verified.reason}` };
    }
    return { ok: false, reason: "the token is not valid" };
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

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface JwtExpectations {
  audience?: string | undefined;
  issuer?: string | undefined;
}

interface JwtClaims {
  exp?: unknown;
  nbf?: unknown;
  aud?: unknown;
  iss?: unknown;
}

/** What is wrong with a JWT's time claims, which RFC 7519 makes NumericDates: numbers, not strings. */
function timeClaimProblem(claims: JwtClaims, nowS: number): string | undefined {
  for (const name of ["exp", "nbf"] as const) {
    const value = claims[name];
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) return `${name} must be a number of seconds`;
  }
  if (typeof claims.exp === "number" && claims.exp <= nowS) return "it has expired";
  if (typeof claims.nbf === "number" && claims.nbf > nowS) return "it is not valid yet";
  return undefined;
}

function audienceProblem(claims: JwtClaims, expected: JwtExpectations): string | undefined {
  if (expected.audience !== undefined) {
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(expected.audience)) return `aud must be ${expected.audience}`;
  }
  if (expected.issuer !== undefined && claims.iss !== expected.issuer) return `iss must be ${expected.issuer}`;
  return undefined;
}

/** Verifies an HS256 JWT's signature, `exp`, `nbf` and, when expected, `aud` and `iss`. */
export function verifyHs256(token: string, secret: string, nowMs: number, expected: JwtExpectations = {}): TokenCheck {
  const [header, payload, signature, extra] = token.split(".");
  if (!header || !payload || !signature || extra !== undefined) return { ok: false, reason: "not a JWT" };
  try {
    const alg = (JSON.parse(Buffer.from(header, "base64url").toString()) as { alg?: unknown }).alg;
    if (alg !== "HS256") return { ok: false, reason: "alg must be HS256" };
    const expectedSignature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
    if (!safeEqual(signature, expectedSignature)) return { ok: false, reason: "bad signature" };
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as JwtClaims;
    if (typeof claims !== "object" || claims === null) return { ok: false, reason: "the payload is not an object" };
    const problem = timeClaimProblem(claims, nowMs / 1000) ?? audienceProblem(claims, expected);
    if (problem) return { ok: false, reason: problem };
    return { ok: true, expiresAtMs: typeof claims.exp === "number" ? claims.exp * 1000 : undefined };
  } catch {
    return { ok: false, reason: "not a JWT" };
  }
}

/** Signs an HS256 JWT; for tests and for operators who mint tokens. */
export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
