/**
 * Which lot was on the bidder's screen (timeline.ts `shownAt`), pure. Found by the red team
 * (test/redteam): a cancelled lot keeps its scheduled end in the contract's view, so for up to its whole
 * duration it "ended sooner" than the lot that replaced it and every chat bid was answered "lot 1 closed".
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LotStatus } from "../src/chain.ts";
import { type LotSpan, shownAt } from "../src/timeline.ts";

const span = (lotId: number, start: number, end: number, status: number): LotSpan => ({
  lotId: BigInt(lotId),
  start,
  end,
  status,
  final: status !== LotStatus.Live && status !== LotStatus.Queued && status !== LotStatus.Scheduled,
});
const lotAt = (spans: LotSpan[], s: number) => {
  const shown = shownAt(spans, s * 1000);
  return shown.kind === "lot" ? Number(shown.span.lotId) : "none";
};

describe("shownAt (the lot on screen at a moment)", () => {
  it("a lot cancelled mid-way leaves the screen when the next lot opens, not at its scheduled end", () => {
    // Lot 1 scheduled 1000..4600, cancelled at 1200; lot 2 of the campaign opened at 1200 (no intermission).
    const spans = [span(1, 1000, 4600, LotStatus.Cancelled), span(2, 1200, 4800, LotStatus.Live)];
    assert.equal(lotAt(spans, 1100), 1, "before the cancel: lot 1 (closed now: the bid is refused, never moved)");
    assert.equal(lotAt(spans, 1199), 1);
    assert.equal(lotAt(spans, 1201), 2, "after the change: lot 2");
    assert.equal(lotAt(spans, 3000), 2, "long after: lot 2");
  });

  it("with an intermission, the gap after a cancel still reads as the cancelled lot, then the next one", () => {
    const spans = [span(1, 1000, 4600, LotStatus.Cancelled), span(2, 1220, 4820, LotStatus.Live)];
    assert.equal(lotAt(spans, 1210), 1);
    assert.equal(lotAt(spans, 1225), 2);
  });

  it("a cancelled lot with nothing after it keeps its span; overlapping live lots: the one ending soonest", () => {
    assert.equal(lotAt([span(1, 1000, 4600, LotStatus.Cancelled)], 3000), 1);
    assert.equal(lotAt([span(1, 1000, 2000, LotStatus.Live), span(2, 1000, 3000, LotStatus.Live)], 1500), 1);
    assert.equal(lotAt([span(1, 1000, 2000, LotStatus.Settled), span(2, 2020, 3000, LotStatus.Live)], 2010), "none");
  });
});
