/**
 * `npm run typecheck` and `npm run lint`: one check per project, run one after another. Every project is
 * checked even after a failure (so one run reports them all), and the run closes with TAP counts
 * (`# pass N`, `# fail M`) that scripts/src/test-all.ts reads like any test runner's: one test per project.
 *
 * Usage: node scripts/src/checks.ts typecheck|lint
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../../common/src/deployments.ts";

type Check = { name: string; command: string; args: string[] };

const bin = (tool: string) => join(repoRoot, "node_modules", ".bin", tool);

/** The projects with a tsconfig of their own (common is checked through every project that imports it). */
const tsProjects = ["contracts", "indexer", "relayer", "broadcaster", "agent", "dapp", "operator", "scripts", "scripts/src/lib", "bench/soak", "test"];

/** Every folder with TypeScript in it, and the root's own files (biome.jsonc says which files and rules). */
const lintTargets = ["common", "indexer", "relayer", "broadcaster", "agent", "dapp", "operator", "scripts", "bench", "test", "contracts", "hardhat.config.ts"];

export const checks: Record<string, Check[]> = {
  typecheck: tsProjects.map((p) => ({ name: `tsc ${p}`, command: bin("tsc"), args: ["-p", `${p}/tsconfig.json`, "--noEmit"] })),
  lint: lintTargets.map((t) => ({ name: `biome ${t}`, command: bin("biome"), args: ["lint", "--max-diagnostics=50", t] })),
};

/** The TAP closing lines for these results (test-all's countResults reads `# pass` and `# fail`). */
export function tapSummary(results: boolean[]): string {
  const passed = results.filter(Boolean).length;
  return `1..${results.length}\n# pass ${passed}\n# fail ${results.length - passed}`;
}

function main() {
  const kind = process.argv[2] ?? "";
  const list = checks[kind];
  if (!list) {
    console.error(`usage: node scripts/src/checks.ts ${Object.keys(checks).join("|")}`);
    process.exit(2);
  }
  const results = list.map((check, i) => {
    console.log(`# ${check.name}`);
    const run = spawnSync(check.command, check.args, { cwd: repoRoot, stdio: "inherit" });
    const ok = run.status === 0;
    console.log(`${ok ? "ok" : "not ok"} ${i + 1} - ${check.name}`);
    return ok;
  });
  console.log(tapSummary(results));
  process.exit(results.every(Boolean) ? 0 : 1);
}

if (import.meta.main) main();
