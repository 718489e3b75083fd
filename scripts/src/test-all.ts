/**
 * Runs every test suite of the repo one after another (they start their own real dependencies),
 * streams their output, and ends with one summary line `tests: N passed, M failed`.
 *
 * Usage: node scripts/src/test-all.ts [suite ...]   (default: all suites)
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { repoRoot } from "../../common/src/deployments.ts";
import type { ImagesStatus } from "./images.ts";

type Suite = {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  needs?: string;
};

const npmTest = (name: string, workspace: string): Suite => ({ name, command: "npm", args: ["test", "--silent", "-w", workspace] });

/** The contracts suite always runs the fuzz/invariant depth CI needs (scripts/src/test-contracts.ts drops CONTRACTS_FUZZ). */
const suites: Suite[] = [
  // What the compiler and the linter know, first: they take seconds and one test per project checked.
  { name: "typecheck", command: "npm", args: ["run", "--silent", "typecheck"] },
  { name: "lint", command: "npm", args: ["run", "--silent", "lint"] },
  { name: "contracts", command: "node", args: ["scripts/src/test-contracts.ts"] },
  npmTest("common", "@sothebais/common"),
  npmTest("scripts", "@sothebais/scripts"),
  // compose.yaml in a container engine (test/compose). Its images are built in the background from the start
  // of the run (see startImageBuild), while the suites above, which time nothing, run.
  { name: "compose", command: "node", args: ["--test", "--test-concurrency=1", "test/compose/*.test.ts"], needs: "test/compose" },
  npmTest("indexer", "@sothebais/indexer"),
  npmTest("relayer", "@sothebais/relayer"),
  npmTest("broadcaster", "@sothebais/broadcaster"),
  npmTest("agent", "@sothebais/agent"),
  npmTest("dapp", "@sothebais/dapp"),
  npmTest("operator", "@sothebais/operator"),
  { name: "e2e", command: "node", args: ["--test", "--test-concurrency=1", "test/e2e/*.test.ts"], needs: "test/e2e" },
  // Issue 19's attacks against the whole running stack (~5 minutes): chat, HTTP APIs, token URIs, secrets.
  { name: "redteam", command: "node", args: ["--test", "--test-concurrency=1", "test/redteam/*.test.ts"], needs: "test/redteam" },
  { name: "soak", command: "node", args: ["--test", "--test-concurrency=1", "test/soak/*.test.ts"], needs: "test/soak" },
];

export type Counts = { passed: number; failed: number; skipped: number };

/**
 * Reads the closing lines of every runner the suites use:
 * - node:test, spec (`ℹ pass 3`) and TAP (`# pass 3`): pass, fail, cancelled, skipped, todo;
 * - Hardhat 3 (its node:test and Solidity runners, and the `test` task over both) and Mocha:
 *   `3 passing (12ms)`, `1 failing`, `2 skipped (2 solidity)`, `1 todo`, `1 pending`;
 * - Vitest: `Tests  1 failed | 3 passed | 1 expected fail | 2 skipped | 1 todo (8)`.
 * Todo and pending tests did not run, so they count as skipped; a cancelled test did not pass, so it fails.
 */
export function countResults(output: string): Counts {
  const clean = stripVTControlCharacters(output);
  const sum = (re: RegExp) => [...clean.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
  const nodeTest = (word: string) => sum(new RegExp(`^\\s*(?:ℹ|#) ${word} (\\d+)\\s*$`, "gm"));
  const hardhat = (word: string) => sum(new RegExp(`^\\s*(\\d+) ${word}(?: \\(.*\\))?\\s*$`, "gm"));
  const vitest = vitestCounts(clean);
  return {
    passed: nodeTest("pass") + hardhat("passing") + vitest.passed,
    failed: nodeTest("fail") + nodeTest("cancelled") + hardhat("failing") + vitest.failed,
    skipped: nodeTest("skipped") + nodeTest("todo") + hardhat("skipped") + hardhat("todo") + hardhat("pending") + vitest.skipped,
  };
}

/** Vitest's `Tests` summary line: `|`-separated `N word` parts, then the total in parentheses. */
function vitestCounts(clean: string): Counts {
  const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  for (const line of clean.matchAll(/^\s*Tests\s+(.+)\(\d+\)\s*$/gm)) {
    for (const [, n, word] of line[1].matchAll(/(\d+) (failed|passed|expected fail|skipped|todo)\b/g)) {
      const key = word === "failed" ? "failed" : word === "passed" || word === "expected fail" ? "passed" : "skipped";
      counts[key] += Number(n);
    }
  }
  return counts;
}

/** How many failures a suite adds: its failed tests, or one when it exited non-zero or ran no test at all. */
export function suiteFailures(code: number, counts: Counts): number {
  if (counts.failed > 0) return counts.failed;
  return code !== 0 || counts.passed === 0 ? 1 : 0;
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

/**
 * The production images take ~10 minutes to build on a clean machine, mostly downloads and unpacking: started
 * at the beginning of a run that includes the compose suite, the build overlaps the suites before it. The
 * suite reads SOTHEBAIS_IMAGES_STATUS for the outcome. COMPOSE_TEST=0 leaves it out (the suite then skips).
 */
function startImageBuild(logDir: string): string | undefined {
  if (process.env.COMPOSE_TEST === "0") return undefined;
  const status = join(logDir, "images-status.json");
  rmSync(status, { force: true });
  const log = openSync(join(logDir, "images.log"), "w");
  const child = spawn(process.execPath, ["scripts/src/images.ts", "--status", status, "--log-dir", join(repoRoot, ".tmp/images")], {
    cwd: repoRoot,
    stdio: ["ignore", log, log],
    detached: true,
  });
  child.unref();
  console.log(`images: building in the background for the compose suite (${join(logDir, "images.log")})`);
  return status;
}

/** A dockerd the background build started and nothing stopped (the compose suite stops it when it runs). */
function stopStartedEngine(statusFile: string | undefined) {
  if (!statusFile || !existsSync(statusFile)) return;
  try {
    const status = JSON.parse(readFileSync(statusFile, "utf8")) as ImagesStatus;
    if (status.state === "running") process.kill(-status.pid, "SIGTERM");
    if (status.state !== "skipped" && status.daemonPid) process.kill(status.daemonPid, "SIGTERM");
  } catch {}
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
  const imagesStatus = selected.some((s) => s.name === "compose") ? startImageBuild(logDir) : undefined;
  const rows: { name: string; code: number; counts: Counts; seconds: number }[] = [];
  for (const suite of selected) {
    if (suite.name === "compose" && imagesStatus) suite.env = { ...suite.env, SOTHEBAIS_IMAGES_STATUS: imagesStatus };
    console.log(`\n━━━ ${suite.name} ━━━`);
    const result = await run(suite, logDir);
    // A suite that exits non-zero without a failing test, or that ran no test (a glob that matched nothing,
    // a runner that printed no summary), still fails the run.
    if (result.counts.passed === 0 && result.counts.failed === 0) console.log(`✗ ${suite.name} ran no tests`);
    result.counts.failed = suiteFailures(result.code, result.counts);
    rows.push({ name: suite.name, ...result });
  }
  stopStartedEngine(imagesStatus);
  console.log("\nsuite         passed  failed  skipped  seconds");
  for (const r of rows) {
    console.log(`${r.name.padEnd(12)} ${String(r.counts.passed).padStart(7)} ${String(r.counts.failed).padStart(7)} ${String(r.counts.skipped).padStart(8)} ${r.seconds.toFixed(0).padStart(8)}${r.code !== 0 ? `  (exit ${r.code})` : ""}`);
  }
  const passed = rows.reduce((n, r) => n + r.counts.passed, 0);
  const failed = rows.reduce((n, r) => n + r.counts.failed, 0);
  const skipped = rows.reduce((n, r) => n + r.counts.skipped, 0);
  console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(failed > 0 ? 1 : 0);
}

if (import.meta.main) await main();
