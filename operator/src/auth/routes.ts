/**
 * @module auth/routes
 * Sign-in with Ethereum: `GET /auth/nonce`, `POST /auth/login {message, signature}`, `POST /auth/logout`,
 * `GET /auth/session`. A session is granted only to an address that holds admin, auctioneer or pauser on
 * the AuctionHouse at sign-in; the cookie is HttpOnly, SameSite=Strict, Path=/ and Secure (unless
 * OPERATOR_COOKIE_SECURE=false). Every later request reads the roles again (auth/require-role.ts).
 */
import type { Logger } from "@sothebais/common/log";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import type { Hex, PublicClient } from "viem";
import { generateSiweNonce } from "viem/siwe";
import { currentOperator, type OperatorEnv } from "./require-role.ts";
import { operatorRoleNames } from "./roles.ts";
import { checkSiwe } from "./siwe.ts";

export type AuthRoutesDeps = {
  client: PublicClient;
  origins: string[];
  chainId: number;
  sessionTtlMs: number;
  nonceTtlMs: number;
  messageMaxAgeMs: number;
  cookieSecure: boolean;
  log: Logger;
  /** Counts sign-in attempts (metrics). */
  onOutcome?: (outcome: "ok" | "refused" | "no_role") => void;
  /** Outstanding nonces dropped to make room (a flood of nonce requests; metrics). */
  onNoncesDropped?: (n: number) => void;
  now?: () => number;
};

export function createAuthRoutes(d: AuthRoutesDeps) {
  const now = d.now ?? Date.now;
  const app = new Hono<OperatorEnv>();

  app.get("/nonce", async (c) => {
    const nonce = generateSiweNonce();
    const dropped = await c.get("auth").sessions.putNonce(nonce);
    if (dropped) d.onNoncesDropped?.(dropped);
    return c.json({ nonce, chainId: d.chainId, expiresAt: now() + d.nonceTtlMs }, 200, { "cache-control": "no-store" });
  });

  app.post("/login", async (c) => {
    if (!(c.req.header("content-type") ?? "").startsWith("application/json")) throw new HTTPException(415, { message: "expected a JSON body {message, signature}" });
    const body = (await c.req.json().catch(() => undefined)) as { message?: unknown; signature?: unknown } | undefined;
    if (!body || typeof body.message !== "string" || typeof body.signature !== "string") throw new HTTPException(400, { message: "expected a JSON body {message, signature}" });
    const auth = c.get("auth");
    const check = await checkSiwe(body.message, body.signature as Hex, {
      origins: d.origins,
      chainId: d.chainId,
      maxAgeMs: d.messageMaxAgeMs,
      takeNonce: auth.sessions.takeNonce,
      client: d.client,
      now,
    });
    if (!check.ok) {
      d.log.warn("sign-in refused", { reason: check.error });
      d.onOutcome?.("refused");
      return c.json({ error: check.error }, check.status);
    }
    // Read at sign-in, never from a cache another session warmed.
    auth.roles.forget(check.address);
    const roles = await auth.roles.rolesOf(check.address).catch((error) => {
      throw new HTTPException(503, { message: "the chain cannot be read right now, so roles cannot be checked; try again shortly", cause: error });
    });
    if (!roles.length) {
      d.log.warn("sign-in refused: no operator role", { address: check.address });
      d.onOutcome?.("no_role");
      return c.json({ error: `${check.address} holds none of these roles on the AuctionHouse: ${operatorRoleNames.join(", ")}` }, 403);
    }
    const expiresAt = Math.min(now() + d.sessionTtlMs, check.expiresAt ?? Number.POSITIVE_INFINITY);
    const { id } = await auth.sessions.create({ address: check.address, roles, expiresAt });
    setCookie(c, auth.cookieName, id, {
      httpOnly: true,
      secure: d.cookieSecure,
      sameSite: "Strict",
      path: "/",
      maxAge: Math.max(1, Math.floor((expiresAt - now()) / 1000)),
    });
    d.onOutcome?.("ok");
    d.log.info("operator signed in", { address: check.address, roles, expiresAt: new Date(expiresAt).toISOString() });
    return c.json({ address: check.address, roles, expiresAt });
  });

  app.post("/logout", async (c) => {
    const auth = c.get("auth");
    const operator = await currentOperator(c);
    const id = getCookie(c, auth.cookieName);
    if (id) await auth.sessions.drop(id, operator?.address);
    deleteCookie(c, auth.cookieName, { path: "/", secure: d.cookieSecure, httpOnly: true, sameSite: "Strict" });
    if (operator) d.log.info("operator signed out", { address: operator.address });
    return c.json({ ok: true });
  });

  app.get("/session", async (c) => {
    const operator = await currentOperator(c);
    if (!operator) return c.json({ error: "not signed in" }, 401, { "cache-control": "no-store" });
    return c.json(operator, 200, { "cache-control": "no-store" });
  });

  return app;
}
