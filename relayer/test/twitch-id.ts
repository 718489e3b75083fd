/**
 * Test stand-in for id.twitch.tv (not shipped): `GET /oauth2/validate` and `POST /oauth2/token`
 * (grant_type=refresh_token) answering as Twitch documents them, over the one set of valid tokens that
 * the local chat server checks logins against (`acceptsToken`). Each refresh hands out a new refresh token
 * and retires the old one, the strictest thing Twitch may do, so a relayer that refreshes twice with the
 * same refresh token (two instances racing) is caught.
 * @see https://dev.twitch.tv/docs/authentication/validate-tokens/
 * @see https://dev.twitch.tv/docs/authentication/refresh-tokens/
 */
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { freePort } from "@sothebais/common/testing";
import { Hono } from "hono";

export type TwitchId = {
  url: string;
  clientId: string;
  clientSecret: string;
  /** A new access/refresh pair for the bot, valid for `lifetimeS`. */
  issue: (lifetimeS?: number) => { accessToken: string; refreshToken: string };
  /** True while `token` (bare, lower case) is a valid access token: what chat accepts. */
  accepts: (token: string) => boolean;
  /**
   * The access token stops working (expired, revoked); `onRevoke` listeners end its chat sessions, unless
   * `chatKeepsSessions`: Twitch's chat may leave a revoked token's session open, and the app must end it.
   */
  revoke: (accessToken: string, o?: { chatKeepsSessions?: boolean }) => void;
  /** The refresh token is refused from now on (the bot's authorization was withdrawn). */
  revokeRefresh: (refreshToken: string) => void;
  /** What validate will answer as `expires_in` for this token from now on. */
  setExpiresIn: (accessToken: string, seconds: number) => void;
  onRevoke: (listener: (accessToken: string) => void) => void;
  /** Requests seen per endpoint, and refreshes answered with a new pair. */
  counts: () => { validate: number; token: number; refreshed: number };
  /** Every access and refresh token ever issued (to check none reaches a log). */
  issued: () => string[];
  close: () => Promise<void>;
};

const token = (n: number) => randomBytes(n).toString("hex").slice(0, n);

export async function startTwitchId(o: { login: string; scopes?: string[]; lifetimeS?: number } = { login: "sothebais_bot" }): Promise<TwitchId> {
  const scopes = o.scopes ?? ["chat:edit", "chat:read"];
  const clientId = token(30);
  const clientSecret = token(30);
  const access = new Map<string, { expiresAt: number }>();
  const refresh = new Set<string>();
  const all: string[] = [];
  const listeners: ((t: string) => void)[] = [];
  const counts = { validate: 0, token: 0, refreshed: 0 };

  const issue = (lifetimeS = o.lifetimeS ?? 14_400) => {
    // Twitch's access tokens are 30 lower-case alphanumerics; refresh tokens longer, with "/" and "%" at times.
    const pair = { accessToken: token(30), refreshToken: `${token(40)}/${token(8)}%3D` };
    access.set(pair.accessToken, { expiresAt: Date.now() + lifetimeS * 1000 });
    refresh.add(pair.refreshToken);
    all.push(pair.accessToken, pair.refreshToken);
    return pair;
  };
  const accepts = (t: string) => (access.get(t)?.expiresAt ?? 0) > Date.now();

  const app = new Hono();
  app.get("/oauth2/validate", (c) => {
    counts.validate++;
    const header = c.req.header("authorization") ?? "";
    const t = /^OAuth (\S+)$/.exec(header)?.[1] ?? "";
    const entry = access.get(t);
    if (!entry || entry.expiresAt <= Date.now()) return c.json({ status: 401, message: "invalid access token" }, 401);
    return c.json({ client_id: clientId, login: o.login, scopes, user_id: "141981764", expires_in: Math.floor((entry.expiresAt - Date.now()) / 1000) });
  });
  app.post("/oauth2/token", async (c) => {
    counts.token++;
    const form = new URLSearchParams(await c.req.text());
    if (form.get("grant_type") !== "refresh_token") return c.json({ status: 400, message: "unsupported grant type" }, 400);
    if (form.get("client_id") !== clientId) return c.json({ status: 400, message: "invalid client" }, 400);
    if (form.get("client_secret") !== clientSecret) return c.json({ status: 403, message: "invalid client secret" }, 403);
    const old = form.get("refresh_token") ?? "";
    if (!refresh.delete(old)) return c.json({ status: 400, message: "Invalid refresh token" }, 400);
    counts.refreshed++;
    const pair = issue();
    return c.json({ access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: o.lifetimeS ?? 14_400, scope: scopes, token_type: "bearer" });
  });

  const port = await freePort();
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => resolve(s as Server)) as Server;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    issue,
    accepts,
    revoke: (t, r) => {
      access.delete(t);
      if (!r?.chatKeepsSessions) for (const l of listeners) l(t);
    },
    revokeRefresh: (t) => void refresh.delete(t),
    setExpiresIn: (t, seconds) => {
      const entry = access.get(t);
      if (entry) entry.expiresAt = Date.now() + seconds * 1000;
    },
    onRevoke: (l) => void listeners.push(l),
    counts: () => ({ ...counts }),
    issued: () => [...all],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
