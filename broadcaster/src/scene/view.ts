/**
 * @module scene/view
 * The scene as data: everything a frame shows, computed from the indexer snapshot, chat, the host's
 * caption and the clock by one pure function. The renderer only draws what this says, and the tests
 * can check the rules (pending vs final, SOLD only from a final block, stale data) without pixels.
 */
import { humanMinimumBid } from "@sothebais/common/amounts";
import type { LiveBid, LiveSnapshot } from "@sothebais/common/live";
import { formatEther } from "viem";
import type { ArtworkEntry } from "../artwork/loader.ts";
import { type Marker, markerFlags, weiToGwei } from "./marker.ts";

export type Phase = "connecting" | "live" | "closing" | "sold" | "no_sale" | "between";

export type BidRow = { id: string; amount: string; bidder: string; chat: boolean; block: number; pending: boolean; flash: number };
export type ChatRow = { name: string; text: string };
export type QueueRow = { lotId: string; title: string; startsIn: string };

export type LotView = {
  id: string;
  title: string;
  artist: string;
  token: string;
  artwork?: ArtworkEntry;
  hasBid: boolean;
  amount: string;
  bidder: string;
  chatBidder: boolean;
  pending: boolean;
  minNext: string;
  reserve: string;
  reserveMet: boolean;
  remainingSec: number;
  extended: number;
  /** 1 right after an extension, fading to 0. */
  extendedFlash: number;
  /** 1 right after a new highest bid, fading to 0. */
  bidFlash: number;
  bidCount: number;
  contract: string;
  block: number | null;
  tx: string | null;
};

export type ResultView = { kind: "sold" | "no_sale"; lotId: string; title: string; amount: string; winner: string; block: number | null; tx: string | null; label: string };

export type SceneView = {
  phase: Phase;
  /** The AuctionHouse address for the on-chain reference ("" when unknown). */
  contract: string;
  stale: boolean;
  dataAgeMs: number;
  campaign: string;
  lot?: LotView;
  bids: BidRow[];
  chat: ChatRow[];
  /** Chat bids are refused (a moderator's !pausebids, or the relayer low on gas): a banner says so. */
  chatBidsPaused: boolean;
  /** The operator switched the stream to "be right back": that scene replaces the lot (chat, header and host stay). */
  brb: boolean;
  caption: { text: string; speaking: boolean } | null;
  queue: QueueRow[];
  result?: ResultView;
  next?: { lotId: string; title: string; startsIn: string; artwork?: ArtworkEntry };
  marker: Marker;
};

export type SceneInputs = {
  snapshot: LiveSnapshot | null;
  /** Unix ms of the last snapshot received from the indexer (0 = never). */
  receivedAt: number;
  chat: ChatRow[];
  chatBidsPaused?: boolean;
  brb?: boolean;
  caption: { text: string; speaking: boolean } | null;
  /** chatIdHash -> display name. */
  names: ReadonlyMap<string, string>;
  artwork: (uri: string) => ArtworkEntry | undefined;
  /** Unix ms when each bid id / extension count was first seen (for highlight animations). */
  firstSeen: ReadonlyMap<string, number>;
  auctionHouse?: string;
  now: number;
  frame: number;
  staleAfterMs: number;
};

const ZERO_HASH = `0x${"0".repeat(64)}`;
const ZERO_ADDRESS = `0x${"0".repeat(40)}`;
const FLASH_MS = 2000;
/** A highlight fades in 20 steps (10 a second), so it redraws its panels at 10 Hz rather than every frame. */
const FLASH_STEPS = 20;

export function shortHex(hex: string, head = 6, tail = 4): string {
  return hex.length > head + tail + 1 ? `${hex.slice(0, head)}…${hex.slice(-tail)}` : hex;
}

/** Wei as "1.25 ETH", at most 4 decimals (trailing zeros trimmed), never scientific notation. */
export function formatEth(wei: string | bigint): string {
  const v = typeof wei === "bigint" ? wei : BigInt(wei || "0");
  const [whole, frac = ""] = formatEther(v).split(".");
  const f = frac.slice(0, 4).replace(/0+$/, "");
  return `${whole}${f ? `.${f}` : ""} ETH`;
}

export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.ceil(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = String(m).padStart(h ? 2 : 1, "0");
  return `${h ? `${h}:` : ""}${mm}:${String(r).padStart(2, "0")}`;
}

/** A bidder as viewers know them: the chat name for chat bids, else a short address. */
export function bidderLabel(bidder: string, chatIdHash: string, names: ReadonlyMap<string, string>): { text: string; chat: boolean } {
  if (chatIdHash && chatIdHash !== ZERO_HASH) {
    const name = names.get(chatIdHash.toLowerCase());
    return { text: name ? `@${name}` : `chat ${shortHex(bidder)}`, chat: true };
  }
  return { text: shortHex(bidder), chat: false };
}

function flash(firstSeen: ReadonlyMap<string, number>, key: string, now: number): number {
  const at = firstSeen.get(key);
  if (at === undefined) return 0;
  const t = (now - at) / FLASH_MS;
  return t >= 1 || t < 0 ? 0 : Math.ceil((1 - t) * FLASH_STEPS) / FLASH_STEPS;
}

function titleOf(art: ArtworkEntry | undefined, lotId: string, tokenId: string): string {
  return art?.name ?? `Token #${tokenId}`;
}

export function buildView(i: SceneInputs): SceneView {
  const view = buildLotView(i);
  if (!view.brb) return view;
  // "Be right back" hides the lot: the marker says what the frame shows, so it names no lot either.
  const kept = markerFlags.stale | markerFlags.chatBidsPaused | markerFlags.brb;
  return { ...view, marker: { lotId: 0, amountGwei: 0n, blockNumber: 0, frame: view.marker.frame, flags: view.marker.flags & kept } };
}

function buildLotView(i: SceneInputs): SceneView {
  const snap = i.snapshot;
  const dataAgeMs = i.receivedAt ? Math.max(0, i.now - i.receivedAt) : Number.POSITIVE_INFINITY;
  const stale = !snap || dataAgeMs > i.staleAfterMs;
  const chainNow = Math.max(i.now / 1000, snap?.blockTimestamp ?? 0);
  const chatBidsPaused = i.chatBidsPaused ?? false;
  const brb = i.brb ?? false;
  const base = { stale, dataAgeMs, chat: i.chat, chatBidsPaused, brb, caption: i.caption, bids: [] as BidRow[], contract: i.auctionHouse ?? "" };

  const queue: QueueRow[] = (snap?.upcoming ?? []).slice(0, 4).map((u) => ({
    lotId: u.lotId,
    title: titleOf(u.tokenUri ? i.artwork(u.tokenUri) : undefined, u.lotId, u.tokenId),
    startsIn: formatDuration(u.startTime - chainNow),
  }));
  let flags = (stale ? markerFlags.stale : 0) | (chatBidsPaused ? markerFlags.chatBidsPaused : 0) | (brb ? markerFlags.brb : 0);

  if (!snap) {
    return { ...base, phase: "connecting", campaign: "", queue, marker: { lotId: 0, amountGwei: 0n, blockNumber: 0, frame: i.frame, flags } };
  }

  const lot = snap.lot && snap.lot.status !== "scheduled" ? snap.lot : null;
  if (!lot) {
    const u = snap.upcoming[0];
    const last = snap.lastSettled;
    const result: ResultView | undefined = last
      ? {
          kind: last.winner !== ZERO_ADDRESS ? "sold" : "no_sale",
          lotId: last.lotId,
          title: titleOf(last.tokenUri ? i.artwork(last.tokenUri) : undefined, last.lotId, last.tokenId),
          amount: formatEth(last.amount),
          winner: bidderLabel(last.winner, ZERO_HASH, i.names).text,
          block: last.blockNumber,
          tx: last.txHash,
          label: last.winner !== ZERO_ADDRESS ? "SOLD" : "NO SALE",
        }
      : undefined;
    flags |= markerFlags.between;
    // A lot settled right at its end (anyone may settle) leaves the block before its last bid was final,
    // so its SOLD is called here, on the result card, once the settlement's block is final.
    const soldNow = result?.kind === "sold" && last?.blockNumber != null && last.blockNumber <= snap.finalizedBlockNumber;
    if (soldNow) flags |= markerFlags.sold;
    return {
      ...base,
      phase: "between",
      campaign: u?.campaignName ?? snap.lot?.campaignName ?? "",
      queue,
      result,
      next: u
        ? {
            lotId: u.lotId,
            title: titleOf(u.tokenUri ? i.artwork(u.tokenUri) : undefined, u.lotId, u.tokenId),
            startsIn: formatDuration(u.startTime - chainNow),
            artwork: u.tokenUri ? i.artwork(u.tokenUri) : undefined,
          }
        : undefined,
      // The marker names the lot the card calls SOLD, so a viewer (or a test) can tell which sale it is.
      marker: soldNow && last ? { lotId: Number(last.lotId), amountGwei: BigInt(last.amount) / 1_000_000_000n, blockNumber: last.blockNumber ?? 0, frame: i.frame, flags } : { lotId: 0, amountGwei: 0n, blockNumber: 0, frame: i.frame, flags },
    };
  }

  const art = lot.tokenUri ? i.artwork(lot.tokenUri) : undefined;
  const hasBid = BigInt(lot.amount || "0") > 0n;
  const top: LiveBid | undefined = snap.bids[0];
  const pending = hasBid && (lot.lastBidBlock ?? 0) > snap.finalizedBlockNumber;
  const who = hasBid ? bidderLabel(lot.bidder, lot.chatIdHash, i.names) : { text: "", chat: false };
  const remainingSec = lot.endTime - chainNow;
  const ended = lot.status === "ended" || lot.status === "settled" || lot.status === "cancelled" || remainingSec <= 0;

  let phase: Phase = "live";
  let result: ResultView | undefined;
  if (ended) {
    const sold = hasBid && lot.reserveMet && lot.status !== "cancelled";
    if (!sold) {
      // No valid bid can still arrive once the end has passed on chain; before that, the indexer may lag.
      phase = lot.status === "live" && remainingSec > -5 ? "closing" : "no_sale";
    } else {
      // SOLD is called only once the winning bid's block is final.
      phase = pending || lot.status === "live" ? "closing" : "sold";
    }
    if (phase === "sold" || phase === "no_sale") {
      result = {
        kind: phase,
        lotId: lot.lotId,
        title: titleOf(art, lot.lotId, lot.tokenId),
        amount: formatEth(lot.amount),
        winner: who.text,
        block: lot.lastBidBlock,
        tx: lot.lastBidTx,
        label: phase === "sold" ? "SOLD" : lot.status === "cancelled" ? "WITHDRAWN" : "NO SALE",
      };
    }
  }

  flags |= markerFlags.hasLot;
  if (pending) flags |= markerFlags.pending;
  if (phase === "sold") flags |= markerFlags.sold;
  if (phase === "no_sale") flags |= markerFlags.noSale;

  const bids: BidRow[] = snap.bids.slice(0, 6).map((b) => {
    const label = bidderLabel(b.bidder, b.chatIdHash, i.names);
    return {
      id: b.id,
      amount: formatEth(b.amount),
      bidder: label.text,
      chat: label.chat,
      block: b.blockNumber,
      pending: !b.final && b.blockNumber > snap.finalizedBlockNumber,
      flash: flash(i.firstSeen, `bid:${b.id}`, i.now),
    };
  });

  return {
    ...base,
    phase,
    campaign: lot.campaignName,
    queue,
    bids,
    result,
    lot: {
      id: lot.lotId,
      title: titleOf(art, lot.lotId, lot.tokenId),
      artist: art?.artist ?? "",
      token: `${shortHex(lot.nft)} #${lot.tokenId}`,
      artwork: art,
      hasBid,
      amount: formatEth(lot.amount),
      bidder: who.text,
      chatBidder: who.chat,
      pending,
      // Rounded up (common/amounts) before the 4-decimal cut, which alone could show less than the minimum.
      minNext: formatEth(humanMinimumBid(BigInt(lot.minimumNextBid))),
      reserve: formatEth(lot.reserve),
      reserveMet: lot.reserveMet,
      remainingSec,
      extended: lot.extended,
      extendedFlash: lot.extended ? flash(i.firstSeen, `ext:${lot.lotId}:${lot.extended}`, i.now) : 0,
      bidFlash: top ? flash(i.firstSeen, `bid:${top.id}`, i.now) : 0,
      bidCount: lot.bidCount,
      contract: i.auctionHouse ?? "",
      block: lot.lastBidBlock,
      tx: lot.lastBidTx,
    },
    marker: {
      lotId: Number(lot.lotId),
      amountGwei: weiToGwei(BigInt(lot.amount || "0")),
      blockNumber: lot.lastBidBlock ?? 0,
      frame: i.frame,
      flags,
    },
  };
}
