/**
 * @module chat
 * The chat connection: tmi.js to Twitch (or the local chat server, by config), moderation events,
 * and catch-up from a recent-messages API after every (re)connect, so lines sent while the relayer
 * was down are still handled (each message id once: intake dedupes). That holds for a session the relayer
 * ends itself because Twitch revoked its token ({@link createChat} `endSession`): the lines of the gap come
 * back from history, and lines already handled are not handled again.
 */
import type { Logger } from "@sothebais/common/log";
import tmi from "tmi.js";
import type { ChatMessage } from "./intake.ts";
import { type IrcMessage, parseIrc } from "./irc.ts";

export type ChatOptions = {
  server: string;
  port: number;
  secure: boolean;
  username: string;
  /**
   * The bot's token ("oauth:..."), or a function asked on every (re)connect so a refreshed token is used
   * (tmi.js 1.8 awaits `identity.password` when it is a function). Absent = anonymous read-only (local chat only).
   */
  token?: string | (() => Promise<string>);
  /**
   * Twitch refused the login ("Login authentication failed"): tmi.js stops reconnecting for good. Resolves
   * true when another token is ready (the chat logs in again at once), false when not (tried again after a
   * back-off, so a dead token never loops).
   */
  onLoginFailed?: () => Promise<boolean>;
  /** First wait after a refused login with no new token; doubles up to 10 min. */
  loginRetryMs?: number;
  channels: string[];
  historyUrl?: string;
  log: Logger;
  onMessage: (m: ChatMessage) => void;
  onBan: (userId: string, durationS: number | undefined) => void;
  onDelete: (msgId: string) => void;
  /** How long to wait for Twitch's answer to a line (USERSTATE = sent, NOTICE = refused). */
  answerTimeoutMs?: number;
};

/**
 * What Twitch did with a line. Twitch answers every PRIVMSG of a logged-in bot: USERSTATE when it was
 * posted, a NOTICE with a msg-id when it was refused. `retry`: "later" = the same line after a back-off
 * (rate limit, slow mode, bot timed out, connection lost), "altered" = a changed line at once (identical
 * to one sent less than 30 s ago), "never" = it cannot be posted (bot banned, channel suspended, ...).
 */
export type SayResult = { ok: true } | { ok: false; reason: string; retry: "later" | "altered" | "never" };

const retryLater = new Set(["msg_ratelimit", "msg_slowmode", "msg_timedout", "disconnected"]);
const retryAltered = new Set(["msg_duplicate", "msg_r9k"]);
const refusals = new Set([
  ...retryLater, ...retryAltered, "msg_banned", "msg_channel_suspended", "msg_suspended", "msg_channel_blocked", "msg_emoteonly",
  "msg_followersonly", "msg_followersonly_followed", "msg_followersonly_zero", "msg_subsonly", "msg_verified_email",
  "msg_requires_verified_phone_number", "msg_rejected", "msg_rejected_mandatory", "msg_bad_characters", "msg_censored_broadcaster", "msg_facebook",
]);
const refused = (reason: string): SayResult => ({ ok: false, reason, retry: retryLater.has(reason) ? "later" : retryAltered.has(reason) ? "altered" : "never" });

export function fromTags(channel: string, tags: Record<string, unknown>, text: string): ChatMessage | undefined {
  const id = tags.id as string | undefined;
  const userId = tags["user-id"] as string | undefined;
  if (!id || !userId) return undefined;
  const badges = (tags.badges ?? {}) as Record<string, string> | string;
  const hasBadge = (b: string) => (typeof badges === "string" ? badges.includes(b) : !!badges?.[b]);
  return {
    id,
    channel: channel.replace(/^#/, ""),
    userId,
    displayName: String(tags["display-name"] || tags.username || userId),
    text,
    sentAt: Number(tags["tmi-sent-ts"] ?? Date.now()),
    isMod: tags.mod === true || tags.mod === "1" || hasBadge("moderator") || hasBadge("broadcaster"),
    receivedAt: Date.now(),
  };
}

/** What a recent-messages history holds that the relayer may act on, and the moderation it records. */
export type History = {
  messages: ChatMessage[];
  /** Bans and timeouts still in force (seconds left; undefined = permanent). */
  bans: { userId: string; durationS: number | undefined }[];
  deleted: string[];
  /** Lines left out: deleted, or cleared by a ban or timeout of their author after they were sent. */
  skipped: number;
};

/**
 * Reads a recent-messages history (raw IRC lines, oldest first). A line deleted by a moderator
 * (CLEARMSG, or the `rm-deleted` flag recent-messages.robotty.de sets), or sent before its author was
 * banned or timed out (CLEARCHAT with target-user-id clears their earlier lines; without one, the whole
 * chat), is never handed on: moderators removed it, so it must not execute after a reconnect either.
 */
export function readHistory(raws: readonly string[], channel: string, botLogin: string, now = Date.now()): History {
  const parsed = raws.map((r) => parseIrc(r)).filter((m): m is IrcMessage => !!m);
  const deleted = new Set<string>();
  const clearedAt = new Map<string, number>();
  let clearAllAt = -1;
  const bans: History["bans"] = [];
  for (const m of parsed) {
    const at = Number(m.tags["tmi-sent-ts"] ?? m.tags["rm-received-ts"] ?? now);
    if (m.command === "CLEARMSG" && m.tags["target-msg-id"]) deleted.add(m.tags["target-msg-id"]);
    if (m.command !== "CLEARCHAT") continue;
    const userId = m.tags["target-user-id"];
    if (!userId) {
      clearAllAt = Math.max(clearAllAt, at);
      continue;
    }
    clearedAt.set(userId, Math.max(clearedAt.get(userId) ?? -1, at));
    const duration = m.tags["ban-duration"] ? Number(m.tags["ban-duration"]) : undefined;
    const left = duration === undefined ? undefined : Math.ceil((at + duration * 1000 - now) / 1000);
    if (left === undefined || left > 0) bans.push({ userId, durationS: left });
  }
  const messages: ChatMessage[] = [];
  let skipped = 0;
  for (const m of parsed) {
    if (m.command !== "PRIVMSG") continue;
    if (m.tags.login === botLogin || m.prefix?.startsWith(`${botLogin}!`)) continue;
    const msg = fromTags(m.params[0] ?? channel, m.tags, m.params[1] ?? "");
    if (!msg) continue;
    const removed = m.tags["rm-deleted"] === "1" || deleted.has(msg.id) || (clearedAt.get(msg.userId) ?? -1) >= msg.sentAt || clearAllAt >= msg.sentAt;
    if (removed) skipped++;
    else messages.push(msg);
  }
  return { messages, bans, deleted: [...deleted], skipped };
}

export function createChat(o: ChatOptions) {
  const client = new tmi.Client({
    options: { skipUpdatingEmotesets: true, skipMembership: true },
    connection: { server: o.server, port: o.port, secure: o.secure, reconnect: true, maxReconnectInterval: 5000, reconnectInterval: 250 },
    identity: o.token ? { username: o.username, password: typeof o.token === "function" ? o.token : o.token.startsWith("oauth:") ? o.token : `oauth:${o.token}` } : undefined,
    channels: o.channels.map((c) => `#${c.replace(/^#/, "")}`),
    logger: { info: () => {}, warn: (m: string) => o.log.debug("tmi", { m }), error: (m: string) => o.log.warn("tmi", { m }) },
  });
  let connected = false;
  let lastMessageAt: number | undefined;
  // Refused logins in a row (reset by a login that works), the pending retry, and disconnect() called.
  let loginFailures = 0;
  let loginTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  // endSession(): the session's lines in flight get their answers (`ending`), then it is closed (`closing`);
  // no login is made until a new token is there (`waitingForToken`).
  let ending = false;
  let closing = false;
  let waitingForToken = false;
  /** tmi.js state the typings do not declare: `reconnect` (false after a refused login) and the last `reason`. */
  const tmiState = () => client as unknown as { reconnect: boolean; reason: string };

  // Twitch's words for a token it does not take; tmi.js then sets `reconnect = false` and never retries.
  const loginRefused = /Login authentication failed|Login unsuccessful|Improperly formatted auth/i;
  // Lines sent and not answered yet, per channel, in order: Twitch answers a connection's lines in order.
  const unanswered = new Map<string, { resolve: (r: SayResult) => void; timer: NodeJS.Timeout }[]>();
  const settle = (channel: string, result: SayResult) => {
    const first = unanswered.get(channel)?.shift();
    if (!first) return;
    clearTimeout(first.timer);
    first.resolve(result);
  };

  client.on("raw_message", (_copy, m: { command?: string; params?: string[]; tags?: Record<string, unknown> }) => {
    const channel = String(m.params?.[0] ?? "").toLowerCase();
    if (m.command === "USERSTATE") settle(channel, { ok: true });
    else if (m.command === "NOTICE" && refusals.has(String(m.tags?.["msg-id"] ?? ""))) settle(channel, refused(String(m.tags?.["msg-id"])));
  });

  client.on("message", (channel, tags, text, self) => {
    lastMessageAt = Date.now();
    if (self) return;
    // Lines of our own account sent by another instance: that instance published them already.
    if (String((tags as Record<string, unknown>).username ?? "").toLowerCase() === o.username.toLowerCase()) return;
    const m = fromTags(channel, tags as Record<string, unknown>, text);
    if (m) o.onMessage(m);
  });
  client.on("ban", (_c, _u, _r, tags) => tags?.["target-user-id"] && o.onBan(String(tags["target-user-id"]), undefined));
  client.on("timeout", (_c, _u, _r, duration, tags) => tags?.["target-user-id"] && o.onBan(String(tags["target-user-id"]), Number(duration)));
  client.on("messagedeleted", (_c, _u, _m, tags) => tags?.["target-msg-id"] && o.onDelete(String(tags["target-msg-id"])));
  client.on("connected", () => {
    connected = true;
    loginFailures = 0;
    waitingForToken = false;
    o.log.info("chat connected", { server: o.server, channels: o.channels });
  });
  client.on("join", (channel, _user, self) => {
    if (self) void catchUp(channel.replace(/^#/, ""));
  });
  client.on("disconnected", (reason) => {
    connected = false;
    // Lines not answered before the connection dropped may never have arrived: say them again.
    for (const [channel, list] of unanswered) while (list.length) settle(channel, refused("disconnected"));
    o.log.warn("chat disconnected", { reason });
    if (closing) {
      // Our own close (tmi.js does not reconnect after it): log in again only if the new token came meanwhile.
      // Not from inside this event: tmi.js clears its socket right after emitting it, a new one included.
      closing = false;
      ending = false;
      if (!waitingForToken) setImmediate(loginAgain);
      return;
    }
    // Dropped by itself while its lines drained: tmi.js reconnects, asking for the newest token.
    ending = false;
    // tmi.js keeps the last reason until another is set: a refusal is ours to handle only while it gave up.
    if (loginRefused.test(String(reason)) && !tmiState().reconnect && !stopped) void recoverLogin();
  });

  /** After a refused login: a new token -> log in again now; none -> ask again after a back-off. */
  async function recoverLogin() {
    loginFailures++;
    const fresh = await (o.onLoginFailed?.() ?? Promise.resolve(false)).catch(() => false);
    if (stopped) return;
    // A fresh token is tried at once, but only the first time in a row: one Twitch also refuses is not retried hot.
    const delay = fresh && loginFailures === 1 ? 0 : Math.min((o.loginRetryMs ?? 30_000) * 2 ** (loginFailures - 1), 600_000);
    if (delay > 0) o.log.warn("chat login refused, trying again later", { inS: Math.round(delay / 1000), refreshed: fresh });
    clearTimeout(loginTimer);
    loginTimer = setTimeout(loginAgain, delay);
    loginTimer.unref();
  }
  function loginAgain() {
      clearTimeout(loginTimer);
      loginTimer = undefined;
      if (stopped || connected || waitingForToken) return;
      // tmi.js turned its own reconnecting off on the refusal: back on, so later network drops are survived.
      tmiState().reconnect = true;
      tmiState().reason = "";
      client.connect().catch(() => {}); // a failure comes back through "disconnected"
  }

  /** Lines sent while we were away, from a recent-messages API (raw IRC lines). */
  async function catchUp(channel: string) {
    if (!o.historyUrl) return;
    try {
      const url = new URL(`/api/v2/recent-messages/${channel}`, o.historyUrl);
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { messages?: string[] };
      const history = readHistory(body.messages ?? [], channel, o.username.toLowerCase());
      // Moderation first: a line handed on below is then checked against it in Redis too.
      for (const b of history.bans) o.onBan(b.userId, b.durationS);
      for (const id of history.deleted) o.onDelete(id);
      // Lines older than the age limit still go to intake: each is answered once, never executed.
      for (const msg of history.messages) o.onMessage(msg);
      o.log.info("chat history replayed", { channel, lines: history.messages.length, skipped: history.skipped });
    } catch (error) {
      o.log.warn("chat history unavailable", { error: String((error as Error).message) });
    }
  }

  return {
    connect: () => client.connect().then(() => undefined),
    disconnect: () => {
      stopped = true;
      clearTimeout(loginTimer);
      return client.disconnect().then(() => undefined, () => undefined);
    },
    /** Posts one line (under 500 characters: tmi.js splits longer ones) and resolves with Twitch's answer. */
    say: async (channel: string, text: string): Promise<SayResult> => {
      // While a session is ending, lines wait for the next one (the outbox says them again).
      if (!connected || ending) throw new Error("chat not connected");
      const key = `#${channel.replace(/^#/, "").toLowerCase()}`;
      const list = unanswered.get(key) ?? [];
      unanswered.set(key, list);
      let waiter: { resolve: (r: SayResult) => void; timer: NodeJS.Timeout } | undefined;
      const drop = () => {
        const i = waiter ? list.indexOf(waiter) : -1;
        if (i >= 0) list.splice(i, 1);
      };
      const answer = new Promise<SayResult>((resolve) => {
        // No answer at all: assume it was posted (saying it twice is worse than a rare silent loss).
        const timer = setTimeout(() => {
          drop();
          o.log.warn("no answer from chat to a line, assuming it was posted", { channel });
          resolve({ ok: true });
        }, o.answerTimeoutMs ?? 5000);
        waiter = { resolve, timer };
        list.push(waiter);
      });
      try {
        await client.say(channel, text.slice(0, 499));
      } catch (error) {
        clearTimeout(waiter?.timer);
        drop();
        throw error;
      }
      return answer;
    },
    /** `waitingForToken`: the session was ended over a revoked token and no new token has come yet. */
    health: () => ({ connected, lastMessageAt, waitingForToken }),
    /** A new token is ready: a login waiting out its back-off after a refusal, or for a token after endSession(), goes now. */
    retryLogin: () => {
      if (waitingForToken) {
        waitingForToken = false;
        if (!ending) loginAgain(); // else the "disconnected" of that close logs in
        return;
      }
      if (loginTimer) loginAgain();
    },
    /**
     * Ends the session because Twitch called its token invalid (revoked): Twitch asks that every session of such
     * a token end, and its chat may not end it by itself. No login follows until {@link retryLogin} says a new
     * token is there, so a dead token is never tried. Lines the bot already sent get their answer before the close
     * (none is said twice); lines not sent yet wait in the outbox for the next login; lines others typed meanwhile
     * come back from history. False when there is no session to end (not connected: the next login asks for the
     * newest token anyway).
     */
    endSession: (): boolean => {
      if (stopped || !connected || ending) return false;
      ending = true;
      waitingForToken = true;
      o.log.warn("chat session ending: its token was revoked; logging in again once a new token is there");
      void (async () => {
        // Lines already sent get their answer first (posted or refused), so none is said twice after the next login.
        const until = Date.now() + (o.answerTimeoutMs ?? 5000);
        while (ending && [...unanswered.values()].some((l) => l.length > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
        if (!ending || stopped) return;
        closing = true;
        await client.disconnect().catch(() => {
          // Already closing by itself: tmi.js reconnects, asking for the newest token.
          closing = false;
          ending = false;
        });
      })();
      return true;
    },
  };
}

export type Chat = ReturnType<typeof createChat>;
