/**
 * @module names
 * Chat names of bidders: the relayer records chatIdHash -> display name in a Redis hash when a
 * chat user links; the host reads it so it can call chat bidders by name.
 */
import { CHAT_NAMES_HASH } from "@sothebais/common/channels";
import type { Redis } from "ioredis";
import type { NameBook } from "./facts.ts";

export type RedisNameBook = NameBook & { refresh: () => Promise<void>; stop: () => void };

export function createNameBook(redis: Redis, refreshMs = 2000): RedisNameBook {
  let names = new Map<string, string>();
  let inflight: Promise<void> | null = null;
  const refresh = () => {
    inflight ??= redis
      .hgetall(CHAT_NAMES_HASH)
      .then((all) => {
        names = new Map(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
      })
      .catch(() => {})
      .finally(() => {
        inflight = null;
      });
    return inflight;
  };
  const timer = setInterval(() => void refresh(), refreshMs);
  timer.unref();
  void refresh();
  return {
    chatName: (hash) => {
      const name = names.get(hash.toLowerCase());
      if (name === undefined) void refresh();
      return name;
    },
    refresh,
    stop: () => clearInterval(timer),
  };
}
