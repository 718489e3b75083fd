/**
 * The contracts suite: Solidity lint, TypeScript tests, Solidity fuzz + invariant tests, and coverage,
 * each step printing its own summary. `FULL=1` runs the deep fuzz/invariant configuration.
 */
import { spawnSync } from "node:child_process";
import { repoRoot } from "../../common/src/deployments.ts";

const steps: [string, string[]][] = [
  ["solhint", ["solhint", "--max-warnings", "0", "contracts/src/**/*.sol"]],
  ["hardhat test (coverage)", ["hardhat", "test", "--coverage"]],
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
