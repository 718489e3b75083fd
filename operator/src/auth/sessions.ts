/**
 * @module auth/sessions
 * Sign-in nonces and sessions in Redis. A nonce is single-use: written with SET NX and a TTL, taken with
 * GETDEL, so two logins racing with one message cannot both find it. A session id is 32 random bytes
 * held only by the browser's cookie; Redis keeps its SHA-256, so whoever reads Redis cannot replay a
 * cookie. Each address also has a set of its session keys, so a revoked role drops all of them at once.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Address } from "@sothebais/common/deployments";
import type { Redis } from "ioredis";
import type { OperatorRole } from "./roles.ts";

export const operatorPrefix = "sothebais:operator:";
export const authKeys = {
  nonce: (nonce: string) => `${operatorPrefix}nonce:${nonce}`,
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

export type SessionStore = ReturnType<typeof createSessionStore>;

export function createSessionStore(redis: Redis, o: { nonceTtlS: number; now?: () => number }) {
  const now = o.now ?? Date.now;
  return {
    /** Records a nonce (viem's generateSiweNonce) until it is used or `nonceTtlS` passes. */
    async putNonce(nonce: string): Promise<void> {
      const ok = await redis.set(authKeys.nonce(nonce), "1", "EX", o.nonceTtlS, "NX");
      if (ok !== "OK") throw new Error("nonce collision");
    },
    /** True once per nonce handed out and still alive; false for a replayed, unknown or expired one. */
    async takeNonce(nonce: string): Promise<boolean> {
      return (await redis.getdel(authKeys.nonce(nonce))) === "1";
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
