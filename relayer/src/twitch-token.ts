/**
 * @module twitch-token
 * Keeps the bot's Twitch user access token alive, as Twitch asks of a chat bot:
 *
 * - validate it at start and then every TWITCH_TOKEN_CHECK_S (hourly by default), sooner when it is due
 *   to expire (`GET /oauth2/validate`, header `Authorization: OAuth <token>`);
 * - refresh it (`POST /oauth2/token`, grant_type=refresh_token) when validate answers 401, when it has
 *   less than the margin left, and when chat refuses the login ("Login authentication failed");
 * - keep the current pair in Redis, so a restarted or second relayer instance uses the newest one: Twitch
 *   may answer a new refresh token with each refresh, and the old one then fails;
 * - refresh under a short Redis lock, so two instances never refresh with the same refresh token (the
 *   second would fail at Twitch and look like a revoked authorization);
 * - a refresh token Twitch rejects (400/401) is logged once, shown in /health, and never sent again: the
 *   relayer keeps serving wallets, and chat waits for a new authorization (docs/OPERATIONS.md);
 * - end the chat session when validate calls its token invalid before that token's expiry (revoked, or the
 *   integration disconnected): Twitch asks that every session of such a token end. The chat logs in again
 *   with the next new token, once per session; a token that merely expires keeps its session (Twitch does
 *   not drop chat at expiry), and so does one replaced ahead of its expiry.
 *
 * Tokens are never logged (nor are the client secret or refresh token); only their expiry, scopes and login.
 * @see https://dev.twitch.tv/docs/authentication/validate-tokens/
 * @see https://dev.twitch.tv/docs/authentication/refresh-tokens/
 */
import { createHash, randomUUID } from "node:crypto";
import type { Logger } from "@sothebais/common/log";
import { prefix, type Store } from "./store.ts";

export const tokenKeys = {
  /** JSON {@link TokenPair}: the newest access/refresh pair any instance holds. */
  pair: `${prefix}twitch:token`,
  /** Held by the instance refreshing (SET NX PX): one refresh at a time. */
  lock: `${prefix}twitch:token:lock`,
  /** Fingerprints of the env pairs already taken in: an env pair seen before is older than the Redis pair. */
  seeds: `${prefix}twitch:token:seeds`,
} as const;

export type TokenPair = {
  /** Bare token, no "oauth:" prefix. "" = none yet (refresh-only setup). */
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms, from the last validate or refresh; undefined = not known yet. */
  expiresAt?: number;
  /** Twitch refused `refreshToken` (400/401): it is never sent again. */
  refreshRejected?: boolean;
  updatedAt: number;
};

/** What /oauth2/validate said: the token's owner, scopes and seconds left, or that it is invalid (401). */
export type Validation = { valid: true; login: string; scopes: string[]; expiresInS: number } | { valid: false; status: number };

/** What /oauth2/token said to a refresh: a new pair, or a refusal (400/401/403: the authorization is gone). */
export type RefreshResult =
  | { ok: true; accessToken: string; refreshToken?: string; expiresInS: number; scopes: string[] }
  | { ok: false; status: number; message: string };

/** id.twitch.tv did not answer, or answered 5xx/429: worth trying again later, not a verdict on the token. */
export class TwitchIdUnavailableError extends Error {
  override name = "TwitchIdUnavailableError";
}

const bare = (token: string) => token.replace(/^oauth:/i, "");
const timeoutMs = 5000;

async function call(url: URL, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new TwitchIdUnavailableError(`${url.origin} unreachable: ${(error as Error).message}`, { cause: error });
  }
  if (res.status >= 500 || res.status === 429) {
    await res.body?.cancel();
    throw new TwitchIdUnavailableError(`${url.origin}${url.pathname} answered ${res.status}`);
  }
  return res;
}

/**
 * Asks Twitch whether `accessToken` is valid, whose it is and how long it has left.
 * @throws {TwitchIdUnavailableError} when Twitch cannot say (network, 5xx, 429).
 */
export async function validateToken(idUrl: string, accessToken: string): Promise<Validation> {
  const res = await call(new URL("/oauth2/validate", idUrl), { headers: { authorization: `OAuth ${bare(accessToken)}` } });
  if (!res.ok) {
    await res.body?.cancel();
    return { valid: false, status: res.status };
  }
  const body = (await res.json()) as { login?: string; scopes?: string[] | null; expires_in?: number };
  return { valid: true, login: String(body.login ?? ""), scopes: body.scopes ?? [], expiresInS: Number(body.expires_in ?? 0) };
}

/**
 * Trades a refresh token for a new pair. Twitch answers `scope` as a list; the refresh token may be new.
 * @throws {TwitchIdUnavailableError} when Twitch cannot say (network, 5xx, 429).
 */
export async function refreshAccessToken(idUrl: string, c: { clientId: string; clientSecret: string; refreshToken: string }): Promise<RefreshResult> {
  // URLSearchParams encodes what a refresh token may hold ("/", "%", "=") as Twitch asks.
  const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: c.refreshToken, client_id: c.clientId, client_secret: c.clientSecret });
  const res = await call(new URL("/oauth2/token", idUrl), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  const json = (await res.json().catch(() => ({}))) as { access_token?: string; refresh_token?: string; expires_in?: number; scope?: string[] | string; message?: string };
  if (!res.ok || !json.access_token) return { ok: false, status: res.status, message: String(json.message ?? res.statusText).slice(0, 200) };
  const scopes = Array.isArray(json.scope) ? json.scope : String(json.scope ?? "").split(" ").filter(Boolean);
  return { ok: true, accessToken: json.access_token, refreshToken: json.refresh_token || undefined, expiresInS: Number(json.expires_in ?? 0), scopes };
}

/** Refresh state: off (not configured), ok, failing (Twitch unreachable, retried with back-off), rejected (needs a new authorization). */
export type RefreshState = "off" | "ok" | "failing" | "rejected";

export type TokenHealth = {
  /** Seconds until the current token expires (0 = expired or revoked), null = not known yet. */
  expiresInS: number | null;
  refresh: RefreshState;
  /** Why chat cannot log in, or will not be able to soon; null when all is well. */
  problem: string | null;
  login: string | null;
  scopes: string[] | null;
};

export type TokenKeeperOptions = {
  idUrl: string;
  /** TWITCH_OAUTH_TOKEN ("oauth:..." or bare); may be absent when refresh is on (one is fetched at start). */
  accessToken?: string;
  /** Absent = refresh off: the token is still validated, and reported when it expires. */
  refresh?: { clientId: string; clientSecret: string; refreshToken: string };
  /** TWITCH_USERNAME: a token of another account is reported. */
  username: string;
  redis: Store;
  log: Logger;
  /** Validate this often (Twitch: at least hourly). */
  checkEveryMs: number;
  /** Refresh when less than this is left. */
  marginMs: number;
  /** Lock lifetime: longer than a refresh takes (two 5 s requests), short enough that a crashed holder does not block long. */
  lockMs?: number;
  /** A new access token is current (refreshed here or by another instance): a chat waiting to log in again can go now. */
  onNewToken?: () => void;
  /**
   * Twitch called the token of the chat's session invalid before its expiry: end that session and log in
   * again only at the next {@link onNewToken}. Called before the refresh it leads to, at most once per session.
   */
  onSessionRevoked?: () => void;
};

/** A 401 this close to a token's known expiry is its expiry, not a revocation (validate's expires_in is in whole seconds). */
const expirySlackMs = 60_000;

/** IRC needs both (https://dev.twitch.tv/docs/irc/authenticate-bot/). */
const chatScopes = ["chat:read", "chat:edit"];

/**
 * Starts validating (and refreshing) the bot's token. `token()` is what tmi.js asks on every (re)connect;
 * `loginFailed()` is what the chat calls when Twitch refused the login.
 */
export function createTokenKeeper(o: TokenKeeperOptions) {
  const lockMs = o.lockMs ?? 15_000;
  const instanceId = randomUUID();
  let pair: TokenPair = { accessToken: bare(o.accessToken ?? ""), refreshToken: o.refresh?.refreshToken, updatedAt: Date.now() };
  let refreshState: RefreshState = o.refresh ? "ok" : "off";
  let refreshFailures = 0;
  let validated: { login: string; scopes: string[] } | undefined;
  let problem: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let inflight: Promise<boolean> | undefined;
  /**
   * The chat's session: the access token last handed to a login (the one a "Login authentication failed" is
   * about, and the one Twitch's end-the-sessions rule is about), what is known of its expiry, and whether
   * there is nothing more to do about it (ended here, or expired: Twitch keeps chat past expiry).
   */
  let session: { token: string; expiresAt?: number; done: boolean } | undefined;
  /** Why the chat's session was ended, for /health, until a new token is current. */
  let sessionEnded: string | null = null;
  // The last thing said per topic, so a state that lasts is logged once, not once per check.
  const said = new Map<string, string>();
  const once = (topic: string, what: string, log: () => void) => {
    if (said.get(topic) === what) return;
    said.set(topic, what);
    log();
  };

  /** A Redis call that cannot hold up a chat login or a check while Redis is down (ioredis queues forever). */
  const quick = <T>(p: Promise<T>): Promise<T | undefined> =>
    Promise.race([p.catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000).unref())]);

  const readPair = async (): Promise<TokenPair | undefined> => {
    const raw = await quick(o.redis.get(tokenKeys.pair));
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as TokenPair;
    } catch {
      return undefined;
    }
  };
  const writePair = (p: TokenPair) => quick(o.redis.set(tokenKeys.pair, JSON.stringify(p)));

  /** Takes the Redis pair when another instance (or a previous run) got a newer one. True when it changed ours. */
  const adopt = async (): Promise<boolean> => {
    const stored = await readPair();
    if (!stored || stored.accessToken === pair.accessToken && stored.refreshRejected === pair.refreshRejected) return false;
    const changedToken = stored.accessToken !== pair.accessToken;
    pair = stored;
    if (changedToken) {
      sessionEnded = null;
      o.onNewToken?.();
      validated = undefined;
      if (!stored.refreshRejected && o.refresh) {
        refreshState = "ok";
        refreshFailures = 0;
      }
      problem = null;
    } else if (stored.refreshRejected && o.refresh) {
      setRejected("refused when another instance sent it");
    }
    return changedToken;
  };

  /** The env pair wins only when it is new (an operator put a new authorization in .env); else Redis holds the newest. */
  async function seed() {
    const fingerprint = createHash("sha256").update(`${pair.accessToken}\n${pair.refreshToken ?? ""}`).digest("hex").slice(0, 32);
    const fresh = await quick(o.redis.sadd(tokenKeys.seeds, fingerprint));
    const stored = await readPair();
    if (fresh === 1 || !stored) {
      if (fresh === undefined) return; // Redis unreachable: the env pair, in memory only
      await writePair(pair);
      if (stored) o.log.info("twitch token from the environment is new: it replaces the one kept in Redis");
      return;
    }
    await adopt();
  }

  const expiresInS = () => (pair.expiresAt === undefined ? null : Math.max(0, Math.round((pair.expiresAt - Date.now()) / 1000)));

  function setRejected(message: string) {
    refreshState = "rejected";
    problem = `Twitch rejected the refresh token (${message}): a new authorization of the bot is needed (docs/OPERATIONS.md#twitch-token-rejected)`;
    once("refresh", "rejected", () => o.log.error("twitch refresh token rejected: chat cannot log in again until the bot is authorized again (TWITCH_OAUTH_TOKEN and TWITCH_REFRESH_TOKEN, then restart); wallet bids go on", { reason: message }));
  }

  /** One refresh across instances. True when a different access token is now current. */
  function refresh(reason: string): Promise<boolean> {
    inflight ??= doRefresh(reason).finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  async function doRefresh(reason: string): Promise<boolean> {
    const before = pair.accessToken;
    if (await adopt()) return true; // another instance refreshed already
    if (!o.refresh) return false;
    if (pair.refreshRejected) {
      // Refused before (here or by another instance): never sent again; the first refusal's words stay in /health.
      if (refreshState !== "rejected") setRejected("refused before");
      return false;
    }
    // null: another instance holds the lock; undefined: Redis is down, so refresh alone rather than stay
    // out of chat (the pair reaches Redis with the next write once it is back).
    const lock = await quick(o.redis.set(tokenKeys.lock, instanceId, "PX", lockMs, "NX"));
    if (lock === null) {
      // Wait for the holder's pair rather than spend our refresh token, which is the same as theirs.
      const until = Date.now() + lockMs;
      while (Date.now() < until && !stopped) {
        await new Promise((r) => setTimeout(r, 200));
        if (await adopt()) return true;
        if (pair.refreshRejected || (await quick(o.redis.exists(tokenKeys.lock))) === 0) break;
      }
      return adopt();
    }
    try {
      if ((await adopt()) || pair.accessToken !== before) return true;
      const result = await refreshAccessToken(o.idUrl, { ...o.refresh, refreshToken: pair.refreshToken ?? o.refresh.refreshToken });
      if (!result.ok) {
        pair = { ...pair, refreshRejected: true, updatedAt: Date.now() };
        await writePair(pair);
        setRejected(`${result.status} ${result.message}`);
        return false;
      }
      pair = { accessToken: result.accessToken, refreshToken: result.refreshToken ?? pair.refreshToken, expiresAt: Date.now() + result.expiresInS * 1000, updatedAt: Date.now() };
      await writePair(pair);
      validated = undefined;
      refreshState = "ok";
      refreshFailures = 0;
      problem = null;
      sessionEnded = null;
      said.delete("refresh");
      said.delete("validate");
      o.log.info("twitch token refreshed", { reason, expiresInS: result.expiresInS, scopes: result.scopes });
      checkScopes(result.scopes);
      o.onNewToken?.();
      return true;
    } catch (error) {
      if (!(error instanceof TwitchIdUnavailableError)) throw error;
      refreshState = "failing";
      refreshFailures++;
      problem = `cannot refresh the Twitch token: ${error.message}`;
      once("refresh", "failing", () => o.log.warn("twitch token refresh failed, retrying with back-off", { reason, error: error.message }));
      return false;
    } finally {
      if (lock === "OK") await quick(o.redis.eval(releaseLua, 1, tokenKeys.lock, instanceId));
    }
  }

  function checkScopes(scopes: string[]) {
    const missing = chatScopes.filter((s) => !scopes.includes(s));
    if (missing.length) once("scopes", missing.join(), () => o.log.warn("twitch token lacks chat scopes: the bot cannot read or post", { missing, scopes }));
  }

  /** A 401 for a token whose expiry is known and (all but) past says it expired; else it was revoked. */
  const expired = (expiresAt: number | undefined) => expiresAt !== undefined && expiresAt - expirySlackMs <= Date.now();

  /**
   * Validate called `token` invalid (`revoked`: before its expiry). The chat's session ends when its own
   * token was revoked, or when the current token was (the authorization behind every token of the bot may
   * be gone: the integration disconnected); once per session, never for a token that merely expired.
   */
  function invalidToken(token: string, status: number, revoked: boolean) {
    if (!session || session.done) return;
    if (token === session.token && !revoked) {
      session.done = true; // expired: Twitch keeps its session, and there is no more to learn about it
      return;
    }
    if (!revoked) return;
    session.done = true;
    sessionEnded = `Twitch called the chat session's token invalid before its expiry (validate answered ${status}: revoked, or the bot's authorization withdrawn), so the session was ended; chat logs in again with the next new token`;
    o.log.warn("twitch token revoked: ending the chat session that uses it, as Twitch asks; chat logs in again with a new token", { status, refresh: refreshState });
    o.onSessionRevoked?.();
  }

  /**
   * The session runs on an older token than the current one (replaced ahead of expiry, or by another instance
   * after a revocation it saw): that older token is the one in use, so it is validated too.
   */
  async function checkSession(): Promise<void> {
    const s = session;
    if (!s || s.done || s.token === pair.accessToken || !s.token) return;
    let v: Validation;
    try {
      v = await validateToken(o.idUrl, s.token);
    } catch (error) {
      if (!(error instanceof TwitchIdUnavailableError)) throw error;
      return; // said by the current token's validate, which meets the same id server
    }
    if (session !== s) return; // a login took another token meanwhile
    if (v.valid) s.expiresAt = v.expiresInS > 0 ? Date.now() + v.expiresInS * 1000 : undefined;
    else invalidToken(s.token, v.status, !expired(s.expiresAt));
  }

  /**
   * Validates the current token; refreshes it when invalid or close to expiry, then validates the new one
   * once (`again`), which also learns its login and scopes. The chat session's token is validated as well
   * when it is an older one.
   */
  async function check(again = true): Promise<void> {
    await adopt();
    await checkSession();
    if (!pair.accessToken) {
      if ((await refresh("no access token yet")) && again) return check(false);
      return;
    }
    let v: Validation;
    try {
      v = await validateToken(o.idUrl, pair.accessToken);
    } catch (error) {
      if (!(error instanceof TwitchIdUnavailableError)) throw error;
      once("validate", "unavailable", () => o.log.warn("cannot validate the twitch token, trying again later", { error: error.message }));
      return;
    }
    if (!v.valid) {
      const revoked = !expired(pair.expiresAt);
      pair = { ...pair, expiresAt: Date.now() };
      once("validate", `invalid:${pair.updatedAt}`, () => o.log.warn("twitch token invalid (expired or revoked)", { status: v.status, refresh: refreshState }));
      // Before the refresh: the chat then waits for its new token rather than racing it with the dead one.
      invalidToken(pair.accessToken, v.status, revoked);
      if (await refresh(`validate answered ${v.status}`)) {
        if (again) return check(false);
      } else if (refreshState === "off") {
        problem = refreshOff("is expired or revoked");
      }
      return;
    }
    said.delete("validate");
    validated = { login: v.login, scopes: v.scopes };
    // expires_in 0: a token without an expiry (Twitch's older ones).
    pair = { ...pair, expiresAt: v.expiresInS > 0 ? Date.now() + v.expiresInS * 1000 : undefined };
    if (session?.token === pair.accessToken) session.expiresAt = pair.expiresAt;
    if (v.login && v.login.toLowerCase() !== o.username.toLowerCase()) {
      once("login", v.login, () => o.log.warn("twitch token belongs to another account than TWITCH_USERNAME", { tokenLogin: v.login, username: o.username }));
    }
    checkScopes(v.scopes);
    if (v.expiresInS > 0 && v.expiresInS * 1000 < o.marginMs) {
      if (await refresh(`expires in ${v.expiresInS} s`)) {
        if (again) return check(false);
      } else if (refreshState === "off") {
        problem = refreshOff(`expires in ${v.expiresInS} s`);
      }
    } else if (refreshState === "ok" || refreshState === "off") {
      problem = null;
    }
  }

  /** When to check next: hourly, before the token enters the margin, or on a back-off while refresh fails. */
  function nextDelay(): number {
    if (refreshState === "failing") return Math.min(5000 * 2 ** (refreshFailures - 1), 5 * 60_000, o.checkEveryMs);
    let delay = o.checkEveryMs;
    if (pair.expiresAt !== undefined && refreshState === "ok") {
      const untilMargin = pair.expiresAt - o.marginMs - Date.now();
      if (untilMargin > 0) delay = Math.min(delay, untilMargin + 1000);
    }
    return Math.max(1000, delay);
  }

  function schedule() {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      void check()
        .catch((error) => o.log.warn("twitch token check failed", { error: String((error as Error)?.message ?? error) }))
        .finally(schedule);
    }, nextDelay());
    timer.unref();
  }

  return {
    /** Takes the newest pair, validates it (refreshing if need be), then keeps checking. Never throws. */
    start: async () => {
      await seed();
      await check().catch((error) => o.log.warn("twitch token check failed", { error: String((error as Error)?.message ?? error) }));
      schedule();
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
    /** The token for a chat login ("oauth:..."): the newest any instance holds. */
    token: async (): Promise<string> => {
      await adopt();
      session = { token: pair.accessToken, expiresAt: pair.expiresAt, done: false };
      return `oauth:${pair.accessToken}`;
    },
    /**
     * Chat refused the login with the token `token()` gave last: resolves true when another one is ready (log in again now),
     * false when there is none (the caller tries again later; a rejected refresh token is not sent again).
     */
    loginFailed: async (): Promise<boolean> => {
      await adopt();
      if (session?.token !== pair.accessToken) return true; // a newer one came meanwhile (another instance refreshed)
      pair = { ...pair, expiresAt: Date.now() };
      const ok = await refresh("chat login failed");
      if (!ok && refreshState === "off") {
        problem = refreshOff("was refused by chat (expired or revoked)");
        once("login", `refused:${pair.updatedAt}`, () => o.log.error("twitch refused the chat login and token refresh is off: put a new TWITCH_OAUTH_TOKEN in .env and restart"));
      }
      schedule();
      return ok;
    },
    health: (): TokenHealth => ({
      expiresInS: expiresInS(),
      refresh: refreshState,
      problem: [sessionEnded, problem].filter(Boolean).join("; ") || null,
      login: validated?.login ?? null,
      scopes: validated?.scopes ?? null,
    }),
  };
}

const refreshOff = (what: string) =>
  `the Twitch token ${what} and refresh is off (TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET, TWITCH_REFRESH_TOKEN): put a new TWITCH_OAUTH_TOKEN in .env and restart`;

const releaseLua = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export type TokenKeeper = ReturnType<typeof createTokenKeeper>;
