/**
 * The `/live` snapshot (types in @sothebais/common/live): the lot live at the latest indexed block,
 * its last bids, what comes next and what just sold. A snapshot is a pure function of the database at
 * one checkpoint, so it is built once per checkpoint and served from memory until the next one.
 */
import { and, asc, desc, eq, gt, lte, or, sql } from "ponder";
import type { ReadonlyDrizzle } from "ponder";
import { bid, lot, protocol, settlement } from "ponder:schema";
import type schema from "ponder:schema";
import { decodeCheckpointBlock } from "./checkpoint.ts";
import { type LiveBid, type LiveLot, type LiveSnapshot, type LotListing, lotEffectiveEnd, lotStatus, type PauseWindow, type UpcomingLot } from "@sothebais/common/live";

type Db = ReadonlyDrizzle<typeof schema>;
type LotRow = typeof lot.$inferSelect;
type BidRow = typeof bid.$inferSelect;

/** The contract's pause state (protocol row); never paused before the first Paused event. */
export type PauseState = PauseWindow & { paused: boolean };
const NEVER_PAUSED: PauseState = { paused: false, pausedAt: 0, unpausedAt: 0, prevPausedAt: 0, prevUnpausedAt: 0 };
/** How long after an unpause a lot's grace can last (AuctionHouse.MAX_TIME_BUFFER, the largest time buffer). */
const PAUSE_REACH_S = 3600;

export async function readPause(db: Db): Promise<PauseState> {
  const [row] = await db.select().from(protocol).where(eq(protocol.id, 1)).limit(1);
  return row
    ? { paused: row.paused, pausedAt: row.pausedAt, unpausedAt: row.unpausedAt, prevPausedAt: row.prevPausedAt, prevUnpausedAt: row.prevUnpausedAt }
    : NEVER_PAUSED;
}

/** The clock of an open lot is stopped: paused, and its end was still ahead when the pause began. */
const pauseCaught = (row: LotRow, pause: PauseState) => pause.paused && row.state === "open" && row.endTime > pause.pausedAt;

/**
 * The end shown for a lot: the contract's effective end (extensions, campaign sequencing, pause); while
 * a pause holds its clock, the earliest it can end (now + timeBuffer, as if unpaused now).
 */
export function shownEndTime(row: LotRow, now: number, pause: PauseState): number {
  if (row.state !== "open") return row.endTime;
  const end = lotEffectiveEnd(row, now, pause);
  return Number.isFinite(end) ? end : Math.max(row.endTime, now + row.timeBuffer);
}

export type Head = {
  /** Ponder's latest checkpoint string: changes whenever indexed state may have changed. */
  checkpoint: string;
  blockNumber: number;
  blockTimestamp: number;
  finalizedBlockNumber: number;
};

/** The latest indexed block and the finalized one, from Ponder's own checkpoint table. */
export async function readHead(db: Db, schemaName: string): Promise<Head | undefined> {
  const result = await db.execute(
    sql.raw(`SELECT latest_checkpoint, finalized_checkpoint FROM "${schemaName.replaceAll('"', "")}"."_ponder_checkpoint" LIMIT 1`),
  );
  const row = (result as unknown as { rows: { latest_checkpoint: string; finalized_checkpoint: string }[] }).rows[0];
  if (!row) return undefined;
  const latest = decodeCheckpointBlock(row.latest_checkpoint);
  return {
    checkpoint: row.latest_checkpoint,
    blockNumber: latest.blockNumber,
    blockTimestamp: latest.blockTimestamp,
    finalizedBlockNumber: decodeCheckpointBlock(row.finalized_checkpoint).blockNumber,
  };
}

/** The row's listing (token, seller, terms), as both the live and the upcoming lots carry it. */
function toListing(row: LotRow): LotListing {
  return {
    lotId: row.id.toString(),
    campaignId: row.campaignId.toString(),
    campaignName: row.campaignName,
    nft: row.nft,
    tokenId: row.tokenId.toString(),
    tokenUri: row.tokenUri,
    seller: row.seller,
    reserve: row.reserve.toString(),
    startTime: row.startTime,
    endTime: row.endTime,
    protocolFeeBps: row.protocolFeeBps,
    maxRoyaltyBps: row.maxRoyaltyBps,
    campaignPosition: row.campaignPosition,
  };
}

export function toLiveLot(row: LotRow, now: number, pause: PauseState = NEVER_PAUSED): LiveLot {
  return {
    ...toListing(row),
    endTime: shownEndTime(row, now, pause),
    status: lotStatus(row, now, pause),
    paused: pauseCaught(row, pause),
    amount: row.amount.toString(),
    bidder: row.bidder,
    viaRelayer: row.viaRelayer,
    chatIdHash: row.chatIdHash,
    minimumNextBid: row.minimumNextBid.toString(),
    bidCount: row.bidCount,
    reserveMet: row.reserveMet,
    extended: row.extended,
    lastBidBlock: row.lastBidBlock === null ? null : Number(row.lastBidBlock),
    lastBidTx: row.lastBidTx,
    minIncrementBps: row.minIncrementBps,
    minIncrementFloor: row.minIncrementFloor.toString(),
    timeBuffer: row.timeBuffer,
  };
}

export function toLiveBid(row: BidRow, finalizedBlockNumber: number): LiveBid {
  return {
    id: row.id,
    lotId: row.lotId.toString(),
    bidder: row.bidder,
    amount: row.amount.toString(),
    viaRelayer: row.viaRelayer,
    chatIdHash: row.chatIdHash,
    blockNumber: Number(row.blockNumber),
    blockHash: row.blockHash,
    txHash: row.txHash,
    logIndex: row.logIndex,
    timestamp: row.timestamp,
    final: Number(row.blockNumber) <= finalizedBlockNumber,
  };
}

function toUpcoming(row: LotRow): UpcomingLot {
  return { ...toListing(row), queued: row.state === "queued" };
}

/**
 * The live lot at block time `now`: the open lot with start <= now < effective end (the one ending first
 * if lots overlap); else the open lot that ended most recently (waiting for settlement). Queued campaign
 * lots are never live (state `queued` until CampaignAdvanced opens them). The effective end applies the
 * pause window: a lot whose end fell after the pause began is still live while paused and until its time
 * buffer after the unpause.
 */
export async function findLiveLot(db: Db, now: number, pause: PauseState = NEVER_PAUSED): Promise<LotRow | undefined> {
  // Lots the pause window can still hold open: their stored end is after the pause began.
  const pauseReaches = pause.pausedAt !== 0 && (pause.unpausedAt === 0 || now < pause.unpausedAt + PAUSE_REACH_S);
  // The earliest window start: a lot in its grace from the previous pause may still be open.
  const earliestPause = pause.prevPausedAt ? pause.prevPausedAt : pause.pausedAt;
  const stillOpen = pauseReaches ? or(gt(lot.endTime, now), gt(lot.endTime, earliestPause)) : gt(lot.endTime, now);
  const candidates = await db
    .select()
    .from(lot)
    .where(and(eq(lot.state, "open"), lte(lot.startTime, now), stillOpen))
    .orderBy(asc(lot.endTime), asc(lot.id))
    .limit(pauseReaches ? 200 : 1);
  const live = candidates
    .map((row) => ({ row, end: lotEffectiveEnd(row, now, pause) }))
    .filter((c) => c.end > now)
    .sort((a, b) => a.end - b.end || Number(a.row.id - b.row.id))[0];
  if (live) return live.row;
  const ended = await db
    .select()
    .from(lot)
    .where(and(eq(lot.state, "open"), lte(lot.endTime, now)))
    .orderBy(desc(lot.endTime), desc(lot.id))
    .limit(pauseReaches ? 200 : 1);
  return ended.find((row) => lotEffectiveEnd(row, now, pause) <= now);
}

export async function lastBids(db: Db, lotId: bigint, limit: number): Promise<BidRow[]> {
  return db.select().from(bid).where(eq(bid.lotId, lotId)).orderBy(desc(bid.blockNumber), desc(bid.logIndex)).limit(limit);
}

export type SnapshotOptions = { chainId: number; bids: number; upcoming: number };

export async function buildSnapshot(db: Db, head: Head, options: SnapshotOptions): Promise<LiveSnapshot> {
  const now = head.blockTimestamp;
  const pause = await readPause(db);
  const [current, scheduled, queued, [settled]] = await Promise.all([
    findLiveLot(db, now, pause),
    db
      .select()
      .from(lot)
      .where(and(eq(lot.state, "open"), gt(lot.startTime, now)))
      .orderBy(asc(lot.startTime), asc(lot.id))
      .limit(options.upcoming),
    db
      .select()
      .from(lot)
      .where(eq(lot.state, "queued"))
      .orderBy(asc(lot.campaignId), asc(lot.campaignPosition), asc(lot.id))
      .limit(options.upcoming),
    db
      .select({ s: settlement, l: lot })
      .from(settlement)
      .innerJoin(lot, eq(lot.id, settlement.id))
      .orderBy(desc(settlement.blockNumber), desc(settlement.logIndex))
      .limit(1),
  ]);
  const bids = current ? await lastBids(db, current.id, options.bids) : [];
  return {
    chainId: options.chainId,
    blockNumber: head.blockNumber,
    blockTimestamp: head.blockTimestamp,
    finalizedBlockNumber: head.finalizedBlockNumber,
    indexedAt: Date.now(),
    paused: pause.paused,
    lot: current ? toLiveLot(current, now, pause) : null,
    bids: bids.map((b) => toLiveBid(b, head.finalizedBlockNumber)),
    upcoming: [...scheduled, ...queued].slice(0, options.upcoming).map(toUpcoming),
    ...(settled
      ? {
          lastSettled: {
            lotId: settled.l.id.toString(),
            campaignId: settled.l.campaignId.toString(),
            nft: settled.l.nft,
            tokenId: settled.l.tokenId.toString(),
            tokenUri: settled.l.tokenUri,
            winner: settled.s.winner,
            amount: settled.s.amount.toString(),
            royalty: settled.s.royalty.toString(),
            protocolFee: settled.s.protocolFee.toString(),
            sellerProceeds: settled.s.sellerProceeds.toString(),
            settledAt: settled.s.timestamp,
            blockNumber: Number(settled.s.blockNumber),
            txHash: settled.s.txHash,
          },
        }
      : {}),
  };
}

/**
 * Serves snapshots from memory: the head is read at most every `headTtlMs` (shared by concurrent
 * requests), and the snapshot is rebuilt only when the checkpoint moved.
 */
export function createSnapshotCache(db: Db, schemaName: string, options: SnapshotOptions & { headTtlMs: number }) {
  let head: { at: number; value: Promise<Head | undefined> } | undefined;
  let snapshot: { checkpoint: string; json: Promise<string> } | undefined;
  const stats = { builds: 0, hits: 0 };

  const currentHead = () => {
    const now = Date.now();
    if (!head || now - head.at >= options.headTtlMs) {
      const value = readHead(db, schemaName);
      head = { at: now, value };
      value.catch(() => {
        head = undefined;
      });
    }
    return head.value;
  };

  return {
    stats,
    /** The latest indexed checkpoint, read at most once per `headTtlMs`. */
    checkpoint: async () => (await currentHead())?.checkpoint,
    /** The snapshot as JSON text, or undefined before the first checkpoint. */
    json: async (): Promise<string | undefined> => (await current())?.json,
    /** The snapshot with the checkpoint it was built for (the same text for the same checkpoint), or undefined before the first. */
    current,
  };

  async function current(): Promise<{ json: string; checkpoint: string } | undefined> {
    const h = await currentHead();
    if (!h) return undefined;
    if (snapshot?.checkpoint === h.checkpoint) {
      stats.hits++;
      return { json: await snapshot.json, checkpoint: h.checkpoint };
    }
    stats.builds++;
    const json = buildSnapshot(db, h, options).then((s) => JSON.stringify(s));
    snapshot = { checkpoint: h.checkpoint, json };
    json.catch(() => {
      if (snapshot?.json === json) snapshot = undefined;
    });
    return { json: await json, checkpoint: h.checkpoint };
  }
}
