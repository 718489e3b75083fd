/**
 * How much fuzzing the Solidity tests of this run do (Hardhat's runner prints `runs` per test; an invariant
 * run is `depth` random handler calls), and that it is the depth CI needs: at least 10,000 runs per fuzz test,
 * 100,000 handler calls per invariant test, runs long enough for the invariant test's per-run check that every
 * action was called (`MIN_CHECKED_DEPTH` in AuctionHouse.t.sol: a shorter run skips it), and `failOnRevert` (else
 * the handler's own assertions are dead code). The figures docs quote ("fuzz/invariant calls") come from this line
 * of a CI run. The full effort is the default; CONTRACTS_FUZZ=quick (local development only) runs less and fails
 * this test on purpose (hardhat.config.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import hre from "hardhat";

/** The depth CI must run (issue 21): below it a fuzz or invariant test proves too little to quote. */
const ciMinimum = { fuzzRuns: 10_000, invariantCalls: 100_000 };

/** The invariant test's per-run depth below which it does not demand that every action was called. */
function minCheckedDepth(): number {
  const source = readFileSync(new URL("./AuctionHouse.t.sol", import.meta.url), "utf8");
  const match = /uint256 internal constant MIN_CHECKED_DEPTH = ([\d_]+);/.exec(source);
  assert.ok(match, "AuctionHouse.t.sol declares MIN_CHECKED_DEPTH");
  return Number(match[1].replaceAll("_", ""));
}

it("runs the Solidity fuzz and invariant tests at the depth CI needs", () => {
  type Profile = {
    fuzz: { runs?: number; seed?: string };
    invariant?: { runs?: number; depth?: number; failOnRevert?: boolean };
  };
  const solidity = (hre.config.test.solidity as unknown as { profiles: Record<string, Profile> }).profiles.default;
  // Foundry's defaults when the config sets none.
  const fuzzRuns = solidity.fuzz.runs ?? 256;
  const runs = solidity.invariant?.runs ?? 256;
  const depth = solidity.invariant?.depth ?? 500;
  const failOnRevert = solidity.invariant?.failOnRevert ?? false;
  const mode = process.env.CONTRACTS_FUZZ === "quick" ? "quick" : "full";
  console.log(
    `solidity fuzz (${mode}): ${fuzzRuns} runs per fuzz test; invariant: ${runs} runs x ${depth} calls = ${runs * depth} handler calls per invariant test (3 invariant tests: ${3 * runs * depth} calls), failOnRevert ${failOnRevert}; seed ${solidity.fuzz.seed} (CONTRACTS_FUZZ_SEED to replay)`,
  );
  assert.ok(fuzzRuns >= ciMinimum.fuzzRuns, `${fuzzRuns} runs per fuzz test, CI needs >= ${ciMinimum.fuzzRuns} (hardhat.config.ts test.solidity.fuzz.runs)`);
  assert.ok(runs * depth >= ciMinimum.invariantCalls, `${runs} x ${depth} = ${runs * depth} handler calls per invariant test, CI needs >= ${ciMinimum.invariantCalls} (hardhat.config.ts test.solidity.invariant)`);
  const checked = minCheckedDepth();
  assert.ok(depth >= checked, `invariant depth ${depth} < MIN_CHECKED_DEPTH ${checked}: afterInvariant would skip the every-action check`);
  assert.equal(failOnRevert, true, "invariant.failOnRevert must be true: every handler action predicts its reverts");
});
