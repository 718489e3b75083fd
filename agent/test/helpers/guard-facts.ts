/**
 * The facts the truth guard's case tables (guard-adversarial.test.ts, guard-attack.test.ts) are written
 * against, and the check each case runs. The facts: lot 3 "Blue Hour" by Mira Okafor (token 7, campaign
 * Genesis), 2 bids, bob_bids leads at 0.6 ETH (outbid 0xA11C…0001), next bid 0.66 ETH, reserve 0.1 ETH
 * (met), 30 s left; carol and alice are known bidders with no part in the moment.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { buildFacts } from "../../src/facts.ts";
import { type Allowed, allowedFor, checkLine, type GuardReason } from "../../src/guard.ts";
import type { LineRequest } from "../../src/templates.ts";
import { ALICE, BOB, BOB_CHAT, snapshot, withBid } from "./snapshots.ts";

const names = { chatName: (h: string) => (h === BOB_CHAT ? "bob_bids" : undefined) };
const known = ["0xA11C…0001", "bob_bids", "carol", "alice"];
const s1 = withBid(snapshot(), "b1", ALICE, 500_000_000_000_000_000n);
const s2 = withBid(s1, "b2", BOB, 600_000_000_000_000_000n, {}, { viaRelayer: true, chatIdHash: BOB_CHAT });

/** The moment above, 30 s before the end. */
export const facts = buildFacts(s2, names, 1_030_000, known);
export const lot = facts.lot!;
export const bob = lot.leader!;
export const alice = { address: ALICE, name: "0xA11C…0001", viaRelayer: false, chatIdHash: `0x${"0".repeat(64)}` };
/** The same lot before any bid, 60 s before the end. */
export const fresh = buildFacts(snapshot(), names, 1_000_000, ["carol", "alice"]);
/** The same moment read 20 s later: 10 s left by the chain clock. */
export const late = buildFacts(s2, names, 1_050_000, known);
export const wei = (eth: number) => BigInt(Math.round(eth * 1000)) * 10n ** 15n;
export const host = { hostName: "Lotte", dappUrl: "http://127.0.0.1:5173" };

/** The moments both tables check lines against; each adds its own countdown and no-sale moments. */
export const sharedMoments = {
  outbid: allowedFor({ kind: "outbid", lot, bidder: bob, previous: alice, amount: wei(0.6) }, facts, host),
  sold: allowedFor({ kind: "sold", lot, winner: bob, amount: wei(0.6) }, facts, host),
  answer: allowedFor({ kind: "answer", user: "viewer42", answer: "" }, facts, host),
  between: allowedFor({ kind: "between", next: { lotId: "4", title: "Dawn", reserve: wei(0.1), secondsToStart: 125 } } as LineRequest, { ...facts, lot: null, secondsLeft: null }, host),
} satisfies Record<string, Allowed>;

/** A candidate line, the moment it is checked in, and "ok" or a reason the guard must give. */
export type GuardCase = [moment: string, text: string, expected: "ok" | GuardReason];

/** One test per case: a true line passes outright; a false one is rejected with `expected` among its reasons. */
export function itChecksEachCase(cases: GuardCase[], moments: Record<string, Allowed>) {
  for (const [moment, text, expected] of cases) {
    it(`${moment}: ${JSON.stringify(text)} -> ${expected}`, () => {
      const verdict = checkLine(text, moments[moment] as Allowed);
      if (expected === "ok") assert.deepEqual(verdict, { ok: true }, "a true line was rejected");
      else {
        assert.equal(verdict.ok, false, "a false line passed");
        const { reasons, problems } = verdict as { reasons: GuardReason[]; problems: string[] };
        assert.ok(reasons.includes(expected), `reasons ${reasons.join(", ")}: ${problems.join("; ")}`);
      }
    });
  }
}
