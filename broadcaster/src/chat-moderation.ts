/**
 * @module chat-moderation
 * Moderation events straight from the chat: an anonymous, read-only IRC-over-WebSocket connection (as
 * any viewer's overlay has; Twitch calls it `justinfan`), joined to the channel with the tags and
 * commands capabilities, reporting CLEARMSG (a deleted line) and CLEARCHAT (a ban, a timeout, or the
 * whole chat cleared). Chat lines themselves still come from the relayer over Redis; this connection
 * only makes moderation reach the stream within a second, without waiting on the relayer.
 *
 * Reconnects with backoff (0.25 s to 5 s); a connection silent for 90 s (Twitch pings every ~5 min,
 * we ping every 60 s) is replaced.
 */

export type ModerationEvent =
  | { kind: "delete"; msgId: string }
  /** `at`: the moderation's own timestamp (tmi-sent-ts), the clock the lines' sentAt use. */
  | { kind: "ban"; userId: string; at: number; durationS?: number }
  | { kind: "clear"; at: number };

export type ChatModeration = {
  connected: () => boolean;
  close: () => void;
};

export type ChatModerationOptions = {
  /** ws:// or wss:// (Twitch: wss://irc-ws.chat.twitch.tv:443). */
  url: string;
  channel: string;
  onEvent: (event: ModerationEvent) => void;
  onState?: (connected: boolean, detail?: string) => void;
};

type IrcLine = { tags: Record<string, string>; command: string; params: string[] };

const unescapes: Record<string, string> = { ":": ";", s: " ", "\\": "\\", r: "\r", n: "\n" };

/** `@tags :prefix COMMAND params :trailing`, enough of IRCv3 for what we read. */
export function parseIrcLine(line: string): IrcLine | null {
  let rest = line;
  const tags: Record<string, string> = {};
  if (rest.startsWith("@")) {
    const space = rest.indexOf(" ");
    if (space < 0) return null;
    for (const pair of rest.slice(1, space).split(";")) {
      const eq = pair.indexOf("=");
      if (eq < 0) tags[pair] = "";
      else tags[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/\\(.?)/g, (_m, c: string) => unescapes[c] ?? c);
    }
    rest = rest.slice(space + 1).trimStart();
  }
  if (rest.startsWith(":")) {
    const space = rest.indexOf(" ");
    if (space < 0) return null;
    rest = rest.slice(space + 1).trimStart();
  }
  const trailingAt = rest.indexOf(" :");
  const head = trailingAt >= 0 ? rest.slice(0, trailingAt) : rest;
  const [command, ...params] = head.split(" ").filter(Boolean);
  if (!command) return null;
  if (trailingAt >= 0) params.push(rest.slice(trailingAt + 2));
  return { tags, command: command.toUpperCase(), params };
}

/** The moderation event an IRC line carries, if any. */
export function moderationEvent(m: IrcLine, receivedAt: number): ModerationEvent | null {
  const at = Number(m.tags["tmi-sent-ts"]) || receivedAt;
  if (m.command === "CLEARMSG") return m.tags["target-msg-id"] ? { kind: "delete", msgId: m.tags["target-msg-id"] } : null;
  if (m.command !== "CLEARCHAT") return null;
  const userId = m.tags["target-user-id"];
  if (!userId) return { kind: "clear", at };
  const duration = Number(m.tags["ban-duration"]);
  return { kind: "ban", userId, at, ...(duration > 0 ? { durationS: duration } : {}) };
}

export function startChatModeration(o: ChatModerationOptions): ChatModeration {
  const channel = `#${o.channel.replace(/^#/, "").toLowerCase()}`;
  let ws: WebSocket | null = null;
  let joined = false;
  let closed = false;
  let backoff = 250;
  let lastDataAt = Date.now();
  let retry: NodeJS.Timeout | undefined;

  const setJoined = (value: boolean, detail?: string) => {
    if (joined !== value) o.onState?.(value, detail);
    joined = value;
  };

  const onLine = (socket: WebSocket, line: string) => {
    const m = parseIrcLine(line);
    if (!m) return;
    if (m.command === "PING") return socket.send(`PONG :${m.params[0] ?? "tmi.twitch.tv"}`);
    if (m.command === "JOIN" || m.command === "ROOMSTATE") {
      backoff = 250;
      return setJoined(true);
    }
    const event = moderationEvent(m, Date.now());
    if (event) o.onEvent(event);
  };

  const connect = () => {
    if (closed) return;
    lastDataAt = Date.now();
    const socket = new WebSocket(o.url, "irc");
    ws = socket;
    socket.addEventListener("open", () => {
      // Anonymous: no token, so nothing here can post to the chat.
      socket.send("CAP REQ :twitch.tv/tags twitch.tv/commands");
      socket.send("PASS SCHMOOPIIE");
      socket.send(`NICK justinfan${Math.floor(10_000 + Math.random() * 80_000)}`);
      socket.send(`JOIN ${channel}`);
    });
    socket.addEventListener("message", (e) => {
      lastDataAt = Date.now();
      for (const line of String(e.data).split(/\r?\n/)) if (line) onLine(socket, line);
    });
    const drop = (detail: string) => {
      if (ws !== socket) return;
      ws = null;
      setJoined(false, detail);
      if (closed) return;
      retry = setTimeout(connect, backoff);
      backoff = Math.min(5000, backoff * 2);
    };
    socket.addEventListener("error", () => drop("connection error"));
    socket.addEventListener("close", () => drop("connection closed"));
  };

  const keepalive = setInterval(() => {
    const socket = ws;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - lastDataAt > 90_000) {
      socket.close();
      return;
    }
    socket.send("PING :sothebais");
  }, 60_000);
  keepalive.unref();
  connect();

  return {
    connected: () => joined,
    close: () => {
      closed = true;
      clearTimeout(retry);
      clearInterval(keepalive);
      ws?.close();
      ws = null;
    },
  };
}
