/**
 * Red team, end to end (issue 19 §8): the whole stack with known fake secrets, an attacker and a victim in
 * chat through the real tmi.js client, an attacker on the HTTP APIs. One test per attack (attacks.ts), each
 * asserting its tally: no unintended bid, link, unlink or spend on chain, no false host line, no secret in
 * any output, no other shortfall; then the chain is accounted for as a whole and the pulled stream must
 * have kept moving. Notes and problems go to test-results/redteam-report.md.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { repoRoot } from "@sothebais/common/deployments";
import { waitFor } from "@sothebais/common/testing";
import { attacks, figures, knownHoles, type RedTeamRun, report, startRun } from "./run.ts";
import { interruptions, type Tally } from "./attacks.ts";

/** The pulled stream may stall this long in all (seconds beyond the block time) over the whole run. */
const MAX_INTERRUPTION_S = 15;

function assertHeld(t: Tally) {
  const context = `\n${report(t)}`;
  assert.equal(t.unintended_bids, 0, `unintended bids on chain${context}`);
  assert.equal(t.unintended_links, 0, `unintended links (registrations, unlinks) on chain${context}`);
  assert.equal(t.false_host_lines, 0, `false host lines published${context}`);
  assert.equal(t.secrets_leaked, 0, `secrets in service output${context}`);
  assert.deepEqual(t.problems, [], `the defence fell short${context}`);
}

describe("red team: hostile chat and hostile web against the running stack", { timeout: 15 * 60_000 }, () => {
  let run: RedTeamRun;
  const started = Date.now();

  before(async () => {
    run = await startRun((line) => console.log(line));
    console.log(`  stack up in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });

  after(async () => {
    if (run) {
      const md = ["# Red-team report", "", ...run.tallies.map((t) => `- ${report(t).replace(/\n/g, "\n  ")}`), ""].join("\n");
      writeFileSync(join(repoRoot, "test-results/redteam-report.md"), md);
    }
    await run?.stop();
  });

  for (const attack of attacks) {
    const todo = knownHoles[attack.name];
    it(attack.name, todo ? { todo } : {}, async () => {
      const t = await attack.run(run.team);
      run.tallies.push(t);
      console.log(report(t));
      assertHeld(t);
    });
  }

  it("the chain at the end: only the victim's own bids and link, no revocation, escrow intact, no SSRF request", async () => {
    const { end } = await figures(run);
    console.log(report(end));
    assertHeld(end);
  });

  it(`the show kept running: the live lot kept updating on the pulled stream (under ${MAX_INTERRUPTION_S} s stalled)`, async () => {
    // A last bid must still reach the stream: the whole path works after every attack.
    const line = await run.team.victim.say("!bid 0.5");
    const lot = await waitFor(
      async () => {
        const res = await fetch(`${run.stack.ctx.urls.indexerUrl}/live`);
        const s = (await res.json()) as { lot?: { lotId: string; amount: string } };
        return s.lot?.amount === "500000000000000000" ? s.lot : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `the victim's last bid (line ${line.id}) on /live` },
    );
    await waitFor(() => run.stack.markers.markers.some((m) => m.marker.lotId === Number(lot.lotId) && m.marker.amountGwei === 500_000_000n), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: "the last bid on the pulled stream",
    });
    run.team.intendedBids++;
    const { figures: f } = await figures(run);
    console.log(`  figures: ${JSON.stringify(f)}`);
    console.log(`  show interrupted: ${interruptions(run.team)} (${run.stack.show.samples.length} s watched, ${run.stack.markers.markers.length} frames pulled)`);
    assert.ok(run.stack.markers.markers.length > 100, `the stream was pulled (${run.stack.markers.markers.length} frames read)`);
    assert.ok(f.show_interrupted_s <= MAX_INTERRUPTION_S, `the show was interrupted ${f.show_interrupted_s} s (${interruptions(run.team)})`);
  });
});
