/**
 * @module live
 * The live feed: the indexer's `/live/events` (server-sent events, through the dApp server's one shared
 * subscription): a `snapshot` event with the whole `/live` document when the lot, its bids, what is next
 * or the last sale changed, and a `head` event with the block fields when only the block moved. Every
 * viewer gets the same bytes; one EventSource per tab, shared by every hook that listens.
 *
 * EventSource reconnects by itself after a drop (sending Last-Event-ID, so an unchanged snapshot is not
 * sent again) but gives up for good on an error status (503 at the viewer limit, or while the server
 * starts): then a new one is opened after a pause, so a page left open through a restart stays live.
 */
import type { LiveSnapshot } from "@sothebais/common/live";
import { serviceUrl } from "./config.ts";

export type LiveHead = Pick<LiveSnapshot, "blockNumber" | "blockTimestamp" | "finalizedBlockNumber" | "indexedAt">;
export type LiveListener = { snapshot?: (s: LiveSnapshot) => void; head?: (h: LiveHead) => void; open?: () => void };

export const LIVE_RETRY_MS = 3000;

/** Opens one stream and calls the listener; returns the function that closes it. */
export function subscribeLive(listener: LiveListener, url = serviceUrl("indexer", "/live/events")): () => void {
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const parse = <T>(event: Event, use: ((v: T) => void) | undefined) => {
    if (!use) return;
    try {
      use(JSON.parse((event as MessageEvent<string>).data) as T);
    } catch (error) {
      console.warn("live event", error);
    }
  };
  const open = () => {
    source = new EventSource(url);
    source.addEventListener("snapshot", (e) => parse(e, listener.snapshot));
    source.addEventListener("head", (e) => parse(e, listener.head));
    source.onopen = () => listener.open?.();
    source.onerror = () => {
      if (closed || source?.readyState !== EventSource.CLOSED) return;
      retry = setTimeout(open, LIVE_RETRY_MS);
    };
  };
  open();
  return () => {
    closed = true;
    clearTimeout(retry);
    source?.close();
  };
}

/** The latest document seen on the feed (snapshot with the newest head applied). */
let latest: LiveSnapshot | undefined;
const listeners = new Set<LiveListener>();
let stop: (() => void) | undefined;

/**
 * Listens to the tab's one shared stream (opened with the first listener, closed with the last). A new
 * listener gets the latest document at once, when there is one.
 */
export function listenLive(listener: LiveListener): () => void {
  listeners.add(listener);
  if (latest) listener.snapshot?.(latest);
  stop ??= subscribeLive({
    snapshot: (s) => {
      latest = s;
      for (const l of listeners) l.snapshot?.(s);
    },
    head: (h) => {
      if (latest) latest = { ...latest, ...h };
      for (const l of listeners) l.head?.(h);
    },
    open: () => {
      for (const l of listeners) l.open?.();
    },
  });
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      stop?.();
      stop = undefined;
      latest = undefined;
    }
  };
}
