/**
 * @module auth/require-role
 * The gate of every operator route: {@link requireRole} answers 401 without a live session (none,
 * expired, dropped, or its address holds no operator role on the chain any more) and 403 when the
 * address holds none of the roles the route asks for. Roles are read from the chain on every request
 * (auth/roles.ts caches them a few seconds; a RoleRevoked drops them and the sessions at once).
 *
 * @example
 * import { type OperatorEnv, requireRole } from "../auth/require-role.ts";
 * const logs = new Hono<OperatorEnv>();
 * logs.use("*", requireRole("admin", "auctioneer"));
 * logs.get("/tail", (c) => c.json({ who: c.get("operator").address }));
 */
import type { Address } from "@sothebais/common/deployments";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import type { OperatorRole, RoleReader } from "./roles.ts";
import type { SessionStore } from "./sessions.ts";

/** Who is calling: set by {@link requireRole} for the handlers behind it. */
export type Operator = { address: Address; roles: OperatorRole[]; expiresAt: number };

export type AuthContext = {
  sessions: SessionStore;
  roles: RoleReader;
  /** The session cookie's name (`__Host-` prefixed when Secure). */
  cookieName: string;
};

/** Hono's environment for operator routes: `c.get("operator")` behind {@link requireRole}. */
export type OperatorEnv = { Variables: { auth: AuthContext; operator: Operator } };

/** Makes the auth context available to every route (mounted once, first, in app.ts). */
export const provideAuth = (auth: AuthContext): MiddlewareHandler<OperatorEnv> =>
  async function provideAuth(c, next) {
    c.set("auth", auth);
    await next();
  };

/**
 * The caller's session with the roles its address holds now, or undefined. A session whose address no
 * longer holds any operator role is dropped here, so it is refused from now on even if the role is given back.
 */
export async function currentOperator(c: Context<OperatorEnv>): Promise<Operator | undefined> {
  const auth = c.get("auth");
  const id = getCookie(c, auth.cookieName);
  if (!id) return undefined;
  const session = await auth.sessions.get(id);
  if (!session) return undefined;
  // Fails closed: without the chain, no role can be checked and no route opens.
  const roles = await auth.roles.rolesOf(session.address).catch((error) => {
    throw new HTTPException(503, { message: "the chain cannot be read right now, so roles cannot be checked; try again shortly", cause: error });
  });
  if (!roles.length) {
    await auth.sessions.drop(id, session.address);
    return undefined;
  }
  return { address: session.address, roles, expiresAt: session.expiresAt };
}

/** 401 without a live session, 403 unless the address holds one of `roles` (none given: any operator role). */
export function requireRole(...roles: OperatorRole[]): MiddlewareHandler<OperatorEnv> {
  return async function requireRole(c, next) {
    const operator = await currentOperator(c);
    if (!operator) throw new HTTPException(401, { message: "sign in first (no live session)" });
    if (roles.length && !roles.some((r) => operator.roles.includes(r))) {
      throw new HTTPException(403, { message: `needs one of these roles on the AuctionHouse: ${roles.join(", ")}` });
    }
    c.set("operator", operator);
    await next();
  };
}
