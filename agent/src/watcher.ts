/**
 * @module watcher
 * Follows the indexer's `/live` snapshot by polling (every LIVE_POLL_MS) and hands each snapshot
 * to the host. Survives the indexer restarting: errors back off up to 2 s and polling resumes.
 */
import { fetchLiveLot, type LiveSnapshot } from "@sothebais/common/live";

export type Watcher = {
  /** Fetch now (shared with an in-flight poll). */
  refresh: () => Promise<void>;
  lastSnapshotAt: () => number | null;
  stop: () => void;
};

export type WatcherOptions = {
  indexerUrl: string;
  pollMs: number;
  onSnapshot: (snap: LiveSnapshot, seenAtMs: number) => void;
  onError?: (error: unknown, consecutive: number) => void;
};

export function watchLive(o: WatcherOptions): Watcher {
  let stopped = false;
  let last: number | null = null;
  let failures = 0;
  let inflight: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const fetchOnce = () => {
    inflight ??= (async () => {
      try {
        const snap = await fetchLiveLot(o.indexerUrl, { signal: AbortSignal.timeout(3000) });
        last = Date.now();
        failures = 0;
        if (!stopped) o.onSnapshot(snap, last);
      } catch (error) {
        failures++;
        o.onError?.(error, failures);
      } finally {
        inflight = null;
      }
    })();
    return inflight;
  };

  const loop = async () => {
    if (stopped) return;
    await fetchOnce();
    if (stopped) return;
    const delay = failures ? Math.min(2000, o.pollMs * 2 ** Math.min(failures, 6)) : o.pollMs;
    timer = setTimeout(() => void loop(), delay);
  };
  void loop();
  return {
    refresh: fetchOnce,
    lastSnapshotAt: () => last,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
