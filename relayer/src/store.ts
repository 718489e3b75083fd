/**
 * @module store
 * Redis keys and the atomic steps of the pipeline. Redis holds work in flight only (DESIGN.md); each
 * step that must happen once is one Lua script, so a kill -9 between two Redis calls cannot leave a
 * message claimed but not queued, or answered twice:
 * - `claimJob`: first sighting of a message id -> job on the bids stream.
 * - `claimAnswer`: first sighting -> outcome + reply, for commands answered at once.
 * - `finish`: outcome recorded once -> reply queued -> stream entry acked.
 * - `intake`: for a `!bid`, everything in one round trip (dedupe, lock, rate limits, ban, link, queue).
 * - `askConfirm` / `takeConfirm`: a far-above bid (or `!max`) waits in Redis for `!confirm`, taken once.
 * - `allocNonce`: a job gets one nonce for life, so it can never land twice.
 * For exactly-once across a Redis restart, run Redis with AOF (`appendonly yes`, `appendfsync always`).
 */
import { BIDS_PAUSED_KEY } from "@sothebais/common/controls";
import { Redis } from "ioredis";

export const prefix = "sothebais:relayer:";
export const keys = {
  seen: (id: string) => `${prefix}seen:${id}`,
  lock: (id: string) => `${prefix}lock:${id}`,
  outcome: (id: string) => `${prefix}outcome:${id}`,
  line: (id: string) => `${prefix}line:${id}`,
  bids: `${prefix}bids`,
  outbox: `${prefix}outbox`,
  tx: (jobId: string) => `${prefix}tx:${jobId}`,
  nonce: (address: string) => `${prefix}nonce:${address.toLowerCase()}`,
  nonceOwners: (address: string) => `${prefix}nonce-owners:${address.toLowerCase()}`,
  linkCode: (code: string) => `${prefix}link:code:${code}`,
  /** A link code taken by the first chat line that named it (the line's id): the code itself is gone. */
  linkTaken: (msgId: string) => `${prefix}link:taken:${msgId}`,
  linkGuesses: (userId: string) => `${prefix}link:guesses:${userId}`,
  users: `${prefix}users`,
  unlinked: `${prefix}unlinked`,
  /** Hash: bidder address (lower case) -> ChatBidder JSON, for outbid notices. */
  chatBidders: `${prefix}chat-bidders`,
  rateUser: (userId: string) => `${prefix}rate:user:${userId}`,
  rateGlobal: `${prefix}rate:global`,
  banned: (userId: string) => `${prefix}banned:${userId}`,
  deleted: (id: string) => `${prefix}deleted:${id}`,
  /**
   * When this Redis state began (ms), written by the first intake that finds it missing. A line sent
   * before it may have been handled by a Redis that is gone (its seen-key lost with it).
   */
  epoch: `${prefix}epoch`,
  /** Chat bidding paused by a moderator (`!pausebids`) or the console: JSON {by, at}; absent = open. */
  bidsPaused: BIDS_PAUSED_KEY,
  confirm: (userId: string) => `${prefix}confirm:${userId}`,
  proxy: (userId: string) => `${prefix}proxy:${userId}`,
  proxies: `${prefix}proxies`,
  chatLimiter: `${prefix}chat-limiter`,
  notice: (kind: string) => `${prefix}notice:${kind}`,
  hostLine: (id: string) => `${prefix}host-line:${id}`,
  /** POST /link requests of one client address in the current minute. */
  linkRate: (client: string) => `${prefix}link:rate:${client}`,
} as const;

export const groups = { senders: "senders", chat: "chat" } as const;
const ttl = 7 * 24 * 3600;

const scripts = {
  // KEYS: seen, stream. ARGV: ttl, field/value pairs. Returns the entry id, or false if seen before.
  claimJob: {
    numberOfKeys: 2,
    lua: `if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
end
return false`,
  },
  // KEYS: seen, outcome, outbox. ARGV: ttl, outcome json, reply json ('' = none). Returns 1 or 0.
  claimAnswer: {
    numberOfKeys: 3,
    lua: `if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1])
  if ARGV[3] ~= '' then redis.call('XADD', KEYS[3], '*', 'reply', ARGV[3]) end
  return 1
end
return 0`,
  },
  // KEYS: outcome, outbox, stream. ARGV: ttl, outcome json, reply json, group, entry id ('' = none).
  finish: {
    numberOfKeys: 3,
    lua: `local first = redis.call('SET', KEYS[1], ARGV[2], 'NX', 'EX', ARGV[1])
if first and ARGV[3] ~= '' then redis.call('XADD', KEYS[2], '*', 'reply', ARGV[3]) end
if ARGV[5] ~= '' then redis.call('XACK', KEYS[3], ARGV[4], ARGV[5]) end
if first then return 1 end
return 0`,
  },
  // KEYS: tx record, nonce counter, nonce owners. ARGV: job id, chain nonce (floor), now ms.
  // Returns the job's nonce: the one it already has, or the next one.
  allocNonce: {
    numberOfKeys: 3,
    lua: `local state = redis.call('HGET', KEYS[1], 'state')
local have = redis.call('HGET', KEYS[1], 'nonce')
if have and state ~= 'burned' then return tonumber(have) end
local floor = tonumber(ARGV[2])
local next = tonumber(redis.call('GET', KEYS[2]) or '0')
if next < floor then next = floor end
redis.call('SET', KEYS[2], next + 1)
redis.call('HSET', KEYS[1], 'nonce', next, 'state', 'allocated', 'at', ARGV[3])
redis.call('EXPIRE', KEYS[1], ${ttl})
redis.call('HSET', KEYS[3], next, ARGV[1])
return next`,
  },
  // KEYS: tx record. Marks an allocated-but-never-signed nonce as burned (its gap got filled).
  burnIfUnsigned: {
    numberOfKeys: 1,
    lua: `if redis.call('HGET', KEYS[1], 'state') == 'allocated' then
  redis.call('HSET', KEYS[1], 'state', 'burned')
  return 1
end
return 0`,
  },
  // KEYS: tx record. ARGV: nonce, hash, raw, now. Records the signed tx before it is sent, unless the
  // nonce was burned meanwhile (then the caller allocates again). Returns 1 if recorded.
  markSigned: {
    numberOfKeys: 1,
    lua: `if redis.call('HGET', KEYS[1], 'state') == 'allocated' and redis.call('HGET', KEYS[1], 'nonce') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'state', 'signed', 'hash', ARGV[2], 'raw', ARGV[3], 'signedAt', ARGV[4])
  return 1
end
return 0`,
  },
  // KEYS: tx record. ARGV: nonce, hash replaced, new hash, new raw, now. A replacement (same nonce,
  // higher fee) becomes the recorded tx before it is sent, and the replaced hash is kept in 'prior':
  // either may be mined, so a resumed job waits for all of them. Only if the record still holds the
  // replaced tx (not burned, not replaced by another instance). Returns 1 if recorded.
  replaceSigned: {
    numberOfKeys: 1,
    lua: `if redis.call('HGET', KEYS[1], 'state') == 'signed' and redis.call('HGET', KEYS[1], 'nonce') == ARGV[1] and redis.call('HGET', KEYS[1], 'hash') == ARGV[2] then
  local prior = redis.call('HGET', KEYS[1], 'prior')
  if prior and prior ~= '' then prior = prior .. ',' .. ARGV[2] else prior = ARGV[2] end
  redis.call('HSET', KEYS[1], 'hash', ARGV[3], 'raw', ARGV[4], 'prior', prior, 'replacedAt', ARGV[5])
  return 1
end
return 0`,
  },
  // KEYS: zset. ARGV: now ms, window ms, limit, member. Sliding window; returns 0 if allowed, else ms to wait.
  slidingWindow: {
    numberOfKeys: 1,
    lua: `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local n = redis.call('ZCARD', KEYS[1])
if n < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + tonumber(ARGV[2]) - tonumber(ARGV[1]) + 1`,
  },
  // KEYS: seen, lock, user counter, global counter, banned, users hash, line dedupe, bids stream,
  // moderator pause, deleted (this message), epoch.
  // ARGV: instance, lock ms, user window s, chatIdHash, line ttl, channel, chat line json, user limit,
  // global limit, seen ttl, now ms, sent at ms, then the job's field/value pairs when the caller already knows the message is
  // a valid bid as far as the live lot goes (its 'bidder' value is filled in here), else nothing.
  // One round trip for what every command needs, and for a bid everything: dedupe, lock, rate limits,
  // ban, pause, deletion, link, claim + queue. Returns {state, userCount, globalCount, banned, bidder,
  // entry id, paused, deleted, older}: state 0 = already handled, 1 = ours to handle, 2 = another
  // instance is on it (lock), 3 = queued. `older` = 1: the line was sent before this Redis state began
  // (never queued here: the caller checks the chain for a bid it may have placed already).
  intake: {
    numberOfKeys: 11,
    lua: `if redis.call('SET', KEYS[7], '1', 'NX', 'EX', ARGV[5]) then redis.call('PUBLISH', ARGV[6], ARGV[7]) end
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, 0, 0, 0, '', '', 0, 0, 0} end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {2, 0, 0, 0, '', '', 0, 0, 0} end
end
redis.call('SET', KEYS[11], ARGV[11], 'NX')
local older = 0
if tonumber(redis.call('GET', KEYS[11])) > tonumber(ARGV[12]) then older = 1 end
local u = redis.call('INCR', KEYS[3])
if u == 1 then redis.call('EXPIRE', KEYS[3], ARGV[3]) end
local g = redis.call('INCR', KEYS[4])
if g == 1 then redis.call('PEXPIRE', KEYS[4], 1000) end
local banned = redis.call('EXISTS', KEYS[5])
local paused = redis.call('EXISTS', KEYS[9])
local deleted = redis.call('EXISTS', KEYS[10])
local bidder = redis.call('HGET', KEYS[6], ARGV[4]) or ''
if #ARGV > 12 and older == 0 and banned == 0 and paused == 0 and deleted == 0 and bidder ~= '' and u <= tonumber(ARGV[8]) and g <= tonumber(ARGV[9]) then
  for i = 13, #ARGV - 1, 2 do if ARGV[i] == 'bidder' then ARGV[i + 1] = bidder end end
  redis.call('SET', KEYS[1], '1', 'EX', ARGV[10])
  return {3, u, g, banned, bidder, redis.call('XADD', KEYS[8], '*', unpack(ARGV, 13)), paused, deleted, older}
end
return {1, u, g, banned, bidder, '', paused, deleted, older}`,
  },
  // KEYS: seen, outcome, outbox, confirm. ARGV: ttl, outcome json, reply json, confirm record, its ttl.
  // "Type !confirm": the answer and the pending bid are recorded together, once. Returns 1 or 0.
  askConfirm: {
    numberOfKeys: 4,
    lua: `if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1])
  redis.call('XADD', KEYS[3], '*', 'reply', ARGV[3])
  redis.call('SET', KEYS[4], ARGV[4], 'EX', ARGV[5])
  return 1
end
return 0`,
  },
  // KEYS: seen, confirm, bids stream, outcome, outbox, proxies. ARGV: ttl, the confirm record the caller
  // decided on ('' = none), outcome json ('' = queue the job), reply json, user id, proxy json ('' = none:
  // a confirmed !max sets it with its answer), then the job's field/value pairs.
  // !confirm: claims the message and takes the pending bid in one step, so a kill -9 cannot lose it
  // between the two, and two !confirm lines cannot both place it. Returns the entry id when queued,
  // 1 when answered, 0 when the message was handled before, -1 when the record changed (decide again).
  takeConfirm: {
    numberOfKeys: 6,
    lua: `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local rec = redis.call('GET', KEYS[2]) or ''
if rec ~= ARGV[2] then return -1 end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
if rec ~= '' then redis.call('DEL', KEYS[2]) end
if ARGV[3] == '' then return redis.call('XADD', KEYS[3], '*', unpack(ARGV, 7)) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[6], ARGV[5], ARGV[6]) end
redis.call('SET', KEYS[4], ARGV[3], 'EX', ARGV[1])
if ARGV[4] ~= '' then redis.call('XADD', KEYS[5], '*', 'reply', ARGV[4]) end
return 1`,
  },
  // KEYS: line dedupe. ARGV: ttl, channel, json. Publishes a chat line once across instances.
  publishLine: {
    numberOfKeys: 1,
    lua: `if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then redis.call('PUBLISH', ARGV[2], ARGV[3]) return 1 end
return 0`,
  },
} as const;

export type Store = Redis & {
  claimJob(seen: string, stream: string, ttl: number, ...fields: string[]): Promise<string | null>;
  claimAnswer(seen: string, outcome: string, outbox: string, ttl: number, outcomeJson: string, replyJson: string): Promise<number>;
  finish(outcome: string, outbox: string, stream: string, ttl: number, outcomeJson: string, replyJson: string, group: string, entryId: string): Promise<number>;
  allocNonce(tx: string, counter: string, owners: string, jobId: string, floor: number, now: number): Promise<number>;
  burnIfUnsigned(tx: string): Promise<number>;
  markSigned(tx: string, nonce: number, hash: string, raw: string, now: number): Promise<number>;
  replaceSigned(tx: string, nonce: number, oldHash: string, hash: string, raw: string, now: number): Promise<number>;
  slidingWindow(key: string, now: number, windowMs: number, limit: number, member: string): Promise<number>;
  intake(
    seen: string, lock: string, user: string, global: string, banned: string, users: string, line: string, bids: string, paused: string, deleted: string, epoch: string,
    instance: string, lockMs: number, userWindowS: number, chatIdHash: string, lineTtl: number, channel: string, lineJson: string,
    userLimit: number, globalLimit: number, seenTtl: number, now: number, sentAt: number, ...jobFields: string[]
  ): Promise<[number, number, number, number, string, string, number, number, number]>;
  askConfirm(seen: string, outcome: string, outbox: string, confirm: string, ttl: number, outcomeJson: string, replyJson: string, record: string, recordTtl: number): Promise<number>;
  takeConfirm(seen: string, confirm: string, bids: string, outcome: string, outbox: string, proxies: string, ttl: number, record: string, outcomeJson: string, replyJson: string, userId: string, proxyJson: string, ...jobFields: string[]): Promise<string | number>;
  publishLine(line: string, ttl: number, channel: string, json: string): Promise<number>;
};

export const recordTtl = ttl;

/** A Redis connection with the pipeline's scripts; reconnects forever (Redis restarts are survived). */
export function createStore(url: string, options: { name?: string; onError?: (e: Error) => void } = {}): Store {
  const redis = new Redis(url, {
    connectionName: options.name,
    enableAutoPipelining: true,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    lazyConnect: false,
  });
  redis.on("error", (e) => options.onError?.(e));
  for (const [name, s] of Object.entries(scripts)) redis.defineCommand(name, { numberOfKeys: s.numberOfKeys, lua: s.lua });
  return redis as Store;
}

/** Creates a consumer group (and its stream) unless it exists; safe to call after a Redis restart. */
export async function ensureGroup(redis: Redis, stream: string, group: string): Promise<void> {
  try {
    await redis.xgroup("CREATE", stream, group, "0", "MKSTREAM");
  } catch (error) {
    if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
  }
}

/** Stream entries as objects: [[id, [k, v, k, v]]] -> [{ id, fields }]. */
export function entries(raw: [string, string[]][] | null | undefined): { id: string; fields: Record<string, string> }[] {
  return (raw ?? []).map(([id, flat]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
    return { id, fields };
  });
}
