/**
 * @module rate-window
 * A fixed-window request counter in Redis, shared by every instance of a service: the relayer's `/link`
 * limit and the operator's sign-in limits count with it.
 */

/** The one Redis call the counter needs (ioredis' `Redis` fits). */
export type EvalRedis = { eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown> };

// KEYS: counter. ARGV: window ms. INCR and the expiry in one step, so a crash between the two cannot leave
// a counter without one (a client locked out for good); a counter found without an expiry (written by an
// older version) gets one. Returns the count and the ms left in the window.
const countLua = `local n = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {n, left}`;

/** Counts one request under `key`: the count in the current window and the ms until the window ends. */
export async function countInWindow(redis: EvalRedis, key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
  const [count, resetMs] = (await redis.eval(countLua, 1, key, windowMs)) as [number, number];
  return { count, resetMs };
}
