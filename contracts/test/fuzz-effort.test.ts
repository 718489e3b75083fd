/**
 * Prints how much fuzzing the Solidity tests of this run do (Hardhat's runner prints `runs` per test; an invariant
 * run is `depth` random handler calls), so the test output states the fuzz runs and invariant calls made.
 * CONTRACTS_FUZZ=full selects the full effort (hardhat.config.ts).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import hre from "hardhat";

it("reports the Solidity fuzz and invariant effort", () => {
  type Profile = { fuzz: { runs?: number; seed?: string }; invariant?: { runs?: number; depth?: number } };
  const solidity = (hre.config.test.solidity as unknown as { profiles: Record<string, Profile> }).profiles.default;
  const fuzzRuns = solidity.fuzz.runs ?? 256;
  const runs = solidity.invariant?.runs ?? 256;
  const depth = solidity.invariant?.depth ?? 500;
  const mode = process.env.CONTRACTS_FUZZ === "full" || process.env.FULL === "1" ? "full" : "quick";
  console.log(
    `solidity fuzz (${mode}): ${fuzzRuns} runs per fuzz test; invariant: ${runs} runs x ${depth} calls = ${runs * depth} handler calls per invariant test (3 invariant tests: ${3 * runs * depth} calls); seed ${solidity.fuzz.seed} (CONTRACTS_FUZZ_SEED to replay)`,
  );
  assert.ok(runs * depth > 0);
});
