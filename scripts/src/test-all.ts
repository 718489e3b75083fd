/**
 * Runs every test suite of the repo one after another (they start their own real dependencies),
 * streams their output, and ends with one summary line `tests: N passed, M failed`.
 *
 * Usage: node scripts/src/test-all.ts [suite ...]   (default: all suites)
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../common/src/deployments.ts";

type Suite = {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  needs?: string;
};

const npmTest = (name: string, workspace: string): Suite => ({ name, command: "npm", args: ["test", "--silent", "-w", workspace] });

/** In CI (and by default) the contracts' fuzz/invariant depth is the quick one; FULL=1 for the deep run. */
const suites: Suite[] = [
  { name: "contracts", command: "node", args: ["scripts/src/test-contracts.ts"] },
  npmTest("common", "@sothebais/common"),
  npmTest("scripts", "@sothebais/scripts"),
  npmTest("indexer", "@sothebais/indexer"),
  npmTest("relayer", "@sothebais/relayer"),
  npmTest("broadcaster", "@sothebais/broadcaster"),
  npmTest("agent", "@sothebais/agent"),
  npmTest("dapp", "@sothebais/dapp"),
  { name: "e2e", command: "node", args: ["--test", "--test-concurrency=1", "test/e2e/*.test.ts"], needs: "test/e2e" },
  { name: "soak", command: "node", args: ["--test", "--test-concurrency=1", "test/soak/*.test.ts"], needs: "test/soak" },
];

type Counts = { passed: number; failed: number; skipped: number };

/** Reads the closing lines of node:test (spec and tap), Hardhat's runners and Vitest. */
export function countResults(output: string): Counts {
  const clean = output.replace(/\x1b\[[0-9;]*m/g, "");
  const sum = (re: RegExp) => [...clean.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
  const passed = sum(/^\s*(?:ℹ|#) pass (\d+)\s*$/gm) + sum(/^\s*(\d+) passing\b/gm) + sum(/^\s*Tests\s+(?:\d+ failed \| )?(\d+) passed/gm);
  const failed = sum(/^\s*(?:ℹ|#) fail (\d+)\s*$/gm) + sum(/^\s*(\d+) failing\b/gm) + sum(/^\s*Tests\s+(\d+) failed/gm);
  const skipped = sum(/^\s*(?:ℹ|#) skipped (\d+)\s*$/gm) + sum(/^\s*(\d+) pending\b/gm);
  return { passed, failed, skipped };
}

function run(suite: Suite, logDir: string): Promise<{ code: number; counts: Counts; seconds: number }> {
  const started = Date.now();
  const log = createWriteStream(join(logDir, `${suite.name}.log`));
  return new Promise((resolve) => {
    const child = spawn(suite.command, suite.args, {
      cwd: suite.cwd ?? repoRoot,
      env: { ...process.env, FORCE_COLOR: "0", ...suite.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      log.write(text);
      process.stdout.write(text);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("close", (code) => {
      log.end();
      resolve({ code: code ?? 1, counts: countResults(output), seconds: (Date.now() - started) / 1000 });
    });
  });
}

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !suites.some((s) => s.name === w));
  if (unknown.length) {
    console.error(`unknown suite(s): ${unknown.join(", ")}; expected some of: ${suites.map((s) => s.name).join(", ")}`);
    process.exit(2);
  }
  const selected = (wanted.length ? suites.filter((s) => wanted.includes(s.name)) : suites).filter(
    (s) => !s.needs || existsSync(join(repoRoot, s.needs)),
  );
  const logDir = join(repoRoot, "test-results");
  mkdirSync(logDir, { recursive: true });
  const rows: { name: string; code: number; counts: Counts; seconds: number }[] = [];
  for (const suite of selected) {
    console.log(`\n━━━ ${suite.name} ━━━`);
    const result = await run(suite, logDir);
    // A suite that exits non-zero without a failing test still fails the run.
    if (result.code !== 0 && result.counts.failed === 0) result.counts.failed = 1;
    rows.push({ name: suite.name, ...result });
  }
  console.log("\nsuite         passed  failed  skipped  seconds");
  for (const r of rows) {
    console.log(`${r.name.padEnd(12)} ${String(r.counts.passed).padStart(7)} ${String(r.counts.failed).padStart(7)} ${String(r.counts.skipped).padStart(8)} ${r.seconds.toFixed(0).padStart(8)}${r.code !== 0 ? "  (exit " + r.code + ")" : ""}`);
  }
  const passed = rows.reduce((n, r) => n + r.counts.passed, 0);
  const failed = rows.reduce((n, r) => n + r.counts.failed, 0);
  const skipped = rows.reduce((n, r) => n + r.counts.skipped, 0);
  console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(failed > 0 ? 1 : 0);
}

if (import.meta.main) await main();
