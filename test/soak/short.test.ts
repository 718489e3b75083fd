/**
 * A short soak, in `.ci/run`: the whole stack for a few minutes with chat and wallet bidders while the
 * relayer is killed (-9), Redis is killed (-9) in the middle of a chat burst and restarted, the RPC stalls
 * for 20 s, and the RTMP server is restarted. The
 * guarantees are checked, not the speed (the full soak, `./sothebais bench soak`, measures that): every
 * chat bid line got exactly one outcome and the right one (no `failed`, no `relayer_paused`, no `not_live`
 * while a lot was open), no bid landed twice, the escrow invariant held at every check,
 * and the show recovered from every fault on its own.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "@sothebais/common/deployments";

const minutes = Number(process.env.CI_SOAK_MINUTES ?? 4);
// The RPC stall last: its recovery (Ponder timing out hung requests, or the watchdog restarting it) is the
// slowest and may run past the window, which would leave no time for a fault after it.
// Redis is killed -9 in the middle of a burst of chat bids (redis-burst; the plain `redis` fault is in the full
// soak): the AOF with appendfsync always must keep every acknowledged write, 0 lost and 0 twice.
const faults = ["relayer", "redis-burst", "rtmp", "rpc"];
/** Outcome kinds a `!bid` of a linked bidder within its caps may rightly get (bench/lib/outcomes.ts judges each line). */
const expectedKinds = new Set(["placed", "outbid", "too_low", "over_max_bid", "over_total_cap", "insufficient_escrow", "max_reached", "not_live", "not_open_yet", "lot_closed"]);

describe("short soak with faults", { timeout: (minutes + 15) * 60_000 }, () => {
  it("behavior: every chat bid has exactly one outcome and the right one, none twice on chain, invariant holds, every fault recovered", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "sothebais-ci-soak-")), "soak.json");
    const env = {
      ...process.env,
      SOAK_MINUTES: String(minutes),
      SOAK_CHAT_BIDDERS: "30",
      SOAK_WALLET_BIDDERS: "5",
      SOAK_CHAT_BIDS_PER_MIN: "60",
      SOAK_LOT_SECONDS: "45",
      SOAK_FAULTS: faults.join(","),
      SOAK_RESULTS: out,
    };
    const child = spawn(process.execPath, [join(repoRoot, "bench/soak.bench.ts")], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    const keep = (d: Buffer) => {
      log = (log + d.toString()).slice(-20_000);
      if (process.env.CI_SOAK_VERBOSE) process.stdout.write(d);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, `the soak exited ${code}:\n${log.slice(-4000)}`);
    const r = JSON.parse(readFileSync(out, "utf8")) as Record<string, number>;
    const context = `\n${log.slice(-3000)}`;
    assert.ok(r.chat_bids_sent > 0, `no chat bids were sent${context}`);
    assert.ok(r.chat_bids_placed > 0, `no chat bid was placed${context}`);
    assert.equal(r.chat_say_failures, 0, `chat lines that could not be sent${context}`);
    assert.equal(r.chat_bids_without_outcome, 0, `chat bids without an outcome${context}`);
    // The right outcome, not only an outcome: every kind recorded is a bid's answer (placed or the bidder's
    // own refusal) or a not_live while no lot was open; a failed, relayer_paused or stale not_live is lost.
    const kinds = Object.keys(r).filter((k) => k.startsWith("outcome_")).map((k) => k.slice("outcome_".length));
    const unexpected = kinds.filter((k) => !expectedKinds.has(k));
    assert.deepEqual(unexpected, [], `chat bids answered with ${unexpected.map((k) => `${k} x ${r[`outcome_${k}`]}`).join(", ")}${context}`);
    const lostReasons = Object.keys(r).filter((k) => k.startsWith("chat_bids_lost_")).map((k) => `${k.slice("chat_bids_lost_".length)} x ${r[k]}`);
    assert.equal(r.chat_bids_lost, 0, `chat bids without the right outcome: ${lostReasons.join(", ")}${context}`);
    assert.ok(r.chat_bids_placeable > 0, `no chat bid was said while a lot was open${context}`);
    assert.equal(r.bids_lost, 0, `bids lost${context}`);
    assert.equal(r.bids_duplicated, 0, `bids on chain twice${context}`);
    assert.equal(r.relayed_bid_events, r.chat_bids_placed, `placed outcomes and relayed BidPlaced events differ${context}`);
    assert.ok(r.invariant_checks >= 2, `invariant checked ${r.invariant_checks} times${context}`);
    assert.equal(r.invariant_violations, 0, `escrow invariant violated${context}`);
    assert.equal(r.faults_injected, faults.length, `faults injected: ${r.faults_injected}${context}`);
    assert.equal(r.faults_not_recovered, 0, `a fault was not recovered from${context}`);
    for (const f of faults) assert.equal(r[`fault_${f.replaceAll("-", "_")}_lost`], 0, `bids lost in the ${f} fault${context}`);
  });
});
