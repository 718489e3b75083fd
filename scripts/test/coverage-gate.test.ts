/**
 * The contracts coverage gate (scripts/src/coverage-gate.ts): lcov parsing, branches of every `if` counted from
 * statement hits (then / else / no-else by hit counts), and the verdict against 98 % lines / 95 % branches.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { addStatementCoverageInstrumentation } from "@nomicfoundation/edr";
import { branchesOf, checkCoverage, parseLcov, ranges } from "../src/coverage-gate.ts";

const source = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

contract A {
    uint256 x;

    function f(uint256 a) external returns (uint256) {
        if (a > 1) {
            x = 2;
        } else {
            x = 3;
        }
        // a comment before an if without else
        if (a == 5) revert();
        return x;
    }
}
`;
const sourceName = "project/contracts/src/A.sol";

/** Hit counts by statement text: each statement whose (trimmed, comment-free) text starts with a key. */
function hitsFor(counts: Record<string, number>) {
  const { metadata } = addStatementCoverageInstrumentation(source, sourceName, "0.8.30");
  const hits = new Map<string, number>();
  for (const m of metadata) {
    const text = source
      .slice(m.startUtf16, m.endUtf16)
      .replace(/\/\/[^\n]*/g, "")
      .trim();
    for (const [prefix, n] of Object.entries(counts)) if (text.startsWith(prefix)) hits.set(Buffer.from(m.tag).toString("hex"), n);
  }
  return hits;
}

it("parses lcov line records per file", () => {
  const lcov = parseLcov("TN:\nSF:contracts/src/A.sol\nDA:8,1\nDA:9,0\nLH:1\nLF:2\nend_of_record\nSF:b.sol\nDA:1,1\nend_of_record\n");
  assert.deepEqual([...(lcov.get("contracts/src/A.sol") ?? [])], [[8, 1], [9, 0]]);
  assert.equal(lcov.size, 2);
  assert.equal(ranges([3, 7, 8, 9, 12]), "3, 7-9, 12");
});

it("counts both sides of every if, with the line of the if (comments before it skipped)", () => {
  // f ran 3 times: a > 1 twice, never a == 5.
  const { branches, matched } = branchesOf(source, sourceName, "0.8.30", hitsFor({ "if (a > 1)": 3, "x = 2": 2, "{\n            x = 2": 2, "x = 3": 1, "{\n            x = 3": 1, "if (a == 5)": 3, "return x": 3 }));
  assert.ok(matched > 0);
  assert.deepEqual(branches, [
    { line: 8, side: "then", taken: true },
    { line: 8, side: "else", taken: true },
    { line: 14, side: "then", taken: false },
    { line: 14, side: "else", taken: true },
  ]);
});

it("an if without else whose body always ran leaves its else side untaken", () => {
  const { branches } = branchesOf(source, sourceName, "0.8.30", hitsFor({ "if (a == 5)": 2, revert: 2 }));
  assert.deepEqual(branches.slice(2), [
    { line: 14, side: "then", taken: true },
    { line: 14, side: "else", taken: false },
  ]);
});

it("fails below the gate, naming the file, its uncovered lines and untaken branches", () => {
  const root = mkdtempSync(join(tmpdir(), "coverage-gate-"));
  mkdirSync(join(root, "contracts/src"), { recursive: true });
  mkdirSync(join(root, "coverage/data/nodejs"), { recursive: true });
  writeFileSync(join(root, "contracts/src/A.sol"), source);
  writeFileSync(join(root, "hardhat.config.ts"), 'solidity: { version: "0.8.30" }');
  writeFileSync(join(root, "coverage/lcov.info"), "TN:\nSF:contracts/src/A.sol\nDA:8,1\nDA:9,1\nDA:11,0\nDA:14,1\nDA:15,1\nend_of_record\n");
  const hits = hitsFor({ "if (a > 1)": 1, "x = 2": 1, "{\n            x = 2": 1, "if (a == 5)": 1, "return x": 1 });
  writeFileSync(join(root, "coverage/data/nodejs/run.json"), JSON.stringify(Object.fromEntries(hits)));
  const result = checkCoverage(root);
  assert.equal(result.ok, false);
  assert.match(result.out[0], /coverage gate failed: lines 80\.00 % < 98 %, branches 50\.00 % < 95 %/);
  assert.match(result.out.join("\n"), /contracts\/src\/A\.sol: .*uncovered lines 11; branches never taken: 8 \(else\), 14 \(then\)/);
  // Data older than the run does not count.
  assert.equal(checkCoverage(root, { sinceMs: Date.now() + 60_000 }).ok, false);
});
