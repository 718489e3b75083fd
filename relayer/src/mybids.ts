/**
 * @module mybids
 * `!mybids` from the indexer's GraphQL: one bounded request for the bidder's latest bids with their
 * lots, answered from the indexer's own block time. It used to be a `getLogs` over the whole chain
 * from the deploy block, retried without end when the node refused the range: any viewer could make
 * the relayer scan the chain again and again. When the indexer is slow or down the bidder is told so
 * at once, and nothing is retried.
 */
import { type LotState, lotStatus } from "@sothebais/common/live";
import type { Address } from "viem";
import { eth } from "./replies.ts";

export type MyBidsOptions = {
  /** The indexer's base URL; without it, !mybids says it is unavailable. */
  indexerUrl?: string;
  timeoutMs: number;
};

type LotRow = { id: string; state: LotState; startTime: number; endTime: number; amount: string; bidder: string; winner: string };
type Answer = {
  data?: { bids: { items: { lotId: string; lot: LotRow | null }[] }; _meta?: { status?: Record<string, { block?: { timestamp?: number } }> } };
  errors?: { message: string }[];
};

/** Lots listed in one answer (a chat line has room for about this many). */
const MAX_LOTS = 8;
/** Bids read: enough for the last MAX_LOTS lots of any ordinary bidder, bounded for the indexer. */
const MAX_BIDS = 200;

const query = `query MyBids($bidder: String!) {
  bids(where: { bidder: $bidder }, orderBy: "blockNumber", orderDirection: "desc", limit: ${MAX_BIDS}) {
    items { lotId lot { id state startTime endTime amount bidder winner } }
  }
  _meta { status }
}`;

export const myBidsUnavailable = {
  noIndexer: "!mybids is not available on this relayer (no indexer): see your bids in the dApp",
  down: "can't read your bids right now (the indexer is not answering): try again in a minute, or see them in the dApp",
};

/** One lot as the bidder sees it: leading, outbid, won, lost. */
function describe(lot: LotRow, me: string, now: number): string {
  const status = lotStatus(lot, now);
  const leading = lot.bidder.toLowerCase() === me;
  if (status === "live") return `#${lot.id} ${leading ? "leading" : "outbid"} at ${eth(lot.amount)}`;
  // Ended and not settled yet: the keeper settles it within a couple of blocks, nothing for the winner to do.
  if (status === "ended") return leading ? `#${lot.id} WON at ${eth(lot.amount)}: on its way to your wallet` : `#${lot.id} lost`;
  if (status === "settled") return lot.winner.toLowerCase() === me ? `#${lot.id} won at ${eth(lot.amount)}: in your wallet` : `#${lot.id} lost`;
  if (status === "undeliverable") return lot.bidder.toLowerCase() === me ? `#${lot.id} won but undeliverable: bid back in your escrow` : `#${lot.id} lost`;
  return `#${lot.id} ${status}`;
}

/** The reply text for `bidder` (never throws: an unreachable indexer is an answer too). */
export function createMyBids(o: MyBidsOptions) {
  return async (bidder: Address): Promise<string> => {
    if (!o.indexerUrl) return myBidsUnavailable.noIndexer;
    let answer: Answer;
    try {
      const res = await fetch(new URL("/graphql", o.indexerUrl), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ query, variables: { bidder: bidder.toLowerCase() } }),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      if (!res.ok) return myBidsUnavailable.down;
      answer = (await res.json()) as Answer;
    } catch {
      return myBidsUnavailable.down;
    }
    if (!answer.data || answer.errors?.length) return myBidsUnavailable.down;
    const me = bidder.toLowerCase();
    // Lot status against the indexer's latest block time (chain time; it can run ahead of the clock).
    const indexedAt = Object.values(answer.data._meta?.status ?? {})[0]?.block?.timestamp;
    const now = indexedAt ?? Math.floor(Date.now() / 1000);
    const lots = new Map<string, LotRow>();
    for (const item of answer.data.bids.items) if (item.lot && !lots.has(item.lot.id)) lots.set(item.lot.id, item.lot);
    if (!lots.size) return "no bids yet";
    return [...lots.values()].slice(0, MAX_LOTS).map((lot) => describe(lot, me, now)).join(" · ");
  };
}
