import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answerFromFacts } from "../src/answers.ts";
import { buildFacts } from "../src/facts.ts";
import { allowedFor, checkLine } from "../src/guard.ts";
import { type LineRequest, templateLine } from "../src/templates.ts";
import { ALICE, snapshot, withBid } from "./helpers/snapshots.ts";

// The bidding war: 0.3362625 ETH standing, 5% increment, so the chain's minimum is 0.353075625.
const standing = 336_262_500_000_000_000n;
const snap = withBid(snapshot(), "b1", ALICE, standing, { minimumNextBid: "353075625000000000", minIncrementBps: 500 });
const facts = buildFacts(snap, { chatName: () => undefined }, 1_030_000);
const lot = facts.lot!;
const request: LineRequest = { kind: "bid", lot, bidder: lot.leader!, amount: standing };

describe("the host quotes amounts people can say", () => {
  it("the minimum next bid in the facts is the chain's, rounded up to 3 significant digits", () => {
    assert.equal(lot.minimumNextBid, 354_000_000_000_000_000n);
  });

  it('"do I hear" and every bid line say 0.354 ETH, never 0.353075625, and pass the truth guard', () => {
    const lines = Array.from({ length: 4 }, () => templateLine(request, () => 0));
    assert.ok(lines.some((l) => l.includes("Do I hear 0.354 ETH?")), lines.join("\n"));
    const allowed = allowedFor(request, facts, { hostName: "Lotte" });
    for (const line of lines) {
      assert.ok(!line.includes("0.353"), line);
      assert.deepEqual(checkLine(line, allowed), { ok: true }, line);
    }
  });

  it("answers a question about the minimum with the same short amount", () => {
    const answer = answerFromFacts({ text: "min?", topic: "minimum" }, { facts, hostName: "Lotte", dappUrl: "http://127.0.0.1:5173" });
    assert.ok(answer?.includes("0.354 ETH"), answer ?? "no answer");
  });
});
