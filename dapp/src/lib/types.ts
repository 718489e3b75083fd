/**
 * @module types
 * The dApp's domain types: what a page shows, with amounts as bigint wei and times as unix seconds.
 * Converters from the indexer's JSON (decimal strings) live next to them.
 */
import type { Address, Hash } from "viem";
import type { LiveBid, LiveLot, LotListing, LotStatus, UpcomingLot } from "@sothebais/common/live";

export type { LotStatus };

export type Lot = {
  lotId: bigint;
  campaignId: bigint;
  campaignName: string;
  nft: Address;
  tokenId: bigint;
  tokenUri: string;
  seller: Address;
  reserve: bigint;
  startTime: number;
  /** Includes extensions. */
  endTime: number;
  status: LotStatus;
  /** Highest bid, 0 before the first. */
  amount: bigint;
  bidder: Address;
  viaRelayer: boolean;
  bidCount: number;
  minIncrementBps: number;
  minIncrementFloor: bigint;
  timeBuffer: number;
  /** Times a late bid moved the end (0 when unknown). */
  extended: number;
  /** Set once settled; zero address when unsold. */
  winner?: Address;
  /** Protocol fee (bps) fixed at creation; undefined when the source did not say (read the chain). */
  protocolFeeBps?: number;
  /** Most ERC-2981 royalty (bps) the lot pays, fixed at creation. */
  maxRoyaltyBps?: number;
  /** 1-based place in its campaign's running order (0 = no campaign). */
  campaignPosition?: number;
};

export type Bid = {
  id: string;
  lotId: bigint;
  bidder: Address;
  amount: bigint;
  viaRelayer: boolean;
  chatIdHash: Hash;
  blockNumber: number;
  txHash: Hash;
  logIndex: number;
  timestamp: number;
};

export type Campaign = { campaignId: bigint; name: string; metadataUri: string; lots: Lot[] };

export const zeroAddress = "0x0000000000000000000000000000000000000000" as const;

/** The listing part of a lot (token, seller, terms), amounts as bigint. */
function listingFrom(l: LotListing) {
  return {
    lotId: BigInt(l.lotId),
    campaignId: BigInt(l.campaignId),
    campaignName: l.campaignName,
    nft: l.nft,
    tokenId: BigInt(l.tokenId),
    tokenUri: l.tokenUri,
    seller: l.seller,
    reserve: BigInt(l.reserve),
    startTime: l.startTime,
    endTime: l.endTime,
    protocolFeeBps: l.protocolFeeBps,
    maxRoyaltyBps: l.maxRoyaltyBps,
    campaignPosition: l.campaignPosition,
  };
}

export function lotFromLive(l: LiveLot): Lot {
  return {
    ...listingFrom(l),
    status: l.status,
    amount: BigInt(l.amount),
    bidder: l.bidder,
    viaRelayer: l.viaRelayer,
    bidCount: l.bidCount,
    minIncrementBps: l.minIncrementBps,
    minIncrementFloor: BigInt(l.minIncrementFloor),
    timeBuffer: l.timeBuffer,
    extended: l.extended,
  };
}

export function lotFromUpcoming(l: UpcomingLot): Lot {
  return {
    ...listingFrom(l),
    status: l.queued ? "queued" : "scheduled",
    amount: 0n,
    bidder: zeroAddress,
    viaRelayer: false,
    bidCount: 0,
    minIncrementBps: 0,
    minIncrementFloor: 0n,
    timeBuffer: 0,
    extended: 0,
  };
}

export function bidFromLive(b: LiveBid): Bid {
  return {
    id: b.id,
    lotId: BigInt(b.lotId),
    bidder: b.bidder,
    amount: BigInt(b.amount),
    viaRelayer: b.viaRelayer,
    chatIdHash: b.chatIdHash,
    blockNumber: b.blockNumber,
    txHash: b.txHash,
    logIndex: b.logIndex,
    timestamp: b.timestamp,
  };
}

/** Statuses events decide (the clock does not move them). */
export const storedStatuses: readonly LotStatus[] = ["settled", "cancelled", "undeliverable", "queued"];

/**
 * Status at `nowSeconds`: scheduled/live/ended move with the clock; settled/cancelled/undeliverable are
 * stored, and a queued campaign lot stays queued until the lot ahead of it closes (its times are only
 * the earliest opening).
 */
export function statusAt(lot: Pick<Lot, "status" | "startTime" | "endTime">, nowSeconds: number): LotStatus {
  if (storedStatuses.includes(lot.status)) return lot.status;
  if (nowSeconds < lot.startTime) return "scheduled";
  if (nowSeconds < lot.endTime) return "live";
  return "ended";
}
