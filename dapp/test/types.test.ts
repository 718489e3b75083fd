import { describe, expect, it } from "vitest";
import type { LiveLot, LotListing } from "@sothebais/common/live";
import { lotFromLive, lotFromUpcoming, zeroAddress } from "../src/lib/types.ts";

const listing: LotListing = {
  lotId: "3",
  campaignId: "1",
  campaignName: "Genesis",
  nft: "0xC011EC7100000000000000000000000000000000",
  tokenId: "340282366920938463463374607431768211457",
  tokenUri: "ipfs://art",
  seller: "0x5e11e50000000000000000000000000000000003",
  reserve: "100000000000000000",
  startTime: 1_000,
  endTime: 1_060,
  protocolFeeBps: 500,
  maxRoyaltyBps: 1000,
  campaignPosition: 2,
};
const listed = {
  lotId: 3n,
  campaignId: 1n,
  campaignName: "Genesis",
  nft: listing.nft,
  tokenId: 340282366920938463463374607431768211457n,
  tokenUri: "ipfs://art",
  seller: listing.seller,
  reserve: 100_000_000_000_000_000n,
  startTime: 1_000,
  endTime: 1_060,
  protocolFeeBps: 500,
  maxRoyaltyBps: 1000,
  campaignPosition: 2,
};

describe("lotFromLive()", () => {
  it("converts the listing and the bidding state, amounts as bigint", () => {
    const live: LiveLot = {
      ...listing,
      status: "live",
      paused: false,
      amount: "600000000000000000",
      bidder: "0xB0B0000000000000000000000000000000000002",
      viaRelayer: true,
      chatIdHash: `0x${"b".repeat(64)}`,
      minimumNextBid: "660000000000000000",
      bidCount: 2,
      reserveMet: true,
      extended: 1,
      lastBidBlock: 12,
      lastBidTx: `0x${"1".repeat(64)}`,
      minIncrementBps: 1000,
      minIncrementFloor: "10000000000000000",
      timeBuffer: 30,
    };
    expect(lotFromLive(live)).toEqual({
      ...listed,
      status: "live",
      amount: 600_000_000_000_000_000n,
      bidder: live.bidder,
      viaRelayer: true,
      bidCount: 2,
      minIncrementBps: 1000,
      minIncrementFloor: 10_000_000_000_000_000n,
      timeBuffer: 30,
      extended: 1,
    });
  });
});

describe("lotFromUpcoming()", () => {
  it("converts the listing; no bid yet, scheduled or queued", () => {
    const empty = { amount: 0n, bidder: zeroAddress, viaRelayer: false, bidCount: 0, minIncrementBps: 0, minIncrementFloor: 0n, timeBuffer: 0, extended: 0 };
    expect(lotFromUpcoming({ ...listing, queued: false })).toEqual({ ...listed, ...empty, status: "scheduled" });
    expect(lotFromUpcoming({ ...listing, queued: true })).toEqual({ ...listed, ...empty, status: "queued" });
  });
});
