/**
 * The benches' counting (bench/lib): a miss enters the percentile, a small sample is labelled as its
 * maximum, a wrong outcome counts as a lost bid, a wallet failure is classified, and a results file carries
 * its provenance. These decide whether a figure could have failed, so they are tested apart from any bench.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ContractFunctionExecutionError, ContractFunctionRevertedError, encodeErrorResult } from "viem";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { bidFailureReason } from "../src/audience/wallet-bidders.ts";
import { classifyWalletFailure, judgeChatBid, liveWindows, placeableAt, walletRaces } from "../../bench/lib/outcomes.ts";
import { provenanceKeys, startBenchRun } from "../../bench/lib/results.ts";
import { countBy, latencyKeys, percentile, prefixKeys } from "../../bench/lib/stats.ts";

const range = (n: number, f: (i: number) => number = (i) => i + 1) => Array.from({ length: n }, (_, i) => f(i));

describe("percentile", () => {
  it("is the nearest rank", () => {
    assert.equal(percentile(range(100), 95), 95);
    assert.equal(percentile(range(100), 50), 50);
    assert.equal(percentile(range(100), 100), 100);
    assert.equal(percentile([7], 95), 7);
    assert.ok(Number.isNaN(percentile([], 95)));
  });

  it("a miss enters the distribution as +Infinity", () => {
    // 95 fast samples and 5 that never arrived: the p95 is still a real sample...
    assert.equal(percentile(range(95), 95, { missed: 5 }), 95);
    // ...one more miss and the p95 is the miss, whatever the fast ones say.
    assert.equal(percentile(range(94), 95, { missed: 6 }), Number.POSITIVE_INFINITY);
    // Dropping the misses would have reported 90 here.
    assert.equal(percentile(range(94), 95), 90);
  });

  it("a NaN or Infinity sample is a miss, not skipped", () => {
    const withNaN = [...range(90), ...range(10, () => Number.NaN)];
    assert.equal(percentile(withNaN, 95), Number.POSITIVE_INFINITY);
    assert.equal(percentile(withNaN, 50), 50);
  });

  it("rejects a percentile outside (0, 100]", () => {
    assert.throws(() => percentile([1], 0));
    assert.throws(() => percentile([1], 101));
  });
});

describe("latencyKeys", () => {
  it("labels the tail of fewer than 100 samples as the maximum", () => {
    const keys = latencyKeys("chat_to_mined", range(15, (i) => 100 * (i + 1)), { suffix: "_interval_1s" });
    assert.deepEqual(keys, {
      chat_to_mined_p50_ms_interval_1s: 800,
      chat_to_mined_max_ms_interval_1s: 1500,
      chat_to_mined_samples_interval_1s: 15,
      chat_to_mined_missed_interval_1s: 0,
    });
    assert.ok(!("chat_to_mined_p95_ms_interval_1s" in keys));
  });

  it("reports a p95 from 100 samples, misses counted among them", () => {
    const keys = latencyKeys("push", range(97), { missed: 3 });
    assert.equal(keys.push_p95_ms, 95);
    assert.equal(keys.push_samples, 100);
    assert.equal(keys.push_missed, 3);
    const worse = latencyKeys("push", range(90), { missed: 10 });
    assert.equal(worse.push_p95_ms, Number.POSITIVE_INFINITY);
  });

  it("a miss makes a small sample's maximum infinite", () => {
    const keys = latencyKeys("x", [1, 2, Number.NaN]);
    assert.equal(keys.x_max_ms, Number.POSITIVE_INFINITY);
    assert.equal(keys.x_missed, 1);
    assert.equal(keys.x_samples, 3);
  });
});

describe("judgeChatBid: a chat bid is lost unless it got the right outcome", () => {
  it("placed and the audience's own refusals are right", () => {
    for (const kind of ["placed", "outbid", "too_low", "over_max_bid", "over_total_cap", "insufficient_escrow", "max_reached"]) {
      assert.deepEqual(judgeChatBid(kind, true), { lost: false, kind });
    }
  });

  it("no outcome is lost", () => {
    assert.deepEqual(judgeChatBid(undefined, true), { lost: true, reason: "no_outcome" });
    assert.deepEqual(judgeChatBid(undefined, false), { lost: true, reason: "no_outcome" });
  });

  it("not_live is right only when no lot was open", () => {
    assert.deepEqual(judgeChatBid("not_live", false), { lost: false, kind: "not_live" });
    assert.deepEqual(judgeChatBid("not_live", true), { lost: true, reason: "not_live_while_live" });
  });

  it("failed, relayer_paused and any other answer to a bid are lost, by reason", () => {
    for (const kind of ["failed", "relayer_paused", "paused", "rate_limited", "not_linked", "malformed", "answer", "ignored"]) {
      assert.deepEqual(judgeChatBid(kind, true), { lost: true, reason: kind });
      assert.deepEqual(judgeChatBid(kind, false), { lost: true, reason: kind });
    }
  });

  it("a run of wrong outcomes counts as lost (the 178 stale not_live of issue 21)", () => {
    const kinds = [...range(289, () => 0).map(() => "placed"), ...range(178, () => 0).map(() => "not_live")];
    const lost = kinds.map((k) => judgeChatBid(k, true)).filter((v) => v.lost);
    assert.equal(lost.length, 178);
    assert.deepEqual(countBy(lost.map((v) => (v.lost ? v.reason : ""))), { not_live_while_live: 178 });
  });
});

describe("lot windows", () => {
  const windows = liveWindows(
    [
      { lotId: 1n, startTime: 1000, endTime: 1060 },
      { lotId: 2n, startTime: 1070, endTime: 1130 },
    ],
    [
      { lotId: 1n, endTime: 1075 },
      { lotId: 1n, endTime: 1070 }, // an older end time does not move it back
    ],
  );
  const grace = { afterStartMs: 2000, beforeEndMs: 3000 };

  it("an extension moves the end", () => {
    assert.deepEqual(windows[0], { lotId: 1n, start: 1_000_000, end: 1_075_000 });
  });

  it("a line is placeable inside a window, away from its edges", () => {
    assert.equal(placeableAt(1_030_000, windows, grace), true);
    assert.equal(placeableAt(1_001_000, windows, grace), false); // just listed
    assert.equal(placeableAt(1_073_000, windows, grace), true); // lot 2 is open by then
    assert.equal(placeableAt(1_128_000, windows, grace), false); // lot 2 about to end
    assert.equal(placeableAt(1_200_000, windows, grace), false); // nothing listed
  });

  it("the chain clock offset shifts the wall clock", () => {
    assert.equal(placeableAt(1_200_000, windows, { ...grace, chainOffsetMs: -100_000 }), true);
  });
});

describe("classifyWalletFailure", () => {
  it("tells races from failures of the stack", () => {
    const cases: [string | undefined, string][] = [
      [undefined, "reverted_in_block"],
      ['The contract function "bid" reverted. Error: AuctionHouseBidTooLow(uint256 lotId, uint256 amount, uint256 minimum)', "race_too_low"],
      ['reverted with the following reason: AuctionHouseLotNotLive(2, 3)', "race_lot_closed"],
      ["The request took too long to respond.", "timeout"],
      ["HTTP request failed. Details: fetch failed", "rpc_unavailable"],
      ["Nonce provided for the transaction is lower than the current nonce", "nonce"],
      ["something else", "other"],
    ];
    for (const [message, expected] of cases) assert.equal(classifyWalletFailure(message), expected, String(message));
    assert.ok(walletRaces.has("race_too_low"));
    assert.ok(!walletRaces.has("timeout"));
  });

  it("reads the revert's error name from viem's error, which its first message line does not carry", () => {
    const reverted = (errorName: "AuctionHouseBidTooLow" | "AuctionHouseLotNotLive", args: readonly bigint[] | readonly [bigint, number]) =>
      new ContractFunctionExecutionError(
        new ContractFunctionRevertedError({ abi: auctionHouseAbi, functionName: "bid", data: encodeErrorResult({ abi: auctionHouseAbi, errorName, args } as never) }),
        { abi: auctionHouseAbi, functionName: "bid", args: [3n] },
      );
    const tooLow = reverted("AuctionHouseBidTooLow", [3n, 10n, 11n]);
    // What the soak recorded until 2026-12-05: 34 of 35 failed wallet bids of a 30-minute run were "other".
    assert.equal(classifyWalletFailure(tooLow.message.split("\n")[0]), "other");
    assert.equal(classifyWalletFailure(bidFailureReason(tooLow)), "race_too_low");
    assert.equal(classifyWalletFailure(bidFailureReason(reverted("AuctionHouseLotNotLive", [3n, 3]))), "race_lot_closed");
    assert.equal(classifyWalletFailure(bidFailureReason(new Error("fetch failed\nat ..."))), "rpc_unavailable");
  });
});

describe("results file", () => {
  it("carries the figures, the parameters and the provenance, and writes a miss as Infinity", () => {
    const path = join(mkdtempSync(join(tmpdir(), "bench-results-")), "x.json");
    const run = startBenchRun("x", { bids: 30, mode: "quick" });
    run.write({ a_p95_ms: Number.POSITIVE_INFINITY, b: 2 }, path);
    const file = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    assert.equal(file.a_p95_ms, "Infinity");
    assert.equal(file.b, 2);
    assert.equal(file.param_bids, 30);
    assert.equal(file.param_mode, "quick");
    for (const k of provenanceKeys) assert.ok(k in file, `missing ${k}`);
    assert.match(String(file.commit), /^[0-9a-f]{40}$/);
    assert.ok(Number(file.machine_cores) >= 1);
  });

  it("prefixKeys makes names key-safe", () => {
    assert.deepEqual(prefixKeys("fault_", { "indexer-lag": 1 }), { fault_indexer_lag: 1 });
  });
});
