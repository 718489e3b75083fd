/**
 * @module chat
 * The chat connection: tmi.js to Twitch (or the local chat server, by config), moderation events,
 * and catch-up from a recent-messages API after every (re)connect, so lines sent while the relayer
 * was down are still handled (each message id once: intake dedupes).
 */
import type { Logger } from "@sothebais/common/log";
import tmi from "tmi.js";
import type { ChatMessage } from "./intake.ts";
import { parseIrc } from "./irc.ts";

export type ChatOptions = {
  server: string;
  port: number;
  secure: boolean;
  username: string;
  /** "oauth:..." token; absent = anonymous read-only (local chat only). */
  token?: string;
  channels: string[];
  historyUrl?: string;
  log: Logger;
  onMessage: (m: ChatMessage) => void;
  onBan: (userId: string, durationS: number | undefined) => void;
  onDelete: (msgId: string) => void;
  onBotLine?: (channel: string, text: string) => void;
};

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

export function createChat(o: ChatOptions) {
  const client = new tmi.Client({
    options: { skipUpdatingEmotesets: true, skipMembership: true },
    connection: { server: o.server, port: o.port, secure: o.secure, reconnect: true, maxReconnectInterval: 5000, reconnectInterval: 250 },
    identity: o.token ? { username: o.username, password: o.token.startsWith("oauth:") ? o.token : `oauth:${o.token}` } : undefined,
    channels: o.channels.map((c) => `#${c.replace(/^#/, "")}`),
    logger: { info: () => {}, warn: (m: string) => o.log.debug("tmi", { m }), error: (m: string) => o.log.warn("tmi", { m }) },
  });
  let connected = false;
  let lastMessageAt: number | undefined;

  client.on("message", (channel, tags, text, self) => {
    lastMessageAt = Date.now();
    if (self) return o.onBotLine?.(channel.replace(/^#/, ""), text);
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
    o.log.info("chat connected", { server: o.server, channels: o.channels });
  });
  client.on("join", (channel, _user, self) => {
    if (self) void catchUp(channel.replace(/^#/, ""));
  });
  client.on("disconnected", (reason) => {
    connected = false;
    o.log.warn("chat disconnected", { reason });
  });

  /** Lines sent while we were away, from a recent-messages API (raw IRC lines). */
  async function catchUp(channel: string) {
    if (!o.historyUrl) return;
    try {
      const url = new URL(`/api/v2/recent-messages/${channel}`, o.historyUrl);
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { messages?: string[] };
      let n = 0;
      for (const raw of body.messages ?? []) {
        const m = parseIrc(raw);
        if (m?.command !== "PRIVMSG") continue;
        if (m.tags.login === o.username || m.prefix?.startsWith(`${o.username}!`)) continue;
        const msg = fromTags(m.params[0] ?? channel, m.tags, m.params[1] ?? "");
        if (msg) {
          n++;
          o.onMessage(msg);
        }
      }
      o.log.info("chat history replayed", { channel, lines: n });
    } catch (error) {
      o.log.warn("chat history unavailable", { error: String((error as Error).message) });
    }
  }

  return {
    connect: () => client.connect().then(() => undefined),
    disconnect: () => client.disconnect().then(() => undefined, () => undefined),
    say: async (channel: string, text: string) => {
      if (!connected) throw new Error("chat not connected");
      await client.say(channel, text);
    },
    health: () => ({ connected, lastMessageAt }),
  };
}

export type Chat = ReturnType<typeof createChat>;
