/**
 * @module chat-server/guard
 * Keeps other web pages from posting in the local chat. `/api/say`, `/api/ban` and `/api/delete` act as
 * any user, and the server runs on a developer's machine, so any page open in their browser could post
 * `!bid` lines or bans to it with a plain HTML form (a "simple" cross-site request needs no CORS preflight
 * and its answer need not be readable to do harm). Two checks on every write:
 *
 * - `Content-Type: application/json`: a form can only send urlencoded, multipart or text/plain, and a
 *   cross-site fetch with JSON needs a preflight this server never grants;
 * - `Origin`, when the browser sends one (it does on every cross-site POST): the server's own origin
 *   or one listed in `allowedOrigins` (CHAT_ALLOWED_ORIGINS). "Own" means the Origin equals
 *   `http://<Host header>` and that host is an IP address or `localhost`: a DNS-rebound name (an attacker's
 *   domain pointed at 127.0.0.1) is same-origin to the browser but not here. Clients without a browser
 *   (the say CLI, tests, scripts) send no Origin and pass.
 */
import { isIP } from "node:net";
import type { MiddlewareHandler } from "hono";

export type WriteGuardOptions = { allowedOrigins?: readonly string[] };

/** The media type of a Content-Type header, without parameters, lower-cased. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/** True for hosts that cannot be DNS-rebound: IP literals and localhost. */
function isLiteralHost(host: string): boolean {
  try {
    const hostname = new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, "");
    return hostname === "localhost" || isIP(hostname) !== 0;
  } catch {
    return false;
  }
}

/** Why a write from `origin` (the Origin header) to a server reached as `host` is refused, or undefined when allowed. */
export function originProblem(origin: string | undefined, host: string | undefined, allowed: ReadonlySet<string>): string | undefined {
  if (origin === undefined) return undefined;
  if (allowed.has(origin)) return undefined;
  if (host && origin === `http://${host}` && isLiteralHost(host)) return undefined;
  return `cross-origin request refused: Origin ${origin.slice(0, 100)} is not this chat server's (add it to CHAT_ALLOWED_ORIGINS to allow it)`;
}

export function chatWriteGuard(options: WriteGuardOptions = {}): MiddlewareHandler {
  const allowed = new Set((options.allowedOrigins ?? []).map((o) => o.replace(/\/+$/, "")));
  return async function chatWriteGuard(c, next) {
    if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") return next();
    const problem = originProblem(c.req.header("origin"), c.req.header("host"), allowed);
    if (problem) return c.json({ error: problem }, 403);
    if (mediaType(c.req.header("content-type")) !== "application/json") {
      return c.json({ error: `expected Content-Type: application/json, got ${JSON.stringify(c.req.header("content-type") ?? "none").slice(0, 100)}` }, 415);
    }
    return next();
  };
}
