/**
 * @module server/live-hub
 * `GET /svc/indexer/live/events` for every viewer from ONE upstream subscription to the indexer's
 * `/live/events` (server-sent events, one document per checkpoint): each event is read once and the
 * same bytes are written to every viewer, so 10,000 viewers cost the indexer one stream, not 10,000
 * (its per-address stream limit would refuse them anyway).
 *
 * - A viewer gets `retry:` (spread between retryMs and twice that, so a restart is not a stampede), then
 *   the current snapshot (unless its `Last-Event-ID` names it), then the latest head if the block moved.
 * - Upstream events: `snapshot` (id = content hash) is kept and broadcast once per id (a reconnect's
 *   repeat is not re-sent); `head` (block fields) is kept and broadcast; comments and `retry:` are ours.
 * - The upstream reconnects on its own with backoff; viewers stay connected meanwhile and keep the last
 *   document. Nothing for `heartbeatMs`: a `: keepalive` comment, so proxies keep the streams open.
 * - A viewer whose unsent bytes pass `maxBufferedBytes` is dropped (one slow phone costs memory, never
 *   the others' latency); past `maxSubscribers` the answer is 503 with the limit in words. The fan-out
 *   itself is @sothebais/common/sse, the same as the indexer's.
 */
import type { ServerResponse } from "node:http";
import type { Metrics } from "@sothebais/common/metrics";
import type { Logger } from "@sothebais/common/log";
import { createSseFanout } from "@sothebais/common/sse";

export type LiveHubOptions = {
  /** The indexer's `/live/events` URL. */
  upstreamUrl: string;
  maxSubscribers: number;
  maxBufferedBytes: number;
  heartbeatMs: number;
  retryMs: number;
  metrics: Metrics;
  log: Logger;
};

type Frame = { id?: string; event: string; bytes: Buffer };

/** One SSE event block (without its blank line) -> its fields; undefined for comments and bare `retry:`. */
export function parseEventBlock(block: string): Frame | undefined {
  let event = "message";
  let id: string | undefined;
  let hasData = false;
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("id:")) id = line.slice(3).trim();
    else if (line.startsWith("data:")) hasData = true;
  }
  if (!hasData) return undefined;
  return { id, event, bytes: Buffer.from(`${block}\n\n`) };
}

/** Splits an SSE text stream into event blocks; keeps the unfinished tail between chunks. */
export function createEventSplitter(onBlock: (block: string) => void) {
  let buffer = "";
  return (text: string) => {
    buffer += text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block) onBlock(block);
      end = buffer.indexOf("\n\n");
    }
  };
}

export type LiveHub = ReturnType<typeof createLiveHub>;

export function createLiveHub(options: LiveHubOptions) {
  const { metrics, log } = options;
  const upstreamGauge = metrics.gauge("live_upstream_connected", "1 while the one upstream /live/events subscription is open");
  const eventsTotal = metrics.counter("live_events_total", "Upstream events broadcast to viewers", ["event"]);
  const rejectedTotal = metrics.counter("live_rejected_total", "Viewer streams refused with 503 at DAPP_LIVE_MAX_SUBSCRIBERS");
  const fanout = createSseFanout({
    ...options,
    metricNames: { subscribers: "live_subscribers", writes: "live_writes_total", dropped: "live_dropped_total", broadcastSeconds: "live_broadcast_seconds" },
    describe: { route: "/svc/indexer/live/events", bufferSetting: "DAPP_LIVE_MAX_BUFFER_BYTES" },
  });

  let snapshot: Frame | undefined;
  let head: Frame | undefined;
  let connected = false;
  let controller: AbortController | undefined;
  let running = false;
  let stopped = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  function onBlock(block: string) {
    const frame = parseEventBlock(block);
    if (!frame) return;
    if (frame.event === "snapshot") {
      if (snapshot && frame.id !== undefined && frame.id === snapshot.id) return; // a reconnect's repeat
      snapshot = frame;
      head = undefined;
    } else if (frame.event === "head") {
      head = frame;
    }
    eventsTotal.inc({ event: frame.event });
    fanout.broadcast(frame.bytes);
  }

  async function follow() {
    running = true;
    let backoff = 250;
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await fetch(options.upstreamUrl, {
          headers: { accept: "text/event-stream", ...(snapshot?.id ? { "last-event-id": snapshot.id } : {}) },
          signal: controller.signal,
        });
        if (!res.ok || !res.body) throw new Error(`upstream answered HTTP ${res.status}`);
        connected = true;
        upstreamGauge.set(1);
        backoff = 250;
        log.info("live events: upstream subscribed");
        const split = createEventSplitter(onBlock);
        const decoder = new TextDecoder();
        const reader = res.body.getReader();
        for (let r = await reader.read(); !r.done; r = await reader.read()) split(decoder.decode(r.value, { stream: true }));
        throw new Error("upstream closed the stream");
      } catch (error) {
        if (stopped) break;
        log.warn("live events: upstream lost, reconnecting", { error: (error as Error).message, inMs: backoff });
      } finally {
        connected = false;
        upstreamGauge.set(0);
      }
      await new Promise((resolve) => setTimeout(resolve, backoff).unref());
      backoff = Math.min(backoff * 2, 5000);
    }
    running = false;
  }

  return {
    get subscribers() {
      return fanout.size;
    },
    get connected() {
      return connected;
    },
    /** Whether a snapshot is in memory (the indexer answered at least once). */
    get ready() {
      return snapshot !== undefined;
    },
    /**
     * Takes over a viewer's response: writes the headers and what it needs to catch up, then adds it to
     * the broadcast. Returns false (nothing written) at the subscriber limit.
     */
    subscribe(res: ServerResponse, lastEventId: string | undefined): boolean {
      if (fanout.size >= options.maxSubscribers) {
        rejectedTotal.inc();
        return false;
      }
      if (!running && !stopped) void follow();
      if (!heartbeat && !stopped) {
        heartbeat = setInterval(() => fanout.heartbeat(), Math.max(50, Math.floor(options.heartbeatMs / 3)));
        heartbeat.unref();
      }
      const catchUp: Buffer[] = [];
      if (snapshot) {
        const upToDate = lastEventId !== undefined && lastEventId === snapshot.id;
        if (!upToDate) catchUp.push(snapshot.bytes);
        if (head) catchUp.push(head.bytes);
      }
      // Synchronous from the read of `snapshot` to the add: no broadcast falls between them.
      fanout.subscribe(res, catchUp);
      return true;
    },
    /** Ends every viewer stream and the upstream subscription. */
    close() {
      stopped = true;
      if (heartbeat) clearInterval(heartbeat);
      controller?.abort();
      fanout.close();
    },
  };
}
