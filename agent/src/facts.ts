/**
 * @module facts
 * What the host may say, built from the indexer's `/live` snapshot, the chat names the relayer
 * recorded and the chain clock. Templates read it, the model's prompt carries it, and the truth
 * guard checks every line against it.
 */
import { humanMinimumBid } from "@sothebais/common/amounts";
import type { LiveBid, LiveLot, LiveSnapshot, LotStatus } from "@sothebais/common/live";
import { artworkFromUri, formatDuration, formatEth, shortAddress, ZERO_ADDRESS, ZERO_HASH } from "./format.ts";

/** Resolves a bidder to the name the host calls them by. */
export type NameBook = {
  /** Chat name for a chat identity hash, if the relayer recorded one. */
  chatName: (chatIdHash: string) => string | undefined;
};

export type Bidder = { address: string; name: string; viaRelayer: boolean; chatIdHash: string };

export type LotFacts = {
  lotId: string;
  campaignName: string;
  title: string;
  artist: string;
  tokenId: string;
  status: LotStatus;
  reserve: bigint;
  amount: bigint;
  /** The chain's minimum next bid rounded up to 3 significant digits: what the host asks for ("do I hear 0.354"). */
  minimumNextBid: bigint;
  endTime: number;
  extended: number;
  bidCount: number;
  timeBuffer: number;
  leader: Bidder | null;
};

export type Facts = {
  blockNumber: number;
  lot: LotFacts | null;
  /** Whole seconds left on the live lot by the chain clock, null without a live lot. */
  secondsLeft: number | null;
  upcoming: { lotId: string; title: string; startTime: number; reserve: bigint; campaignName: string }[];
  lastSettled: { lotId: string; winner: Bidder | null; amount: bigint } | null;
  /** Every bidder name seen so far (the guard rejects a known name used in the wrong place). */
  roster: string[];
};

export function bidderOf(bid: Pick<LiveBid, "bidder" | "viaRelayer" | "chatIdHash">, names: NameBook): Bidder {
  const chat = bid.chatIdHash && bid.chatIdHash !== ZERO_HASH ? names.chatName(bid.chatIdHash) : undefined;
  return { address: bid.bidder, name: chat ?? shortAddress(bid.bidder), viaRelayer: bid.viaRelayer, chatIdHash: bid.chatIdHash };
}

export function lotFacts(lot: LiveLot, names: NameBook): LotFacts {
  const art = artworkFromUri(lot.tokenUri, lot.tokenId);
  return {
    lotId: lot.lotId,
    campaignName: lot.campaignName,
    title: art.title,
    artist: art.artist ?? shortAddress(lot.seller),
    tokenId: lot.tokenId,
    status: lot.status,
    reserve: BigInt(lot.reserve),
    amount: BigInt(lot.amount),
    // Amounts said on stream stay short (0.354, not 0.353075625) and are still valid bids (common/amounts).
    minimumNextBid: humanMinimumBid(BigInt(lot.minimumNextBid)),
    endTime: lot.endTime,
    extended: lot.extended,
    bidCount: lot.bidCount,
    timeBuffer: lot.timeBuffer,
    leader: lot.bidder !== ZERO_ADDRESS && BigInt(lot.amount) > 0n ? bidderOf(lot, names) : null,
  };
}

export function buildFacts(snap: LiveSnapshot, names: NameBook, chainNowMs: number, roster: Iterable<string> = []): Facts {
  const lot = snap.lot ? lotFacts(snap.lot, names) : null;
  const secondsLeft = lot && (lot.status === "live" || lot.status === "ended") ? Math.max(0, Math.ceil(lot.endTime - chainNowMs / 1000)) : null;
  const settled = snap.lastSettled;
  return {
    blockNumber: snap.blockNumber,
    lot,
    secondsLeft,
    upcoming: snap.upcoming.map((u) => ({
      lotId: u.lotId,
      title: artworkFromUri(u.tokenUri, u.tokenId).title,
      startTime: u.startTime,
      reserve: BigInt(u.reserve),
      campaignName: u.campaignName,
    })),
    lastSettled: settled
      ? {
          lotId: settled.lotId,
          amount: BigInt(settled.amount),
          winner: settled.winner === ZERO_ADDRESS ? null : { address: settled.winner, name: shortAddress(settled.winner), viaRelayer: false, chatIdHash: ZERO_HASH },
        }
      : null,
    roster: [...roster],
  };
}

/** The live state as plain text: the provider puts it into the model's context. */
export function describeFacts(f: Facts): string {
  const lines: string[] = [];
  if (f.lot) {
    const l = f.lot;
    lines.push(`Lot ${l.lotId}: "${l.title}" by ${l.artist}${l.campaignName ? ` (campaign ${l.campaignName})` : ""}, status ${l.status}.`);
    lines.push(`Reserve ${formatEth(l.reserve)} ETH. Current bid ${formatEth(l.amount)} ETH${l.leader ? ` by ${l.leader.name}` : " (no bids yet)"}.`);
    lines.push(`Minimum next bid ${formatEth(l.minimumNextBid)} ETH. Bids so far: ${l.bidCount}. Extensions: ${l.extended}.`);
    if (f.secondsLeft !== null) lines.push(`Time left: ${formatDuration(f.secondsLeft)}.`);
  } else {
    lines.push("No lot is live right now.");
  }
  if (f.upcoming[0]) {
    const u = f.upcoming[0];
    lines.push(`Next up: lot ${u.lotId}, "${u.title}", reserve ${formatEth(u.reserve)} ETH.`);
  }
  return lines.join("\n");
}
