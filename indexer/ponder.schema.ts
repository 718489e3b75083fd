/**
 * The read model: one table per thing the product asks about, denormalized so that the live lot and its
 * last bids come from one query. Every row that an event creates carries its block, tx hash and log
 * index (DESIGN.md: every number can be traced to an event). Amounts are wei (numeric), times unix s.
 */
import { index, onchainTable, primaryKey, relations } from "ponder";

/** A named series of lots. */
export const campaign = onchainTable("campaign", (t) => ({
  id: t.bigint().primaryKey(),
  creator: t.hex().notNull(),
  name: t.text().notNull(),
  metadataUri: t.text().notNull(),
  lotCount: t.integer().notNull(),
  /** Seconds between one lot's close and the next lot's opening (the default applied when 0 was asked). */
  intermission: t.integer().notNull(),
  /** Lots of the running order that closed (settled, cancelled on their turn, undeliverable): CampaignAdvanced. */
  lotsClosed: t.integer().notNull(),
  /** When the lot after the last closed one may open (0 before the first close). */
  releaseTime: t.integer().notNull(),
  createdAt: t.integer().notNull(),
  blockNumber: t.bigint().notNull(),
  txHash: t.hex().notNull(),
  logIndex: t.integer().notNull(),
}));

/**
 * A lot. `state` is what events decided (queued / open / settled / cancelled / undeliverable); scheduled,
 * live and ended follow from `startTime`/`endTime` against a block time (and the pause window in
 * `protocol`), so the API derives them (see src/api/live.ts).
 * A `queued` campaign lot waits for the lot ahead of it: its times are only the earliest opening until
 * CampaignAdvanced reaches its position, which makes it `open` with its effective times.
 */
export const lot = onchainTable(
  "lot",
  (t) => ({
    id: t.bigint().primaryKey(),
    campaignId: t.bigint().notNull(),
    campaignName: t.text().notNull(),
    nft: t.hex().notNull(),
    tokenId: t.bigint().notNull(),
    tokenUri: t.text().notNull(),
    seller: t.hex().notNull(),
    reserve: t.bigint().notNull(),
    /** Effective start (for a queued lot: the earliest it can open). */
    startTime: t.integer().notNull(),
    /** Includes extensions and the campaign's sequencing; a pause may push it later (see protocol.pausedAt). */
    endTime: t.integer().notNull(),
    /** The end before any bid (after the campaign's sequencing). */
    initialEndTime: t.integer().notNull(),
    minIncrementBps: t.integer().notNull(),
    minIncrementFloor: t.bigint().notNull(),
    timeBuffer: t.integer().notNull(),
    /** The protocol fee this lot settles with, fixed at creation. */
    protocolFeeBps: t.integer().notNull(),
    /** The most ERC-2981 royalty this lot pays, fixed at creation. */
    maxRoyaltyBps: t.integer().notNull(),
    /** 1-based place in its campaign's running order (0 = no campaign). */
    campaignPosition: t.integer().notNull(),
    /** Created behind an open lot of its campaign (stays true after it opened; `state` tells the present). */
    queued: t.boolean().notNull(),
    state: t.text({ enum: ["queued", "open", "settled", "cancelled", "undeliverable"] }).notNull(),
    /** Highest bid so far (0 before the first). */
    amount: t.bigint().notNull(),
    bidder: t.hex().notNull(),
    viaRelayer: t.boolean().notNull(),
    chatIdHash: t.hex().notNull(),
    /** Smallest next bid the contract accepts, kept current on every bid. */
    minimumNextBid: t.bigint().notNull(),
    bidCount: t.integer().notNull(),
    reserveMet: t.boolean().notNull(),
    /** Times a late bid moved the end. */
    extended: t.integer().notNull(),
    lastBidBlock: t.bigint(),
    lastBidTx: t.hex(),
    lastBidAt: t.integer(),
    /** Id of the standing bid row (it gets `outbid` when the next bid lands). */
    lastBidId: t.text(),
    /** Zero address until settled with a winner. */
    winner: t.hex().notNull(),
    closedAt: t.integer(),
    closedTx: t.hex(),
    /** Undeliverable: the bid credited back to the would-be winner's escrow (0 when nobody had bid). */
    undeliverableAmount: t.bigint(),
    /** Undeliverable: when returnUndeliverable sent the token back to the seller (LotTokenReturned). */
    tokenReturnedAt: t.integer(),
    tokenReturnedTx: t.hex(),
    createdAt: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    stateEndIdx: index().on(table.state, table.endTime),
    stateStartIdx: index().on(table.state, table.startTime),
    campaignIdx: index().on(table.campaignId, table.campaignPosition),
  }),
);

/** Every bid that became the highest bid. */
export const bid = onchainTable(
  "bid",
  (t) => ({
    /** Ponder's event id: unique per log. */
    id: t.text().primaryKey(),
    lotId: t.bigint().notNull(),
    bidder: t.hex().notNull(),
    amount: t.bigint().notNull(),
    escrowUsed: t.bigint().notNull(),
    /** The lot's end after this bid. */
    endTime: t.integer().notNull(),
    extended: t.boolean().notNull(),
    viaRelayer: t.boolean().notNull(),
    chatIdHash: t.hex().notNull(),
    /** Set once a higher bid refunded it. */
    outbid: t.boolean().notNull(),
    timestamp: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    blockHash: t.hex().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    lotIdx: index().on(table.lotId, table.blockNumber, table.logIndex),
    bidderIdx: index().on(table.bidder),
  }),
);

/** An outbid bid's money going back: pushed to the wallet or credited to escrow. */
export const refund = onchainTable(
  "refund",
  (t) => ({
    id: t.text().primaryKey(),
    lotId: t.bigint().notNull(),
    bidder: t.hex().notNull(),
    amount: t.bigint().notNull(),
    toEscrow: t.boolean().notNull(),
    timestamp: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ lotIdx: index().on(table.lotId) }),
);

/** An address that bid, deposited or was credited; escrow rebuilt from events (IAuctionHouse header). */
export const bidder = onchainTable("bidder", (t) => ({
  id: t.hex().primaryKey(),
  escrowBalance: t.bigint().notNull(),
  totalDeposited: t.bigint().notNull(),
  totalCredited: t.bigint().notNull(),
  totalWithdrawn: t.bigint().notNull(),
  bidCount: t.integer().notNull(),
  /** Sum of the amounts of every highest bid placed. */
  totalBid: t.bigint().notNull(),
  lotsWon: t.integer().notNull(),
  totalWon: t.bigint().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

/** Every change to an escrow balance, for traceability. */
export const escrowEvent = onchainTable(
  "escrow_event",
  (t) => ({
    id: t.text().primaryKey(),
    account: t.hex().notNull(),
    kind: t.text({ enum: ["deposit", "credit", "withdraw", "bid"] }).notNull(),
    /** Signed change in wei. */
    delta: t.bigint().notNull(),
    /** For credits: OutbidRefund, PushFailed, ProtocolFee or DeliveryFailed. */
    reason: t.text(),
    lotId: t.bigint(),
    timestamp: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ accountIdx: index().on(table.account) }),
);

/** A bidder's current chat authorization (one per bidder; a new registration replaces it). */
export const chatAuthorization = onchainTable(
  "chat_authorization",
  (t) => ({
    id: t.hex().primaryKey(),
    relayer: t.hex().notNull(),
    chatIdHash: t.hex().notNull(),
    /** Caps as the contract enforces them: whole gwei, rounded down (the signed values are kept below). */
    maxBid: t.bigint().notNull(),
    totalCap: t.bigint().notNull(),
    /** 0 once revoked, as the contract reports it (see `revokedAt`). */
    expiry: t.bigint().notNull(),
    signedMaxBid: t.bigint().notNull(),
    signedTotalCap: t.bigint().notNull(),
    nonce: t.bigint().notNull(),
    /** Standing highest bids plus lots won through this authorization (the contract's `exposure`). */
    exposure: t.bigint().notNull(),
    revoked: t.boolean().notNull(),
    registeredAt: t.integer().notNull(),
    revokedAt: t.integer(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ chatIdx: index().on(table.chatIdHash) }),
);

/** A chat identity's link to a wallet, as registered by a relayer (latest registration wins). */
export const chatLink = onchainTable("chat_link", (t) => ({
  id: t.hex().primaryKey(),
  bidder: t.hex().notNull(),
  relayer: t.hex().notNull(),
  linkedAt: t.integer().notNull(),
  blockNumber: t.bigint().notNull(),
  txHash: t.hex().notNull(),
}));

/** How a lot closed: winner, price and where the money went. */
export const settlement = onchainTable(
  "settlement",
  (t) => ({
    id: t.bigint().primaryKey(),
    winner: t.hex().notNull(),
    amount: t.bigint().notNull(),
    seller: t.hex().notNull(),
    royaltyReceiver: t.hex().notNull(),
    royalty: t.bigint().notNull(),
    protocolFee: t.bigint().notNull(),
    sellerProceeds: t.bigint().notNull(),
    timestamp: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ blockIdx: index().on(table.blockNumber) }),
);

/** A token of an indexed collection. */
export const token = onchainTable(
  "token",
  (t) => ({
    nft: t.hex().notNull(),
    tokenId: t.bigint().notNull(),
    owner: t.hex().notNull(),
    uri: t.text().notNull(),
    mintedAt: t.integer().notNull(),
    mintTx: t.hex().notNull(),
    updatedBlock: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.nft, table.tokenId] }), ownerIdx: index().on(table.owner) }),
);

/** Contract-wide settings (a single row, id 1). */
export const protocol = onchainTable("protocol", (t) => ({
  id: t.integer().primaryKey(),
  /** Fee of new lots (each lot keeps the one it was created with: lot.protocolFeeBps). */
  feeBps: t.integer().notNull(),
  /** Royalty cap of new lots (lot.maxRoyaltyBps). */
  maxRoyaltyBps: t.integer().notNull(),
  treasury: t.hex().notNull(),
  /** New lots and bids stopped, and the clock of every lot that had not ended (never withdrawals or settlement). */
  paused: t.boolean().notNull(),
  /**
   * The contract's last two pause windows: start of the current or last pause (0 = never paused) and its end
   * (0 while paused), and the window before it (0 = none). A lot open during a pause does not end while paused
   * and ends no earlier than that window's `unpausedAt` + its time buffer (lotEffectiveEnd in common/live).
   */
  pausedAt: t.integer().notNull(),
  unpausedAt: t.integer().notNull(),
  prevPausedAt: t.integer().notNull(),
  prevUnpausedAt: t.integer().notNull(),
  updatedBlock: t.bigint().notNull(),
  txHash: t.hex().notNull(),
}));

/** A collection's permission for new lots (CollectionAllowed; existing lots are not affected). */
export const collection = onchainTable("collection", (t) => ({
  id: t.hex().primaryKey(),
  allowed: t.boolean().notNull(),
  updatedAt: t.integer().notNull(),
  blockNumber: t.bigint().notNull(),
  txHash: t.hex().notNull(),
}));

export const lotRelations = relations(lot, ({ many, one }) => ({
  bids: many(bid),
  refunds: many(refund),
  campaign: one(campaign, { fields: [lot.campaignId], references: [campaign.id] }),
  settlement: one(settlement, { fields: [lot.id], references: [settlement.id] }),
}));

export const bidRelations = relations(bid, ({ one }) => ({
  lot: one(lot, { fields: [bid.lotId], references: [lot.id] }),
  account: one(bidder, { fields: [bid.bidder], references: [bidder.id] }),
}));

export const refundRelations = relations(refund, ({ one }) => ({
  lot: one(lot, { fields: [refund.lotId], references: [lot.id] }),
}));

export const campaignRelations = relations(campaign, ({ many }) => ({
  lots: many(lot),
}));

export const bidderRelations = relations(bidder, ({ many, one }) => ({
  bids: many(bid),
  escrowEvents: many(escrowEvent),
  authorization: one(chatAuthorization, { fields: [bidder.id], references: [chatAuthorization.id] }),
}));

export const escrowEventRelations = relations(escrowEvent, ({ one }) => ({
  bidder: one(bidder, { fields: [escrowEvent.account], references: [bidder.id] }),
}));

export const settlementRelations = relations(settlement, ({ one }) => ({
  lot: one(lot, { fields: [settlement.id], references: [lot.id] }),
}));
