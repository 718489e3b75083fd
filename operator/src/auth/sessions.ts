/**
 * @module auth/sessions
 * Sign-in nonces and sessions in Redis. Nonces live in one sorted set scored by their expiry: taking one
 * removes it in the same script that checks it, so two logins racing with one message cannot both find
 * it, and the set holds at most `nonceMax` (anyone may ask for a nonce: past the bound the oldest
 * outstanding ones are dropped, so a flood costs bounded memory and a signer whose nonce went asks
 * again, rather than every sign-in being refused until the flood's nonces expire). A session id is 32 random bytes
 * held only by the browser's cookie; Redis keeps its SHA-256, so whoever reads Redis cannot replay a
 * cookie. Each address also has a set of its session keys, so a revoked role drops all of them at once.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Address } from "@sothebais/common/deployments";
import type { Redis } from "ioredis";
import type { OperatorRole } from "./roles.ts";

export const operatorPrefix = "sothebais:operator:";
export const authKeys = {
  /** Sorted set: member a nonce, score its expiry (unix ms). */
  nonces: `${operatorPrefix}nonces`,
  session: (idHash: string) => `${operatorPrefix}session:${idHash}`,
  sessionsOf: (address: string) => `${operatorPrefix}sessions:${address.toLowerCase()}`,
} as const;

export type Session = {
  address: Address;
  /** Roles held at sign-in; every request reads the chain again (auth/roles.ts). */
  roles: OperatorRole[];
  /** Unix ms. */
  issuedAt: number;
  expiresAt: number;
};

const hashId = (id: string) => createHash("sha256").update(id).digest("hex");

// KEYS: nonces. ARGV: now, expiresAt, nonce, max, set ttl ms. Drops the expired, adds the nonce, then the
// oldest past `max` (the lowest expiry: every nonce gets the same TTL). Returns how many live ones went, or
// -1 for a nonce already there. The set itself expires when no nonce was handed out for a whole TTL.
const putNonceLua = `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[3]) == 0 then return -1 end
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if over > 0 then redis.call('ZPOPMIN', KEYS[1], over) else over = 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return over`;

// KEYS: nonces. ARGV: nonce, now. 1 when the nonce was there and alive; it is gone afterwards either way.
const takeNonceLua = `local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expiry then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
if tonumber(expiry) > tonumber(ARGV[2]) then return 1 end
return 0`;

export type SessionStore = ReturnType<typeof createSessionStore>;

export function createSessionStore(redis: Redis, o: { nonceTtlS: number; nonceMax: number; now?: () => number }) {
  const now = o.now ?? Date.now;
  const ttlMs = o.nonceTtlS * 1000;
  return {
    /**
     * Records a nonce (viem's generateSiweNonce) until it is used or `nonceTtlS` passes; returns how many
     * outstanding nonces were dropped to stay within `nonceMax` (0 unless someone is flooding).
     */
    async putNonce(nonce: string): Promise<number> {
      const t = now();
      const dropped = (await redis.eval(putNonceLua, 1, authKeys.nonces, t, t + ttlMs, nonce, o.nonceMax, ttlMs)) as number;
      if (dropped < 0) throw new Error("nonce collision");
      return dropped;
    },
    /** True once per nonce handed out and still alive; false for a replayed, unknown, expired or dropped one. */
    async takeNonce(nonce: string): Promise<boolean> {
      return (await redis.eval(takeNonceLua, 1, authKeys.nonces, nonce, now())) === 1;
    },
    /** Nonces handed out and not yet used, expired or dropped. */
    async outstandingNonces(): Promise<number> {
      return redis.zcount(authKeys.nonces, `(${now()}`, "+inf");
    },
    /** A new session; returns the id for the cookie (never stored as such). */
    async create(session: Omit<Session, "issuedAt">): Promise<{ id: string; session: Session }> {
      const id = randomBytes(32).toString("base64url");
      const record: Session = { ...session, issuedAt: now() };
      const ttlMs = Math.max(1, record.expiresAt - now());
      const key = authKeys.session(hashId(id));
      await redis
        .multi()
        .set(key, JSON.stringify(record), "PX", ttlMs)
        .sadd(authKeys.sessionsOf(record.address), key)
        // The set lives as long as its longest session: NX gives a new set a TTL, GT only ever extends it.
        .pexpire(authKeys.sessionsOf(record.address), ttlMs, "NX")
        .pexpire(authKeys.sessionsOf(record.address), ttlMs, "GT")
        .exec();
      return { id, session: record };
    },
    /** The live session of a cookie's id, or undefined (unknown, expired, dropped). */
    async get(id: string): Promise<Session | undefined> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
      const raw = await redis.get(authKeys.session(hashId(id)));
      if (!raw) return undefined;
      const s = JSON.parse(raw) as Session;
      return s.expiresAt > now() ? s : undefined;
    },
    async drop(id: string, address?: Address): Promise<void> {
      const key = authKeys.session(hashId(id));
      await redis.del(key);
      if (address) await redis.srem(authKeys.sessionsOf(address), key);
    },
    /** Drops every session of `address`; returns how many were alive. */
    async dropAll(address: Address): Promise<number> {
      const set = authKeys.sessionsOf(address);
      const keys = await redis.smembers(set);
      const n = keys.length ? await redis.del(...keys) : 0;
      await redis.del(set);
      return n;
    },
  };
}
