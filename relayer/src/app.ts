/**
 * @module app
 * The relayer's HTTP API (Hono): `/health`, `/metrics`, `POST /link`. Built as a plain app so tests call
 * `app.request()` without opening a port.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { LinkRequest, LinkResult } from "./links.ts";

export type AppDeps = {
  health: () => Promise<{ ok: boolean; [k: string]: unknown }>;
  metrics: () => Promise<{ body: string; contentType: string }>;
  link: (req: LinkRequest) => Promise<LinkResult>;
  /** Counts link requests per client; true = over the limit. */
  linkRateLimited: (client: string) => Promise<boolean>;
};

export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof HTTPException) return c.json({ error: error.message }, error.status);
    return c.json({ error: "internal error" }, 500);
  });
  // The dApp posts from another origin.
  app.use("/link", cors({ origin: "*", allowMethods: ["POST", "OPTIONS"], allowHeaders: ["content-type"] }));
  app.get("/health", async (c) => {
    const h = await deps.health();
    return c.json(h, h.ok ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    const m = await deps.metrics();
    return c.body(m.body, 200, { "content-type": m.contentType });
  });
  app.post("/link", async (c) => {
    const client = c.req.header("x-forwarded-for")?.split(",")[0]?.trim() || "direct";
    if (await deps.linkRateLimited(client)) throw new HTTPException(429, { message: "too many link requests, try again in a minute" });
    const body = (await c.req.json().catch(() => undefined)) as LinkRequest | undefined;
    if (!body) throw new HTTPException(400, { message: "expected a JSON body" });
    const result = await deps.link(body);
    if (!result.ok) return c.json({ error: result.error }, result.status);
    return c.json({ code: result.code, expiresAt: result.expiresAt, command: `!link ${result.code}` });
  });
  return app;
}
