/**
 * @module clock
 * The chain clock: an estimate of the next block's timestamp, so the countdown runs in step with
 * the on-chain end time rather than the host's wall clock. A local chain can run ahead of the wall
 * (time travel, or Hardhat's +1 s per block in a burst of transactions); a real chain trails it by
 * up to a block.
 */
export type ChainClock = {
  /** Feed a snapshot's head: block number, its timestamp (s) and when it was seen (ms). */
  observe: (head: { blockNumber: number; blockTimestamp: number }, seenAtMs: number) => void;
  /** Chain time now, in ms. */
  nowMs: () => number;
  /** Wall-clock ms at which the chain reaches `chainSec`. */
  wallAt: (chainSec: number) => number;
  offsetMs: () => number;
};

export function createChainClock(now: () => number = Date.now, keep = 5): ChainClock {
  let last: { blockNumber: number; blockTimestamp: number } | null = null;
  let samples: number[] = [];
  let offset = 0;
  return {
    observe: (head, seenAtMs) => {
      if (last && head.blockNumber < last.blockNumber) samples = []; // a new chain
      if (last && head.blockNumber <= last.blockNumber && samples.length) return;
      const sample = head.blockTimestamp * 1000 - seenAtMs;
      // A block stamped one second after the previous one, ahead of both the wall clock and the
      // estimate, was pushed by a burst (Hardhat gives each block a new second): not the clock.
      const pushed = last !== null && samples.length > 0 && head.blockTimestamp === last.blockTimestamp + 1 && sample > 200 && sample > offset + 500;
      last = { blockNumber: head.blockNumber, blockTimestamp: head.blockTimestamp };
      if (pushed) return;
      samples.push(sample);
      if (samples.length > keep) samples.shift();
      // Timestamps are whole seconds taken at mining: the largest recent sample is the closest.
      offset = Math.max(...samples);
    },
    nowMs: () => now() + offset,
    wallAt: (chainSec) => chainSec * 1000 - offset,
    offsetMs: () => offset,
  };
}
