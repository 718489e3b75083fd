/**
 * @module feed
 * The live lot from the indexer's `/live`, polled on a short interval (one request in flight at most,
 * each with a deadline). Keeps the last good snapshot and when it arrived, so the scene can show the
 * data's age and a "reconnecting" state instead of a frozen overlay that looks live.
 */
import { fetchLiveLot, type LiveSnapshot } from "@sothebais/common/live";

export type LiveFeed = {
  snapshot: () => LiveSnapshot | null;
  /** Unix ms of the last good snapshot (0 = none yet). */
  receivedAt: () => number;
  ok: () => boolean;
  lastError: () => string | null;
  stop: () => void;
};

export type LiveFeedOptions = {
  indexerUrl: string;
  intervalMs: number;
  timeoutMs?: number;
  /** Called when a snapshot differs from the previous one in anything the scene shows. */
  onChange?: (snapshot: LiveSnapshot, previous: LiveSnapshot | null) => void;
  onError?: (error: Error) => void;
};

/** What counts as a change worth measuring (the indexer rebuilds the snapshot on every request). */
export function snapshotKey(s: LiveSnapshot | null): string {
  if (!s) return "";
  const l = s.lot;
  const finalCount = s.bids.filter((b) => b.final || b.blockNumber <= s.finalizedBlockNumber).length;
  return [l?.lotId, l?.status, l?.amount, l?.bidCount, l?.endTime, l?.lastBidBlock, finalCount, s.upcoming.length, s.lastSettled?.lotId].join("|");
}

export function createLiveFeed(o: LiveFeedOptions): LiveFeed {
  let snapshot: LiveSnapshot | null = null;
  let receivedAt = 0;
  let ok = false;
  let lastError: string | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let controller: AbortController | undefined;

  const tick = async () => {
    const started = Date.now();
    controller = new AbortController();
    const deadline = setTimeout(() => controller?.abort(), o.timeoutMs ?? 2000);
    try {
      const next = await fetchLiveLot(o.indexerUrl, { signal: controller.signal });
      const previous = snapshot;
      snapshot = next;
      receivedAt = Date.now();
      ok = true;
      lastError = null;
      if (snapshotKey(next) !== snapshotKey(previous)) o.onChange?.(next, previous);
    } catch (error) {
      ok = false;
      const message = (error as Error).message;
      if (message !== lastError) o.onError?.(error as Error);
      lastError = message;
    } finally {
      clearTimeout(deadline);
    }
    if (!stopped) timer = setTimeout(tick, Math.max(0, o.intervalMs - (Date.now() - started)));
  };
  void tick();

  return {
    snapshot: () => snapshot,
    receivedAt: () => receivedAt,
    ok: () => ok,
    lastError: () => lastError,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
    },
  };
}
