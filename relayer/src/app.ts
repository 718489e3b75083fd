/**
 * @module app
 * The relayer's HTTP API (Hono): `/health`, `/metrics`, `POST /link`. Built as a plain app so tests call
 * `app.request()` without opening a port. What it answers passes through `redactSecrets`: a health
 * document or an error may quote the RPC URL, whose path or query can hold the provider's API key.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import { redactSecrets } from "@sothebais/common/redact";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { clientAddress, parseTrustedProxies, type TrustedProxies } from "@sothebais/common/http-client";
import type { LinkRequest, LinkResult } from "./links.ts";

export type AppDeps = {
  health: () => Promise<{ ok: boolean; [k: string]: unknown }>;
  metrics: () => Promise<{ body: string; contentType: string }>;
  link: (req: LinkRequest) => Promise<LinkResult>;
  /** Counts link requests per client; true = over the limit. */
  linkRateLimited: (client: string) => Promise<boolean>;
  /** Peers whose forwarded header is believed (default: none). */
  trustedProxies?: TrustedProxies;
  proxyHeader?: "x-forwarded-for" | "forwarded";
  /** Largest request body, bytes (default 8 KiB). */
  maxBodyBytes?: number;
};

/** The TCP peer; undefined under `app.request()` (tests without a socket). */
function peerOf(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** A JSON document with secrets removed from every string in it. */
const redactedJson = <T>(value: T): T => JSON.parse(redactSecrets(JSON.stringify(value))) as T;

export function createApp(deps: AppDeps) {
  const proxies = deps.trustedProxies ?? parseTrustedProxies("none");
  const header = deps.proxyHeader ?? "x-forwarded-for";
  const maxBody = deps.maxBodyBytes ?? 8192;
  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof HTTPException) return c.json({ error: redactSecrets(error.message) }, error.status);
    return c.json({ error: "internal error" }, 500);
  });
  // The dApp posts from another origin.
  app.use("/link", cors({ origin: "*", allowMethods: ["POST", "OPTIONS"], allowHeaders: ["content-type"] }));
  // Checked before anything reads the body: a declared length over the limit is refused unread, a
  // chunked body is counted as it streams and cut off at the limit.
  app.use("*", bodyLimit({ maxSize: maxBody, onError: (c) => c.json({ error: `request body too large: at most ${maxBody} bytes` }, 413) }));
  app.get("/health", async (c) => {
    const h = await deps.health();
    return c.json(redactedJson(h), h.ok ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    const m = await deps.metrics();
    return c.body(redactSecrets(m.body), 200, { "content-type": m.contentType });
  });
  app.post("/link", async (c) => {
    const client = clientAddress(peerOf(c), header, c.req.raw.headers.get(header) ? [c.req.raw.headers.get(header) as string] : [], proxies);
    if (await deps.linkRateLimited(client)) throw new HTTPException(429, { message: "too many link requests, try again in a minute" });
    const body = (await c.req.json().catch(() => undefined)) as LinkRequest | undefined;
    if (!body) throw new HTTPException(400, { message: "expected a JSON body" });
    const result = await deps.link(body);
    if (!result.ok) return c.json({ error: redactSecrets(result.error) }, result.status);
    return c.json({ code: result.code, expiresAt: result.expiresAt, command: `!link ${result.code}` });
  });
  return app;
}
