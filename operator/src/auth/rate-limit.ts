/**
 * @module auth/rate-limit
 * Per-client limits on the routes anyone may call before signing in: `GET /auth/nonce` stores a nonce
 * on every call, `POST /auth/login` verifies a signature (an `eth_call` for a contract wallet) and reads
 * roles from the chain. Over the limit: 429 `{error, retryAfterS}` with `Retry-After`, before the
 * handler runs or the body is read.
 *
 * The client is the TCP peer, or what a trusted proxy's forwarded header names: the rule of the
 * relayer's `/link` limit, from common/src/http-client.ts (so a client that is not a trusted proxy
 * cannot name a fresh address per request). An IPv6 client counts by its /64 (`limitKey`). Counts
 * live in Redis, one fixed window per client and route, shared by every operator instance.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import { clientAddress, limitKey, type TrustedProxies } from "@sothebais/common/http-client";
import { countInWindow } from "@sothebais/common/rate-window";
import type { Context, MiddlewareHandler } from "hono";
import type { Redis } from "ioredis";
import { operatorPrefix } from "./sessions.ts";

export type ProxyHeader = "x-forwarded-for" | "forwarded";

/** Counts one request under `key`; returns the count in the current window and the ms until it ends. */
export type WindowCounter = (key: string, windowMs: number) => Promise<{ count: number; resetMs: number }>;

/** The TCP peer; undefined under `app.request()` (no socket). */
function peerOf(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** The caller's address for limits: the peer, or the client a trusted proxy names in `header`. */
export function clientResolver(proxies: TrustedProxies, header: ProxyHeader): (c: Context) => string {
  return (c) => {
    // Headers.get joins repeated headers with ", ": a second X-Forwarded-For line is read like a second hop.
    const value = c.req.header(header);
    return clientAddress(peerOf(c), header, value ? [value] : [], proxies);
  };
}

/** A fixed-window counter in Redis under `sothebais:operator:rate:<key>`. */
export function redisWindowCounter(redis: Redis): WindowCounter {
  return (key, windowMs) => countInWindow(redis, `${operatorPrefix}rate:${key}`, windowMs);
}

export type RateLimitOptions = {
  /** The counter's name: one budget per name and client. */
  name: string;
  /** What is counted, for the 429's message ("sign-in nonce requests"). */
  what: string;
  /** Requests allowed per window per client. */
  limit: number;
  windowMs: number;
  count: WindowCounter;
  clientOf: (c: Context) => string;
  /**
   * Called for each refused request (metrics); `first` on the first refusal of a client's window, so a log
   * line can name the client once a minute rather than once per request of a flood.
   */
  onLimited?: (refusal: { name: string; client: string; first: boolean }) => void;
};

/** A middleware that answers 429 once a client went over `limit` requests in the current window. */
export function rateLimit(o: RateLimitOptions): MiddlewareHandler {
  return async function rateLimitMiddleware(c, next) {
    const key = limitKey(o.clientOf(c));
    const { count, resetMs } = await o.count(`${o.name}:${key}`, o.windowMs);
    if (count <= o.limit) return next();
    o.onLimited?.({ name: o.name, client: key, first: count === o.limit + 1 });
    const retryAfterS = Math.max(1, Math.ceil(resetMs / 1000));
    return c.json(
      { error: `too many ${o.what} from ${key}: at most ${o.limit} per ${o.windowMs / 1000} s; try again in ${retryAfterS} s`, retryAfterS },
      429,
      { "retry-after": String(retryAfterS), "cache-control": "no-store" },
    );
  };
}
