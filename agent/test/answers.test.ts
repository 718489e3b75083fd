import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answerFromFacts, parseQuestion } from "../src/answers.ts";
import { buildFacts } from "../src/facts.ts";
import { shortAddress } from "../src/format.ts";
import { ALICE, snapshot, withBid } from "./helpers/snapshots.ts";

const handles = ["host", "lotte"];
const names = { chatName: () => undefined };

describe("parseQuestion()", () => {
  const cases: [string, string | null][] = [
    ["@host how do I bid?", "bid"],
    ["!ask what's the minimum", "minimum"],
    ["hey @Lotte who is winning", "leader"],
    ["@host how do I link my account", "link"],
    ["!ask how long is left", "time"],
    ["!bid 0.5", null],
    ["hello everyone", null],
    ["@hostess hi", null],
  ];
  for (const [text, topic] of cases) {
    it(`reads ${JSON.stringify(text)} as ${topic ?? "not a question"}`, () => {
      assert.equal(parseQuestion(text, handles)?.topic ?? null, topic);
    });
  }
});

describe("answerFromFacts()", () => {
  const s = withBid(snapshot(), "b1", ALICE, 500_000_000_000_000_000n);
  const facts = buildFacts(s, names, 1_030_000);
  const ctx = { facts, hostName: "Lotte", dappUrl: "http://127.0.0.1:5173" };
  it("gives the minimum next bid from the chain", () => {
    assert.equal(answerFromFacts({ text: "min?", topic: "minimum" }, ctx), "The minimum next bid on lot 3 is 0.55 ETH.");
  });
  it("names the leader and amount", () => {
    assert.equal(answerFromFacts({ text: "who", topic: "leader" }, ctx), `${shortAddress(ALICE)} leads lot 3 at 0.5 ETH.`);
  });
  it("says there is no bid yet (and the opening bid) before the first bid", () => {
    const f = buildFacts(snapshot(), names, 1_030_000);
    assert.equal(answerFromFacts({ text: "who", topic: "leader" }, { ...ctx, facts: f }), "No bids yet on lot 3. The opening bid is 0.1 ETH.");
  });
  it("explains how to link with the dApp URL and !link", () => {
    const a = answerFromFacts({ text: "link", topic: "link" }, ctx) ?? "";
    assert.match(a, /http:\/\/127\.0\.0\.1:5173/);
    assert.match(a, /!link/);
  });
  it("gives the time left by the chain clock", () => {
    assert.match(answerFromFacts({ text: "time", topic: "time" }, ctx) ?? "", /^30 seconds left on lot 3/);
  });
});
