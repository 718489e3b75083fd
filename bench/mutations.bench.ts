/**
 * Mutation check of the contracts (issue 18, "Tests that bite"): hand-written mutants, each a (file, exact
 * original snippet, replacement) triple, are applied one at a time to a COPY of the contracts, and the contract
 * tests run on each. A mutant is killed when a test fails; every mutant must be killed.
 *
 *   node bench/mutations.bench.ts      (root: npm run bench:mutations, ./sothebais bench mutations)
 *
 * The copy: a temp workspace with `contracts/`, `hardhat.config.ts` and `package.json` of the commit
 * (`git archive HEAD`; MUTATIONS_SOURCE=worktree copies the work tree instead) and a symlink to this repo's
 * node_modules, so the repo's artifacts and the work of others are never touched.
 *
 * Per mutant, cheapest first (wasm solc with via-IR is the slow part, so the Solidity tests are compiled only
 * when needed):
 *   1. TypeScript tests (`hardhat test nodejs`, every contracts/test/*.test.ts but fuzz-effort.test.ts, which
 *      checks the CI fuzz depth, not the contracts), with the `.t.sol` files set aside; stopped at the first
 *      failing test;
 *   2. only if it survived: the Solidity fuzz/invariant tests (`hardhat test solidity`, the quick profile, one
 *      fixed seed), after a baseline run of them on the unmutated copy.
 * The unmutated copy must pass step 1 first (else a "kill" means nothing). A snippet that is not found exactly
 * once, or a mutant that does not compile, fails the bench loudly: the mutants stay in sync with the code.
 *
 * Env: MUTANTS=name,name (run only these), MUTATIONS_SOURCE=head|worktree, CONTRACTS_FUZZ_SEED (default fixed),
 * MUTATIONS_BOTH=1 (the Solidity suite on every mutant too, `solidity_<name>`: what it kills on its own; slow),
 * MUTATIONS_KEEP=1 (keep the temp workspace). Writes bench/results/mutations.json: `mutants`, `killed`,
 * `survivors` (comma-joined names, "" when none), `mutant_<name>` (what killed it), plus provenance.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { repoRoot, startBenchRun } from "./lib/results.ts";

export type Mutant = { name: string; file: string; from: string; to: string };

const AH = "contracts/src/AuctionHouse.sol";
const STORAGE = "contracts/src/AuctionHouseStorage.sol";

export const mutants: Mutant[] = [
  {
    name: "nft_to_seller",
    file: AH,
    from: "address receiver = b.bidder == address(0) ? t.seller : b.bidder;",
    to: "address receiver = t.seller;",
  },
  { name: "outbid_refund_skipped", file: AH, from: "bool toEscrow = !_push(prev.bidder, prev.amount);", to: "bool toEscrow = false;" },
  {
    name: "exposure_not_released_on_outbid",
    file: AH,
    from: "if (prev.flags & _VIA_RELAYER != 0) prevAccount.exposure -= prev.amount;",
    to: "",
  },
  { name: "fee_not_accrued", file: AH, from: "_fees.accruedFeesGwei = uint32(accrued);", to: "" },
  { name: "extension_not_applied", file: AH, from: "newEnd = uint40(block.timestamp) + s.timeBuffer;", to: "newEnd = end;" },
  {
    name: "leader_extension_reenabled",
    file: AH,
    from: "if (prev.bidder != bidder && end - block.timestamp < s.timeBuffer) {",
    to: "if (end - block.timestamp < s.timeBuffer) {",
  },
  { name: "total_cap_not_checked", file: AH, from: "if (exposure > totalCap) revert ChatAuthorizationCapExceeded(bidder, exposure, totalCap);", to: "" },
  { name: "nonce_not_bumped", file: AH, from: "++account.nonce;", to: "" },
  { name: "pause_ignored_in_bids", file: AH, from: "if (_counters.paused) revert AuctionHousePaused();", to: "" },
  // `>= 0` is always true for a uint32: no pause window is ever applied.
  { name: "pause_not_stopping_clock", file: STORAGE, from: "if (window.pausedAt == 0) return end;", to: "if (window.pausedAt >= 0) return end;" },
  {
    name: "custody_check_removed",
    file: AH,
    from: "if (!_ownerIs(params.nft, params.tokenId, address(this))) {\n            revert AuctionHouseNotInCustody(params.nft, params.tokenId);\n        }",
    to: "",
  },
  { name: "allowlist_check_removed", file: AH, from: "if (!_allowedCollections[params.nft]) revert AuctionHouseCollectionNotAllowed(params.nft);", to: "" },
  {
    name: "undeliverable_winner_not_credited",
    file: AH,
    from: "winner.balance = SafeCast.toUint88(uint256(winner.balance) + b.amount);",
    to: "",
  },
  { name: "campaign_queue_check_removed", file: AH, from: "queued = camp.lotsClosed + 1 != position;", to: "queued = false;" },
  {
    name: "chat_id_hash_not_signed",
    file: AH,
    from: "auth.relayer,\n                    auth.chatIdHash,",
    to: "auth.relayer,\n                    bytes32(0),",
  },
  {
    name: "floor_check_removed",
    file: AH,
    from: "if (p.minIncrementFloor == 0 || p.minIncrementFloor > type(uint64).max) {",
    to: "if (p.minIncrementFloor > type(uint64).max) {",
  },
  { name: "royalty_cap_ignored", file: AH, from: "return (address(uint160(word0)), _min(word1, max));", to: "return (address(uint160(word0)), word1);" },
];

/** `text` with the mutant applied; throws unless its snippet occurs exactly once. */
export function applyMutant(text: string, m: Mutant): string {
  const count = text.split(m.from).length - 1;
  if (count !== 1) throw new Error(`mutant ${m.name}: snippet found ${count} times in ${m.file} (expected exactly once): ${JSON.stringify(m.from)}`);
  return text.replace(m.from, () => m.to);
}

type StepResult = { ok: boolean; firstFailure?: string; seconds: number; output: string; code: number | null };

/** Runs `hardhat <args>` in `cwd`; with `failFast`, stops at the first failing test the reporter prints. */
function hardhat(cwd: string, args: string[], env: NodeJS.ProcessEnv, failFast: boolean, timeoutMs = 45 * 60_000): Promise<StepResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(join(repoRoot, "node_modules/.bin/hardhat"), args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    if (child.pid !== undefined) running.add(child.pid);
    let output = "";
    let firstFailure: string | undefined;
    let stopped = false;
    const stop = () => {
      if (stopped || child.pid === undefined) return;
      stopped = true;
      try {
        process.kill(-child.pid, "SIGTERM"); // the group we started: hardhat and its test workers
      } catch {}
    };
    const timer = setTimeout(stop, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (firstFailure === undefined) {
        // node:test reporter: "  3) name of the failing test"; Solidity reporter: "    1) testName()".
        const m = /^\s*\d+\) (.+)$/m.exec(stripVTControlCharacters(output));
        if (m) {
          firstFailure = m[1].trim();
          if (failFast) stop();
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) running.delete(child.pid);
      resolve({ ok: code === 0 && firstFailure === undefined, firstFailure, seconds: (Date.now() - started) / 1000, output, code });
    });
  });
}

function setUpWorkspace(source: "head" | "worktree"): string {
  const dir = mkdtempSync(join(tmpdir(), "sothebais-mutations-"));
  if (source === "head") {
    const tar = execFileSync("git", ["archive", "HEAD", "contracts", "hardhat.config.ts", "package.json"], { cwd: repoRoot, maxBuffer: 1 << 28 });
    execFileSync("tar", ["-x", "-C", dir], { input: tar });
  } else {
    execFileSync("cp", ["-r", join(repoRoot, "contracts"), join(repoRoot, "hardhat.config.ts"), join(repoRoot, "package.json"), dir]);
  }
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  symlinkSync(join(repoRoot, "common"), join(dir, "common"));
  return dir;
}

/** Children in their own process groups (so a stop reaches their workers): stopped with us too. */
const running = new Set<number>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const pid of running) {
      try {
        process.kill(-pid, "SIGTERM");
      } catch {}
    }
    process.exit(130);
  });
}

async function main() {
  const only = process.env.MUTANTS?.split(",").filter(Boolean);
  const selected = only ? mutants.filter((m) => only.includes(m.name)) : mutants;
  if (only && selected.length !== only.length) throw new Error(`unknown mutant in MUTANTS=${process.env.MUTANTS}`);
  const source = process.env.MUTATIONS_SOURCE === "worktree" ? "worktree" : "head";
  const seed = process.env.CONTRACTS_FUZZ_SEED ?? `0x${"5eed".padStart(64, "0")}`;
  // The commit the mutants were cut from (`commit` in the provenance is HEAD when the file is written).
  const sourceCommit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoRoot }).toString().trim();
  const run = startBenchRun("mutations", {
    source,
    source_commit: sourceCommit,
    fuzz_profile: "quick",
    fuzz_seed: seed,
    parallelism: 1,
    solidity_on_every_mutant: process.env.MUTATIONS_BOTH === "1",
  });

  const ws = setUpWorkspace(source);
  console.log(`workspace ${ws} (${source === "head" ? "contracts of HEAD" : "contracts of the work tree"})`);
  const pristine = new Map<string, string>();
  for (const m of selected) if (!pristine.has(m.file)) pristine.set(m.file, readFileSync(join(ws, m.file), "utf8"));
  // Every snippet first: a stale mutant fails the bench before any compiling.
  for (const m of selected) applyMutant(pristine.get(m.file) as string, m);

  const env: NodeJS.ProcessEnv = { ...process.env, CONTRACTS_FUZZ_SEED: seed, FORCE_COLOR: "0", NO_COLOR: "1" };
  delete env.CONTRACTS_FUZZ;
  delete env.FULL;
  const testDir = join(ws, "contracts/test");
  const solidityTests = readdirSync(testDir).filter((f) => f.endsWith(".t.sol"));
  const tsTests = readdirSync(testDir)
    .filter((f) => f.endsWith(".test.ts") && f !== "fuzz-effort.test.ts")
    .map((f) => `contracts/test/${f}`);
  const asideDir = mkdtempSync(join(tmpdir(), "sothebais-mutations-tsol-"));
  const setSolidityAside = (aside: boolean) => {
    for (const f of solidityTests) {
      const [from, to] = aside ? [join(testDir, f), join(asideDir, f)] : [join(asideDir, f), join(testDir, f)];
      try {
        renameSync(from, to);
      } catch {}
    }
  };

  const step1 = async (label: string) => {
    setSolidityAside(true);
    const build = await hardhat(ws, ["build", "--quiet"], env, false);
    if (build.code !== 0) throw new Error(`${label}: build failed\n${build.output.slice(-3000)}`);
    const ts = await hardhat(ws, ["test", "nodejs", "--no-compile", ...tsTests], env, true);
    return { ...ts, seconds: build.seconds + ts.seconds, buildSeconds: build.seconds };
  };
  const step2 = async (label: string) => {
    setSolidityAside(false);
    const build = await hardhat(ws, ["build", "--quiet"], env, false);
    if (build.code !== 0) throw new Error(`${label}: build failed\n${build.output.slice(-3000)}`);
    const sol = await hardhat(ws, ["test", "solidity", "--no-compile"], env, true);
    return { ...sol, seconds: build.seconds + sol.seconds };
  };

  console.log(`baseline (unmutated): TypeScript tests ${tsTests.join(" ")}`);
  const base = await step1("baseline");
  if (!base.ok) {
    throw new Error(`the unmutated contracts fail the TypeScript tests (${base.firstFailure ?? `exit ${base.code}`}): fix them first\n${base.output.slice(-4000)}`);
  }
  console.log(`  passes (${base.seconds.toFixed(0)} s, build ${base.buildSeconds.toFixed(0)} s)`);
  let solidityBaseline: boolean | undefined;

  const figures: Record<string, string | number> = {};
  const survivors: string[] = [];
  let killed = 0;
  let killedByTs = 0;
  let killedBySolidity = 0;
  // MUTATIONS_BOTH=1: the Solidity suite runs on every mutant too (slow: its compile), to see what it kills alone.
  const both = process.env.MUTATIONS_BOTH === "1";
  const solidity = async (m: Mutant, path: string) => {
    if (solidityBaseline === undefined) {
      writeFileSync(path, pristine.get(m.file) as string);
      const b = await step2("solidity baseline");
      solidityBaseline = b.ok;
      if (!b.ok) console.log(`  the unmutated contracts fail the Solidity tests (${b.firstFailure ?? `exit ${b.code}`}): they cannot judge mutants`);
      writeFileSync(path, applyMutant(pristine.get(m.file) as string, m));
    }
    return solidityBaseline ? await step2(m.name) : undefined;
  };
  for (const [i, m] of selected.entries()) {
    const path = join(ws, m.file);
    writeFileSync(path, applyMutant(pristine.get(m.file) as string, m));
    console.log(`[${i + 1}/${selected.length}] ${m.name} (${m.file})`);
    try {
      const ts = await step1(m.name);
      const tsKilled = !ts.ok;
      if (tsKilled) {
        killedByTs++;
        figures[`mutant_${m.name}`] = `killed by TS: ${ts.firstFailure ?? `exit ${ts.code}`}`;
        console.log(`  killed by TS in ${ts.seconds.toFixed(0)} s: ${ts.firstFailure ?? `exit ${ts.code}`}`);
      }
      const sol = !tsKilled || both ? await solidity(m, path) : undefined;
      const solKilled = sol !== undefined && !sol.ok;
      if (solKilled) {
        killedBySolidity++;
        const what = `killed by Solidity: ${sol.firstFailure ?? `exit ${sol.code}`}`;
        if (tsKilled) figures[`solidity_${m.name}`] = what;
        else figures[`mutant_${m.name}`] = what;
        console.log(`  killed by Solidity in ${sol.seconds.toFixed(0)} s: ${sol.firstFailure ?? `exit ${sol.code}`}`);
      } else if (sol !== undefined && tsKilled) {
        figures[`solidity_${m.name}`] = "survived the Solidity tests";
        console.log("  survived the Solidity tests");
      }
      if (tsKilled || solKilled) killed++;
      else {
        survivors.push(m.name);
        figures[`mutant_${m.name}`] = solidityBaseline ? "SURVIVED" : "SURVIVED the TS tests (Solidity baseline failing)";
        console.log("  SURVIVED");
      }
    } finally {
      writeFileSync(path, pristine.get(m.file) as string);
    }
  }
  setSolidityAside(false);

  const written = run.write({
    mutants: selected.length,
    killed,
    survivors: survivors.join(","),
    killed_by_ts: killedByTs,
    killed_by_solidity: killedBySolidity,
    solidity_baseline: solidityBaseline === undefined ? "not needed" : solidityBaseline ? "passed" : "FAILED",
    ...figures,
  });
  if (process.env.MUTATIONS_KEEP !== "1") rmSync(ws, { recursive: true, force: true });
  rmSync(asideDir, { recursive: true, force: true });
  console.log(`\n${killed}/${selected.length} mutants killed${survivors.length ? `; SURVIVORS: ${survivors.join(", ")}` : ""} (${written.duration_s} s)`);
  console.log("wrote bench/results/mutations.json");
  if (survivors.length) process.exit(1);
}

if (import.meta.main) await main();
