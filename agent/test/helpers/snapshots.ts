/** Builders of `/live` snapshots for the pure tests (the integration tests read the real indexer). */
import type { LiveBid, LiveLot, LiveSnapshot } from "@sothebais/common/live";

export const ZERO = "0x0000000000000000000000000000000000000000" as const;
export const ZERO_HASH = `0x${"0".repeat(64)}` as const;
export const ALICE = "0xA11CE00000000000000000000000000000000001" as const;
export const BOB = "0xB0B0000000000000000000000000000000000002" as const;
export const BOB_CHAT = `0x${"b".repeat(64)}` as const;

export function lot(over: Partial<LiveLot> = {}): LiveLot {
  return {
    lotId: "3",
    campaignId: "1",
    campaignName: "Genesis",
    nft: "0xC011EC7100000000000000000000000000000000",
    tokenId: "7",
    tokenUri: `data:application/json;base64,${Buffer.from(JSON.stringify({ name: "Blue Hour", artist: "Mira Okafor" })).toString("base64")}`,
    seller: "0x5e11e50000000000000000000000000000000003",
    reserve: "100000000000000000",
    startTime: 1_000,
    endTime: 1_060,
    status: "live",
    amount: "0",
    bidder: ZERO,
    viaRelayer: false,
    chatIdHash: ZERO_HASH,
    minimumNextBid: "100000000000000000",
    bidCount: 0,
    reserveMet: false,
    extended: 0,
    lastBidBlock: null,
    lastBidTx: null,
    minIncrementBps: 1000,
    minIncrementFloor: "10000000000000000",
    timeBuffer: 30,
    protocolFeeBps: 500,
    maxRoyaltyBps: 1000,
    campaignPosition: 0,
    paused: false,
    ...over,
  };
}

export function bid(id: string, bidder: `0x${string}`, amount: string, over: Partial<LiveBid> = {}): LiveBid {
  return {
    id,
    lotId: "3",
    bidder,
    amount,
    viaRelayer: false,
    chatIdHash: ZERO_HASH,
    blockNumber: 10,
    txHash: `0x${"1".repeat(64)}`,
    logIndex: 0,
    timestamp: 1_010,
    final: false,
    ...over,
  };
}

export function snapshot(over: Partial<LiveSnapshot> = {}): LiveSnapshot {
  return {
    chainId: 31337,
    blockNumber: 10,
    blockTimestamp: 1_010,
    finalizedBlockNumber: 0,
    indexedAt: 1_010_000,
    paused: false,
    lot: lot(),
    bids: [],
    upcoming: [],
    ...over,
  };
}

/** The snapshot after `bidder` bid `amount` (wei) on lot 3. */
export function withBid(prev: LiveSnapshot, id: string, bidder: `0x${string}`, amount: bigint, over: Partial<LiveLot> = {}, bidOver: Partial<LiveBid> = {}): LiveSnapshot {
  const min = amount + amount / 10n > amount + 10_000_000_000_000_000n ? amount + amount / 10n : amount + 10_000_000_000_000_000n;
  const b = bid(id, bidder, amount.toString(), bidOver);
  return {
    ...prev,
    blockNumber: prev.blockNumber + 1,
    lot: { ...(prev.lot ?? lot()), amount: amount.toString(), bidder, chatIdHash: b.chatIdHash, viaRelayer: b.viaRelayer, minimumNextBid: min.toString(), bidCount: (prev.lot?.bidCount ?? 0) + 1, reserveMet: true, ...over },
    bids: [b, ...prev.bids],
  };
}
