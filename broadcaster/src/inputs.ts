/**
 * @module inputs
 * Chat lines and host lines from Redis pub/sub, chat display names from the relayer's hash, and the
 * console's service controls (common/src/controls.ts: "be right back").
 * ioredis reconnects on its own (and re-subscribes); nothing here ever blocks a frame: names are looked
 * up in the background and shown once known.
 */
import { CHAT_LINES_CHANNEL, CHAT_NAMES_HASH, type ChatLine, HOST_LINES_CHANNEL, type HostLine } from "@sothebais/common/channels";
import { CONTROLS_CHANNEL, type Controls, createControlsView } from "@sothebais/common/controls";
import { Redis } from "ioredis";

export type RedisInputs = {
  /** Display name for a chat identity hash, if known (a lookup starts otherwise). */
  name: (chatIdHash: string) => string | undefined;
  names: ReadonlyMap<string, string>;
  /** The service controls as last read (all off until Redis answers). */
  controls: () => Controls;
  connected: () => boolean;
  close: () => Promise<void>;
};

export type RedisInputsOptions = {
  url: string;
  onChat: (line: ChatLine) => void;
  onHostLine: (line: HostLine) => void;
  onError?: (error: Error) => void;
  onControls?: (controls: Controls) => void;
};

function isChatLine(v: unknown): v is ChatLine {
  const o = v as ChatLine;
  return !!o && typeof o.id === "string" && typeof o.displayName === "string" && typeof o.text === "string";
}

function isHostLine(v: unknown): v is HostLine {
  const o = v as HostLine;
  return !!o && typeof o.id === "string" && typeof o.text === "string" && typeof o.expiresAt === "number" && typeof o.priority === "number";
}

export function createRedisInputs(o: RedisInputsOptions): RedisInputs {
  const options = { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (n: number) => Math.min(2000, 100 * n) };
  const sub = new Redis(o.url, { ...options, enableOfflineQueue: true, maxRetriesPerRequest: null });
  const cmd = new Redis(o.url, options);
  let lastError = "";
  const onError = (error: Error) => {
    if (error.message !== lastError) o.onError?.(error);
    lastError = error.message;
  };
  sub.on("error", onError);
  cmd.on("error", onError);
  // `cmd` has no offline queue: the first read waits for its "ready" below rather than fail at start.
  const controls = createControlsView(cmd, { readNow: false, onChange: o.onControls, onError: (e) => onError(e as Error) });
  // Read again as soon as the connection is up: after a restart the scene is right within a frame or two.
  cmd.on("ready", () => void controls.refresh().catch(() => {}));
  void sub.subscribe(CHAT_LINES_CHANNEL, HOST_LINES_CHANNEL, CONTROLS_CHANNEL).catch(onError);
  sub.on("message", (channel: string, message: string) => {
    controls.onMessage(channel);
    let value: unknown;
    try {
      value = JSON.parse(message);
    } catch {
      return;
    }
    if (channel === CHAT_LINES_CHANNEL && isChatLine(value)) o.onChat(value);
    else if (channel === HOST_LINES_CHANNEL && isHostLine(value)) o.onHostLine(value);
  });

  const names = new Map<string, string>();
  const lookedUpAt = new Map<string, number>();
  const name = (hash: string) => {
    const key = hash.toLowerCase();
    const known = names.get(key);
    const at = lookedUpAt.get(key) ?? 0;
    // Unknown names are asked again every 10 s (the bidder may link meanwhile), known ones every minute.
    if (Date.now() - at > (known ? 60_000 : 10_000) && cmd.status === "ready") {
      lookedUpAt.set(key, Date.now());
      cmd
        .hget(CHAT_NAMES_HASH, key)
        .then((v) => {
          if (v) names.set(key, v.slice(0, 40));
        })
        .catch(() => {});
    }
    return known;
  };

  return {
    name,
    names,
    controls: controls.current,
    connected: () => sub.status === "ready" && cmd.status === "ready",
    close: async () => {
      controls.stop();
      sub.disconnect();
      cmd.disconnect();
    },
  };
}
