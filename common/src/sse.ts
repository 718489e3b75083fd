/**
 * @module sse
 * One server-sent events stream written to many subscribers: the same bytes to every open response, with
 * the rules every fan-out of ours keeps (the indexer's `/live/events`, the dApp server's shared
 * subscription to it):
 * - a subscriber gets the stream headers, then its own `retry:` between `retryMs` and twice that (so a
 *   restarted server is not hit by every client in the same millisecond), then what it needs to catch up;
 * - a subscriber whose unsent bytes pass `maxBufferedBytes` (after the kernel's socket buffer filled) is
 *   dropped: writes never wait for a reader, so one stuck client costs memory, never the others' latency;
 * - nothing written for `heartbeatMs`: a `: keepalive` comment, so proxies keep idle streams open.
 *
 * Metric names belong to the service that owns the route, so it names them.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 * @example
 * const fanout = createSseFanout({ maxBufferedBytes: 1 << 20, retryMs: 2000, heartbeatMs: 15_000, metrics, metricNames, describe });
 * fanout.subscribe(res, [currentSnapshotFrame]);
 * fanout.broadcast(sseFrame("snapshot", json, id));
 */
import type { ServerResponse } from "node:http";
import type { Metrics } from "./metrics.ts";

/** The fan-out's Prometheus names, chosen by the service that owns the route (its dashboards know them). */
export type SseMetricNames = {
  /** Gauge: open subscriber streams. */
  subscribers: string;
  /** Counter: event writes, one per subscriber per event (a subscriber's catch-up counts as one). */
  writes: string;
  /** Counter: subscribers dropped for a full buffer. */
  dropped: string;
  /** Histogram: time to write one event to every subscriber. */
  broadcastSeconds: string;
};

export type SseFanoutOptions = {
  maxBufferedBytes: number;
  retryMs: number;
  heartbeatMs: number;
  metrics: Metrics;
  metricNames: SseMetricNames;
  /** For the metrics' help: the route (`GET /live/events`) and the setting behind maxBufferedBytes. */
  describe: { route: string; bufferSetting: string };
  /** Response headers beside the stream's own (e.g. CORS, where the route bypasses a framework's middleware). */
  headers?: Record<string, string>;
};

export const SSE_HEARTBEAT = Buffer.from(": keepalive\n\n");

/** One SSE event; `data` must be a single line (JSON is), so one `data:` field holds it. */
export function sseFrame(event: string, data: string, id?: string): Buffer {
  return Buffer.from(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`);
}

export type SseFanout = ReturnType<typeof createSseFanout>;

export function createSseFanout(options: SseFanoutOptions) {
  const { metricNames: names, describe } = options;
  const metrics = {
    subscribers: options.metrics.gauge(names.subscribers, `Open ${describe.route} streams`),
    writes: options.metrics.counter(names.writes, `Events written to ${describe.route} subscribers (one per subscriber per event)`),
    dropped: options.metrics.counter(names.dropped, `Subscribers dropped because their unsent bytes passed ${describe.bufferSetting}`),
    broadcastSeconds: options.metrics.histogram(names.broadcastSeconds, "Time to write one event to every subscriber"),
  };
  const subscribers = new Set<ServerResponse>();
  let lastWriteAt = Date.now();

  const remove = (res: ServerResponse) => {
    if (subscribers.delete(res)) metrics.subscribers.set(subscribers.size);
  };

  function broadcast(bytes: Buffer) {
    const end = metrics.broadcastSeconds.startTimer();
    let sent = 0;
    for (const res of subscribers) {
      if (res.writableLength > options.maxBufferedBytes) {
        remove(res);
        metrics.dropped.inc();
        res.destroy();
        continue;
      }
      res.write(bytes);
      sent++;
    }
    metrics.writes.inc(sent);
    lastWriteAt = Date.now();
    end();
  }

  return {
    get size() {
      return subscribers.size;
    },
    broadcast,
    /** Writes a keepalive comment when nothing was written for `heartbeatMs`; call it at least that often. */
    heartbeat() {
      if (Date.now() - lastWriteAt >= options.heartbeatMs) broadcast(SSE_HEARTBEAT);
    },
    /**
     * Takes over a response: the stream headers, `retry:`, the `catchUp` frames, then every broadcast.
     * Synchronous, so no broadcast can fall between the caller's read of its state and the add.
     */
    subscribe(res: ServerResponse, catchUp: Buffer[]) {
      res.on("error", () => remove(res));
      res.on("close", () => remove(res));
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        // nginx buffers proxied responses unless told not to.
        "x-accel-buffering": "no",
        ...options.headers,
      });
      res.write(`retry: ${options.retryMs + Math.floor(Math.random() * options.retryMs)}\n\n`);
      for (const bytes of catchUp) res.write(bytes);
      if (catchUp.length > 0) metrics.writes.inc();
      subscribers.add(res);
      metrics.subscribers.set(subscribers.size);
    },
    /** Ends every subscriber's stream. */
    close() {
      for (const res of subscribers) res.end();
      subscribers.clear();
      metrics.subscribers.set(0);
    },
  };
}
