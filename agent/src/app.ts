/**
 * @module app
 * The agent's HTTP surface: `/health`, `/metrics`, and two read-only views for operators and tests
 * (`/lines`: the last lines published; `/state`: the live state as the host sees it).
 */
import type { HostLine } from "@sothebais/common/channels";
import type { Metrics } from "@sothebais/common/metrics";
import { Hono } from "hono";

export type AppDeps = {
  metrics: Metrics;
  health: () => { status: "ok" | "degraded"; [k: string]: unknown };
  recentLines: () => HostLine[];
  state: () => string;
};

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/health", (c) => {
    const h = deps.health();
    return c.json(h, h.status === "ok" ? 200 : 503);
  });
  app.get("/metrics", async (c) => c.body(await deps.metrics.render(), 200, { "content-type": deps.metrics.contentType }));
  app.get("/lines", (c) => c.json(deps.recentLines()));
  app.get("/state", (c) => c.text(deps.state()));
  app.notFound((c) => c.json({ error: "not found" }, 404));
  return app;
}
