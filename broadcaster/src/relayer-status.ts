/**
 * @module relayer-status
 * Whether chat bidding is paused, from the relayer's `/health` (polled): paused by a moderator
 * (`!pausebids`, reported as `chatBidding.paused`) or because the relayer is low on gas
 * (`relayer.bidsPaused`). Either way chat bids are refused, and the stream says so with a banner.
 * While the relayer cannot be reached the last answer stands: a blip must not flicker the banner.
 */

export type RelayerStatus = {
  chatBidsPaused: () => boolean;
  /** Unix ms of the last answer (0 = none yet). */
  answeredAt: () => number;
  stop: () => void;
};

/** Reads the pause out of the relayer's health document (either cause). */
export function chatBidsPausedIn(health: unknown): boolean {
  const h = (health ?? {}) as { chatBidding?: { paused?: unknown } | null; relayer?: { bidsPaused?: unknown } | null };
  return h.chatBidding?.paused === true || h.relayer?.bidsPaused === true;
}

export function startRelayerStatus(o: { url: string; intervalMs: number; onChange?: (paused: boolean) => void }): RelayerStatus {
  let paused = false;
  let answeredAt = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const poll = async () => {
    try {
      // The relayer answers 503 with the same document while degraded (e.g. low on gas): read it anyway.
      const res = await fetch(new URL("/health", o.url), { signal: AbortSignal.timeout(Math.max(500, o.intervalMs)) });
      const next = chatBidsPausedIn(await res.json());
      answeredAt = Date.now();
      if (next !== paused) {
        paused = next;
        o.onChange?.(paused);
      }
    } catch {
      // keep the last answer
    }
    if (!stopped) timer = setTimeout(poll, o.intervalMs);
  };
  void poll();

  return {
    chatBidsPaused: () => paused,
    answeredAt: () => answeredAt,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
