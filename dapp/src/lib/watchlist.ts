/**
 * @module watchlist
 * Upcoming lots a visitor wants to follow, kept in this browser (localStorage): no account needed.
 */
import { useSyncExternalStore } from "react";

const key = "sothebais.watchlist";
const listeners = new Set<() => void>();
let cache: string | null = null;
let parsed: string[] = [];

function read(): string[] {
  const raw = globalThis.localStorage?.getItem(key) ?? "[]";
  if (raw !== cache) {
    cache = raw;
    try {
      const v = JSON.parse(raw);
      parsed = Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    } catch {
      parsed = [];
    }
  }
  return parsed;
}

export function toggleWatch(lotId: bigint): void {
  const id = lotId.toString();
  const now = read();
  const next = now.includes(id) ? now.filter((x) => x !== id) : [...now, id];
  globalThis.localStorage?.setItem(key, JSON.stringify(next));
  for (const l of listeners) l();
}

export function useWatchlist(): string[] {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    read,
    () => [],
  );
}
