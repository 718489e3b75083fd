/**
 * @module chat-server/server
 * A local Twitch-compatible chat: IRC over WebSocket (subprotocol `irc`, one line per frame) as
 * tmi.js and the relayer expect it, plus a small HTTP API and web page to chat as several users,
 * ban/time out users and delete messages (CLEARCHAT/CLEARMSG), and the recent-messages history API
 * (same shape as recent-messages.robotty.de) a bot uses to catch up after a reconnect.
 *
 * What Twitch does that this server mirrors (docs/TOOLCHAIN.md): 001..376 after PASS/NICK, JOIN echo +
 * ROOMSTATE, `PING` -> `PONG :tmi.twitch.tv`, IRCv3 tags on PRIVMSG, no echo of a client's own
 * PRIVMSG to that connection, USERSTATE to the sender for each line posted, and refusals as Twitch
 * words them: NOTICE msg_ratelimit past the per-account limit, msg_duplicate for a non-moderator's
 * line identical to its previous one within 30 s (the line is not posted; a bot must say it again).
 * With `acceptsToken`, logins are checked as Twitch checks them: a token it does not accept gets
 * `NOTICE * :Login authentication failed` and the connection closed, and `disconnectToken` ends the
 * sessions of a token revoked mid-show (their next login with it then fails).
 */
import { createHash, randomUUID } from "node:crypto";
import { type IncomingMessage, type Server } from "node:http";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { type WebSocket, WebSocketServer } from "ws";
import { formatIrc, type IrcMessage, parseIrc } from "../irc.ts";
import { chatWriteGuard } from "./guard.ts";
import { chatPage } from "./page.ts";

export type ChatEvent =
  | { type: "message"; id: string; channel: string; userId: string; login: string; displayName: string; text: string; sentAt: number; mod: boolean; bot: boolean }
  | { type: "clearchat"; channel: string; userId: string; login: string; duration?: number; at: number }
  | { type: "clearmsg"; channel: string; id: string; at: number };

export type ChatServerOptions = {
  port: number;
  host?: string;
  /** Channel the web page and API use when none is given. */
  defaultChannel?: string;
  /** Messages kept per channel for the history API and the page. */
  historySize?: number;
  /** Per-account limit on messages sent over IRC (Twitch: 20 per 30 s, 100 as moderator). */
  rateLimit?: { limit: number; modLimit: number; windowMs: number };
  /** A non-moderator's line identical to its previous one within this window is refused (Twitch: 30 s). */
  duplicateWindowMs?: number;
  /** Logins that are moderators of every channel (their bot gets the moderator limit). */
  mods?: string[];
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Origins besides the server's own that may post to `/api/*` from a browser (guard.ts). */
  allowedOrigins?: string[];
  /**
   * Checks a bot's PASS token (without "oauth:"), as Twitch does at login; absent = any token logs in.
   * Tests share it with their stand-in for id.twitch.tv, so a token that validates is one chat accepts.
   */
  acceptsToken?: (token: string) => boolean;
};

export type SayInput = { channel?: string; userId: string; displayName?: string; text: string; mod?: boolean; id?: string; sentAt?: number };

export type ChatServer = {
  port: number;
  /** ws:// URL for tmi.js. */
  url: string;
  /** http:// URL of the web page. */
  pageUrl: string;
  say: (input: SayInput) => ChatEvent & { type: "message" };
  ban: (input: { channel?: string; userId: string; login?: string; duration?: number }) => void;
  deleteMessage: (input: { channel?: string; id: string }) => void;
  events: (channel?: string) => ChatEvent[];
  stats: () => { botMessages: number; rateLimited: number; duplicates: number; connections: number; logins: number; loginsRefused: number };
  /** Ends every session logged in with `token` (revoked or expired mid-show); returns how many. */
  disconnectToken: (token: string) => number;
  /** The tokens (without "oauth:") of the bot sessions open now, one per logged-in connection (tests). */
  sessions: () => string[];
  close: () => Promise<void>;
};

type Connection = { ws: WebSocket; nick?: string; userId?: string; token?: string; channels: Set<string>; sent: number[]; last: Map<string, { text: string; at: number }> };

/** Twitch user ids are numeric strings; a login gets a stable one here. */
export const userIdFor = (login: string) => String(BigInt(`0x${createHash("sha256").update(login).digest("hex").slice(0, 12)}`));
const loginFor = (name: string) => name.toLowerCase().replace(/[^a-z0-9_]/g, "").slice(0, 25) || "user";
const chan = (c: string) => `#${c.replace(/^#/, "").toLowerCase()}`;
const roomId = (channel: string) => userIdFor(channel.slice(1));

export async function startChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const host = options.host ?? "127.0.0.1";
  const defaultChannel = chan(options.defaultChannel ?? "sothebais");
  const historySize = options.historySize ?? 2000;
  const limits = options.rateLimit ?? { limit: 20, modLimit: 100, windowMs: 30_000 };
  const mods = new Set((options.mods ?? []).map((m) => m.toLowerCase()));
  const log = options.log ?? (() => {});
  const connections = new Set<Connection>();
  const history = new Map<string, { event: ChatEvent; raw?: string }[]>();
  let botMessages = 0;
  let rateLimited = 0;
  let duplicates = 0;
  let logins = 0;
  let loginsRefused = 0;
  const duplicateWindowMs = options.duplicateWindowMs ?? 30_000;

  const remember = (channel: string, event: ChatEvent, raw?: string) => {
    const list = history.get(channel) ?? [];
    list.push({ event, raw });
    if (list.length > historySize) list.splice(0, list.length - historySize);
    history.set(channel, list);
  };
  const broadcast = (channel: string, line: string, except?: Connection) => {
    for (const c of connections) if (c !== except && c.channels.has(channel) && c.ws.readyState === c.ws.OPEN) c.ws.send(line);
  };
  const send = (c: Connection, m: IrcMessage) => c.ws.readyState === c.ws.OPEN && c.ws.send(formatIrc(m));

  const privmsg = (channel: string, e: { id: string; userId: string; login: string; displayName: string; text: string; sentAt: number; mod: boolean }) =>
    formatIrc({
      tags: {
        "badge-info": "",
        badges: e.mod ? "moderator/1" : "",
        color: "",
        "display-name": e.displayName,
        emotes: "",
        "first-msg": "0",
        flags: "",
        id: e.id,
        mod: e.mod ? "1" : "0",
        "room-id": roomId(channel),
        subscriber: "0",
        "tmi-sent-ts": String(e.sentAt),
        turbo: "0",
        "user-id": e.userId,
        "user-type": e.mod ? "mod" : "",
      },
      prefix: `${e.login}!${e.login}@${e.login}.tmi.twitch.tv`,
      command: "PRIVMSG",
      params: [channel, e.text],
    });

  const publish = (channel: string, input: Omit<ChatEvent & { type: "message" }, "type" | "channel">, from?: Connection) => {
    const event: ChatEvent & { type: "message" } = { type: "message", channel, ...input };
    const raw = privmsg(channel, event);
    remember(channel, event, raw);
    broadcast(channel, raw, from);
    return event;
  };

  const say: ChatServer["say"] = (input) => {
    const displayName = input.displayName ?? `user${input.userId}`;
    return publish(chan(input.channel ?? defaultChannel), {
      id: input.id ?? randomUUID(),
      userId: input.userId,
      login: loginFor(displayName),
      displayName,
      text: input.text.slice(0, 500),
      sentAt: input.sentAt ?? Date.now(),
      mod: input.mod ?? false,
      bot: false,
    });
  };

  const ban: ChatServer["ban"] = (input) => {
    const channel = chan(input.channel ?? defaultChannel);
    const login = input.login ?? loginFor(`user${input.userId}`);
    const tags: Record<string, string> = { "room-id": roomId(channel), "target-user-id": input.userId, "tmi-sent-ts": String(Date.now()) };
    if (input.duration) tags["ban-duration"] = String(input.duration);
    const raw = formatIrc({ tags, prefix: "tmi.twitch.tv", command: "CLEARCHAT", params: [channel, login] });
    // Kept in the history as recent-messages.robotty.de keeps it: a bot catching up must see the ban.
    remember(channel, { type: "clearchat", channel, userId: input.userId, login, duration: input.duration, at: Date.now() }, raw);
    broadcast(channel, raw);
  };

  const deleteMessage: ChatServer["deleteMessage"] = (input) => {
    const channel = chan(input.channel ?? defaultChannel);
    const original = history.get(channel)?.find((h) => h.event.type === "message" && h.event.id === input.id)?.event;
    const login = original?.type === "message" ? original.login : "";
    const text = original?.type === "message" ? original.text : "";
    const raw = formatIrc({ tags: { login, "room-id": "", "target-msg-id": input.id, "tmi-sent-ts": String(Date.now()) }, prefix: "tmi.twitch.tv", command: "CLEARMSG", params: [channel, text] });
    // In the history too, so a bot catching up never acts on a deleted line.
    remember(channel, { type: "clearmsg", channel, id: input.id, at: Date.now() }, raw);
    broadcast(channel, raw);
  };

  const userstate = (nick: string) => ({ "badge-info": "", badges: mods.has(nick) ? "moderator/1" : "", color: "", "display-name": nick, "emote-sets": "0", mod: mods.has(nick) ? "1" : "0", subscriber: "0", "user-type": mods.has(nick) ? "mod" : "" });

  const onLine = (c: Connection, line: string) => {
    const m = parseIrc(line);
    if (!m) return;
    const server = "tmi.twitch.tv";
    switch (m.command) {
      case "PASS":
        // tmi.js sends "oauth:<token>" lower-cased; kept to check at NICK, as Twitch does.
        c.token = (m.params[0] ?? "").replace(/^oauth:/i, "").toLowerCase();
        return;
      case "CAP":
        if (m.params[0] === "REQ") send(c, { tags: {}, prefix: server, command: "CAP", params: ["*", "ACK", m.params.at(-1) ?? ""] });
        return;
      case "NICK": {
        const nick = loginFor(m.params[0] ?? "justinfan");
        // Anonymous justinfan logins need no token (read-only), as on Twitch.
        if (options.acceptsToken && !nick.startsWith("justinfan") && !(c.token && options.acceptsToken(c.token))) {
          loginsRefused++;
          send(c, { tags: {}, prefix: server, command: "NOTICE", params: ["*", "Login authentication failed"] });
          setTimeout(() => c.ws.close(), 50).unref();
          return;
        }
        logins++;
        c.nick = nick;
        c.userId = userIdFor(c.nick);
        for (const [code, text] of [["001", "Welcome, GLHF!"], ["002", `Your host is ${server}`], ["003", "This server is rather new"], ["004", "-"], ["375", "-"], ["372", "You are in a maze of twisty passages, all alike."], ["376", ">"]]) {
          send(c, { tags: {}, prefix: server, command: code, params: [nick, text] });
        }
        return;
      }
      case "PING":
        send(c, { tags: {}, command: "PONG", params: [m.params[0] ?? server] });
        return;
      case "JOIN": {
        for (const name of (m.params[0] ?? "").split(",").filter(Boolean)) {
          const channel = chan(name);
          c.channels.add(channel);
          const nick = c.nick ?? "justinfan";
          const self = `${nick}!${nick}@${nick}.tmi.twitch.tv`;
          send(c, { tags: {}, prefix: self, command: "JOIN", params: [channel] });
          send(c, { tags: {}, prefix: `${nick}.tmi.twitch.tv`, command: "353", params: [nick, "=", channel, nick] });
          send(c, { tags: {}, prefix: `${nick}.tmi.twitch.tv`, command: "366", params: [nick, channel, "End of /NAMES list"] });
          send(c, { tags: userstate(nick), prefix: server, command: "USERSTATE", params: [channel] });
          send(c, { tags: { "emote-only": "0", "followers-only": "-1", r9k: "0", "room-id": roomId(channel), slow: "0", "subs-only": "0" }, prefix: server, command: "ROOMSTATE", params: [channel] });
        }
        return;
      }
      case "PART":
        c.channels.delete(chan(m.params[0] ?? ""));
        return;
      case "PRIVMSG": {
        const channel = chan(m.params[0] ?? "");
        const text = m.params[1] ?? "";
        if (!c.nick || c.nick.startsWith("justinfan")) return;
        const now = Date.now();
        c.sent = c.sent.filter((t) => t > now - limits.windowMs);
        const limit = mods.has(c.nick) ? limits.modLimit : limits.limit;
        const refuse = (msgId: string, text: string) =>
          send(c, { tags: { "msg-id": msgId }, prefix: server, command: "NOTICE", params: [channel, text] });
        if (c.sent.length >= limit) {
          rateLimited++;
          refuse("msg_ratelimit", "Your message was not sent because you are sending messages too quickly.");
          return;
        }
        const mod = mods.has(c.nick);
        const previous = c.last.get(channel);
        if (!mod && previous && previous.text === text && now - previous.at < duplicateWindowMs) {
          duplicates++;
          refuse("msg_duplicate", "Your message was not sent because it is identical to the previous one you sent, less than 30 seconds ago.");
          return;
        }
        c.sent.push(now);
        c.last.set(channel, { text, at: now });
        botMessages++;
        publish(channel, { id: randomUUID(), userId: c.userId ?? "0", login: c.nick, displayName: c.nick, text: text.slice(0, 500), sentAt: now, mod, bot: true }, c);
        // Twitch confirms each posted line to its sender with a USERSTATE.
        send(c, { tags: userstate(c.nick), prefix: server, command: "USERSTATE", params: [channel] });
        return;
      }
      default:
        send(c, { tags: {}, prefix: server, command: "421", params: [c.nick ?? "*", m.command, "Unknown command"] });
    }
  };

  const app = new Hono();
  app.get("/", (c) => c.html(chatPage(defaultChannel.slice(1))));
  app.get("/health", (c) => c.json({ ok: true, connections: connections.size }));
  // Writes act as any user: only this server's own page and listed origins, JSON only (no HTML form can post).
  app.use("/api/*", chatWriteGuard({ allowedOrigins: options.allowedOrigins }));
  app.post("/api/say", async (c) => {
    const body = (await c.req.json()) as Partial<SayInput>;
    if (typeof body.userId !== "string" || !body.userId || typeof body.text !== "string") return c.json({ error: "expected {userId, text, displayName?, channel?, mod?}" }, 400);
    return c.json(say(body as SayInput));
  });
  app.post("/api/ban", async (c) => {
    const body = (await c.req.json()) as { channel?: string; userId?: string; login?: string; duration?: number };
    if (typeof body.userId !== "string") return c.json({ error: "expected {userId, duration?}" }, 400);
    ban({ ...body, userId: body.userId });
    return c.json({ ok: true });
  });
  app.post("/api/delete", async (c) => {
    const body = (await c.req.json()) as { channel?: string; id?: string };
    if (typeof body.id !== "string") return c.json({ error: "expected {id}" }, 400);
    deleteMessage({ ...body, id: body.id });
    return c.json({ ok: true });
  });
  app.get("/api/events", (c) => {
    const since = Number(c.req.query("since") ?? 0);
    const list = events(c.req.query("channel")).filter((e) => (e.type === "message" ? e.sentAt : e.at) > since);
    return c.json({ events: list.slice(-500) });
  });
  // Same shape as https://recent-messages.robotty.de/api/v2/recent-messages/<channel>.
  app.get("/api/v2/recent-messages/:channel", (c) => {
    const limit = Math.min(Number(c.req.query("limit") ?? 800) || 800, historySize);
    const list = (history.get(chan(c.req.param("channel"))) ?? []).filter((h) => h.raw).slice(-limit);
    return c.json({ messages: list.map((h) => h.raw), error: null, error_code: null });
  });
  app.get("/api/stats", (c) => c.json(stats()));

  const events = (channel?: string) => (history.get(chan(channel ?? defaultChannel)) ?? []).map((h) => h.event);
  const stats = () => ({ botMessages, rateLimited, duplicates, connections: connections.size, logins, loginsRefused });
  const disconnectToken = (token: string) => {
    const t = token.replace(/^oauth:/i, "").toLowerCase();
    let n = 0;
    for (const c of connections) {
      if (c.token !== t || !c.nick) continue;
      c.ws.terminate();
      connections.delete(c);
      n++;
    }
    return n;
  };

  const http = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: host }, () => resolve(s as Server)) as Server;
  });
  const wss = new WebSocketServer({ server: http, handleProtocols: (protocols) => (protocols.has("irc") ? "irc" : false) });
  wss.on("connection", (ws: WebSocket, _req: IncomingMessage) => {
    const c: Connection = { ws, channels: new Set(), sent: [], last: new Map() };
    connections.add(c);
    ws.on("message", (data) => {
      for (const line of data.toString().split(/\r?\n/)) if (line.trim()) onLine(c, line);
    });
    ws.on("close", () => connections.delete(c));
    ws.on("error", () => connections.delete(c));
  });
  log("chat server listening", { port: options.port });

  return {
    port: options.port,
    url: `ws://${host}:${options.port}`,
    pageUrl: `http://${host}:${options.port}/`,
    say,
    ban,
    deleteMessage,
    events,
    stats,
    disconnectToken,
    sessions: () => [...connections].filter((c) => c.nick && c.token && c.ws.readyState === c.ws.OPEN).map((c) => c.token as string),
    close: async () => {
      for (const c of connections) c.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
