/**
 * @module auth/origin
 * CSRF defence for every state-changing request (anything but GET/HEAD): its `Origin` header must be
 * one of the console's origins. Browsers send `Origin` on every cross-origin request and on every
 * same-origin POST/PUT/DELETE made by fetch, and a page cannot forge it. Together with the session
 * cookie's SameSite=Strict, a page on another site can neither carry the cookie nor pass this check.
 * An Origin check was chosen over "JSON content-type only" because it also covers the multipart
 * uploads (artwork) that cannot be JSON, and it does not lean on CORS preflight rules.
 */
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";

const safe = new Set(["GET", "HEAD"]);

export function requireOrigin(origins: readonly string[]): MiddlewareHandler {
  return async function requireOrigin(c, next) {
    if (!safe.has(c.req.method)) {
      const origin = c.req.header("origin");
      if (!origin || !origins.includes(origin)) {
        throw new HTTPException(403, { message: `cross-site request refused: Origin ${origin ?? "(none)"} is not one of the console's origins` });
      }
    }
    await next();
  };
}
