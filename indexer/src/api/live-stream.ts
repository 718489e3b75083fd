/**
 * `GET /live/events`: the `/live` snapshot pushed to viewers over server-sent events.
 *
 * Ponder's live queries (`/sql/live`) cap one process at 1,000 (MAX_LIVE_QUERIES) and run SQL per
 * subscriber; viewers of the live lot all want the same document, so this route reads it once per
 * checkpoint (the `/live` cache) and writes the same bytes to every subscriber:
 * - on connect: `retry:`, then the snapshot (`event: snapshot`, `id:` = a hash of its content);
 * - on a new checkpoint whose lot, bids, upcoming lots or last sale changed: the whole snapshot;
 * - on a new checkpoint that only moved the block (most blocks): `event: head` with the block fields;
 * - nothing new for `heartbeatMs`: a `: keepalive` comment, so proxies keep the stream open.
 *
 * A reconnecting EventSource sends `Last-Event-ID`; when it names the current content the snapshot is
 * not sent again (the head is). Each subscriber gets its own `retry` between `retryMs` and twice that,
 * so a restarted replica is not hit by every viewer in the same millisecond.
 *
 * A subscriber whose unsent bytes pass `maxBufferedBytes` (after the kernel's socket buffer filled) is
 * dropped: writes never wait for a reader, so one stuck viewer costs memory, never the others' latency
 * (the fan-out is @sothebais/common/sse, shared with the dApp server's hub). Beyond `maxSubscribers` connections the route answers 503 with the limit in the message. Works the
 * same in an `INDEXER_MODE=serve` replica: each process polls the shared database for its own viewers.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 * @example
 * const source = new EventSource("http://127.0.0.1:42069/live/events");
 * source.addEventListener("snapshot", (e) => render(JSON.parse(e.data)));
 * source.addEventListener("head", (e) => setBlock(JSON.parse(e.data)));
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";
import type { LiveSnapshot } from "@sothebais/common/live";
import type { Metrics } from "@sothebais/common/metrics";
import { createSseFanout, sseFrame } from "@sothebais/common/sse";

export type LiveStreamOptions = {
  /** The snapshot as JSON text at the latest checkpoint (undefined before the first), cached per checkpoint. */
  snapshot: () => Promise<string | undefined>;
  /** How often the checkpoint is checked while anyone is subscribed. */
  pollMs: number;
  maxSubscribers: number;
  maxBufferedBytes: number;
  heartbeatMs: number;
  retryMs: number;
  metrics: Metrics;
};

/** What @hono/node-server (Ponder's HTTP server) passes as `c.env`. */
type NodeBindings = { incoming: IncomingMessage; outgoing: ServerResponse };

/** The block fields of a snapshot: what a `head` event carries. */
export type LiveHead = Pick<LiveSnapshot, "blockNumber" | "blockTimestamp" | "finalizedBlockNumber" | "indexedAt">;

type Current = {
  json: string;
  /** Content hash: equal for equal lot, bids, upcoming and last sale, whichever block or replica. */
  id: string;
  snapshotFrame: Buffer;
  headFrame: Buffer;
  /** True once a head event was sent after the snapshot (a new subscriber needs both). */
  headMoved: boolean;
};

// @hono/node-server's RESPONSE_ALREADY_SENT marker: the route wrote the response itself.
const ALREADY_SENT = { "x-hono-already-sent": "true" };

function contentId(snapshot: LiveSnapshot): string {
  const { blockNumber: _b, blockTimestamp: _t, finalizedBlockNumber: _f, indexedAt: _i, ...content } = snapshot;
  return createHash("sha1").update(JSON.stringify(content)).digest("hex").slice(0, 16);
}

function headOf(s: LiveSnapshot): LiveHead {
  return { blockNumber: s.blockNumber, blockTimestamp: s.blockTimestamp, finalizedBlockNumber: s.finalizedBlockNumber, indexedAt: s.indexedAt };
}

export function createLiveStream(options: LiveStreamOptions) {
  const { metrics } = options;
  const rejectedTotal = metrics.counter("live_events_rejected_total", "Connections refused with 503 at LIVE_EVENTS_MAX_SUBSCRIBERS");
  const fanout = createSseFanout({
    ...options,
    metricNames: { subscribers: "live_events_subscribers", writes: "live_events_sent_total", dropped: "live_events_dropped_total", broadcastSeconds: "live_events_broadcast_seconds" },
    describe: { route: "GET /live/events", bufferSetting: "LIVE_EVENTS_MAX_BUFFER_BYTES" },
    // Ponder's CORS middleware sets headers on Hono's response, which this route bypasses.
    headers: { "access-control-allow-origin": "*" },
  });

  /** Connections admitted but still waiting for their first snapshot: they hold a slot too. */
  let pending = 0;
  let current: Current | undefined;
  let refreshing: Promise<void> | undefined;
  let polling = false;
  let lastErrorLogAt = 0;

  async function readSnapshot() {
    const json = await options.snapshot();
    if (json === undefined || json === current?.json) return;
    const snapshot = JSON.parse(json) as LiveSnapshot;
    const id = contentId(snapshot);
    const headFrame = sseFrame("head", JSON.stringify(headOf(snapshot)));
    if (current && id === current.id) {
      current = { ...current, json, headFrame, headMoved: true };
      fanout.broadcast(headFrame);
    } else {
      current = { json, id, snapshotFrame: sseFrame("snapshot", json, id), headFrame, headMoved: false };
      fanout.broadcast(current.snapshotFrame);
    }
  }

  /** One read at a time, shared by the poll loop and connects that find no loop running. */
  function refresh(): Promise<void> {
    refreshing ??= readSnapshot()
      .catch((error: Error) => {
        // The database may be restarting; viewers keep the last snapshot and the loop retries.
        if (Date.now() - lastErrorLogAt > 60_000) {
          lastErrorLogAt = Date.now();
          console.error(JSON.stringify({ level: "error", service: "indexer", msg: "live events: snapshot read failed", error: error.message }));
        }
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  async function poll() {
    polling = true;
    try {
      while (fanout.size > 0) {
        const started = Date.now();
        await refresh();
        fanout.heartbeat();
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, options.pollMs - (Date.now() - started))));
      }
    } finally {
      polling = false;
    }
  }

  return async function liveEvents(c: Context): Promise<Response> {
    const res = (c.env as Partial<NodeBindings> | undefined)?.outgoing;
    if (!res) throw new Error("GET /live/events needs the Node HTTP server's response (c.env.outgoing)");
    if (fanout.size + pending >= options.maxSubscribers) {
      rejectedTotal.inc();
      return c.json(
        {
          error: `live events: subscriber limit reached (${options.maxSubscribers}, LIVE_EVENTS_MAX_SUBSCRIBERS); retry later, poll GET /live, or connect to another indexer API replica`,
        },
        503,
        { "retry-after": "5" },
      );
    }
    pending++;
    try {
      // No loop running means no fresh snapshot in memory: read one before the first write.
      if (!polling) await refresh();
    } finally {
      pending--;
    }
    if (res.destroyed) return new Response(null, { headers: ALREADY_SENT });

    const catchUp: Buffer[] = [];
    if (current) {
      const upToDate = c.req.header("last-event-id") === current.id;
      if (!upToDate) catchUp.push(current.snapshotFrame);
      if (upToDate || current.headMoved) catchUp.push(current.headFrame);
    }
    // Synchronous from the read of `current` to the add: no broadcast can fall between them.
    fanout.subscribe(res, catchUp);
    if (!polling) void poll();
    return new Response(null, { headers: ALREADY_SENT });
  };
}
