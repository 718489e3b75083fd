import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSlotCounter, startFrameLoop } from "../src/loop.ts";

/** Polls until `done`, so a test stops the clock right after the turn it waits for. */
async function until(done: () => boolean): Promise<void> {
  const give = Date.now() + 2000;
  while (!done()) {
    if (Date.now() > give) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe("frame clock", () => {
  it("fills missed slots with repeats so the timeline keeps up with the clock", async () => {
    let t = 0;
    const calls: string[] = [];
    const loop = startFrameLoop({ fps: 10, now: () => t, frame: (i) => calls.push(`f${i}`), repeat: (i) => calls.push(`r${i}`) });
    await until(() => calls.length === 1);
    assert.deepEqual(calls, ["f0"]);
    // The next turn comes at 350 ms on the clock: slots 1-3 are due, 1 and 2 are repeats, 3 is drawn.
    t = 350;
    await until(() => calls.length >= 4);
    loop.stop();
    assert.deepEqual(calls, ["f0", "r1", "r2", "f3"]);
    assert.deepEqual(loop.stats(), { frames: 4, late: 2, resets: 0 });
  });

  it("starts the schedule again rather than catching up more than a second", async () => {
    let t = 0;
    const calls: string[] = [];
    const loop = startFrameLoop({ fps: 10, now: () => t, frame: (i) => calls.push(`f${i}`), repeat: (i) => calls.push(`r${i}`) });
    await until(() => calls.length === 1);
    t = 5_000;
    await until(() => calls.length >= 2);
    loop.stop();
    assert.deepEqual(calls, ["f0", "f1"]);
    assert.equal(loop.stats().resets, 1);
  });
});

describe("slot counter", () => {
  it("counts the hits among the last second's slots, each slot overwritten a second later", () => {
    const c = createSlotCounter(30);
    for (let i = 0; i < 30; i++) c.record(i, true);
    assert.equal(c.count(), 30);
    c.record(30, false);
    c.record(31, false);
    assert.equal(c.count(), 28);
    // Recording the same slot twice must not count it twice.
    c.record(32, true);
    c.record(32, true);
    assert.equal(c.count(), 28);
    for (let i = 33; i < 62; i++) c.record(i, true);
    assert.equal(c.count(), 30);
    c.clear();
    assert.equal(c.count(), 0);
    c.record(62, true);
    assert.equal(c.count(), 1);
  });
});
