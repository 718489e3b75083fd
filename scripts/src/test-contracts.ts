/**
 * The contracts suite: Solidity lint, TypeScript tests, Solidity fuzz + invariant tests, and coverage,
 * each step printing its own summary and time. The coverage gate (scripts/src/coverage-gate.ts) fails the
 * suite below 98 % of the lines or 95 % of the branches of contracts/src, naming each file's uncovered lines and
 * branches. The Solidity fuzz/invariant tests always run at the depth CI needs (hardhat.config.ts: 10,000 runs per
 * fuzz test, 250 x 400 = 100,000 handler calls per invariant, failOnRevert); CONTRACTS_FUZZ=quick is for local
 * development only and is dropped here, so this suite never runs short.
 */
import { spawnSync } from "node:child_process";
import { repoRoot } from "../../common/src/deployments.ts";
import { checkCoverage } from "./coverage-gate.ts";

const steps: [string, string[]][] = [
  ["solhint", ["solhint", "--max-warnings", "0", "contracts/src/**/*.sol"]],
  ["hardhat test (coverage)", ["hardhat", "test", "--coverage"]],
  // Coverage leaves instrumented bytecode in artifacts/: rebuild so nothing deploys it afterwards.
  ["hardhat build (clean artifacts)", ["hardhat", "build", "--quiet"]],
];

let failed = false;
for (const [name, args] of steps) {
  console.log(`\n── ${name}`);
  const started = Date.now();
  const env = { ...process.env };
  delete env.CONTRACTS_FUZZ; // always the full effort (see above)
  const result = spawnSync("npx", args, { cwd: repoRoot, stdio: "inherit", env });
  if (result.status !== 0) {
    console.error(`✗ ${name} failed (exit ${result.status})`);
    failed = true;
  }
  console.log(`  (${name}: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (args.includes("--coverage")) {
    // The gate (issue 18): >= 98 % of lines and >= 95 % of branches of contracts/src, from this run's data only.
    console.log("\n── coverage gate");
    const gate = checkCoverage(repoRoot, { sinceMs: started });
    for (const line of gate.out) (gate.ok ? console.log : console.error)(line);
    if (!gate.ok) failed = true;
  }
}
process.exit(failed ? 1 : 0);
