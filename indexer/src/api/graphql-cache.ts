/**
 * One execution per distinct GraphQL read per checkpoint. Every viewer's page and overlay asks the same
 * live-lot query many times a second, and its answer can only change when Ponder writes a new
 * checkpoint; executing it each time capped the endpoint near 180 requests/s on two cores. Answers are
 * kept in memory per (checkpoint, request body) and dropped as soon as the checkpoint moves; concurrent
 * misses for one body wait for the first execution instead of running their own.
 *
 * Only 200 answers without `errors` are kept, and only for small bodies and a bounded number of
 * distinct bodies per checkpoint, so a client cycling through queries cannot grow the memory.
 */
import type { Context, MiddlewareHandler } from "hono";

/**
 * The POST body as text, read once per request. Hono keeps the text (a second call returns it), and
 * the raw request, whose body that read used up, is rebuilt from it for Ponder's GraphQL handler
 * (yoga reads `c.req.raw`). No `clone()`: teeing the body stream on every request cost more than the
 * cached answer itself.
 */
export async function graphqlBodyText(c: Context): Promise<string> {
  const raw = c.req.raw;
  const text = await c.req.text();
  if (raw.bodyUsed) c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body: text, signal: raw.signal });
  return text;
}

type Cached = { body: string; contentType: string };

export type GraphqlCacheOptions = {
  /** The latest indexed checkpoint (undefined before the first one): the cache key's generation. */
  checkpoint: () => Promise<string | undefined>;
  maxEntries?: number;
  maxBodyBytes?: number;
  onHit?: () => void;
};

export function cacheGraphqlByCheckpoint(options: GraphqlCacheOptions): MiddlewareHandler {
  const maxEntries = options.maxEntries ?? 256;
  const maxBodyBytes = options.maxBodyBytes ?? 8192;
  let generation: string | undefined;
  let entries = new Map<string, Promise<Cached | undefined>>();

  return async function cacheGraphql(c, next) {
    if (c.req.method !== "POST") return next();
    // A hit answers from the text alone; the raw request is rebuilt only for those that go on to
    // Ponder's handler: building a Request from the text takes ~130 µs here, more than the rest of a hit.
    const key = await c.req.text();
    const pass = async () => {
      await graphqlBodyText(c);
      return next();
    };
    const checkpoint = key.length <= maxBodyBytes ? await options.checkpoint().catch(() => undefined) : undefined;
    if (checkpoint === undefined) return pass();
    if (checkpoint !== generation) {
      generation = checkpoint;
      entries = new Map();
    }
    const pending = entries.get(key);
    if (pending) {
      const hit = await pending;
      if (hit) {
        options.onHit?.();
        return c.body(hit.body, 200, { "content-type": hit.contentType, "x-sothebais-cache": "hit" });
      }
      return pass();
    }
    if (entries.size >= maxEntries) return pass();
    const mine = entries;
    let settle: (value: Cached | undefined) => void = () => {};
    mine.set(key, new Promise((resolve) => (settle = resolve)));
    try {
      await pass();
      const body = c.res.status === 200 ? await c.res.clone().text() : undefined;
      const cacheable = body !== undefined && !body.includes('"errors"');
      settle(cacheable ? { body, contentType: c.res.headers.get("content-type") ?? "application/json" } : undefined);
      if (!cacheable) mine.delete(key);
    } catch (error) {
      settle(undefined);
      mine.delete(key);
      throw error;
    }
  };
}
