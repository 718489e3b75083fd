/**
 * Sample indexer snapshots for scene tests (the shape is common/src/live.ts; the e2e tests use the real
 * indexer instead).
 */
import type { LiveBid, LiveSnapshot } from "@sothebais/common/live";

const addr = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as `0x${string}`;
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as `0x${string}`;
export const ZERO_HASH = hash(0);

export function sampleBid(o: Partial<LiveBid> & { n: number }): LiveBid {
  return {
    id: `bid-${o.n}`,
    lotId: "3",
    bidder: addr(0xb1d000 + o.n),
    amount: String(BigInt(o.n) * 100_000_000_000_000_000n),
    viaRelayer: false,
    chatIdHash: ZERO_HASH,
    blockNumber: 100 + o.n,
    txHash: hash(0x7a000 + o.n),
    logIndex: 0,
    timestamp: 1_700_000_000 + o.n,
    final: true,
    ...o,
  };
}

export function sampleSnapshot(o: { now?: number; bids?: LiveBid[]; endIn?: number; status?: "live" | "ended" | "settled"; finalized?: number; tokenUri?: string } = {}): LiveSnapshot {
  const now = Math.floor((o.now ?? Date.now()) / 1000);
  const bids = o.bids ?? [];
  const top = bids[0];
  return {
    chainId: 31337,
    blockNumber: 130,
    blockTimestamp: now,
    finalizedBlockNumber: o.finalized ?? 120,
    indexedAt: Date.now(),
    paused: false,
    lot: {
      lotId: "3",
      campaignId: "1",
      campaignName: "Genesis Evening Sale",
      nft: addr(0xc011),
      tokenId: "7",
      tokenUri: o.tokenUri ?? "",
      seller: addr(0x5e11),
      reserve: "100000000000000000",
      startTime: now - 60,
      endTime: now + (o.endIn ?? 95),
      status: o.status ?? "live",
      amount: top?.amount ?? "0",
      bidder: top?.bidder ?? addr(0),
      viaRelayer: top?.viaRelayer ?? false,
      chatIdHash: top?.chatIdHash ?? ZERO_HASH,
      minimumNextBid: top ? String((BigInt(top.amount) * 105n) / 100n) : "100000000000000000",
      bidCount: bids.length,
      reserveMet: !!top,
      extended: 0,
      lastBidBlock: top?.blockNumber ?? null,
      lastBidTx: top?.txHash ?? null,
      minIncrementBps: 500,
      minIncrementFloor: "0",
      timeBuffer: 60,
      protocolFeeBps: 500,
      maxRoyaltyBps: 1000,
      campaignPosition: 1,
      paused: false,
    },
    bids,
    upcoming: [
      { lotId: "4", campaignId: "1", campaignName: "Genesis Evening Sale", nft: addr(0xc011), tokenId: "8", tokenUri: "", seller: addr(0x5e11), reserve: "0", startTime: now + 300, endTime: now + 600, queued: false, protocolFeeBps: 500, maxRoyaltyBps: 1000, campaignPosition: 2 },
      { lotId: "5", campaignId: "1", campaignName: "Genesis Evening Sale", nft: addr(0xc011), tokenId: "9", tokenUri: "", seller: addr(0x5e11), reserve: "0", startTime: now + 700, endTime: now + 1000, queued: false, protocolFeeBps: 500, maxRoyaltyBps: 1000, campaignPosition: 3 },
    ],
  };
}
