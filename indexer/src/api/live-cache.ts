/**
 * HTTP caching of `GET /live`, so a CDN in front of the API replicas answers most viewers: the document
 * changes only when Ponder writes a new checkpoint, so the ETag names the checkpoint (and the schema,
 * which names the deployment). It is a weak ETag: each replica builds its own copy, equal in content
 * for one checkpoint but with its own `indexedAt`, and a 304 from another replica is still right.
 * One replica serves the same bytes for one checkpoint (built once, then from memory).
 */
import { createHash } from "node:crypto";

/** Fresh for a second (about one block), then served stale for two more while the cache revalidates. */
export const LIVE_CACHE_CONTROL = "public, max-age=1, stale-while-revalidate=2";

export function liveEtag(schemaName: string, checkpoint: string): string {
  return `W/"${createHash("sha1").update(`${schemaName}:${checkpoint}`).digest("hex").slice(0, 20)}"`;
}

/** RFC 9110 If-None-Match: `*`, or a list of entity tags compared weakly (a `W/` prefix is ignored). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  const wanted = opaque(etag);
  return header.split(",").some((tag) => opaque(tag) === wanted);
}
