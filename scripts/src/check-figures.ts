/**
 * Checks that every figure the docs (PERFORMANCE, RELIABILITY, DESIGN, SCALE) attribute to a results file matches
 * that file (issue 21, "Provenance"), and that every results file says where it came from.
 *
 * Convention: a figure quoted from a results file is followed, on the same line and with nothing but `**`
 * or spaces between, by a marker naming the file (in bench/results/) and the key:
 *
 *   chat -> mined p95 1,088<!-- figure relayer.json chat_to_mined_p95_ms_interval_1s --> ms
 *
 * The marker is invisible once rendered. The number matches when the file's value, rounded to the decimals
 * the doc shows, is the doc's number (thousands separators ignored); `Infinity` matches a miss written as
 * "Infinity". A number without a marker is not checked: history and prose may quote older runs.
 *
 *   node scripts/src/check-figures.ts            (exit 1 on any mismatch)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { provenanceKeys } from "../../bench/lib/results.ts";
import { repoRoot } from "../../common/src/deployments.ts";

export const docsChecked = ["docs/PERFORMANCE.md", "docs/RELIABILITY.md", "docs/DESIGN.md", "docs/SCALE.md"];
export type Results = Record<string, Record<string, unknown>>;
export type Problem = { doc: string; line: number; message: string };
export type Quote = { doc: string; line: number; file: string; key: string; text: string };

// The file must end in .json: the convention written out in prose (`FILE KEY`) is not a marker.
const marker = /<!--\s*figure\s+(\S+\.json)\s+(\S+)\s*-->/g;
const numberBefore = /(-?\d[\d,]*(?:\.\d+)?|Infinity)(?:\*\*|\s)*$/;

/** Every marked figure of one document: the number in front of each marker, its file and key. */
export function quotesIn(doc: string, text: string): { quotes: Quote[]; problems: Problem[] } {
  const quotes: Quote[] = [];
  const problems: Problem[] = [];
  text.split("\n").forEach((lineText, i) => {
    for (const m of lineText.matchAll(marker)) {
      const before = lineText.slice(0, m.index);
      const n = numberBefore.exec(before);
      if (!n) problems.push({ doc, line: i + 1, message: `figure marker for ${m[1]} ${m[2]} has no number right before it` });
      else quotes.push({ doc, line: i + 1, file: m[1], key: m[2], text: n[1] });
    }
  });
  return { quotes, problems };
}

/** Whether the doc's number is the file's value as the doc rounds it. */
export function figureMatches(docText: string, value: unknown): boolean {
  if (docText === "Infinity") return value === "Infinity";
  if (typeof value !== "number") return false;
  const shown = Number(docText.replaceAll(",", ""));
  const decimals = docText.includes(".") ? (docText.split(".")[1]?.length ?? 0) : 0;
  const rounded = Math.round(value * 10 ** decimals) / 10 ** decimals;
  return Math.abs(rounded - shown) < 10 ** -(decimals + 6);
}

export function checkQuotes(quotes: Quote[], results: Results): Problem[] {
  const problems: Problem[] = [];
  for (const q of quotes) {
    const file = results[q.file];
    if (!file) problems.push({ doc: q.doc, line: q.line, message: `no results file bench/results/${q.file}` });
    else if (!(q.key in file)) problems.push({ doc: q.doc, line: q.line, message: `${q.file} has no key ${q.key}` });
    else if (!figureMatches(q.text, file[q.key])) problems.push({ doc: q.doc, line: q.line, message: `${q.file} ${q.key} is ${JSON.stringify(file[q.key])}, the doc says ${q.text}` });
  }
  return problems;
}

/** Results files without the provenance every file must carry. */
export function checkProvenance(results: Results): Problem[] {
  const problems: Problem[] = [];
  for (const [name, file] of Object.entries(results)) {
    const missing = provenanceKeys.filter((k) => !(k in file));
    if (missing.length) problems.push({ doc: `bench/results/${name}`, line: 0, message: `no ${missing.join(", ")}` });
  }
  return problems;
}

export function readResults(dir = join(repoRoot, "bench/results")): Results {
  const results: Results = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".json"))) results[f] = JSON.parse(readFileSync(join(dir, f), "utf8")) as Record<string, unknown>;
  return results;
}

export function checkFigures(root = repoRoot): { quotes: Quote[]; problems: Problem[] } {
  const results = readResults(join(root, "bench/results"));
  const quotes: Quote[] = [];
  const problems: Problem[] = checkProvenance(results);
  for (const doc of docsChecked) {
    const found = quotesIn(doc, readFileSync(join(root, doc), "utf8"));
    quotes.push(...found.quotes);
    problems.push(...found.problems);
  }
  problems.push(...checkQuotes(quotes, results));
  // A results file nobody quotes is allowed (a bench may have no doc yet); a doc quoting none is a mistake.
  return { quotes, problems };
}

if (import.meta.main) {
  const { quotes, problems } = checkFigures();
  for (const p of problems) console.error(`${p.doc}${p.line ? `:${p.line}` : ""}: ${p.message}`);
  console.log(`${quotes.length} figures checked against bench/results, ${problems.length} problem(s)`);
  process.exit(problems.length ? 1 : 0);
}
