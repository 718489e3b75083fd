/**
 * @module lots
 * Which lot is live and what it takes to lead, read fast: from the indexer's `/live` snapshot when one
 * is configured, else from the contract (the truth, and the fallback when the indexer is down). The
 * answer is cached per block and read again in the background, so chat intake never waits for it; the
 * contract still checks every bid when it is simulated and sent.
 */
import { fetchLiveLot } from "@sothebais/common/live";
import { minimumNextBid } from "@sothebais/common/live";
import type { Address } from "viem";
import { type ChainReads, type LotView, LotStatus } from "./chain.ts";

export type LiveInfo = {
  lotId: bigint;
  amount: bigint;
  bidder: Address;
  minimumNextBid: bigint;
  endTime: number;
  /** Where it came from, for /health and logs. */
  source: "indexer" | "chain";
};

export type LotSourceOptions = {
  indexerUrl?: string;
  /** The chain head now (the shared poller): the cache is per block. */
  head?: () => bigint | undefined;
  /** Within one block, a cached answer younger than this is used as is. */
  freshMs?: number;
  /** An older answer (up to this age) is still used while a new one is read in the background. */
  staleMs?: number;
};

/** A lot read from the chain, as the live-lot view. */
export const liveInfo = (l: LotView): LiveInfo => ({ lotId: l.lotId, amount: l.amount, bidder: l.bidder, minimumNextBid: minimumNextBid(l), endTime: l.endTime, source: "chain" });

/** The chain scan reads only the lot it found last while no lot was added, and everything this often. */
const FULL_SCAN_MS = 5000;

/**
 * An indexer more blocks than this behind the relayer's head is not asked: one whose RPC stalled still
 * answers, from the block it stopped at (seen in the soak: bids placed since looked far above its stale
 * amount and were asked to !confirm).
 */
export const MAX_INDEXER_LAG_BLOCKS = 3n;

export function createLotSource(reads: ChainReads, options: LotSourceOptions = {}) {
  const freshMs = options.freshMs ?? 250;
  const staleMs = options.staleMs ?? 2000;
  let cached: { at: number; head: bigint | undefined; generation: number; value: LiveInfo | undefined } | undefined;
  let indexerFailures = 0;
  let lastScan: { at: number; count: bigint; live?: bigint } | undefined;

  const fromIndexer = async (): Promise<LiveInfo | undefined> => {
    const snap = await fetchLiveLot(options.indexerUrl as string, { signal: AbortSignal.timeout(1000) });
    const head = options.head?.();
    if (head !== undefined && head - BigInt(snap.blockNumber) > MAX_INDEXER_LAG_BLOCKS) throw new Error(`indexer at block ${snap.blockNumber}, head ${head}`);
    const lot = snap.lot;
    if (!lot || lot.status !== "live") return undefined;
    return { lotId: BigInt(lot.lotId), amount: BigInt(lot.amount), bidder: lot.bidder, minimumNextBid: BigInt(lot.minimumNextBid), endTime: lot.endTime, source: "indexer" };
  };


  /** The live lot ending soonest (the one on the block now), scanning the newest lots. */
  const fromChain = async (): Promise<LiveInfo | undefined> => {
    const count = await reads.lotCount();
    // No lot added since the last scan: the lot it found is still the one, while it is live.
    if (lastScan && lastScan.count === count && lastScan.live !== undefined && Date.now() - lastScan.at < FULL_SCAN_MS) {
      const lot = await reads.lot(lastScan.live);
      if (lot.status === LotStatus.Live) return liveInfo(lot);
    }
    const ids: bigint[] = [];
    for (let id = count; id >= 1n && ids.length < 20; id--) ids.push(id);
    const lots = await Promise.all(ids.map((id) => reads.lot(id).catch(() => undefined)));
    const live = lots.filter((l): l is LotView => !!l && l.status === LotStatus.Live).sort((a, b) => a.endTime - b.endTime)[0];
    lastScan = { at: Date.now(), count, live: live?.lotId };
    return live ? liveInfo(live) : undefined;
  };

  const load = async () => {
    if (options.indexerUrl && indexerFailures < 3) {
      try {
        const v = await fromIndexer();
        indexerFailures = 0;
        // A stalled indexer answers "nothing live" with confidence (seen in the soak): the chain decides.
        return v ?? (await fromChain());
      } catch {
        indexerFailures++;
      }
    } else if (indexerFailures >= 3) {
      indexerFailures = (indexerFailures + 1) % 20; // try the indexer again now and then
    }
    return fromChain();
  };

  // Bumped when this process placed a bid: answers read before it are not current any more.
  let generation = 0;
  let inflight: { generation: number; promise: Promise<LiveInfo | undefined> } | undefined;

  /** Reads the live lot (one read at a time; callers meanwhile share it) and caches it with its block. */
  const refresh = (): Promise<LiveInfo | undefined> => {
    if (inflight && inflight.generation === generation) return inflight.promise;
    const g = generation;
    // A read started before the change may miss it: this one starts after it.
    const promise = (inflight?.promise.catch(() => undefined) ?? Promise.resolve()).then(async () => {
      const head = options.head?.();
      const value = await load();
      if (!cached || cached.generation <= g) cached = { at: Date.now(), head, generation: g, value };
      return value;
    });
    const entry = { generation: g, promise };
    inflight = entry;
    void promise.finally(() => inflight === entry && (inflight = undefined)).catch(() => {});
    return promise;
  };
  const current = (c: NonNullable<typeof cached>) =>
    c.generation === generation && c.head !== undefined && c.head === options.head?.() && Date.now() - c.at < freshMs;

  return {
    /**
     * The live lot, or undefined when none is live. `exact`: as of the current block (`!bid min` bids
     * exactly the minimum, so a minimum one bid behind is sure to fail). Otherwise it never waits for a
     * read while the cached answer is recent: chat intake must not pay for an RPC or indexer call per
     * message. A cached minimum can only lag below the chain's (bids only raise it), and the contract
     * checks every bid when it is simulated, so a bid judged on it is answered right either way.
     */
    live: async (options: { exact?: boolean } = {}): Promise<LiveInfo | undefined> => {
      if (cached && current(cached)) return cached.value;
      if (!options.exact && cached && Date.now() - cached.at < staleMs) {
        refresh().catch(() => {});
        return cached.value;
      }
      return refresh();
    },
    /** Reads again unless the answer is from this block: a "nothing live" answer is checked before it is given. */
    fresh: async (): Promise<LiveInfo | undefined> => (cached && current(cached) ? cached.value : refresh()),
    /** This process placed a bid: what was cached is behind; read again in the background. */
    changed: () => {
      generation++;
      refresh().catch(() => {});
    },
  };
}

export type LotSource = ReturnType<typeof createLotSource>;
