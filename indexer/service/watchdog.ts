/**
 * Restarts a writer that stopped following the chain. Ponder's realtime sync can stop for good after
 * its block subscription dies (seen on a busy machine and after an RPC stall: "No new block received
 * within expected time", then nothing, while `/ready` stays 200 and every client reads a frozen auction).
 * The launcher compares the chain's head with Ponder's indexed block; when the chain has moved on and
 * the indexed block has not for `stallMs`, it restarts Ponder, which resumes from its checkpoint.
 */
import { createPublicClient, http, type PublicClient } from "viem";

export type WatchdogSample = { at: number; chainHead: number | undefined; indexed: number | undefined };

export type WatchdogState = { lastIndexed: number | undefined; indexedChangedAt: number };

export const initialWatchdogState = (now: number): WatchdogState => ({ lastIndexed: undefined, indexedChangedAt: now });

/**
 * One step of the decision, pure: the next state, and whether Ponder is stalled. Unknown values (RPC or
 * Ponder not answering) never trigger a restart by themselves: a dead RPC is not Ponder's fault, and a
 * Ponder that does not answer yet is still starting.
 */
export function watchdogStep(state: WatchdogState, s: WatchdogSample, options: { stallMs: number; toleranceBlocks: number }): { state: WatchdogState; stalled: boolean } {
  if (s.indexed === undefined || s.chainHead === undefined) return { state, stalled: false };
  const next = s.indexed !== state.lastIndexed ? { lastIndexed: s.indexed, indexedChangedAt: s.at } : state;
  const behind = s.chainHead - s.indexed > options.toleranceBlocks;
  return { state: next, stalled: behind && s.at - next.indexedChangedAt >= options.stallMs };
}

/** The indexed block from Ponder's `/status`, or undefined when it does not answer. */
export async function readIndexedBlock(indexerUrl: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${indexerUrl}/status`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as Record<string, { block?: { number?: number } }>;
    const numbers = Object.values(body).map((c) => c.block?.number).filter((n): n is number => typeof n === "number");
    return numbers.length ? Math.min(...numbers) : undefined;
  } catch {
    return undefined;
  }
}

/** A client for the watchdog's head reads: one attempt of at most 3 s, so a dead RPC reads as unknown quickly. */
export const chainHeadClient = (rpcUrl: string): PublicClient => createPublicClient({ transport: http(rpcUrl, { timeout: 3000, retryCount: 0 }) });

/** The chain's head, or undefined when the node does not answer. */
export async function readChainHead(client: PublicClient): Promise<number | undefined> {
  try {
    return Number(await client.getBlockNumber({ cacheTime: 0 }));
  } catch {
    return undefined;
  }
}
