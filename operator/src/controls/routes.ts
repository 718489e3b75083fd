/**
 * @module controls/routes
 * `GET /controls` (every control's state and the chain's pause), `POST /controls/:name {on}` (admin or
 * auctioneer), `GET /controls/audit?limit=` (who changed what, newest first). Reading needs any
 * operator role; a pauser signs in to see them and pauses the chain from their own wallet.
 */
import { type ControlName, controlNames } from "@sothebais/common/controls";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { type OperatorEnv, requireRole } from "../auth/require-role.ts";
import type { ControlStore } from "./store.ts";

export type ControlRoutesDeps = {
  store: ControlStore;
  /** The AuctionHouse's `paused()`; undefined when the chain cannot be read. */
  chainPaused: () => Promise<boolean | undefined>;
};

export function createControlRoutes(d: ControlRoutesDeps) {
  const app = new Hono<OperatorEnv>();
  app.use("*", requireRole());
  app.get("/", async (c) => {
    const [controls, chainPaused] = await Promise.all([d.store.read(), d.chainPaused()]);
    return c.json({ controls, chainPaused: chainPaused ?? null }, 200, { "cache-control": "no-store" });
  });
  app.get("/audit", async (c) => {
    const limit = Math.min(1000, Math.max(1, Number.parseInt(c.req.query("limit") ?? "100", 10) || 100));
    return c.json({ entries: await d.store.audit(limit) }, 200, { "cache-control": "no-store" });
  });
  app.post("/:name", requireRole("admin", "auctioneer"), async (c) => {
    const name = c.req.param("name");
    if (!controlNames.includes(name as ControlName)) throw new HTTPException(404, { message: `no control ${name}; controls: ${controlNames.join(", ")}` });
    if (!(c.req.header("content-type") ?? "").startsWith("application/json")) throw new HTTPException(415, { message: "expected a JSON body {on: true|false}" });
    const body = (await c.req.json().catch(() => undefined)) as { on?: unknown } | undefined;
    if (typeof body?.on !== "boolean") throw new HTTPException(400, { message: "expected a JSON body {on: true|false}" });
    const controls = await d.store.set(name as ControlName, body.on, c.get("operator").address);
    return c.json({ controls });
  });
  return app;
}
