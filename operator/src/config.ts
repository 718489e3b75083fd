/**
 * @module config
 * The operator API's configuration, from the environment, validated at start (one line per bad key).
 * Route groups added to the service put their keys here too, under a comment naming the group.
 */
import { join } from "node:path";
import { env, type EnvSource, parseEnv } from "@sothebais/common/env";
import { parseTrustedProxies } from "@sothebais/common/http-client";

/** Comma-separated origins (scheme://host[:port]), each normalised by URL. */
const origins = (fallback: string[]) => ({
  fallback,
  parse: (v: string) => {
    const out = v.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
      const u = new URL(s);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("http(s) origins");
      return u.origin;
    });
    if (!out.length) throw new Error("a comma-separated list of origins, e.g. https://sothebais.example");
    return out;
  },
});

export const configSchema = {
  OPERATOR_PORT: env.port(8794),
  OPERATOR_HOST: env.string({ fallback: "127.0.0.1" }),
  RPC_URL: env.url("http://127.0.0.1:8545", ["http:", "https:"]),
  CHAIN_ID: env.int({ fallback: 31337, min: 1 }),
  /** Where deployments/<chainId>.json lives (tests use a temp dir). */
  DEPLOYMENTS_DIR: env.string({ optional: true }),
  REDIS_URL: env.url("redis://127.0.0.1:6390", ["redis:", "rediss:"]),
  // --- Sign-in (SIWE) ---
  /**
   * The console's origins (the dApp's, which proxies /svc/operator): a sign-in message's domain and URI
   * must name one of them, and a state-changing request must come from one (Origin header).
   */
  OPERATOR_ORIGINS: origins(["http://127.0.0.1:5173", "http://localhost:5173"]),
  /** A session lasts at most this long (the message's expirationTime may shorten it). */
  OPERATOR_SESSION_TTL_S: env.int({ fallback: 8 * 3600, min: 60, max: 7 * 24 * 3600 }),
  /** A nonce handed out by GET /auth/nonce must be used within this time, once. */
  OPERATOR_NONCE_TTL_S: env.int({ fallback: 300, min: 10, max: 3600 }),
  /** A message's issuedAt may be at most this old (and at most 60 s in the future). */
  OPERATOR_MESSAGE_MAX_AGE_S: env.int({ fallback: 600, min: 10, max: 3600 }),
  /** How long a role read from the chain is trusted before it is read again (RoleRevoked drops it at once). */
  OPERATOR_ROLE_CACHE_MS: env.int({ fallback: 5000, min: 0, max: 60_000 }),
  /** How often the RoleRevoked / Paused / Unpaused watcher polls the chain's logs. */
  OPERATOR_POLL_MS: env.int({ fallback: 1000, min: 50 }),
  /**
   * The session cookie's Secure attribute. Keep it on: browsers accept Secure cookies from http://localhost
   * and http://127.0.0.1 too; turn it off only for a console reached by plain http on another host.
   */
  OPERATOR_COOKIE_SECURE: env.bool(true),
  /** GET /auth/nonce requests per client per minute (each stores a nonce). */
  OPERATOR_NONCE_RATE_LIMIT: env.int({ fallback: 30, min: 1, max: 10_000 }),
  /** POST /auth/login attempts per client per minute (each may verify a signature on chain). */
  OPERATOR_LOGIN_RATE_LIMIT: env.int({ fallback: 10, min: 1, max: 10_000 }),
  /** Outstanding nonces kept, all clients together; past it the oldest are dropped (auth/sessions.ts). */
  OPERATOR_NONCE_MAX: env.int({ fallback: 10_000, min: 10, max: 1_000_000 }),
  /**
   * Peers whose forwarded header names the client for those limits: "loopback" (the local stack's dApp
   * server), "none", or IPs/CIDRs (compose: the dApp container's network). Anyone else is the client itself.
   */
  OPERATOR_TRUSTED_PROXIES: { fallback: parseTrustedProxies("loopback"), parse: (v: string) => parseTrustedProxies(v) },
  /** Which header the trusted proxies set: only that one is read, so a client cannot add the other. */
  OPERATOR_TRUSTED_PROXY_HEADER: env.oneOf(["x-forwarded-for", "forwarded"], "x-forwarded-for"),
  // --- Service controls ---
  /** Audit entries kept in Redis (newest first). */
  OPERATOR_AUDIT_MAX: env.int({ fallback: 1000, min: 10, max: 100_000 }),
  /** Largest request body accepted by default (413 above); route groups may set their own. */
  OPERATOR_MAX_BODY_BYTES: env.int({ fallback: 16_384, min: 256 }),
  // --- Artwork and IPFS (artwork/*, ipfs/*) ---
  /** The local IPFS node's blockstore and pin records: persistent, back it up like a database. */
  IPFS_DIR: env.string({ fallback: join(import.meta.dirname, "../../.tmp/operator-ipfs") }),
  /** Upload limits: file size, largest and smallest width/height in pixels. */
  ARTWORK_MAX_BYTES: env.int({ fallback: 10 * 1024 * 1024, min: 1024, max: 100 * 1024 * 1024 }),
  ARTWORK_MAX_SIDE: env.int({ fallback: 8192, min: 64, max: 65_535 }),
  ARTWORK_MIN_SIDE: env.int({ fallback: 64, min: 1, max: 8192 }),
  /** IPFS Pinning Service API endpoint (production); with PINNING_SERVICE_TOKEN. Unset: the local node only. */
  PINNING_SERVICE_URL: { ...env.url(undefined, ["http:", "https:"]), optional: true },
  PINNING_SERVICE_TOKEN: env.secret({ optional: true }),
  /** Multiaddrs the pinning service may fetch the blocks from (e.g. this operator's public gateway). */
  PINNING_ORIGINS: env.list({ optional: true }),
  /** Kubo-RPC-compatible endpoint receiving each upload's CAR (`/api/v0/dag/import`) before the pin request. */
  IPFS_UPLOAD_URL: { ...env.url(undefined, ["http:", "https:"]), optional: true },
  IPFS_UPLOAD_TOKEN: env.secret({ optional: true }),
  // --- Logs (logs/*): the Logs page's source; LOKI_URL wins, neither set: no /logs routes ---
  /** A folder of `<service>.log` files to tail (the local stack's `.tmp/stack/logs`). */
  LOG_DIR: env.string({ optional: true }),
  /** Grafana Loki's base URL (production: Alloy ships every container's output there, ops/alloy). */
  LOKI_URL: { ...env.url(undefined, ["http:", "https:"]), optional: true, secret: true },
  /** Multi-tenant Loki: the X-Scope-OrgID sent with each query. */
  LOKI_TENANT: env.string({ optional: true }),
  /** Lines kept in memory per service when tailing LOG_DIR. */
  LOG_RING_LINES: env.int({ fallback: 5000, min: 100, max: 100_000 }),
  /** A comment on an idle log stream this often, so proxies keep it open. */
  LOG_STREAM_HEARTBEAT_MS: env.int({ fallback: 15_000, min: 100, max: 120_000 }),
  LOG_LEVEL: env.oneOf(["debug", "info", "warn", "error"], "info"),
};

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(source: EnvSource = process.env) {
  return parseEnv(configSchema, source);
}
