import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildFacts } from "../src/facts.ts";
import { allowedFor, checkLine } from "../src/guard.ts";
import { type LineRequest, templateLine } from "../src/templates.ts";
import { ALICE, BOB, BOB_CHAT, snapshot, withBid } from "./helpers/snapshots.ts";

const names = { chatName: (h: string) => (h === BOB_CHAT ? "bob_bids" : undefined) };
const s1 = withBid(snapshot(), "b1", ALICE, 500_000_000_000_000_000n);
const s2 = withBid(s1, "b2", BOB, 600_000_000_000_000_000n, {}, { viaRelayer: true, chatIdHash: BOB_CHAT });
const facts = buildFacts(s2, names, 1_030_000, ["0xA11C…0001", "bob_bids"]);
const lot = facts.lot!;
const alice = { address: ALICE, name: "0xA11C…0001", viaRelayer: false, chatIdHash: `0x${"0".repeat(64)}` };
const bob = lot.leader!;
const outbid: LineRequest = { kind: "outbid", lot, bidder: bob, previous: alice, amount: 600_000_000_000_000_000n };
const allowed = allowedFor(outbid, facts, { hostName: "Lotte" });

describe("checkLine()", () => {
  it("accepts a line whose amount, names and lot agree with the chain", () => {
    assert.deepEqual(checkLine("bob_bids takes lot 3 at 0.6 ETH! Next bid 0.66 ETH.", allowed), { ok: true });
  });
  it("rejects an amount that is not on chain", () => {
    const r = checkLine("bob_bids bids 0.65 ETH!", allowed);
    assert.equal(r.ok, false);
    assert.match((r as { problems: string[] }).problems.join(), /0\.65/);
  });
  it("rejects a rounded amount (0.66 is on chain, 0.7 is not)", () => {
    assert.equal(checkLine("Next bid 0.7 ETH", allowed).ok, false);
  });
  it("rejects a wrong leader even when the name is allowed in the line", () => {
    const r = checkLine("0xA11C…0001 leads at 0.6 ETH", allowed);
    assert.equal(r.ok, false);
    assert.match((r as { problems: string[] }).problems.join(), /leads/);
  });
  it("rejects a known bidder who has no part in this moment", () => {
    const bidOnly = allowedFor({ kind: "bid", lot, bidder: bob, amount: 600_000_000_000_000_000n }, facts, { hostName: "Lotte" });
    assert.equal(checkLine("Thanks 0xA11C…0001 and bob_bids", bidOnly).ok, false);
  });
  it("rejects a lot number that is not on the block", () => {
    assert.equal(checkLine("bob_bids leads lot 4", allowed).ok, false);
  });
  it("rejects a time that disagrees with the chain clock, accepts one within 2 s", () => {
    const cd = allowedFor({ kind: "countdown", lot, step: "thirty", secondsLeft: 30 }, facts, { hostName: "Lotte" });
    assert.equal(checkLine("30 seconds left!", cd).ok, true);
    assert.equal(checkLine("thirty seconds left!", cd).ok, true);
    assert.equal(checkLine("10 seconds left!", cd).ok, false);
  });
  it("rejects an unexplained number and an invented address", () => {
    assert.equal(checkLine("bob_bids has 42 fans", allowed).ok, false);
    assert.equal(checkLine("0xdeadbeef bids", allowed).ok, false);
  });
  it("lets digits inside the artwork title pass", () => {
    const titled = allowedFor(outbid, { ...facts, lot: { ...lot, title: "Room 101" } }, { hostName: "Lotte" });
    assert.equal(checkLine('"Room 101" is at 0.6 ETH', titled).ok, true);
  });
  it("accepts every template line (templates are built from facts)", () => {
    const requests: LineRequest[] = [
      { kind: "open", lot, secondsLeft: 30 },
      outbid,
      { kind: "bid", lot, bidder: bob, amount: 600_000_000_000_000_000n },
      { kind: "extension", lot, bidder: bob, amount: 600_000_000_000_000_000n, secondsLeft: 30 },
      { kind: "countdown", lot, step: "ten", secondsLeft: 10 },
      { kind: "countdown", lot, step: "thirty", secondsLeft: 30 },
      { kind: "countdown", lot, step: "once", secondsLeft: 5 },
      { kind: "countdown", lot, step: "twice", secondsLeft: 3 },
      { kind: "sold", lot, winner: bob, amount: 600_000_000_000_000_000n },
      { kind: "no_sale", lot },
      { kind: "between", next: { lotId: "4", title: "Dawn", reserve: 10n ** 17n, secondsToStart: 125 } },
      { kind: "filler", lot, secondsLeft: 30 },
      { kind: "welcome", bidder: bob },
    ];
    for (const r of requests) {
      for (let i = 0; i < 5; i++) {
        const text = templateLine(r);
        const verdict = checkLine(text, allowedFor(r, facts, { hostName: "Lotte" }));
        assert.deepEqual(verdict, { ok: true }, `${r.kind}: ${text}`);
      }
    }
  });
});
