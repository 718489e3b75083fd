/**
 * @module logs/routes
 * The Logs page's API, a Hono sub-app mounted at `/logs` behind the operator sign-in (any operator
 * role): the lines are the services' internals, never public.
 *
 * - `GET /logs?service=&level=&q=&correlation=&since=&limit=`: the newest matching lines, oldest first.
 * - `GET /logs/stream` (same filters): Server-Sent Events. `ready`, then the backlog (`limit` lines, 200
 *   by default) as `log` events, then each new matching line as it is read; a comment every
 *   `heartbeatMs` keeps proxies from closing an idle stream. A client that reads slower than lines come
 *   keeps at most `clientBufferLines` unsent (the oldest go, and a `dropped` event says how many): one slow
 *   browser never makes the service hold more.
 * - `GET /logs/services`: the services that have logged, and which source runs (files or Loki).
 *
 * Lines are redacted when read (logs/entry.ts), so neither route can serve a secret a line carried.
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { type OperatorEnv, requireRole } from "../auth/require-role.ts";
import type { LogEntry } from "./entry.ts";
import { createCorrelation, defaultLimit, parseQuery } from "./filter.ts";
import type { LogSource } from "./source.ts";

export type LogRoutesDeps = {
  source: LogSource;
  heartbeatMs?: number;
  /** Unsent lines one stream may hold before the oldest are dropped. */
  clientBufferLines?: number;
  /** Open streams at most (429 above): operators are a handful of people. */
  maxStreams?: number;
  /** Lines a slow stream dropped (a metric). */
  onDropped?: (count: number) => void;
};

export function logRoutes(deps: LogRoutesDeps) {
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const bufferLines = deps.clientBufferLines ?? 1000;
  const maxStreams = deps.maxStreams ?? 50;
  let open = 0;
  const app = new Hono<OperatorEnv>();
  app.use("*", requireRole());

  app.get("/services", async (c) => c.json({ source: deps.source.kind, services: await deps.source.services() }));

  app.get("/", async (c) => {
    const parsed = parseQuery(c.req.query());
    if (!parsed.ok) return c.json({ error: "bad query", problems: parsed.problems }, 400);
    const entries = await deps.source.query(parsed.filter, parsed.limit);
    return c.json({ source: deps.source.kind, entries });
  });

  app.get("/stream", (c) => {
    const parsed = parseQuery(c.req.query());
    if (!parsed.ok) return c.json({ error: "bad query", problems: parsed.problems }, 400);
    if (open >= maxStreams) return c.json({ error: `too many log streams open (${maxStreams})` }, 429);
    const { filter } = parsed;
    const backlogLimit = c.req.query("limit") ? parsed.limit : defaultLimit;
    open++;
    return streamSSE(c, async (stream) => {
      const queue: LogEntry[] = [];
      let dropped = 0;
      let closed = false;
      let wake: (() => void) | undefined;
      // Subscribed before the backlog is read, so no line falls between the two; until the backlog is
      // known, lines wait unfiltered (the backlog's ids decide which of them the correlation takes).
      let matches: ((e: LogEntry) => boolean) | undefined;
      const waiting: LogEntry[] = [];
      const enqueue = (e: LogEntry) => {
        queue.push(e);
        if (queue.length > bufferLines) {
          queue.shift();
          dropped++;
        }
      };
      const unsubscribe = deps.source.subscribe((batch) => {
        if (!matches) {
          waiting.push(...batch);
          if (waiting.length > bufferLines) dropped += waiting.splice(0, waiting.length - bufferLines).length;
          return;
        }
        for (const e of batch) if (matches(e)) enqueue(e);
        wake?.();
      });
      const finish = () => {
        if (closed) return;
        closed = true;
        open--;
        unsubscribe();
        wake?.();
      };
      stream.onAbort(finish);
      try {
        const backlog = await deps.source.query(filter, backlogLimit);
        const correlation = createCorrelation(filter);
        for (const e of backlog) correlation.matches(e);
        const sent = new Set(backlog.map((e) => e.id));
        matches = correlation.matches;
        for (const e of waiting.splice(0)) if (!sent.has(e.id) && matches(e)) enqueue(e);
        await stream.writeSSE({ event: "ready", data: JSON.stringify({ source: deps.source.kind, backlog: backlog.length }) });
        for (const e of backlog) await stream.writeSSE({ event: "log", id: e.id, data: JSON.stringify(e) });
        while (!closed) {
          if (dropped) {
            deps.onDropped?.(dropped);
            await stream.writeSSE({ event: "dropped", data: JSON.stringify({ count: dropped }) });
            dropped = 0;
          }
          const next = queue.shift();
          if (next) {
            await stream.writeSSE({ event: "log", id: next.id, data: JSON.stringify(next) });
            continue;
          }
          const idle = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(true), heartbeatMs);
            wake = () => {
              clearTimeout(timer);
              resolve(false);
            };
          });
          wake = undefined;
          if (idle && !closed) await stream.write(": ping\n\n");
        }
      } finally {
        finish();
      }
    });
  });

  return app;
}
