/**
 * @module lots
 * Which lot is live and what it takes to lead, read fast: from the indexer's `/live` snapshot when one
 * is configured, else from the contract (the truth, and the fallback when the indexer is down). The
 * answer is cached briefly; the contract still checks every bid when it is simulated and sent.
 */
import { fetchLiveLot } from "@sothebais/common/live";
import { minimumNextBid } from "@sothebais/common/live";
import type { Address } from "viem";
import { type ChainReads, LotStatus } from "./chain.ts";

export type LiveInfo = {
  lotId: bigint;
  amount: bigint;
  bidder: Address;
  minimumNextBid: bigint;
  endTime: number;
  /** Where it came from, for /health and logs. */
  source: "indexer" | "chain";
};

export function createLotSource(reads: ChainReads, options: { indexerUrl?: string; cacheMs?: number } = {}) {
  const cacheMs = options.cacheMs ?? 250;
  let cached: { at: number; value: LiveInfo | undefined } | undefined;
  let inflight: Promise<LiveInfo | undefined> | undefined;
  let indexerFailures = 0;

  const fromIndexer = async (): Promise<LiveInfo | undefined> => {
    const snap = await fetchLiveLot(options.indexerUrl as string, { signal: AbortSignal.timeout(1000) });
    const lot = snap.lot;
    if (!lot || lot.status !== "live") return undefined;
    return { lotId: BigInt(lot.lotId), amount: BigInt(lot.amount), bidder: lot.bidder, minimumNextBid: BigInt(lot.minimumNextBid), endTime: lot.endTime, source: "indexer" };
  };

  /** The live lot ending soonest (the one on the block now), scanning the newest lots. */
  const fromChain = async (): Promise<LiveInfo | undefined> => {
    const count = await reads.lotCount();
    const ids: bigint[] = [];
    for (let id = count; id >= 1n && ids.length < 20; id--) ids.push(id);
    const lots = await Promise.all(ids.map((id) => reads.lot(id).catch(() => undefined)));
    const live = lots.filter((l) => l && l.status === LotStatus.Live).sort((a, b) => a!.endTime - b!.endTime)[0];
    if (!live) return undefined;
    return { lotId: live.lotId, amount: live.amount, bidder: live.bidder, minimumNextBid: minimumNextBid(live), endTime: live.endTime, source: "chain" };
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

  return {
    /** The live lot, or undefined when none is live. */
    live: async (): Promise<LiveInfo | undefined> => {
      if (cached && Date.now() - cached.at < cacheMs) return cached.value;
      inflight ??= load().finally(() => (inflight = undefined));
      const value = await inflight;
      cached = { at: Date.now(), value };
      return value;
    },
    /** Reads again, skipping the cache: a "nothing live" answer is checked before it is given. */
    fresh: async (): Promise<LiveInfo | undefined> => {
      const value = await load();
      cached = { at: Date.now(), value };
      return value;
    },
    invalidate: () => (cached = undefined),
  };
}

export type LotSource = ReturnType<typeof createLotSource>;
