/**
 * Per-address cap on open streams (`/live/events` and Ponder's `/sql/live`): each holds a socket, a
 * file descriptor and, for live queries, SQL per change, and the process-wide caps
 * (LIVE_EVENTS_MAX_SUBSCRIBERS, Ponder's 1,000 live queries) would otherwise go to whoever opens them
 * fastest. Beyond `maxPerAddress` streams from one client address (peer.ts) the answer is 429.
 *
 * A slot is taken when the request arrives and given back when its response closes (finished or
 * disconnected), whatever answered it, so refusals further on (503 at the global cap) free it too.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BlockList } from "node:net";
import type { MiddlewareHandler } from "hono";
import type { Metrics } from "@sothebais/common/metrics";
import { addressKey, clientAddress } from "./peer.ts";

/** What @hono/node-server (Ponder's HTTP server) passes as `c.env`. */
type NodeBindings = { incoming: IncomingMessage; outgoing: ServerResponse };

export type StreamLimitOptions = { maxPerAddress: number; trustedProxies: BlockList; metrics: Metrics };

export function createStreamLimit(options: StreamLimitOptions): MiddlewareHandler {
  const open = new Map<string, number>();
  const refused = options.metrics.counter("streams_refused_per_address_total", "Streams refused with 429 at LIVE_STREAMS_PER_ADDRESS");
  const openGauge = options.metrics.gauge("streams_open", "Open /live/events and /sql/live streams counted against LIVE_STREAMS_PER_ADDRESS");
  let total = 0;

  const release = (key: string) => {
    const left = (open.get(key) ?? 1) - 1;
    if (left > 0) open.set(key, left);
    else open.delete(key);
    openGauge.set(--total);
  };

  return async function streamLimit(c, next) {
    const bindings = c.env as Partial<NodeBindings> | undefined;
    if (!bindings?.incoming || !bindings.outgoing) throw new Error("the stream limit needs the Node HTTP server's request (c.env.incoming)");
    const address = clientAddress(bindings.incoming.socket.remoteAddress, c.req.header("x-forwarded-for"), options.trustedProxies);
    const key = addressKey(address);
    const count = open.get(key) ?? 0;
    if (count >= options.maxPerAddress) {
      refused.inc();
      return c.json(
        { error: `too many open streams from ${address}: ${count} (LIVE_STREAMS_PER_ADDRESS=${options.maxPerAddress}); close one, or poll GET /live` },
        429,
        { "retry-after": "5" },
      );
    }
    open.set(key, count + 1);
    openGauge.set(++total);
    bindings.outgoing.once("close", () => release(key));
    await next();
  };
}
