import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createChainClock } from "../src/clock.ts";

describe("createChainClock()", () => {
  it("follows a chain in step with the wall clock (offset ~ -lag)", () => {
    let wall = 1_000_500;
    const clock = createChainClock(() => wall);
    clock.observe({ blockNumber: 1, blockTimestamp: 1000 }, 1_000_560);
    wall = 1_001_900;
    clock.observe({ blockNumber: 2, blockTimestamp: 1001 }, 1_001_050);
    assert.equal(clock.offsetMs(), -50);
    assert.equal(clock.wallAt(1010), 1_010_050);
  });
  it("jumps with time travel (evm_increaseTime + mine)", () => {
    const wall = 2_000_000;
    const clock = createChainClock(() => wall);
    clock.observe({ blockNumber: 1, blockTimestamp: 2000 }, 2_000_040);
    clock.observe({ blockNumber: 2, blockTimestamp: 2100 }, 2_000_060);
    assert.equal(clock.offsetMs(), 99_940);
    assert.equal(clock.nowMs(), 2_099_940);
  });
  it("ignores blocks pushed one second ahead by a burst of transactions", () => {
    const clock = createChainClock(() => 3_000_000);
    clock.observe({ blockNumber: 1, blockTimestamp: 3000 }, 3_000_020);
    for (let i = 1; i <= 5; i++) clock.observe({ blockNumber: 1 + i, blockTimestamp: 3000 + i }, 3_000_100 + i * 30);
    assert.ok(clock.offsetMs() <= 0, `offset ${clock.offsetMs()}`);
  });
  it("starts over on a new chain (block number goes back)", () => {
    const clock = createChainClock(() => 0);
    clock.observe({ blockNumber: 50, blockTimestamp: 5000 }, 4_000_000);
    clock.observe({ blockNumber: 1, blockTimestamp: 100 }, 100_000);
    assert.equal(clock.offsetMs(), 0);
  });
});
