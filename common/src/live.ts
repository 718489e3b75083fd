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

/** Lifecycle of a lot; scheduled/live/ended follow the latest indexed block's timestamp. */
export type LotStatus = "scheduled" | "live" | "ended" | "settled" | "cancelled";

/** Wei (or any uint256) as a decimal string. */
export type Wei = string;

export type LiveLot = {
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
  /** Includes extensions. */
  endTime: number;
  status: LotStatus;
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

/** A lot whose start time is still ahead (a campaign's next lots), soonest first. */
export type UpcomingLot = {
  lotId: string;
  campaignId: string;
  campaignName: string;
  nft: Address;
  tokenId: string;
  tokenUri: string;
  seller: Address;
  reserve: Wei;
  startTime: number;
  endTime: number;
};

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
  /** The lot live now; else the most recently ended unsettled lot; else null. */
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
 * A lot's status at block time `now` (unix s), from what events stored (`state`) and its times:
 * live from `startTime` until `endTime` (exclusive), as the contract's `lotStatus` view.
 */
export function lotStatus(lot: { state: "open" | "settled" | "cancelled"; startTime: number; endTime: number }, now: number): LotStatus {
  if (lot.state !== "open") return lot.state;
  if (now < lot.startTime) return "scheduled";
  return now < lot.endTime ? "live" : "ended";
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
