/**
 * @module keeper
 * Settles every ended lot, so a campaign runs from its first lot to its last with no hand on it: settling
 * lot N is what opens lot N+1 after the intermission (AuctionHouse v2). Settlement stays permissionless;
 * the keeper is only the party that is always there first.
 *
 * It lives in the relayer because the relayer already has what a keeper needs: one head poller, a sender
 * with its own nonces, fee bumping and a signed-before-sent record (so a settle is never signed twice for
 * one lot, even across a kill -9), Redis, /health and /metrics. A separate service would copy all of it.
 *
 * Each new head: the lots from the lowest one not yet closed up to `lotCount()` are read with `lot()`
 * (status and end time with the queue, extension and pause rules applied by the contract). For a lot that
 * reads `Ended`:
 * 1. claim it in Redis (`keeper:claim:<lotId>`, SET NX with a TTL, kept alive while its tx is out), so of
 *    several instances one works on a lot and the others skip it; a dead holder's claim expires;
 * 2. read its status again (another keeper, a bidder or the dApp may have settled it meanwhile);
 * 3. simulate `settle` (eth_call): a lost race reverts here, for free, never on chain;
 * 4. send through the sender under job `settle:<lotId>`: a resumed job re-broadcasts its recorded tx.
 * A failure is retried with backoff (1 s doubling to 30 s); nothing is lost at a restart, since the chain
 * says which lots are still to settle.
 */
import { isNetworkError } from "@sothebais/common/errors";
import type { Logger } from "@sothebais/common/log";
import { type Address, decodeErrorResult, encodeFunctionData, type Hash, type Hex, parseEventLogs, type TransactionReceipt } from "viem";
import { type ChainReads, decodeRevert, houseAbi, LotStatus, type LotView } from "./chain.ts";
import { followHeads, type Head } from "./head.ts";
import type { Sender } from "./sender.ts";
import { keys, prefix, type Store } from "./store.ts";

export type KeeperOptions = {
  reads: ChainReads;
  sender: Sender;
  redis: Store;
  head: Head;
  log: Logger;
  /** Who holds a claim (shown in /health and in the claim's value). */
  instance: string;
  /** How long a claim outlives a silent holder. */
  claimTtlMs: number;
  /** Gas limit of a settle: room for the contract's 300k NFT transfer allowance (fees are paid on gas used). */
  gasLimit: bigint;
  /** Lots read per head at most (a long backlog is worked through over several heads). */
  maxLotsPerHead?: number;
  onSettled?: (s: Settlement) => void;
};

/** A settle this keeper landed. `afterEndS`: the settling block's time less the lot's effective end. */
export type Settlement = { lotId: bigint; txHash: Hash; blockNumber: bigint; outcome: "settled" | "undeliverable"; afterEndS: number };

type Backoff = { failures: number; nextAt: number; error: string };

const closed = new Set<number>([LotStatus.Settled, LotStatus.Cancelled, LotStatus.Undeliverable]);
/** Reverts that mean "nothing to do here any more": someone else settled it, or it is not over after all. */
const raceLost = new Set(["AuctionHouseLotNotEnded", "AuctionHouseLotAlreadyClosed", "AuctionHouseLotNotFound"]);
const backoffMs = (failures: number) => Math.min(1000 * 2 ** (failures - 1), 30_000);

/** Compare-and-refresh / compare-and-delete of a claim, so a holder never extends or drops another's. */
const refreshLua = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const releaseLua = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export const keeperKeys = {
  claim: (lotId: bigint) => `${prefix}keeper:claim:${lotId}`,
  /** Lowest lot id that may still need settling: a restart scans from here, not from lot 1. */
  floor: `${prefix}keeper:floor`,
};

export function createKeeper(o: KeeperOptions) {
  const { reads, sender, redis } = o;
  const inFlight = new Set<string>();
  const backoff = new Map<string, Backoff>();
  const maxLots = BigInt(o.maxLotsPerHead ?? 200);
  let floor: bigint | undefined;
  // A failed pass is not retried at its head: the next head (a block later) runs a fresh one.
  const heads = followHeads(o.head, {
    pass: async (head) => {
      await tick(head);
      return false;
    },
    retryFailed: false,
    onError: (error) => {
      if (!isNetworkError(error)) o.log.warn("keeper pass failed", { error: String((error as Error)?.message ?? error) });
    },
  });
  const state = { lastHead: null as string | null, settled: 0, undeliverable: 0, racesLost: 0, failures: 0, last: null as null | { lotId: string; txHash: string; afterEndS: number; at: string } };

  const settleData = (lotId: bigint) => encodeFunctionData({ abi: houseAbi, functionName: "settle", args: [lotId] });

  async function loadFloor(): Promise<bigint> {
    if (floor !== undefined) return floor;
    const stored = await redis.get(keeperKeys.floor);
    floor = stored ? BigInt(stored) : 1n;
    return floor;
  }

  /** One pass over the lots that may need settling. */
  async function tick(head: bigint) {
    state.lastHead = String(head);
    const count = await reads.lotCount();
    const from = await loadFloor();
    const to = count < from + maxLots - 1n ? count : from + maxLots - 1n;
    const ids: bigint[] = [];
    for (let id = from; id <= to; id++) ids.push(id);
    const lots = await Promise.all(ids.map((id) => reads.lot(id)));
    await advanceFloor(lots);
    for (const lot of lots) if (lot.status === LotStatus.Ended) void settleOnce(lot);
  }

  /** Lots below the first one still open are done for good: a restart need not read them again. */
  async function advanceFloor(lots: LotView[]) {
    let next = floor ?? 1n;
    for (const lot of lots) {
      if (lot.lotId !== next || !closed.has(lot.status)) break;
      next = lot.lotId + 1n;
    }
    if (next !== floor) {
      floor = next;
      await redis.set(keeperKeys.floor, String(next));
    }
  }

  /** At most one attempt per lot in this process at a time, spaced by the lot's backoff. */
  async function settleOnce(lot: LotView) {
    const id = String(lot.lotId);
    const wait = backoff.get(id);
    if (inFlight.has(id) || (wait && Date.now() < wait.nextAt) || heads.stopped) return;
    inFlight.add(id);
    try {
      await settleClaimed(lot);
      backoff.delete(id);
    } catch (error) {
      const failures = (wait?.failures ?? 0) + 1;
      const message = String((error as Error)?.message ?? error).split("\n")[0];
      backoff.set(id, { failures, nextAt: Date.now() + backoffMs(failures), error: message });
      state.failures++;
      (isNetworkError(error) ? o.log.warn : o.log.error)("settle failed, will retry", { lotId: lot.lotId, attempt: failures, error: message });
    } finally {
      inFlight.delete(id);
    }
  }

  async function settleClaimed(lot: LotView) {
    const claimKey = keeperKeys.claim(lot.lotId);
    const token = `${o.instance}:${process.pid}:${Date.now()}`;
    if (!(await redis.set(claimKey, token, "PX", o.claimTtlMs, "NX"))) return; // another instance has it
    const keepAlive = setInterval(() => void redis.eval(refreshLua, 1, claimKey, token, String(o.claimTtlMs)).catch(() => {}), Math.max(100, o.claimTtlMs / 3));
    let landed = false;
    try {
      landed = await settleChecked(lot);
    } finally {
      clearInterval(keepAlive);
      // A landed settle keeps its claim until it expires: an instance that read "Ended" a moment before
      // skips it without even a read. Anything else frees the lot for the next try.
      if (!landed) await redis.eval(releaseLua, 1, claimKey, token).catch(() => {});
    }
  }

  /** Pre-send check, simulation, send. True when this keeper's settle landed. */
  async function settleChecked(lot: LotView): Promise<boolean> {
    const jobId = `settle:${lot.lotId}`;
    const data = settleData(lot.lotId);
    // A tx signed already (by this process before a restart, or by a dead instance) is resumed as is.
    const resumed = (await redis.hget(keys.tx(jobId), "state")) === "signed";
    if (!resumed) {
      const fresh = await reads.lot(lot.lotId);
      if (fresh.status !== LotStatus.Ended) return false;
      const revert = await simulate(data);
      if (revert) {
        if (raceLost.has(revert)) return lostRace(lot.lotId, revert);
        throw new Error(`settle would revert: ${revert}`);
      }
    }
    const { receipt, hash } = await sender.send(jobId, { to: reads.house, data, gas: o.gasLimit });
    if (receipt.status !== "success") {
      const now = await reads.lot(lot.lotId);
      if (now.status !== LotStatus.Ended) return lostRace(lot.lotId, "settled by another tx in the same block");
      // The job's tx is spent: a new attempt needs a new job, or the sender would wait on the old hash.
      await redis.del(keys.tx(jobId));
      throw new Error(`settle reverted on chain (${hash})`);
    }
    await landed(lot, receipt);
    return true;
  }

  function lostRace(lotId: bigint, why: string) {
    state.racesLost++;
    o.log.debug("lot already closed by someone else", { lotId, why });
    return false;
  }

  async function landed(lot: LotView, receipt: TransactionReceipt) {
    const block = await reads.client.getBlock({ blockNumber: receipt.blockNumber });
    // The end recorded in the receipt's LotSettled is not there: the lot's effective end as read before
    // the send (extensions stop once ended, so it is final).
    const afterEndS = Number(block.timestamp) - lot.endTime;
    const undeliverable = parseEventLogs({ abi: houseAbi, logs: receipt.logs, eventName: "LotUndeliverable" }).length > 0;
    const outcome = undeliverable ? "undeliverable" : "settled";
    if (undeliverable) state.undeliverable++;
    else state.settled++;
    state.last = { lotId: String(lot.lotId), txHash: receipt.transactionHash, afterEndS, at: new Date().toISOString() };
    o.log.info("lot settled by the keeper", { lotId: lot.lotId, outcome, txHash: receipt.transactionHash, blockNumber: receipt.blockNumber, afterEndS });
    o.onSettled?.({ lotId: lot.lotId, txHash: receipt.transactionHash, blockNumber: receipt.blockNumber, outcome, afterEndS });
  }

  /** The revert's error name, or undefined when the call would succeed. */
  async function simulate(data: Hex): Promise<string | undefined> {
    try {
      await reads.client.call({ account: sender.address as Address, to: reads.house, data, gas: o.gasLimit });
      return undefined;
    } catch (error) {
      if (isNetworkError(error)) throw error;
      const raw = revertData(error);
      if (raw) {
        try {
          return decodeErrorResult({ abi: houseAbi, data: raw }).errorName;
        } catch {
          return "Reverted";
        }
      }
      const decoded = decodeRevert(error);
      if (decoded) return decoded.name;
      throw error;
    }
  }

  return {
    start: () => heads.start({ now: true }),
    stop: () => heads.stop(),
    /** For /health: where the keeper is and what it did last. */
    health: () => ({
      enabled: true,
      instance: o.instance,
      account: sender.address,
      lastHead: state.lastHead,
      nextLotToClose: floor === undefined ? null : String(floor),
      settling: [...inFlight],
      retrying: Object.fromEntries([...backoff].map(([id, b]) => [id, { failures: b.failures, error: b.error }])),
      settled: state.settled,
      undeliverable: state.undeliverable,
      racesLost: state.racesLost,
      failures: state.failures,
      lastSettled: state.last,
    }),
  };
}

export type Keeper = ReturnType<typeof createKeeper>;

/** The revert data an eth_call error carries, wherever viem put it. */
function revertData(error: unknown): Hex | undefined {
  let e = error as { data?: unknown; cause?: unknown } | undefined;
  for (let i = 0; e && i < 10; i++) {
    if (typeof e.data === "string" && e.data.startsWith("0x") && e.data.length > 2) return e.data as Hex;
    if (e.data && typeof (e.data as { data?: unknown }).data === "string") return (e.data as { data: Hex }).data;
    e = e.cause as typeof e;
  }
  return undefined;
}
