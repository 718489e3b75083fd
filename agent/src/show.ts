/**
 * @module show
 * What happened between two snapshots of the auction, as moments of the show: a lot opened, a bid
 * (first, outbid or late with an extension), a lot closed, a new bidder. Pure: the host turns the
 * moments into lines and keeps the timers (countdown, hammer).
 */
import type { LiveSnapshot } from "@sothebais/common/live";
import { type Bidder, bidderOf, type Facts, type LotFacts, type NameBook } from "./facts.ts";
import { ZERO_ADDRESS } from "./format.ts";

export type ShowEvent =
  | { type: "open"; lot: LotFacts }
  | { type: "bid"; lot: LotFacts; bidder: Bidder; amount: bigint; previous: Bidder | null; extended: boolean; bidId: string; blockNumber: number; txHash?: string }
  | { type: "new_bidder"; bidder: Bidder }
  | { type: "closed"; lotId: string; lot: LotFacts; winner: Bidder | null; amount: bigint; cancelled: boolean };

export type ShowMemory = {
  lotId: string | null;
  lot: LotFacts | null;
  extended: number;
  seenBids: Set<string>;
  closed: Set<string>;
  opened: Set<string>;
  started: boolean;
  /** End time an extension was last called for (one call per extension). */
  calledExtensionEnd: number;
};

export function emptyMemory(): ShowMemory {
  return { lotId: null, lot: null, extended: 0, seenBids: new Set(), closed: new Set(), opened: new Set(), started: false, calledExtensionEnd: 0 };
}

const sameBidder = (a: Bidder | null, b: Bidder | null) => !!a && !!b && a.address.toLowerCase() === b.address.toLowerCase() && a.chatIdHash === b.chatIdHash;

/** The moments between the remembered state and `snap`; mutates `mem` to the new state. */
export function diffSnapshot(mem: ShowMemory, snap: LiveSnapshot, facts: Facts, names: NameBook): ShowEvent[] {
  const events: ShowEvent[] = [];
  const lot = facts.lot;
  const first = !mem.started;
  mem.started = true;

  // The remembered lot left the block (settled, cancelled, or replaced): close it once.
  if (mem.lotId && mem.lot && (!lot || lot.lotId !== mem.lotId) && !mem.closed.has(mem.lotId)) {
    const settled = snap.lastSettled?.lotId === mem.lotId ? snap.lastSettled : undefined;
    const winner = settled ? (settled.winner === ZERO_ADDRESS ? null : (mem.lot.leader ?? bidderOf({ bidder: settled.winner, viaRelayer: false, chatIdHash: `0x${"0".repeat(64)}` }, names))) : mem.lot.leader;
    const amount = settled ? BigInt(settled.amount) : mem.lot.amount;
    events.push({ type: "closed", lotId: mem.lotId, lot: mem.lot, winner: amount > 0n ? winner : null, amount, cancelled: !settled && mem.lot.bidCount === 0 });
    mem.closed.add(mem.lotId);
  }

  if (!lot) {
    mem.lotId = null;
    mem.lot = null;
    return events;
  }

  const isNewLot = lot.lotId !== mem.lotId;
  if (isNewLot) {
    mem.lotId = lot.lotId;
    mem.extended = lot.extended;
    mem.seenBids = new Set();
    if (first) for (const b of snap.bids) mem.seenBids.add(b.id); // joined mid-lot: old bids are not news
    if (lot.status === "live" && !mem.opened.has(lot.lotId) && (!first || lot.bidCount === 0)) {
      events.push({ type: "open", lot });
    }
    mem.opened.add(lot.lotId);
  }

  // A late bid moves the end: seen in the bid's own end time or in the extension count, whichever
  // the indexer has applied when we look (the two events of one transaction may land in two reads).
  const endMoved = !isNewLot && mem.lot !== null && mem.lot.lotId === lot.lotId && lot.endTime > mem.lot.endTime;
  const extendedNow = !isNewLot && (lot.extended > mem.extended || endMoved) && lot.endTime !== mem.calledExtensionEnd;
  const fresh = snap.bids.filter((b) => b.lotId === lot.lotId && !mem.seenBids.has(b.id));
  for (const b of fresh) mem.seenBids.add(b.id);
  // Only the standing highest bid is news; the bids it beat in the same poll are history.
  const newest = fresh[0];
  if (extendedNow && lot.leader) mem.calledExtensionEnd = lot.endTime;
  if (newest && lot.leader && BigInt(newest.amount) === lot.amount && !mem.closed.has(lot.lotId)) {
    const bidder = bidderOf(newest, names);
    const previous = isNewLot ? null : (mem.lot?.leader ?? null);
    events.push({
      type: "bid",
      lot,
      bidder,
      amount: BigInt(newest.amount),
      previous: sameBidder(previous, bidder) ? null : previous,
      extended: extendedNow,
      bidId: newest.id,
      blockNumber: newest.blockNumber,
      txHash: newest.txHash,
    });
  } else if (!newest && extendedNow && lot.leader && !mem.closed.has(lot.lotId)) {
    // The extension arrived after its bid was already called: call the extension now.
    const standing = snap.bids.find((b) => b.lotId === lot.lotId && BigInt(b.amount) === lot.amount);
    events.push({
      type: "bid",
      lot,
      bidder: lot.leader,
      amount: lot.amount,
      previous: null,
      extended: true,
      bidId: standing?.id ?? `extension:${lot.endTime}`,
      blockNumber: standing?.blockNumber ?? snap.blockNumber,
      txHash: standing?.txHash,
    });
  }
  for (const b of fresh) events.push({ type: "new_bidder", bidder: bidderOf(b, names) });
  mem.extended = lot.extended;

  // The indexer already says the lot is over (its block clock passed the end, or it settled).
  if ((lot.status === "ended" || lot.status === "settled" || lot.status === "cancelled") && !mem.closed.has(lot.lotId)) {
    events.push({ type: "closed", lotId: lot.lotId, lot, winner: lot.leader, amount: lot.amount, cancelled: lot.status === "cancelled" });
    mem.closed.add(lot.lotId);
  }
  mem.lot = lot;
  return events;
}
