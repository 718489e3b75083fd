/**
 * @module app
 * The operator API (Hono), built from its dependencies so tests call `app.request()` without a port.
 * The dApp's server proxies it at `/svc/operator/*`, so the console, its cookie and this API share one
 * origin.
 *
 * | route | who |
 * |---|---|
 * | `GET /health`, `GET /metrics` | anyone who reaches the port (not proxied by the dApp) |
 * | `/auth/*` (auth/routes.ts) | anyone: nonce, login, logout, session (nonce and login limited per client, auth/rate-limit.ts) |
 * | `/controls/*` (controls/routes.ts) | signed in; changes need admin or auctioneer |
 * | `POST /artwork` (artwork/routes.ts) | signed in: admin or auctioneer |
 * | `GET /ipfs/<cid>` (ipfs/gateway.ts) | anyone: a trustless gateway over the local IPFS node |
 * | `/logs/*` (logs/routes.ts) | signed in, any operator role |
 *
 * ## Adding a route group behind sign-in
 * 1. Write a factory returning a sub-app typed `new Hono<OperatorEnv>()` and gate it with
 *    `requireRole(...)` from auth/require-role.ts: 401 without a live session, 403 without one of the
 *    roles named (none named: any operator role). Behind it, `c.get("operator")` is
 *    `{ address, roles, expiresAt }`, read from the chain within the last few seconds.
 * 2. Add its dependencies as one optional field of {@link AppDeps} and one `app.route(...)` line
 *    below (`if (deps.x) app.route("/x", createX(deps.x));`), and build them in operator.ts
 *    (`startOperator`, which main.ts and the tests call), with their env keys in config.ts.
 * 3. Nothing else: the Origin check (auth/origin.ts) already covers every POST/PUT/PATCH/DELETE, the
 *    error handler turns an `HTTPException` into `{error}` with its status, and request counts are
 *    labelled by route. Set a body limit on the group (`hono/body-limit`) if it takes bodies.
 */
import type { Logger } from "@sothebais/common/log";
import { redactSecrets } from "@sothebais/common/redact";
import type { Metrics } from "@sothebais/common/metrics";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { requireOrigin } from "./auth/origin.ts";
import { type AuthContext, type OperatorEnv, provideAuth } from "./auth/require-role.ts";
import { type AuthRoutesDeps, createAuthRoutes } from "./auth/routes.ts";
import { type ControlRoutesDeps, createControlRoutes } from "./controls/routes.ts";
import { type ArtworkRoutesDeps, createArtworkRoutes } from "./artwork/routes.ts";
import { createGatewayRoutes } from "./ipfs/gateway.ts";
import { type LogRoutesDeps, logRoutes } from "./logs/routes.ts";

export type AppDeps = {
  log: Logger;
  metrics: Metrics;
  health: () => Promise<{ ok: boolean; [k: string]: unknown }>;
  auth: AuthContext;
  /** The console's origins: state-changing requests must come from one (auth/origin.ts). */
  origins: string[];
  /** Body limit of the auth and controls groups, bytes. */
  maxBodyBytes: number;
  authRoutes: AuthRoutesDeps;
  /** Per-client limits of the two routes anyone may call (auth/rate-limit.ts `rateLimit`). */
  signInLimits: { nonce: MiddlewareHandler; login: MiddlewareHandler };
  controls: ControlRoutesDeps;
  /** Artwork upload and the IPFS gateway over the same node; absent: neither route. */
  artwork?: ArtworkRoutesDeps;
  /** The Logs page's source (LOG_DIR or LOKI_URL); absent: no /logs routes. */
  logs?: LogRoutesDeps;
};

export function createApp(deps: AppDeps) {
  const app = new Hono<OperatorEnv>();
  const requests = deps.metrics.counter("http_requests_total", "Requests answered, by route and status", ["route", "status"]);
  app.onError((error, c) => {
    if (error instanceof HTTPException) return c.json({ error: redactSecrets(error.message) }, error.status);
    deps.log.error("request failed", { method: c.req.method, path: c.req.path, error });
    return c.json({ error: "internal error" }, 500);
  });
  app.notFound((c) => c.json({ error: `${c.req.method} ${c.req.path}: no such route` }, 404));
  app.use("*", async (c, next) => {
    await next();
    requests.inc({ route: c.req.routePath, status: String(c.res.status) });
  });
  app.use("*", requireOrigin(deps.origins));
  // Before anything reads the body or touches Redis for the route: a flood is refused at one INCR each.
  app.use("/auth/nonce", deps.signInLimits.nonce);
  app.use("/auth/login", deps.signInLimits.login);
  app.use("*", provideAuth(deps.auth));
  const limit = bodyLimit({ maxSize: deps.maxBodyBytes, onError: (c) => c.json({ error: `request body too large: at most ${deps.maxBodyBytes} bytes` }, 413) });
  app.use("/auth/*", limit);
  app.use("/controls/*", limit);

  app.get("/health", async (c) => {
    const h = await deps.health();
    return c.json(JSON.parse(redactSecrets(JSON.stringify(h))), h.ok ? 200 : 503);
  });
  app.get("/metrics", async (c) => c.body(await deps.metrics.render(), 200, { "content-type": deps.metrics.contentType }));

  // Route groups, one line each.
  app.route("/auth", createAuthRoutes(deps.authRoutes));
  app.route("/controls", createControlRoutes(deps.controls));
  if (deps.artwork) app.route("/artwork", createArtworkRoutes(deps.artwork)).route("/ipfs", createGatewayRoutes(deps.artwork));
  if (deps.logs) app.route("/logs", logRoutes(deps.logs));
  return app;
}
