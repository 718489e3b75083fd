/**
 * @module server/app
 * The dApp's production HTTP server (Hono): the built assets, `/config.json`, and only the proxies the
 * browser needs, each named one by one (no prefix pass-through, so no service's `/metrics`, the agent's
 * `/state` or any admin route is reachable through it):
 *
 * | public path | upstream |
 * |---|---|
 * | `POST /svc/rpc` | RPC_URL, read-only methods only (server/rpc.ts), body and batch capped, idempotent reads once per block (server/rpc-cache.ts) |
 * | `POST /svc/indexer/graphql` | indexer GraphQL (body capped) |
 * | `GET /svc/indexer/live` | indexer `/live` (ETag / If-None-Match and Cache-Control passed through) |
 * | `GET /svc/indexer/live/events` | one shared subscription to the indexer's `/live/events` (server/live-hub.ts) |
 * | `GET /svc/indexer/lots/:id` | indexer `/lots/:id` |
 * | `POST /svc/relayer/link`, `GET /svc/relayer/twitch/users?login=` | relayer (chat linking) |
 * | `GET /svc/<service>/health` | each service's health document, secrets redacted (status board, relayer address) |
 * | `GET /svc/broadcaster/preview.png` | the stream's preview image (admin console) |
 * | `GET /svc/hls/*.m3u8|.ts|.m4s` | the local HLS stream, when HLS_URL is set |
 * | `/svc/operator/*` (not `/metrics`) | the operator API, whole: it authenticates every route itself (SIWE session cookie) |
 *
 * Prometheus `/metrics` and a detailed `/health` are on a second app (server/main.ts binds it to
 * DAPP_METRICS_HOST:DAPP_METRICS_PORT, loopback by default), never on the public one.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { getConnInfo } from "@hono/node-server/conninfo";
// The marker for a response the route wrote itself (a native Response: the server's own lightweight
// Response class would skip the marker's check).
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "@sothebais/common/log";
import { createMetrics } from "@sothebais/common/metrics";
import { redactSecrets } from "@sothebais/common/redact";
import type { ServiceName } from "../src/lib/config.ts";
import { buildAppConfig, type DappEnv } from "./config.ts";
import { createLiveHub } from "./live-hub.ts";
import { cleanUpstream, type JsonRpcResponse, logsNeedHead, parseRpcBody, refusal, rpcError } from "./rpc.ts";
import { createRpcCache, type RpcRequest, type RpcSend } from "./rpc-cache.ts";
import { resolveStatic, type StaticFile } from "./static.ts";

/** What @hono/node-server passes as `c.env`. */
type NodeBindings = { incoming: IncomingMessage; outgoing: ServerResponse };

/** Response headers worth passing back from an upstream (no hop-by-hop, no encoding: fetch decoded it). */
const passHeaders = ["content-type", "etag", "cache-control", "last-modified", "retry-after", "expires"];

export type DappServerDeps = { env: DappEnv; files: Map<string, StaticFile>; log: Logger };

export function createDappServer({ env, files, log }: DappServerDeps) {
  const metrics = createMetrics("dapp");
  const requests = metrics.counter("http_requests_total", "Requests answered, by route and status", ["route", "status"]);
  const rpcRefused = metrics.counter("rpc_refused_total", "JSON-RPC requests refused by the read-only proxy, by method", ["method"]);
  const rpcForwarded = metrics.counter("rpc_forwarded_total", "JSON-RPC requests forwarded upstream, by method", ["method"]);
  const rpcCacheHits = metrics.counter("rpc_cache_hits_total", "JSON-RPC reads answered from the per-block cache or a shared in-flight call, by method", ["method"]);
  const upstreamErrors = metrics.counter("upstream_errors_total", "Upstream requests that failed (unreachable, timeout)", ["service"]);
  const hub = createLiveHub({
    upstreamUrl: new URL("/live/events", env.INDEXER_URL).toString(),
    maxSubscribers: env.DAPP_LIVE_MAX_SUBSCRIBERS,
    maxBufferedBytes: env.DAPP_LIVE_MAX_BUFFER_BYTES,
    heartbeatMs: env.DAPP_LIVE_HEARTBEAT_MS,
    retryMs: env.DAPP_LIVE_RETRY_MS,
    metrics,
    log,
  });
  const upstream: Partial<Record<ServiceName, string>> = {
    indexer: env.INDEXER_URL,
    relayer: env.RELAYER_URL,
    broadcaster: env.BROADCASTER_URL,
    agent: env.AGENT_URL,
    operator: env.OPERATOR_URL,
  };

  /** The client's address chain for the upstream (the relayer rate-limits /link by it). */
  function forwardedFor(c: Context): string | undefined {
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      peer = undefined;
    }
    const prior = c.req.header("x-forwarded-for");
    return [prior, peer].filter(Boolean).join(", ") || undefined;
  }

  async function forward(c: Context, service: ServiceName, url: string, init: { method?: string; body?: BodyInit; headers?: Record<string, string>; redact?: boolean } = {}) {
    const headers: Record<string, string> = { accept: c.req.header("accept") ?? "*/*", ...init.headers };
    const xff = forwardedFor(c);
    if (xff) headers["x-forwarded-for"] = xff;
    let res: Response;
    try {
      res = await fetch(url, { method: init.method ?? "GET", body: init.body, headers, signal: AbortSignal.timeout(env.DAPP_UPSTREAM_TIMEOUT_MS), redirect: "manual" });
    } catch (error) {
      upstreamErrors.inc({ service });
      log.warn("upstream request failed", { service, path: c.req.path, error: (error as Error).message });
      return c.json({ error: `the ${service} is not reachable right now; try again shortly` }, 502, { "cache-control": "no-store" });
    }
    const out = new Headers();
    for (const h of passHeaders) {
      const v = res.headers.get(h);
      if (v) out.set(h, v);
    }
    if (!out.has("cache-control")) out.set("cache-control", "no-store");
    if (init.redact) return new Response(redactSecrets(await res.text()), { status: res.status, headers: out });
    return new Response(res.body, { status: res.status, headers: out });
  }

  /**
   * The operator API keeps its session in a cookie on this origin and checks `Origin` on every change,
   * so both pass through, and its Set-Cookie comes back. Bodies stream both ways (artwork uploads in,
   * log tails out); the timeout covers the wait for the answer's headers only, not a long stream.
   */
  async function forwardOperator(c: Context, url: string): Promise<Response> {
    const headers: Record<string, string> = {};
    for (const h of ["accept", "content-type", "cookie", "origin", "last-event-id"]) {
      const v = c.req.header(h);
      if (v) headers[h] = v;
    }
    const xff = forwardedFor(c);
    if (xff) headers["x-forwarded-for"] = xff;
    const method = c.req.method;
    const hasBody = method !== "GET" && method !== "HEAD";
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), env.DAPP_UPSTREAM_TIMEOUT_MS);
    c.req.raw.signal.addEventListener("abort", () => abort.abort(), { once: true });
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: hasBody ? c.req.raw.body : undefined, signal: abort.signal, redirect: "manual", ...(hasBody ? { duplex: "half" } : {}) } as RequestInit);
    } catch (error) {
      upstreamErrors.inc({ service: "operator" });
      log.warn("upstream request failed", { service: "operator", path: c.req.path, error: (error as Error).message });
      return c.json({ error: "the operator API is not reachable right now; try again shortly" }, 502, { "cache-control": "no-store" });
    } finally {
      clearTimeout(timer);
    }
    const out = new Headers();
    for (const h of [...passHeaders, "x-accel-buffering"]) {
      const v = res.headers.get(h);
      if (v) out.set(h, v);
    }
    for (const cookie of res.headers.getSetCookie()) out.append("set-cookie", cookie);
    if (!out.has("cache-control")) out.set("cache-control", "no-store");
    return new Response(res.body, { status: res.status, headers: out });
  }

  /**
   * Identical reads answered once per `ttlMs` (and concurrent ones by one upstream request): when a lot
   * goes live, every viewer's page re-reads the same lists within a second or two; the indexer sees one
   * request per replica of this server, not one per viewer. Only 200 answers are kept.
   */
  type Kept = { status: number; headers: [string, string][]; body: Uint8Array };
  const shared = new Map<string, { at: number; value: Promise<Kept> }>();
  const sharedHits = metrics.counter("shared_reads_total", "Proxied reads answered from the short shared cache or an identical request in flight", ["route"]);
  async function sharedRead(c: Context, route: string, key: string, ttlMs: number, read: () => Promise<Response>): Promise<Response> {
    const now = Date.now();
    let entry = shared.get(key);
    if (entry && now - entry.at < ttlMs) sharedHits.inc({ route });
    else {
      const value = read().then(async (res) => ({ status: res.status, headers: [...res.headers], body: new Uint8Array(await res.arrayBuffer()) }));
      entry = { at: now, value };
      shared.set(key, entry);
      const kept = entry;
      value.then(
        (v) => v.status !== 200 && shared.get(key) === kept && shared.delete(key),
        () => shared.get(key) === kept && shared.delete(key),
      );
      if (shared.size > 1000) shared.delete(shared.keys().next().value as string);
    }
    const kept = await entry.value;
    const inm = c.req.header("if-none-match");
    const etag = kept.headers.find(([k]) => k === "etag")?.[1];
    if (inm && etag && inm === etag) return new Response(null, { status: 304, headers: kept.headers.filter(([k]) => k !== "content-type") });
    return new Response(kept.body.slice(), { status: kept.status, headers: kept.headers });
  }

  const app = new Hono();
  app.use("*", async (c, next) => {
    await next();
    const route = c.req.routePath === "/*" ? (c.req.path.startsWith("/svc/") ? "svc-other" : "static") : c.req.routePath;
    requests.inc({ route, status: String(c.res.status) });
  });
  app.use("*", async (c, next) => {
    await next();
    if (c.res === RESPONSE_ALREADY_SENT) return;
    c.res.headers.set("x-content-type-options", "nosniff");
    c.res.headers.set("referrer-policy", "strict-origin-when-cross-origin");
  });
  app.onError((error, c) => {
    log.error("request failed", { path: c.req.path, error });
    return c.json({ error: "internal error" }, 500);
  });
  const limitBody = (maxSize: number) =>
    bodyLimit({ maxSize, onError: (c) => c.json({ error: `request body too large: at most ${maxSize} bytes` }, 413) });

  app.get("/health", (c) => c.json({ ok: true, service: "dapp" }, 200, { "cache-control": "no-store" }));
  // Metrics live on the operator's port only; here they are no page of the app either.
  app.all("/metrics", (c) => c.json({ error: "not here" }, 404));
  app.get("/config.json", (c) => c.json(buildAppConfig(env), 200, { "cache-control": "no-store" }));

  // --- read-only RPC ---------------------------------------------------------------------------
  /** One upstream call; one answer per request in the order sent (matched by id), failures in words of our own. */
  const sendUpstream: RpcSend = async (sent) => {
    for (const r of sent) rpcForwarded.inc({ method: r.method });
    let upstreamAnswers: unknown[];
    try {
      const res = await fetch(env.RPC_URL, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(sent.length === 1 ? sent[0] : sent),
        signal: AbortSignal.timeout(env.DAPP_UPSTREAM_TIMEOUT_MS),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`HTTP ${res.status}, not JSON`);
      }
      upstreamAnswers = Array.isArray(json) ? json : [json];
    } catch (error) {
      upstreamErrors.inc({ service: "rpc" });
      // The message of a failed fetch can quote the URL: say it in words of our own.
      log.warn("rpc upstream failed", { error: (error as Error).message });
      return sent.map((r) => rpcError(r.id ?? null, -32603, "the chain's RPC is not reachable right now; try again shortly"));
    }
    // Matched by id (a batch's answers may come in any order); a lone request takes the lone answer.
    const byId = new Map<unknown, unknown>();
    for (const a of upstreamAnswers) byId.set((a as { id?: unknown })?.id, a);
    return sent.map((r, k) => {
      const answer = sent.length === 1 ? upstreamAnswers[0] : (byId.get(r.id) ?? upstreamAnswers[k]);
      return cleanUpstream(answer) ?? rpcError(r.id ?? null, -32603, "no answer from the chain's RPC");
    });
  };
  // Every viewer of a lot page asks the same reads each block: answered once per block (server/rpc-cache.ts).
  const rpcCache = createRpcCache({ headTtlMs: env.DAPP_RPC_HEAD_TTL_MS, maxEntries: 10_000, onHit: (method) => rpcCacheHits.inc({ method }) });

  app.post("/svc/rpc", limitBody(env.DAPP_RPC_MAX_BODY_BYTES), async (c) => {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return c.json(rpcError(null, -32700, "parse error: expected JSON"));
    }
    const limits = { maxBatch: env.DAPP_RPC_MAX_BATCH, maxLogBlocks: env.DAPP_RPC_MAX_LOG_BLOCKS };
    const parsed = parseRpcBody(body, limits);
    if (parsed.kind === "invalid") return c.json(parsed.response);
    const needHead = parsed.requests.some((r) => (r as { method?: unknown })?.method === "eth_getLogs" && logsNeedHead((r as { params?: unknown }).params));
    const headNow = needHead ? await rpcCache.head(sendUpstream) : undefined;
    const answers: (JsonRpcResponse | undefined)[] = parsed.requests.map((r) => {
      const refused = refusal(r, limits, headNow);
      if (refused) rpcRefused.inc({ method: String((r as { method?: unknown })?.method ?? "none").slice(0, 64) });
      return refused;
    });
    const forwardIdx = answers.flatMap((a, i) => (a === undefined ? [i] : []));
    if (forwardIdx.length) {
      const got = await rpcCache.answer(forwardIdx.map((i) => parsed.requests[i] as RpcRequest), sendUpstream);
      forwardIdx.forEach((i, k) => (answers[i] = got[k]));
    }
    return c.json(parsed.batch ? answers : answers[0]);
  });

  // --- indexer reads ----------------------------------------------------------------------------
  app.post("/svc/indexer/graphql", limitBody(env.DAPP_MAX_BODY_BYTES), async (c) => {
    const body = await c.req.text();
    return sharedRead(c, "graphql", `graphql:${body}`, 1000, () =>
      forward(c, "indexer", new URL("/graphql", env.INDEXER_URL).toString(), { method: "POST", body, headers: { "content-type": "application/json" } }),
    );
  });
  // The document changes once per checkpoint: kept 250 ms here, its ETag and Cache-Control passed on for CDNs.
  app.get("/svc/indexer/live", (c) => sharedRead(c, "live", "live", 250, () => forward(c, "indexer", new URL("/live", env.INDEXER_URL).toString())));
  app.get("/svc/indexer/live/events", (c) => {
    const res = (c.env as Partial<NodeBindings> | undefined)?.outgoing;
    if (!res) return c.json({ error: "live events need the Node HTTP server" }, 500);
    const ok = hub.subscribe(res, c.req.header("last-event-id"));
    if (!ok) {
      return c.json(
        { error: `live events: viewer limit reached (${env.DAPP_LIVE_MAX_SUBSCRIBERS}, DAPP_LIVE_MAX_SUBSCRIBERS); poll /svc/indexer/live or retry later` },
        503,
        { "retry-after": "5" },
      );
    }
    return RESPONSE_ALREADY_SENT;
  });
  app.get("/svc/indexer/lots/:id{[0-9]{1,78}}", (c) => forward(c, "indexer", new URL(`/lots/${c.req.param("id")}`, env.INDEXER_URL).toString()));

  // --- relayer: chat linking ----------------------------------------------------------------------
  if (env.RELAYER_URL) {
    const relayer = env.RELAYER_URL;
    app.post("/svc/relayer/link", limitBody(env.DAPP_MAX_BODY_BYTES), async (c) =>
      forward(c, "relayer", new URL("/link", relayer).toString(), { method: "POST", body: await c.req.text(), headers: { "content-type": "application/json" } }),
    );
    app.get("/svc/relayer/twitch/users", (c) => {
      const login = (c.req.query("login") ?? "").slice(0, 64);
      return forward(c, "relayer", `${new URL("/twitch/users", relayer)}?login=${encodeURIComponent(login)}`);
    });
  }

  // --- health documents (status board) and the broadcast preview --------------------------------
  for (const service of ["indexer", "relayer", "broadcaster", "agent"] as const) {
    const base = upstream[service];
    if (base) app.get(`/svc/${service}/health`, (c) => forward(c, service, new URL("/health", base).toString(), { redact: true }));
  }
  if (env.BROADCASTER_URL) {
    const broadcaster = env.BROADCASTER_URL;
    app.get("/svc/broadcaster/preview.png", (c) => forward(c, "broadcaster", new URL("/preview.png", broadcaster).toString()));
  }
  if (env.HLS_URL) {
    const hlsOrigin = new URL(env.HLS_URL).origin;
    app.get("/svc/hls/*", (c) => {
      const path = c.req.path.slice("/svc/hls".length);
      if (!/^\/[A-Za-z0-9._\-/]+\.(m3u8|ts|m4s|mp4|aac)$/.test(path) || path.includes("..")) return c.json({ error: "not a stream file" }, 404);
      return forward(c, "hls", `${hlsOrigin}${path}`);
    });
  }

  // --- the operator API: passed through whole (it checks the session and the Origin itself) -----
  if (env.OPERATOR_URL) {
    const operator = env.OPERATOR_URL;
    app.all("/svc/operator/*", (c) => {
      const path = c.req.path.slice("/svc/operator".length);
      if (path === "/metrics") return c.json({ error: "not here" }, 404);
      const query = new URL(c.req.url).search;
      return forwardOperator(c, new URL(`${path}${query}`, operator).toString());
    });
  }

  app.all("/svc/*", (c) => c.json({ error: `${c.req.method} ${c.req.path} is not served by the dApp's server` }, 404, { "cache-control": "no-store" }));

  // --- the built app ----------------------------------------------------------------------------
  app.on(["GET", "HEAD"], "*", (c) => {
    const file = resolveStatic(files, c.req.path);
    if (!file) return c.text("not found", 404);
    const headers: Record<string, string> = { "content-type": file.type, "cache-control": file.cacheControl, etag: file.etag, vary: "accept-encoding" };
    if (c.req.header("if-none-match") === file.etag) return c.body(null, 304, headers);
    const gzip = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "") ? file.gzip() : undefined;
    if (gzip) headers["content-encoding"] = "gzip";
    return c.body(new Uint8Array(gzip ?? file.body), 200, headers);
  });
  app.all("*", (c) => c.json({ error: `${c.req.method} is not allowed here` }, 405, { allow: "GET, HEAD" }));

  // --- operator side: not published -------------------------------------------------------------
  const ops = new Hono();
  ops.get("/metrics", async (c) => c.body(await metrics.render(), 200, { "content-type": metrics.contentType }));
  ops.get("/health", (c) => {
    const config = buildAppConfig(env);
    const ok = config.deployment !== null;
    return c.json(
      { ok, service: "dapp", chainId: env.CHAIN_ID, deployment: config.deployment, deploymentProblem: config.deploymentProblem, live: { viewers: hub.subscribers, upstreamConnected: hub.connected, snapshot: hub.ready } },
      ok ? 200 : 503,
    );
  });

  return { app, ops, hub, metrics, close: () => hub.close() };
}
