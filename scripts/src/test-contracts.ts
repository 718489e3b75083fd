/**
 * The contracts suite: Solidity lint, TypeScript tests, Solidity fuzz + invariant tests, and coverage,
 * each step printing its own summary. `FULL=1` (or CONTRACTS_FUZZ=full) runs the deep fuzz/invariant
 * configuration: 2,000 fuzz runs per test and 102,400 calls per invariant.
 */
import { spawnSync } from "node:child_process";
import { repoRoot } from "../../common/src/deployments.ts";

const steps: [string, string[]][] = [
  ["solhint", ["solhint", "--max-warnings", "0", "contracts/src/**/*.sol"]],
  ["hardhat test (coverage)", ["hardhat", "test", "--coverage"]],
  // Coverage leaves instrumented bytecode in artifacts/: rebuild so nothing deploys it afterwards.
  ["hardhat build (clean artifacts)", ["hardhat", "build", "--quiet"]],
];

let failed = false;
for (const [name, args] of steps) {
  console.log(`\n── ${name}`);
  const result = spawnSync("npx", args, { cwd: repoRoot, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`✗ ${name} failed (exit ${result.status})`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
