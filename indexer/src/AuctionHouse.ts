/**
 * AuctionHouse events -> tables. Each handler writes only what its event says (events are complete,
 * see IAuctionHouse), so the read model never calls the contract's views.
 */
import { ponder, type Context } from "ponder:registry";
import { and, eq } from "ponder";
import { bid, bidder, campaign, chatAuthorization, chatLink, collection, escrowEvent, lot, protocol, refund, settlement, token } from "ponder:schema";
import { minimumNextBid } from "@sothebais/common/live";
import { createLogger } from "@sothebais/common/log";
import { erc721Abi } from "../abis/collection.ts";

// One line per indexed bid, with its txHash: the indexer's hop of a bid's trail (docs/OPERATIONS.md).
const log = createLogger({ service: "indexer" });

/**
 * "bid indexed" lines are for following a live bid from chat to frame (the console's Logs page): a
 * backfill replays thousands of bids a second, and a line each slowed it and buried Ponder's own lines.
 */
const LIVE_LOG_WINDOW_S = 120n;
const isLive = (blockTimestamp: bigint) => BigInt(Math.floor(Date.now() / 1000)) - blockTimestamp < LIVE_LOG_WINDOW_S;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as const;
const ZERO_HASH = "0x0000000000000000000000000000000000000000000000000000000000000000" as const;
const CREDIT_REASONS = ["OutbidRefund", "PushFailed", "ProtocolFee", "DeliveryFailed"] as const;
/** A pause starting within this long of the last unpause continues that pause window (AuctionHouse.MAX_TIME_BUFFER). */
const GWEI = 10n ** 9n;
const min = (a: bigint, b: bigint) => (a < b ? a : b);
/** The contract keeps chat caps in whole gwei (uint56), rounded down: index what it enforces. */
const gweiCap = (wei: bigint) => min(wei / GWEI, 2n ** 56n - 1n) * GWEI;

type Db = Context["db"];
type Hex = `0x${string}`;
type BidderRow = typeof bidder.$inferSelect;

const emptyBidder = (id: Hex, block: bigint): BidderRow => ({
  id,
  escrowBalance: 0n,
  totalDeposited: 0n,
  totalCredited: 0n,
  totalWithdrawn: 0n,
  bidCount: 0,
  totalBid: 0n,
  lotsWon: 0,
  totalWon: 0n,
  updatedBlock: block,
});

/** Create-or-update a bidder row with a change computed from its current values: one store call. */
async function updateBidder(db: Db, id: Hex, block: bigint, change: (row: BidderRow) => Partial<BidderRow>) {
  const empty = emptyBidder(id, block);
  await db
    .insert(bidder)
    .values({ ...empty, ...change(empty) })
    .onConflictDoUpdate((row) => ({ ...change(row), updatedBlock: block }));
}

async function adjustExposure(db: Db, account: Hex, delta: bigint) {
  const auth = await db.find(chatAuthorization, { id: account });
  if (auth) await db.update(chatAuthorization, { id: account }).set({ exposure: auth.exposure + delta });
}

/** The artwork URI: from the token table for our collection, else asked of the NFT contract once. */
async function tokenUriOf(context: Context, nft: Hex, tokenId: bigint, blockNumber: bigint): Promise<string> {
  const known = await context.db.find(token, { nft, tokenId });
  if (known) return known.uri;
  try {
    return await context.client.readContract({ abi: erc721Abi, address: nft, functionName: "tokenURI", args: [tokenId], blockNumber });
  } catch {
    return "";
  }
}

ponder.on("AuctionHouse:CampaignCreated", async ({ event, context }) => {
  await context.db.insert(campaign).values({
    id: event.args.campaignId,
    creator: event.args.creator,
    name: event.args.name,
    metadataUri: event.args.metadataURI,
    lotCount: 0,
    intermission: event.args.intermission,
    lotsClosed: 0,
    releaseTime: 0,
    createdAt: Number(event.block.timestamp),
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
});

ponder.on("AuctionHouse:LotCreated", async ({ event, context }) => {
  const a = event.args;
  let campaignName = "";
  if (a.campaignId !== 0n) {
    const c = await context.db.find(campaign, { id: a.campaignId });
    if (c) {
      campaignName = c.name;
      await context.db.update(campaign, { id: a.campaignId }).set({ lotCount: c.lotCount + 1 });
    }
  }
  await context.db.insert(lot).values({
    id: a.lotId,
    campaignId: a.campaignId,
    campaignName,
    nft: a.nft,
    tokenId: a.tokenId,
    tokenUri: await tokenUriOf(context, a.nft, a.tokenId, event.block.number),
    seller: a.seller,
    reserve: a.reserve,
    startTime: a.startTime,
    endTime: a.endTime,
    initialEndTime: a.endTime,
    minIncrementBps: a.minIncrementBps,
    minIncrementFloor: a.minIncrementFloor,
    timeBuffer: a.timeBuffer,
    protocolFeeBps: a.protocolFeeBps,
    maxRoyaltyBps: a.maxRoyaltyBps,
    campaignPosition: a.campaignPosition,
    queued: a.queued,
    state: a.queued ? "queued" : "open",
    amount: 0n,
    bidder: ZERO_ADDRESS,
    viaRelayer: false,
    chatIdHash: ZERO_HASH,
    minimumNextBid: minimumNextBid({ amount: 0n, reserve: a.reserve, minIncrementBps: a.minIncrementBps, minIncrementFloor: a.minIncrementFloor }),
    bidCount: 0,
    reserveMet: false,
    extended: 0,
    winner: ZERO_ADDRESS,
    createdAt: Number(event.block.timestamp),
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
});

/**
 * A campaign lot closed: the lot at place `lotsClosed + 1` (if created and still queued) opens at
 * max(its startTime, releaseTime) and keeps its duration, as the contract's lazy time model computes it.
 */
ponder.on("AuctionHouse:CampaignAdvanced", async ({ event, context }) => {
  const { campaignId, lotsClosed, releaseTime } = event.args;
  const c = await context.db.find(campaign, { id: campaignId });
  if (c) await context.db.update(campaign, { id: campaignId }).set({ lotsClosed, releaseTime });
  const [next] = await context.db.sql
    .select()
    .from(lot)
    .where(and(eq(lot.campaignId, campaignId), eq(lot.campaignPosition, lotsClosed + 1), eq(lot.state, "queued")))
    .limit(1);
  if (!next) return; // not created yet: it will open no earlier than releaseTime (LotCreated carries that start)
  const start = Math.max(next.startTime, releaseTime);
  const end = start + (next.endTime - next.startTime);
  await context.db.update(lot, { id: next.id }).set({ state: "open", startTime: start, endTime: end, initialEndTime: end });
});

ponder.on("AuctionHouse:BidPlaced", async ({ event, context }) => {
  const a = event.args;
  const db = context.db;
  const current = await db.find(lot, { id: a.lotId });
  if (!current) throw new Error(`BidPlaced for unknown lot ${a.lotId} (tx ${event.transaction.hash})`);
  const timestamp = Number(event.block.timestamp);

  // The bid this one replaces stops counting against its chat authorization (the refund itself is
  // recorded from BidRefunded / EscrowCredited).
  if (current.amount > 0n && current.viaRelayer) await adjustExposure(db, current.bidder, -current.amount);
  if (a.viaRelayer) await adjustExposure(db, a.bidder, a.amount);
  if (current.lastBidId) await db.update(bid, { id: current.lastBidId }).set({ outbid: true });

  await db.insert(bid).values({
    id: event.id,
    lotId: a.lotId,
    bidder: a.bidder,
    amount: a.amount,
    escrowUsed: a.escrowUsed,
    endTime: a.endTime,
    // Set by the LotExtended that follows in the same transaction (a pause can move endTime without one).
    extended: false,
    viaRelayer: a.viaRelayer,
    chatIdHash: a.chatIdHash,
    outbid: false,
    timestamp,
    blockNumber: event.block.number,
    blockHash: event.block.hash,
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
  if (isLive(event.block.timestamp)) log.info("bid indexed", { lotId: a.lotId, amount: a.amount, txHash: event.transaction.hash, blockNumber: event.block.number, viaRelayer: a.viaRelayer });

  await db.update(lot, { id: a.lotId }).set({
    amount: a.amount,
    bidder: a.bidder,
    viaRelayer: a.viaRelayer,
    chatIdHash: a.chatIdHash,
    endTime: a.endTime,
    minimumNextBid: minimumNextBid({
      amount: a.amount,
      reserve: current.reserve,
      minIncrementBps: current.minIncrementBps,
      minIncrementFloor: current.minIncrementFloor,
    }),
    bidCount: current.bidCount + 1,
    reserveMet: a.amount >= current.reserve,
    lastBidBlock: event.block.number,
    lastBidTx: event.transaction.hash,
    lastBidAt: timestamp,
    lastBidId: event.id,
  });

  await updateBidder(db, a.bidder, event.block.number, (row) => ({
    bidCount: row.bidCount + 1,
    totalBid: row.totalBid + a.amount,
    escrowBalance: row.escrowBalance - a.escrowUsed,
  }));
  if (a.escrowUsed > 0n) {
    await db.insert(escrowEvent).values({
      id: event.id,
      account: a.bidder,
      kind: "bid",
      delta: -a.escrowUsed,
      lotId: a.lotId,
      timestamp,
      blockNumber: event.block.number,
      txHash: event.transaction.hash,
      logIndex: event.log.logIndex,
    });
  }
});

ponder.on("AuctionHouse:LotExtended", async ({ event, context }) => {
  const current = await context.db.find(lot, { id: event.args.lotId });
  if (!current) return;
  await context.db.update(lot, { id: event.args.lotId }).set({ endTime: event.args.endTime, extended: current.extended + 1 });
  // LotExtended follows the BidPlaced of the bid that moved the end.
  if (current.lastBidId) await context.db.update(bid, { id: current.lastBidId }).set({ extended: true });
});

ponder.on("AuctionHouse:BidRefunded", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(refund).values({
    id: event.id,
    lotId: a.lotId,
    bidder: a.bidder,
    amount: a.amount,
    toEscrow: a.toEscrow,
    timestamp: Number(event.block.timestamp),
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
});

ponder.on("AuctionHouse:LotSettled", async ({ event, context }) => {
  const a = event.args;
  const current = await context.db.find(lot, { id: a.lotId });
  const timestamp = Number(event.block.timestamp);
  await context.db.insert(settlement).values({
    id: a.lotId,
    winner: a.winner,
    amount: a.amount,
    seller: current?.seller ?? ZERO_ADDRESS,
    royaltyReceiver: a.royaltyReceiver,
    royalty: a.royalty,
    protocolFee: a.protocolFee,
    sellerProceeds: a.sellerProceeds,
    timestamp,
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
  await context.db.update(lot, { id: a.lotId }).set({ state: "settled", winner: a.winner, closedAt: timestamp, closedTx: event.transaction.hash });
  if (a.winner !== ZERO_ADDRESS) {
    await updateBidder(context.db, a.winner, event.block.number, (row) => ({ lotsWon: row.lotsWon + 1, totalWon: row.totalWon + a.amount }));
  }
});

ponder.on("AuctionHouse:LotCancelled", async ({ event, context }) => {
  await context.db
    .update(lot, { id: event.args.lotId })
    .set({ state: "cancelled", closedAt: Number(event.block.timestamp), closedTx: event.transaction.hash });
});

/**
 * Settle (or cancel) could not move the NFT: the lot closes as undeliverable. The winner's bid came back
 * to their escrow (the EscrowCredited with reason DeliveryFailed just before this event books it) and
 * leaves their chat exposure; nobody was paid and nobody won.
 */
ponder.on("AuctionHouse:LotUndeliverable", async ({ event, context }) => {
  const { lotId, winner, amount } = event.args;
  const current = await context.db.find(lot, { id: lotId });
  if (!current) throw new Error(`LotUndeliverable for unknown lot ${lotId} (tx ${event.transaction.hash})`);
  if (winner !== ZERO_ADDRESS && current.viaRelayer) await adjustExposure(context.db, winner, -amount);
  await context.db.update(lot, { id: lotId }).set({
    state: "undeliverable",
    undeliverableAmount: amount,
    closedAt: Number(event.block.timestamp),
    closedTx: event.transaction.hash,
  });
});

ponder.on("AuctionHouse:LotTokenReturned", async ({ event, context }) => {
  const current = await context.db.find(lot, { id: event.args.lotId });
  if (!current) return;
  await context.db.update(lot, { id: event.args.lotId }).set({ tokenReturnedAt: Number(event.block.timestamp), tokenReturnedTx: event.transaction.hash });
});

ponder.on("AuctionHouse:CollectionAllowed", async ({ event, context }) => {
  const values = { allowed: event.args.allowed, updatedAt: Number(event.block.timestamp), blockNumber: event.block.number, txHash: event.transaction.hash };
  await context.db.insert(collection).values({ id: event.args.nft, ...values }).onConflictDoUpdate(values);
});

ponder.on("AuctionHouse:EscrowDeposited", async ({ event, context }) => {
  const { account, amount } = event.args;
  await updateBidder(context.db, account, event.block.number, (row) => ({
    escrowBalance: row.escrowBalance + amount,
    totalDeposited: row.totalDeposited + amount,
  }));
  await context.db.insert(escrowEvent).values({
    id: event.id,
    account,
    kind: "deposit",
    delta: amount,
    timestamp: Number(event.block.timestamp),
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
});

ponder.on("AuctionHouse:EscrowCredited", async ({ event, context }) => {
  const { account, amount, reason } = event.args;
  await updateBidder(context.db, account, event.block.number, (row) => ({
    escrowBalance: row.escrowBalance + amount,
    totalCredited: row.totalCredited + amount,
  }));
  await context.db.insert(escrowEvent).values({
    id: event.id,
    account,
    kind: "credit",
    delta: amount,
    reason: CREDIT_REASONS[reason] ?? String(reason),
    timestamp: Number(event.block.timestamp),
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
});

ponder.on("AuctionHouse:Withdrawn", async ({ event, context }) => {
  const { account, amount } = event.args;
  await updateBidder(context.db, account, event.block.number, (row) => ({
    escrowBalance: row.escrowBalance - amount,
    totalWithdrawn: row.totalWithdrawn + amount,
  }));
  await context.db.insert(escrowEvent).values({
    id: event.id,
    account,
    kind: "withdraw",
    delta: -amount,
    timestamp: Number(event.block.timestamp),
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
});

ponder.on("AuctionHouse:ChatAuthorizationRegistered", async ({ event, context }) => {
  const a = event.args;
  const timestamp = Number(event.block.timestamp);
  // A replaced authorization's standing chat bids stay counted (IAuctionHouse.registerChatAuthorization).
  const previous = await context.db.find(chatAuthorization, { id: a.bidder });
  const values = {
    relayer: a.relayer,
    chatIdHash: a.chatIdHash,
    maxBid: gweiCap(a.maxBid),
    totalCap: gweiCap(a.totalCap),
    expiry: min(a.expiry, 2n ** 40n - 1n),
    signedMaxBid: a.maxBid,
    signedTotalCap: a.totalCap,
    nonce: a.nonce,
    exposure: previous?.exposure ?? 0n,
    revoked: false,
    registeredAt: timestamp,
    revokedAt: null,
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  };
  await context.db.insert(chatAuthorization).values({ id: a.bidder, ...values }).onConflictDoUpdate(values);
  const link = { bidder: a.bidder, relayer: a.relayer, linkedAt: timestamp, blockNumber: event.block.number, txHash: event.transaction.hash };
  await context.db.insert(chatLink).values({ id: a.chatIdHash, ...link }).onConflictDoUpdate(link);
});

ponder.on("AuctionHouse:ChatAuthorizationRevoked", async ({ event, context }) => {
  const existing = await context.db.find(chatAuthorization, { id: event.args.bidder });
  if (!existing) return;
  // Revoking consumes a nonce too and zeroes the expiry; the contract's view then reports both.
  await context.db
    .update(chatAuthorization, { id: event.args.bidder })
    .set({ revoked: true, revokedAt: Number(event.block.timestamp), nonce: event.args.nonce, expiry: 0n });
});

type ProtocolRow = typeof protocol.$inferSelect;
type ProtocolChange = Partial<Pick<ProtocolRow, "feeBps" | "maxRoyaltyBps" | "treasury" | "paused" | "pausedAt" | "unpausedAt" | "prevPausedAt" | "prevUnpausedAt">>;

async function updateProtocol(context: Context, blockNumber: bigint, txHash: Hex, change: ProtocolChange | ((row: ProtocolRow | undefined) => ProtocolChange)) {
  const row = await context.db.find(protocol, { id: 1 });
  if (typeof change === "function") change = change(row ?? undefined);
  const next = {
    feeBps: change.feeBps ?? row?.feeBps ?? 0,
    maxRoyaltyBps: change.maxRoyaltyBps ?? row?.maxRoyaltyBps ?? 0,
    treasury: change.treasury ?? row?.treasury ?? ZERO_ADDRESS,
    paused: change.paused ?? row?.paused ?? false,
    pausedAt: change.pausedAt ?? row?.pausedAt ?? 0,
    unpausedAt: change.unpausedAt ?? row?.unpausedAt ?? 0,
    prevPausedAt: change.prevPausedAt ?? row?.prevPausedAt ?? 0,
    prevUnpausedAt: change.prevUnpausedAt ?? row?.prevUnpausedAt ?? 0,
    updatedBlock: blockNumber,
    txHash,
  };
  await context.db.insert(protocol).values({ id: 1, ...next }).onConflictDoUpdate(next);
}

ponder.on("AuctionHouse:ProtocolFeeUpdated", async ({ event, context }) => {
  await updateProtocol(context, event.block.number, event.transaction.hash, { feeBps: event.args.newFeeBps });
});

ponder.on("AuctionHouse:MaxRoyaltyUpdated", async ({ event, context }) => {
  await updateProtocol(context, event.block.number, event.transaction.hash, { maxRoyaltyBps: event.args.newMaxRoyaltyBps });
});

ponder.on("AuctionHouse:TreasuryUpdated", async ({ event, context }) => {
  await updateProtocol(context, event.block.number, event.transaction.hash, { treasury: event.args.newTreasury });
});

// The pause window as the contract keeps it (AuctionHouse.pause/unpause): lots are not rewritten, the API
// applies the window to their end (lotEffectiveEnd in @sothebais/common/live), as the contract's views do.
ponder.on("AuctionHouse:Paused", async ({ event, context }) => {
  const now = Number(event.block.timestamp);
  // The window that ends here becomes the previous one, as AuctionHouse.pause keeps the last two.
  await updateProtocol(context, event.block.number, event.transaction.hash, (row) => ({
    paused: true,
    pausedAt: now,
    unpausedAt: 0,
    ...(row && row.pausedAt !== 0 ? { prevPausedAt: row.pausedAt, prevUnpausedAt: row.unpausedAt } : {}),
  }));
});

ponder.on("AuctionHouse:Unpaused", async ({ event, context }) => {
  await updateProtocol(context, event.block.number, event.transaction.hash, { paused: false, unpausedAt: Number(event.block.timestamp) });
});
