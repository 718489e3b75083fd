/**
 * The coverage gate of the contracts suite (issue 18, "Tests that bite"): after `hardhat test --coverage`, the
 * contracts in `contracts/src` must be covered to at least 98 % of their lines and 95 % of their branches.
 *
 * Lines come from the lcov file Hardhat 3 writes (`coverage/lcov.info`: `SF:` / `DA:<line>,<0|1>` records).
 * Hardhat 3 reports no branches (EDR gives statement hits only; its lcov has no `BRDA:`), so branches are
 * counted here from the same statement data: the hit count of every instrumented statement (Hardhat keeps them
 * in `coverage/data/<runner>/*.json`) and the statements' source ranges (EDR's instrumentation, run again on the
 * same source: its tags are deterministic). A branch is one side of an `if`:
 * - then: the `if`'s body ran at least once;
 * - else: its `else` body ran, or, without an `else`, the `if` ran more often than its body (the condition was
 *   false at least once).
 * Ternaries and short-circuit operands are not statements and are not counted.
 *
 *   node scripts/src/coverage-gate.ts [--since <ms>]   (after `npx hardhat test --coverage`; exit 1 below the gate)
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { addStatementCoverageInstrumentation, latestSupportedSolidityVersion } from "@nomicfoundation/edr";

export const gate = { linesPct: 98, branchesPct: 95, include: "contracts/src/" };

export type Branch = { line: number; side: "then" | "else"; taken: boolean };
export type FileCoverage = {
  file: string;
  linesFound: number;
  linesHit: number;
  uncoveredLines: number[];
  branches: Branch[];
};

/** `SF:` sections of an lcov file: every `DA:` line with its count. */
export function parseLcov(text: string): Map<string, Map<number, number>> {
  const files = new Map<string, Map<number, number>>();
  let current: Map<number, number> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("SF:")) {
      current = new Map();
      files.set(line.slice(3), current);
    } else if (line.startsWith("DA:") && current) {
      const [n, count] = line.slice(3).split(",");
      current.set(Number(n), Number(count));
    } else if (line === "end_of_record") current = undefined;
  }
  return files;
}

/** Hit counts of every statement tag over the runners' data files (those written at or after `sinceMs`). */
export function readHits(coverageDir: string, sinceMs = 0): Map<string, number> {
  const hits = new Map<string, number>();
  const dataDir = join(coverageDir, "data");
  if (!existsSync(dataDir)) return hits;
  for (const runner of readdirSync(dataDir)) {
    const dir = join(dataDir, runner);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir)) {
      const path = join(dir, f);
      if (!f.endsWith(".json") || statSync(path).mtimeMs < sinceMs) continue;
      for (const [tag, count] of Object.entries(JSON.parse(readFileSync(path, "utf8")) as Record<string, number>)) {
        hits.set(tag, (hits.get(tag) ?? 0) + count);
      }
    }
  }
  return hits;
}

type Stmt = { tag: string; start: number; end: number; children: Stmt[] };

/** The statements EDR instruments in `source`, as a tree of source ranges. */
function statementTree(source: string, sourceName: string, solcVersion: string): Stmt[] {
  const latest = latestSupportedSolidityVersion();
  const newer = (a: string, b: string) => {
    const [x, y] = [a, b].map((v) => v.split(".").map(Number));
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
    return false;
  };
  const version = newer(solcVersion, latest) ? latest : solcVersion;
  const { metadata } = addStatementCoverageInstrumentation(source, sourceName, version);
  const stmts: Stmt[] = metadata
    .filter((m) => m.kind === "statement")
    .map((m) => ({ tag: Buffer.from(m.tag).toString("hex"), start: m.startUtf16, end: m.endUtf16, children: [] }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const roots: Stmt[] = [];
  const stack: Stmt[] = [];
  for (const s of stmts) {
    while (stack.length && stack[stack.length - 1].end <= s.start) stack.pop();
    (stack.length ? stack[stack.length - 1].children : roots).push(s);
    stack.push(s);
  }
  return roots;
}

/** Both sides of every `if` of `source`, taken or not according to `hits`; `matched` counts tags seen in `hits`. */
export function branchesOf(source: string, sourceName: string, solcVersion: string, hits: Map<string, number>) {
  const lineOf = (offset: number) => source.slice(0, offset).split("\n").length;
  const branches: Branch[] = [];
  let matched = 0;
  const walk = (list: Stmt[]) => {
    for (const s of list) {
      if (hits.has(s.tag)) matched++;
      // A statement's range may begin with the whitespace and comments before it.
      const code = s.start + (/^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*/.exec(source.slice(s.start, s.end))?.[0].length ?? 0);
      if (/^if\s*\(/.test(source.slice(code, s.end)) && s.children.length > 0) {
        const [body, other] = s.children;
        const hasElse = other !== undefined && /^[\s;})]*else\b/.test(source.slice(body.end, other.start));
        const ifHits = hits.get(s.tag) ?? 0;
        const bodyHits = hits.get(body.tag) ?? 0;
        const line = lineOf(code);
        branches.push({ line, side: "then", taken: bodyHits > 0 });
        branches.push({ line, side: "else", taken: hasElse ? (hits.get(other.tag) ?? 0) > 0 : ifHits > bodyHits });
      }
      walk(s.children);
    }
  };
  walk(statementTree(source, sourceName, solcVersion));
  return { branches, matched };
}

/** Compresses sorted numbers to "3, 7-9, 12". */
export function ranges(numbers: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    out.push(i === j ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j + 1;
  }
  return out.join(", ");
}

const pct = (hit: number, found: number) => (found === 0 ? 100 : (hit * 100) / found);

/**
 * Reads the coverage of the last `hardhat test --coverage` under `root` and checks it against the gate.
 * Returns the lines to print and whether the gate passed. `sinceMs`: data older than this is a previous run.
 */
export function checkCoverage(root: string, opts: { sinceMs?: number; solcVersion?: string } = {}) {
  const coverageDir = join(root, "coverage");
  const lcovPath = join(coverageDir, "lcov.info");
  const out: string[] = [];
  if (!existsSync(lcovPath)) return { ok: false, out: [`✗ coverage: no ${lcovPath} (did hardhat test --coverage run?)`], files: [] };
  if (opts.sinceMs !== undefined && statSync(lcovPath).mtimeMs < opts.sinceMs) {
    return { ok: false, out: [`✗ coverage: ${lcovPath} is older than this run (the coverage report was not written)`], files: [] };
  }
  const solcVersion =
    opts.solcVersion ?? /version:\s*"(\d+\.\d+\.\d+)"/.exec(readFileSync(join(root, "hardhat.config.ts"), "utf8"))?.[1] ?? "0.8.30";
  const hits = readHits(coverageDir, opts.sinceMs);
  const files: FileCoverage[] = [];
  let ok = true;
  for (const [file, lines] of parseLcov(readFileSync(lcovPath, "utf8"))) {
    if (!file.startsWith(gate.include) || !file.endsWith(".sol")) continue;
    const source = readFileSync(join(root, file), "utf8");
    const { branches, matched } = branchesOf(source, `project/${file}`, solcVersion, hits);
    const linesHit = [...lines.values()].filter((c) => c > 0).length;
    if (linesHit > 0 && matched === 0) {
      out.push(`✗ coverage: ${file} has covered lines but none of its statements matches the hit data (instrumentation changed?)`);
      ok = false;
    }
    const uncoveredLines = [...lines].filter(([, c]) => c === 0).map(([n]) => n).sort((a, b) => a - b);
    files.push({ file, linesFound: lines.size, linesHit, uncoveredLines, branches });
  }
  if (files.length === 0) return { ok: false, out: [`✗ coverage: no file under ${gate.include} in ${lcovPath}`], files };
  if (files.every((f) => f.branches.length === 0)) {
    return { ok: false, out: [`✗ coverage: no \`if\` found in the instrumented statements of ${gate.include} (instrumentation changed?)`], files };
  }

  const linesFound = files.reduce((n, f) => n + f.linesFound, 0);
  const linesHit = files.reduce((n, f) => n + f.linesHit, 0);
  const branchesFound = files.reduce((n, f) => n + f.branches.length, 0);
  const branchesHit = files.reduce((n, f) => n + f.branches.filter((b) => b.taken).length, 0);
  const linePct = pct(linesHit, linesFound);
  const branchPct = pct(branchesHit, branchesFound);
  for (const f of files) {
    const taken = f.branches.filter((b) => b.taken).length;
    const missed = f.branches.filter((b) => !b.taken).map((b) => `${b.line} (${b.side})`);
    out.push(
      `  ${f.file}: lines ${pct(f.linesHit, f.linesFound).toFixed(2)} % (${f.linesHit}/${f.linesFound}), branches ${pct(taken, f.branches.length).toFixed(2)} % (${taken}/${f.branches.length})` +
        (f.uncoveredLines.length ? `; uncovered lines ${ranges(f.uncoveredLines)}` : "") +
        (missed.length ? `; branches never taken: ${missed.join(", ")}` : ""),
    );
  }
  const summary = `coverage of ${gate.include}: lines ${linePct.toFixed(2)} % (${linesHit}/${linesFound}, gate ${gate.linesPct} %), branches ${branchPct.toFixed(2)} % (${branchesHit}/${branchesFound}, gate ${gate.branchesPct} %)`;
  if (linePct < gate.linesPct || branchPct < gate.branchesPct) {
    ok = false;
    const failing = [
      linePct < gate.linesPct ? `lines ${linePct.toFixed(2)} % < ${gate.linesPct} %` : "",
      branchPct < gate.branchesPct ? `branches ${branchPct.toFixed(2)} % < ${gate.branchesPct} %` : "",
    ].filter(Boolean);
    out.unshift(`✗ coverage gate failed: ${failing.join(", ")} (uncovered lines and untaken branches per file below)`);
  } else {
    out.unshift(`✓ ${summary}`);
  }
  if (!ok) out.push(`  ${summary}`);
  return { ok, out, files, linePct, branchPct };
}

if (import.meta.main) {
  const i = process.argv.indexOf("--since");
  const sinceMs = i > 0 ? Number(process.argv[i + 1]) : undefined;
  const root = process.argv.find((a) => a.startsWith("--root="))?.slice(7) ?? new URL("../..", import.meta.url).pathname;
  const { ok, out } = checkCoverage(root, { sinceMs });
  for (const line of out) (ok ? console.log : console.error)(line);
  process.exit(ok ? 0 : 1);
}
