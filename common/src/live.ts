/**
 * @module live
 * The indexer's `/live` snapshot: the lot on the block now, its last bids, what comes next and what
 * just sold, in one JSON document. The broadcaster, agent, relayer and dApp read it; the indexer
 * (indexer/src/api) writes it. Amounts are wei as decimal strings (JSON has no bigint); times are
 * unix seconds unless the name says ms.
 *
 * @example
 * import { fetchLiveLot, minimumNextBid } from "@sothebais/common/live";
 * const snap = await fetchLiveLot("http://127.0.0.1:42069", { signal: AbortSignal.timeout(2000) });
 * if (snap.lot?.status === "live") console.log(snap.lot.lotId, BigInt(snap.lot.minimumNextBid));
 */
import type { Address, Hash } from "./deployments.ts";

/**
 * Lifecycle of a lot; scheduled/live/ended follow the latest indexed block's timestamp (and the pause).
 * `queued`: a campaign lot waiting for the lot ahead of it to close (its times are only the earliest
 * opening). `undeliverable`: settle (or cancel) could not move the NFT; the winner's bid went back to
 * their escrow and the token waits in custody for returnUndeliverable.
 */
export type LotStatus = "queued" | "scheduled" | "live" | "ended" | "settled" | "cancelled" | "undeliverable";

/** What events decided about a lot (the indexer's `lot.state`); the rest of {@link LotStatus} is time. */
export type LotState = "queued" | "open" | "settled" | "cancelled" | "undeliverable";

/**
 * The contract's last two pause windows (indexer `protocol` row): start of the current or last pause (0 = never)
 * and its end (0 while paused), and the window before it (`prevPausedAt` 0 = none).
 */
export type PauseWindow = { pausedAt: number; unpausedAt: number; prevPausedAt?: number; prevUnpausedAt?: number };

/** Wei (or any uint256) as a decimal string. */
export type Wei = string;

/** What a lot is from its creation, before any bid: the token, the seller and the terms. Live and upcoming lots share it. */
export type LotListing = {
  lotId: string;
  campaignId: string;
  /** "" when the lot belongs to no campaign (campaignId 0). */
  campaignName: string;
  nft: Address;
  tokenId: string;
  /** The artwork's metadata URI (ipfs://, ar://, https:// or data:), "" if the collection had none. */
  tokenUri: string;
  seller: Address;
  reserve: Wei;
  startTime: number;
  /**
   * On a live lot, includes extensions, the campaign's sequencing and a pause: while paused, a lot the
   * pause caught cannot end and this is the earliest it can (now + timeBuffer, see `paused`).
   */
  endTime: number;
  /** The protocol fee this lot settles with (bps), fixed at creation: known before anyone bids. */
  protocolFeeBps: number;
  /** The most ERC-2981 royalty this lot pays (bps), fixed at creation. */
  maxRoyaltyBps: number;
  /** 1-based place in its campaign's running order (0 = no campaign). */
  campaignPosition: number;
};

export type LiveLot = LotListing & {
  status: LotStatus;
  /** The contract is paused and this lot's clock is stopped: it ends no earlier than unpause + timeBuffer. */
  paused: boolean;
  /** Current highest bid, "0" before the first bid. */
  amount: Wei;
  /** Current highest bidder, zero address before the first bid. */
  bidder: Address;
  viaRelayer: boolean;
  /** Chat identity of the highest bid's authorization, zero hash for wallet bids. */
  chatIdHash: Hash;
  /** What the contract would accept as the next bid (see {@link minimumNextBid}). */
  minimumNextBid: Wei;
  bidCount: number;
  reserveMet: boolean;
  /** How many times a late bid moved the end. */
  extended: number;
  /** Block and tx of the highest bid, null before the first bid. */
  lastBidBlock: number | null;
  lastBidTx: Hash | null;
  minIncrementBps: number;
  minIncrementFloor: Wei;
  timeBuffer: number;
};

export type LiveBid = {
  /** Ponder's event id: unique per log, stable across restarts. */
  id: string;
  lotId: string;
  bidder: Address;
  amount: Wei;
  viaRelayer: boolean;
  chatIdHash: Hash;
  blockNumber: number;
  blockHash?: Hash;
  txHash: Hash;
  logIndex: number;
  /** Block timestamp. */
  timestamp: number;
  /** The block is at or below the chain's finalized block (see {@link LiveSnapshot.finalizedBlockNumber}). */
  final: boolean;
};

/**
 * A lot whose start time is still ahead, soonest first, then the campaign lots queued behind an open one
 * (`queued`: their times are only the earliest opening; they open after the lot ahead closes plus the
 * campaign's intermission).
 */
export type UpcomingLot = LotListing & { queued: boolean };

/** The most recently settled lot (sold or not). */
export type SettledLot = {
  lotId: string;
  campaignId: string;
  nft: Address;
  tokenId: string;
  tokenUri: string;
  /** Zero address when no bid met the reserve (NFT back to the seller). */
  winner: Address;
  amount: Wei;
  royalty: Wei;
  protocolFee: Wei;
  sellerProceeds: Wei;
  settledAt: number;
  blockNumber: number;
  txHash: Hash;
};

export type LiveSnapshot = {
  chainId: number;
  /** Latest indexed block and its timestamp: statuses are computed against it. */
  blockNumber: number;
  blockTimestamp: number;
  /** Blocks up to here cannot be reorged away (Ponder's finality for the chain); bids above are pending. */
  finalizedBlockNumber: number;
  /** When the indexer built this snapshot (unix ms). */
  indexedAt: number;
  /** The contract is paused: no bids, and lots that had not ended when it began do not end. */
  paused: boolean;
  /** The lot live now (never a queued one); else the most recently ended unsettled lot; else null. */
  lot: LiveLot | null;
  /** The live lot's last bids, newest first (empty when lot is null). */
  bids: LiveBid[];
  upcoming: UpcomingLot[];
  lastSettled?: SettledLot;
};

/**
 * The smallest bid the contract accepts next, as `AuctionHouse.minimumNextBid` computes it: the reserve
 * (at least 1 wei) for the first bid, else `amount + max(amount * bps / 10000, floor, 1)`.
 */
export function minimumNextBid(lot: { amount: bigint; reserve: bigint; minIncrementBps: number | bigint; minIncrementFloor: bigint }): bigint {
  if (lot.amount === 0n) return lot.reserve > 0n ? lot.reserve : 1n;
  let increment = (lot.amount * BigInt(lot.minIncrementBps)) / 10_000n;
  if (increment < lot.minIncrementFloor) increment = lot.minIncrementFloor;
  if (increment === 0n) increment = 1n;
  return lot.amount + increment;
}

/**
 * A lot's end as it applies at block time `now` under the pause windows, as the contract computes it
 * (AuctionHouseStorage._pauseAdjustedEnd): a lot open during a pause (started before its unpause, stored end after
 * its start) does not end while paused (`Infinity`), and after the unpause ends no earlier than
 * `unpausedAt + timeBuffer`. Only looked at within the lot's time buffer of its stored end, as the contract does.
 */
export function lotEffectiveEnd(
  lot: { startTime: number; endTime: number; timeBuffer: number },
  now: number,
  pause?: PauseWindow,
): number {
  let end = lot.endTime;
  if (!pause || pause.pausedAt === 0 || end > now + lot.timeBuffer) return end;
  if (pause.prevPausedAt) end = stretchByPause(lot, end, pause.prevPausedAt, pause.prevUnpausedAt ?? 0);
  return stretchByPause(lot, end, pause.pausedAt, pause.unpausedAt);
}

function stretchByPause(lot: { startTime: number; timeBuffer: number }, end: number, pausedAt: number, unpausedAt: number): number {
  if (end <= pausedAt) return end; // ended before the pause began
  if (unpausedAt === 0) return Infinity;
  if (lot.startTime >= unpausedAt) return end; // opened after the pause
  return Math.max(end, unpausedAt + lot.timeBuffer);
}

/**
 * A lot's status at block time `now` (unix s), from what events stored (`state`) and its times:
 * live from `startTime` until `endTime` (exclusive, moved by a pause when `pause` is given), as the
 * contract's `lotStatus` view.
 */
export function lotStatus(
  lot: { state: LotState; startTime: number; endTime: number; timeBuffer?: number },
  now: number,
  pause?: PauseWindow,
): LotStatus {
  if (lot.state !== "open") return lot.state;
  if (now < lot.startTime) return "scheduled";
  const end = pause ? lotEffectiveEnd({ startTime: lot.startTime, endTime: lot.endTime, timeBuffer: lot.timeBuffer ?? 0 }, now, pause) : lot.endTime;
  return now < end ? "live" : "ended";
}

export type FetchLiveLotOptions = { signal?: AbortSignal; fetch?: typeof fetch };

/** GET `<indexerUrl>/live`. Throws on a non-2xx answer with the status and body in the message. */
export async function fetchLiveLot(indexerUrl: string, options: FetchLiveLotOptions = {}): Promise<LiveSnapshot> {
  const url = new URL("/live", indexerUrl);
  const res = await (options.fetch ?? fetch)(url, { signal: options.signal, headers: { accept: "application/json" } });
  if (!res.ok) {
    const body = await res.text().catch(() => "");
    throw new Error(`GET ${url} answered ${res.status}: ${body.slice(0, 200)}`);
  }
  return (await res.json()) as LiveSnapshot;
}
