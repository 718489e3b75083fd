/**
 * @module head
 * The chain head, polled once for the whole relayer: the sender scans new blocks for its receipts, the
 * outbid watcher reads new blocks' logs, the live-lot cache is keyed by it. Each part polling
 * eth_blockNumber on its own doubled the RPC load for nothing.
 */
import { isNetworkError } from "@sothebais/common/errors";
import type { Logger } from "@sothebais/common/log";
import type { PublicClient } from "viem";

export type HeadOptions = {
  client: PublicClient;
  pollMs: number;
  log: Logger;
};

export type Head = ReturnType<typeof watchHead>;

export function watchHead(o: HeadOptions) {
  const listeners = new Set<(head: bigint) => void>();
  const pollListeners = new Set<(ok: boolean, error?: unknown) => void>();
  let head: bigint | undefined;
  let started = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function poll() {
    try {
      const next = await o.client.getBlockNumber({ cacheTime: 0 });
      for (const l of pollListeners) l(true);
      if (next !== head) {
        head = next;
        for (const l of listeners) l(next);
      }
    } catch (error) {
      for (const l of pollListeners) l(false, error);
      if (!isNetworkError(error)) o.log.warn("head poll failed", { error });
    }
    if (!stopped) timer = setTimeout(poll, o.pollMs);
  }

  return {
    /** The last head seen, undefined before the first answer. */
    current: () => head,
    /** Calls `fn` with every new head (synchronously from the poll: keep it short, start work async). */
    onHead: (fn: (head: bigint) => void) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    /** Calls `fn` after every poll: whether the RPC answered (for outage states). */
    onPoll: (fn: (ok: boolean, error?: unknown) => void) => {
      pollListeners.add(fn);
      return () => pollListeners.delete(fn);
    },
    start: () => {
      if (started || stopped) return;
      started = true;
      void poll();
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type HeadFollowerOptions = {
  /** One pass at a head; resolves true when there is more to do at that head (run again at once). */
  pass: (head: bigint) => Promise<boolean>;
  onError: (error: unknown) => void;
  /** Run a failed pass again at its head (after 250 ms) rather than waiting for the next head. */
  retryFailed: boolean;
};

/**
 * Runs `pass` on new heads, one pass at a time: heads that arrive during a pass are read in one pass
 * after it, at the latest of them, so a slow pass never queues up work per block.
 */
export function followHeads(head: Head, o: HeadFollowerOptions) {
  let stopped = false;
  let running = false;
  let wanted: bigint | undefined;
  let unsubscribe: (() => void) | undefined;

  async function onHead(at: bigint) {
    wanted = at;
    if (running) return;
    running = true;
    while (!stopped && wanted !== undefined) {
      const target: bigint = wanted;
      wanted = undefined;
      try {
        if (await o.pass(target)) wanted ??= target;
      } catch (error) {
        o.onError(error);
        await new Promise((r) => setTimeout(r, 250));
        if (o.retryFailed) wanted ??= target;
      }
    }
    running = false;
  }

  return {
    get stopped() {
      return stopped;
    },
    /** Follows new heads; with `now`, also runs a pass at the head already seen. */
    start: ({ now = false } = {}) => {
      unsubscribe = head.onHead((h) => void onHead(h));
      const current = head.current();
      if (now && current !== undefined) void onHead(current);
    },
    stop: () => {
      stopped = true;
      unsubscribe?.();
    },
  };
}
