/**
 * The docs quote the results files as they are (scripts/src/check-figures.ts): the convention's parser and
 * comparison, and the real docs against the real bench/results.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkFigures, checkProvenance, checkQuotes, figureMatches, quotesIn } from "../src/check-figures.ts";

describe("check-figures", () => {
  it("reads the number right before each marker", () => {
    const doc = "| p95 | 1,088<!-- figure relayer.json a_ms --> ms | **0**<!-- figure relayer.json lost --> | 15.8 <!-- figure indexer.json b --> |";
    const { quotes, problems } = quotesIn("X.md", doc);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      quotes.map((q) => [q.file, q.key, q.text]),
      [
        ["relayer.json", "a_ms", "1,088"],
        ["relayer.json", "lost", "0"],
        ["indexer.json", "b", "15.8"],
      ],
    );
  });

  it("a marker without a number in front is a problem", () => {
    const { problems } = quotesIn("X.md", "the p95 is low <!-- figure relayer.json a_ms -->");
    assert.equal(problems.length, 1);
  });

  it("matches as the doc rounds, and only then", () => {
    assert.ok(figureMatches("15.8", 15.831447));
    assert.ok(figureMatches("1,088", 1088));
    assert.ok(figureMatches("0", 0));
    assert.ok(figureMatches("Infinity", "Infinity"));
    assert.ok(!figureMatches("15.9", 15.831447));
    assert.ok(!figureMatches("1,089", 1088));
    assert.ok(!figureMatches("16", 15.4));
    assert.ok(!figureMatches("0", "Infinity"));
    assert.ok(!figureMatches("423", undefined));
  });

  it("fails on a mismatch, a missing key and a missing file", () => {
    const results = { "relayer.json": { a_ms: 1088 } };
    const q = (file: string, key: string, text: string) => ({ doc: "X.md", line: 1, file, key, text });
    assert.deepEqual(checkQuotes([q("relayer.json", "a_ms", "1,088")], results), []);
    assert.equal(checkQuotes([q("relayer.json", "a_ms", "1,026")], results).length, 1);
    assert.equal(checkQuotes([q("relayer.json", "b_ms", "1")], results).length, 1);
    assert.equal(checkQuotes([q("soak.json", "a_ms", "1")], results).length, 1);
  });

  it("a results file without provenance is a problem", () => {
    assert.equal(checkProvenance({ "x.json": { a: 1 } }).length, 1);
    const full = { commit: "c", started_at: "t", duration_s: 1, machine: "m", machine_cores: 2, load_avg_before: 0, load_avg_after: 0 };
    assert.deepEqual(checkProvenance({ "x.json": { a: 1, ...full } }), []);
  });

  it("docs/PERFORMANCE.md and docs/RELIABILITY.md agree with bench/results", () => {
    const { quotes, problems } = checkFigures();
    assert.deepEqual(problems.map((p) => `${p.doc}:${p.line}: ${p.message}`), []);
    // The docs quote every results file they describe.
    const files = new Set(quotes.map((q) => q.file));
    for (const f of ["gas.json", "relayer.json", "indexer-latency.json", "indexer-backfill.json", "broadcaster.json", "agent.json", "dapp.json", "soak.json", "soak-viewers.json"]) assert.ok(files.has(f), `no figure quoted from ${f}`);
  });
});
