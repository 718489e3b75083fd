/**
 * HTTP API beside Ponder's own `/health`, `/ready`, `/status` and `/metrics`:
 * - `/graphql`: Ponder's GraphQL over every table (filters, sorting, cursor pagination), identical reads
 *   answered once per checkpoint (graphql-cache.ts), behind token, depth, alias and cost limits (guards.ts).
 * - `/sql/*`: SQL over HTTP and live queries for `@ponder/client`, only with INDEXER_SQL_OVER_HTTP=1.
 * - `/live`: the live lot snapshot (@sothebais/common/live), with an ETag per checkpoint for CDNs.
 * - `/live/events`: the same snapshot pushed over server-sent events, for viewers (live-stream.ts).
 * - `/lots/:id`: one lot with its derived status and last bids.
 * - `/metrics/indexer`: this API's own Prometheus metrics (Ponder's `/metrics` cannot be extended).
 * Every body is capped (API_MAX_BODY_BYTES), and streams (`/live/events`, `/sql/live`) per client address.
 */
import { Hono } from "hono";
import { client, eq, graphql } from "ponder";
import { db } from "ponder:api";
import schema from "ponder:schema";
import { createMetrics } from "@sothebais/common/metrics";
import { readApiLimits } from "./config.ts";
import { cacheGraphqlByCheckpoint } from "./graphql-cache.ts";
import { guardGraphql, limitBody, sqlOverHttpOff } from "./guards.ts";
import { createSnapshotCache, lastBids, readHead, readPause, toLiveBid, toLiveLot } from "./live.ts";
import { LIVE_CACHE_CONTROL, liveEtag, matchesIfNoneMatch } from "./live-cache.ts";
import { createLiveStream } from "./live-stream.ts";
import { createStreamLimit } from "./stream-limit.ts";

const chainId = Number(process.env.CHAIN_ID ?? 31337);
const schemaName = process.env.DATABASE_SCHEMA ?? "public";
const LIVE_BIDS = Number(process.env.LIVE_BIDS ?? 20);
// How long one read of Ponder's checkpoint serves concurrent /live requests: bounds staleness.
const HEAD_TTL_MS = Number(process.env.LIVE_HEAD_TTL_MS ?? 10);

const limits = readApiLimits();

const metrics = createMetrics("indexer");
const liveDuration = metrics.histogram("live_request_seconds", "Time to answer GET /live");
const snapshotBuilds = metrics.counter("live_snapshot_builds_total", "Snapshots built (one per new checkpoint asked for)");
const indexedBlock = metrics.gauge("indexed_block", "Latest indexed block number");
const indexedBlockTime = metrics.gauge("indexed_block_timestamp_seconds", "Timestamp of the latest indexed block");

const snapshots = createSnapshotCache(db, schemaName, { chainId, bids: LIVE_BIDS, upcoming: 10, headTtlMs: HEAD_TTL_MS });
let builds = 0;

const app = new Hono();
const streamLimit = createStreamLimit({ maxPerAddress: limits.streamsPerAddress, trustedProxies: limits.trustedProxies, metrics });

app.use("*", limitBody(limits.maxBodyBytes));
const graphqlCacheHits = metrics.counter("graphql_cache_hits_total", "GraphQL answers served from the per-checkpoint cache");
// Cache first: only answers that passed the guard are kept, so a hit needs no parse.
app.use("/graphql", cacheGraphqlByCheckpoint({ checkpoint: snapshots.checkpoint, onHit: () => graphqlCacheHits.inc() }));
app.use("/graphql", guardGraphql({ limits: limits.graphql, schema }));
// Ponder's own limits (graphql-armor in yoga) get the same numbers: a backstop, counted the same way.
const { maxTokens, maxDepth, maxAliases } = limits.graphql;
app.use("/graphql", graphql({ db, schema }, { maxOperationTokens: maxTokens, maxOperationDepth: maxDepth, maxOperationAliases: maxAliases }));
if (limits.sqlOverHttp) {
  app.use("/sql/live", streamLimit);
  app.use("/sql/*", client({ db, schema }));
} else {
  app.use("/sql/*", sqlOverHttpOff());
}

app.get("/live", async (c) => {
  const end = liveDuration.startTimer();
  try {
    const current = await snapshots.current();
    if (current === undefined) return c.json({ error: "not indexed yet: no checkpoint" }, 503, { "cache-control": "no-store" });
    const headers = { etag: liveEtag(schemaName, current.checkpoint), "cache-control": LIVE_CACHE_CONTROL };
    if (matchesIfNoneMatch(c.req.header("if-none-match"), headers.etag)) return c.body(null, 304, headers);
    return c.body(current.json, 200, { "content-type": "application/json", ...headers });
  } finally {
    end();
    if (snapshots.stats.builds !== builds) {
      snapshotBuilds.inc(snapshots.stats.builds - builds);
      builds = snapshots.stats.builds;
    }
  }
});

app.get(
  "/live/events",
  streamLimit,
  createLiveStream({
    snapshot: snapshots.json,
    pollMs: Number(process.env.LIVE_EVENTS_POLL_MS ?? 50),
    maxSubscribers: Number(process.env.LIVE_EVENTS_MAX_SUBSCRIBERS ?? 10_000),
    maxBufferedBytes: Number(process.env.LIVE_EVENTS_MAX_BUFFER_BYTES ?? 1_048_576),
    heartbeatMs: Number(process.env.LIVE_EVENTS_HEARTBEAT_MS ?? 15_000),
    retryMs: Number(process.env.LIVE_EVENTS_RETRY_MS ?? 2000),
    metrics,
  }),
);

app.get("/lots/:id", async (c) => {
  const raw = c.req.param("id");
  if (!/^\d{1,78}$/.test(raw)) return c.json({ error: `lot id must be a decimal integer, got "${raw.slice(0, 80)}"` }, 400);
  const id = BigInt(raw);
  const [head, [row], pause] = await Promise.all([
    readHead(db, schemaName),
    db.select().from(schema.lot).where(eq(schema.lot.id, id)).limit(1),
    readPause(db),
  ]);
  if (!row || !head) return c.json({ error: `no lot ${raw}` }, 404);
  const bids = await lastBids(db, id, LIVE_BIDS);
  return c.json({
    chainId,
    blockNumber: head.blockNumber,
    blockTimestamp: head.blockTimestamp,
    lot: toLiveLot(row, head.blockTimestamp, pause),
    bids: bids.map((b) => toLiveBid(b, head.finalizedBlockNumber)),
  });
});

app.get("/metrics/indexer", async (c) => {
  const head = await readHead(db, schemaName).catch(() => undefined);
  if (head) {
    indexedBlock.set(head.blockNumber);
    indexedBlockTime.set(head.blockTimestamp);
  }
  return c.body(await metrics.render(), 200, { "content-type": metrics.contentType });
});

app.onError((error, c) => {
  console.error(JSON.stringify({ level: "error", service: "indexer", msg: "api error", path: c.req.path, error: error.message }));
  return c.json({ error: "internal error" }, 500);
});

export default app;
