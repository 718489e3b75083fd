/**
 * @module timeline
 * Which lot was on the bidder's screen when they typed. Viewers watch the stream late (Twitch: 2-15 s),
 * so the lot open when a line is processed may not be the one they bid on: a `!bid` typed at the end of
 * lot 3 must not land on lot 4. The bidder's moment is the line's own send time (`tmi-sent-ts`) less the
 * stream delay, compared with the lots' real open and close times (block timestamps, extensions included).
 *
 * Two clocks meet here: chat times are wall-clock ms, lot times are chain seconds. `createChainClock`
 * learns the offset between them from the blocks the relayer sees (a local Hardhat node runs ahead of
 * the wall clock after a burst of transactions and stays ahead; a real chain is within a second).
 */
import type { ChainReads, LotView } from "./chain.ts";
import { LotStatus } from "./chain.ts";

/** A lot's open interval in chain seconds; `final` once it can no longer change (ended, settled, cancelled). */
export type LotSpan = { lotId: bigint; start: number; end: number; status: number; final: boolean };

/**
 * Block timestamps are whole seconds and a block is seen a poll later than it is made: a moment this
 * close before a lot's start counts as inside it. Only the start gets the slack, so a moment near a close
 * is read as before it (the lot that closed), which refuses rather than moves a bid to the next lot.
 */
export const START_SLACK_MS = 1500;
/** A lot whose cached end is this close after a moment may have been extended past it since. */
export const NEAR_MS = 10_000;

/** What the bidder was watching at a moment. */
export type Shown =
  | { kind: "lot"; span: LotSpan }
  /** No lot was open then (before the first lot, or between two). */
  | { kind: "none" };

/**
 * The lot shown at chain time `atMs`: among the lots open then, the one ending soonest (the same rule
 * the relayer and the show use for "the live lot" when several overlap), with its final end time.
 */
export function shownAt(spans: readonly LotSpan[], atMs: number): Shown {
  let best: LotSpan | undefined;
  for (const raw of spans) {
    // A queued campaign lot's view holds only its earliest opening (AuctionHouse v2): it is not on
    // screen until its turn comes, when a fresh read shows it live with its real times.
    if (raw.status === LotStatus.None || raw.status === LotStatus.Queued) continue;
    const s = raw.status === LotStatus.Cancelled ? { ...raw, end: cancelledEnd(spans, raw) } : raw;
    const open = s.start * 1000 - START_SLACK_MS <= atMs && atMs < s.end * 1000;
    if (open && (!best || s.end < best.end || (s.end === best.end && s.lotId < best.lotId))) best = s;
  }
  return best ? { kind: "lot", span: best } : { kind: "none" };
}

/**
 * A cancelled lot's view keeps its scheduled end, but it left the screen when it was cancelled: the next
 * lot of its campaign opens then (plus the intermission). Its span ends at the first lot that opened after
 * it, so the cancelled lot (ending "sooner" on paper) never hides the lot that replaced it. A moment in
 * the cancelled lot's own time is still read as that lot (closed: refused, never moved to the next one).
 */
function cancelledEnd(spans: readonly LotSpan[], cancelled: LotSpan): number {
  let end = cancelled.end;
  for (const o of spans) if (o.lotId !== cancelled.lotId && o.status !== LotStatus.None && o.start > cancelled.start && o.start < end) end = o.start;
  return end;
}

/**
 * True when the cached view may be behind for a decision that picked `decided`: another lot had opened
 * by then and its cached end is at or shortly after the moment, but it was not known to be final (a late
 * bid may have extended it past the moment since).
 */
export function mayBeStale(spans: readonly LotSpan[], atMs: number, decided: bigint): boolean {
  return spans.some((s) => s.lotId !== decided && !s.final && s.start * 1000 - START_SLACK_MS <= atMs && s.end * 1000 <= atMs + NEAR_MS);
}

const isFinal = (l: LotView) => l.status === LotStatus.Ended || l.status === LotStatus.Settled || l.status === LotStatus.Cancelled || l.status === LotStatus.Undeliverable;
const span = (l: LotView): LotSpan => ({ lotId: l.lotId, start: l.startTime, end: l.endTime, status: l.status, final: isFinal(l) });

/**
 * Wall clock -> chain clock. Each block seen gives `timestamp - seenAt`; the largest of the recent ones is
 * the offset (a block is never seen before it is made, so every sample errs low by the time it took to
 * see it, and a block first seen long after it was made, e.g. on an idle local node, errs far low). A
 * pending block's timestamp (what the next block would get, where the node builds one) is a sample too:
 * it keeps the offset right on a node that mines only on demand, after a restart.
 */
export function createChainClock(samples = 32) {
  const offsets: number[] = [];
  let lastBlock = -1n;
  return {
    /** A block seen for the first time at wall time `seenAtMs`. */
    observe: (blockNumber: bigint, timestampS: number, seenAtMs: number) => {
      if (blockNumber <= lastBlock) return;
      lastBlock = blockNumber;
      offsets.push(timestampS * 1000 - seenAtMs);
      if (offsets.length > samples) offsets.shift();
    },
    /** A chain timestamp known at wall time `atMs` that belongs to no block yet (the pending block). */
    sample: (timestampS: number, atMs: number) => {
      offsets.push(timestampS * 1000 - atMs);
      if (offsets.length > samples) offsets.shift();
    },
    offsetMs: () => (offsets.length ? Math.max(...offsets) : 0),
    /** The chain time (ms) at wall time `wallMs`. */
    chainMs: (wallMs: number) => wallMs + (offsets.length ? Math.max(...offsets) : 0),
    lastBlock: () => lastBlock,
  };
}
export type ChainClock = ReturnType<typeof createChainClock>;

export type TimelineOptions = {
  /** The newest lots read (lot ids are sequential). */
  depth?: number;
  /** A view younger than this is used as is (a background read starts past it). */
  freshMs?: number;
};

/**
 * The recent lots' open intervals, from the chain. Final lots are read once; the others (live, scheduled)
 * again on each refresh, so a late bid's extension is seen. The cached view serves the common case
 * without a round trip; a decision that may be wrong on it waits for a read begun after it was asked
 * (one read shared by every line waiting then, as a burst at a lot change would otherwise multiply them).
 */
export function createTimeline(reads: ChainReads, clock: ChainClock, options: TimelineOptions = {}) {
  const depth = options.depth ?? 12;
  const freshMs = options.freshMs ?? 1000;
  const finals = new Map<bigint, LotSpan>();
  let view: { startedAt: number; spans: LotSpan[] } | undefined;
  let inflight: { startedAt: number; promise: Promise<LotSpan[]> } | undefined;

  /**
   * The latest and pending blocks, read now: a block the head poller has not reported yet still teaches
   * the clock. A node that does not serve "pending" (or serves the latest block as it) only costs the
   * sample, never a wrong one: a pending timestamp is never later than the chain's clock.
   */
  const syncClock = async () => {
    const [latest, pending] = await Promise.all([
      reads.client.getBlock({ blockTag: "latest" }),
      reads.client.getBlock({ blockTag: "pending" }).catch(() => undefined),
    ]);
    const now = Date.now();
    clock.observe(latest.number, Number(latest.timestamp), now);
    if (pending) clock.sample(Number(pending.timestamp), now);
  };

  const load = async (startedAt: number): Promise<LotSpan[]> => {
    const [count] = await Promise.all([reads.lotCount(), syncClock()]);
    const ids: bigint[] = [];
    for (let id = count; id >= 1n && ids.length < depth; id--) ids.push(id);
    const spans = await Promise.all(ids.map(async (id) => finals.get(id) ?? span(await reads.lot(id))));
    for (const s of spans) if (s.final) finals.set(s.lotId, s);
    if (!view || view.startedAt <= startedAt) view = { startedAt, spans };
    return spans;
  };

  /** A view read entirely after `askedAt`. */
  const readSince = async (askedAt: number): Promise<LotSpan[]> => {
    if (view && view.startedAt >= askedAt) return view.spans;
    if (inflight && inflight.startedAt >= askedAt) return inflight.promise;
    if (inflight) await inflight.promise.catch(() => {});
    if (inflight && inflight.startedAt >= askedAt) return inflight.promise;
    const startedAt = Date.now();
    const entry = { startedAt, promise: load(startedAt) };
    inflight = entry;
    void entry.promise.finally(() => inflight === entry && (inflight = undefined)).catch(() => {});
    return entry.promise;
  };

  /** The cached view (a background read when it is old), or a first read. */
  const cachedView = async (): Promise<LotSpan[]> => {
    if (!view) return readSince(0);
    if (Date.now() - view.startedAt >= freshMs && !inflight) readSince(Date.now()).catch(() => {});
    return view.spans;
  };

  return {
    /**
     * What was on screen at wall time `momentMs`. Decided on the cached view, and again on a fresh read of
     * the lots and the chain clock unless that gave the lot the caller treats as live and no other lot's
     * end near the moment could have moved (both rare: a line typed across a lot change).
     */
    shown: async (momentMs: number, liveLotId: bigint | undefined): Promise<Shown> => {
      const askedAt = Date.now();
      const cached = await cachedView();
      const first = shownAt(cached, clock.chainMs(momentMs));
      if (first.kind === "lot" && first.span.lotId === liveLotId && !mayBeStale(cached, clock.chainMs(momentMs), liveLotId)) return first;
      const spans = await readSince(askedAt);
      return shownAt(spans, clock.chainMs(momentMs));
    },
    /** The chain time (ms) at wall time `wallMs`, by the clock this timeline reads. */
    chainMs: (wallMs: number) => clock.chainMs(wallMs),
    /** Forget the cached view (tests; a chain reverted to a snapshot). */
    reset: () => {
      view = undefined;
      finals.clear();
    },
  };
}
export type Timeline = ReturnType<typeof createTimeline>;
