/**
 * What counts as a lost bid (issue 21, "Definitions"). A chat bid line is lost unless it got the *right*
 * outcome: an answer exists for every line even when the relayer is broken (`failed`, a stale `not_live`,
 * `relayer_paused`), so "has an outcome" alone once reported nothing lost while 178 of 467 lines were
 * wrongly refused. Wallet bids fail for their own reasons; each failure is classified so a run can say why.
 */

/**
 * Refusals that are the bidder's own doing or a race with other bidders, right whatever the lot's state:
 * the audience bids at the minimum from a possibly stale read, within its caps and escrow.
 */
const audienceRefusals = new Set(["outbid", "too_low", "over_max_bid", "over_total_cap", "insufficient_escrow", "max_reached"]);

export type ChatBidVerdict = { lost: false; kind: string } | { lost: true; reason: string };

/**
 * The verdict on one `!bid` line of a linked bidder, from its outcome kind (undefined: none recorded) and
 * whether a lot was open for bids when the line was said (see `placeableAt`).
 * - `placed` and the audience's own refusals are right;
 * - `not_live` is right only when no lot was open: a `not_live` while a lot was live is lost (`not_live_while_live`);
 * - anything else (`failed`, `relayer_paused`, `paused`, `rate_limited`, `not_linked`, `malformed`, ...) is lost
 *   under its own kind: the soak's bidders are linked, well-formed and within the production rate limits.
 */
export function judgeChatBid(kind: string | undefined, placeable: boolean): ChatBidVerdict {
  if (kind === undefined) return { lost: true, reason: "no_outcome" };
  if (kind === "placed" || audienceRefusals.has(kind)) return { lost: false, kind };
  // not_open_yet and lot_closed are the relayer's stream-delay refusals: right, like not_live, only while no lot is open.
  if (kind === "not_live" || kind === "not_open_yet" || kind === "lot_closed") {
    return placeable ? { lost: true, reason: `${kind}_while_live` } : { lost: false, kind };
  }
  return { lost: true, reason: kind };
}

/** A lot's bidding window on the chain's clock, in ms: listed at `start`, bids accepted until `end`. */
export type LiveWindow = { lotId: bigint; start: number; end: number };

/** Lot windows from the chain's events: `LotCreated` (start, end) moved by `LotExtended` / `BidPlaced` end times. */
export function liveWindows(created: { lotId: bigint; startTime: number; endTime: number }[], extended: { lotId: bigint; endTime: number }[]): LiveWindow[] {
  const windows = new Map<bigint, LiveWindow>();
  for (const c of created) windows.set(c.lotId, { lotId: c.lotId, start: c.startTime * 1000, end: c.endTime * 1000 });
  for (const e of extended) {
    const w = windows.get(e.lotId);
    if (w && e.endTime * 1000 > w.end) w.end = e.endTime * 1000;
  }
  return [...windows.values()];
}

export type Grace = {
  /** The relayer learns of a new lot on its next block read (1 s blocks): lines this soon after a listing may get `not_live`. */
  afterStartMs: number;
  /** A line this close to the end may reach the chain after it. */
  beforeEndMs: number;
  /** Chain clock minus wall clock (block timestamps are whole seconds). */
  chainOffsetMs?: number;
};

/** Whether a line said at wall-clock `t` should have been placeable: a lot was open for bids, away from its edges. */
export function placeableAt(t: number, windows: LiveWindow[], grace: Grace): boolean {
  const chainT = t + (grace.chainOffsetMs ?? 0);
  return windows.some((w) => chainT >= w.start + grace.afterStartMs && chainT <= w.end - grace.beforeEndMs);
}

/** Why a wallet bid failed: races lost to other bidders are part of an auction, the rest are not. */
export type WalletFailure = "race_too_low" | "race_lot_closed" | "reverted_in_block" | "timeout" | "rpc_unavailable" | "nonce" | "other";

/** Races: another bid (or the lot's end) got there first. Anything else is a failure of the stack. */
export const walletRaces: ReadonlySet<WalletFailure> = new Set(["race_too_low", "race_lot_closed", "reverted_in_block"]);

/**
 * Classifies a failed wallet bid from its error message (viem quotes the contract's custom error name when
 * the call reverts in simulation); `undefined` is a mined transaction whose receipt says reverted, which
 * happens when another bid in the same block raised the minimum first.
 */
export function classifyWalletFailure(message: string | undefined): WalletFailure {
  if (message === undefined) return "reverted_in_block";
  if (/BidTooLow/.test(message)) return "race_too_low";
  if (/LotNotLive|LotAlreadyClosed|LotNotFound/.test(message)) return "race_lot_closed";
  if (/nonce/i.test(message)) return "nonce";
  if (/timed? ?out|TimeoutError|took too long/i.test(message)) return "timeout";
  if (/fetch failed|ECONNREFUSED|ECONNRESET|socket|other side closed|HTTP request failed/i.test(message)) return "rpc_unavailable";
  return "other";
}
