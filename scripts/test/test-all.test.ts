import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tapSummary } from "../src/checks.ts";
import { countResults, suiteFailures } from "../src/test-all.ts";

// Closing lines as each runner prints them (copied from their reporters' output, colours included where they add some).
const nodeSpec = ["✔ parses (1.2ms)", "﹣ later (0.1ms) # SKIP", "ℹ tests 9", "ℹ suites 2", "ℹ pass 6", "ℹ fail 1", "ℹ cancelled 0", "ℹ skipped 1", "ℹ todo 1", "ℹ duration_ms 42.5"].join("\n");
const nodeTap = ["ok 1 - parses", "ok 2 - later # SKIP", "1..4", "# tests 4", "# suites 0", "# pass 2", "# fail 0", "# cancelled 1", "# skipped 1", "# todo 0", "# duration_ms 10"].join("\n");
const hardhatTask = ["", "  12 passing (8 solidity, 4 nodejs)", "2 failing (2 solidity)", "3 skipped (1 solidity, 2 nodejs)", "1 todo (1 nodejs)", ""].join("\n");
const hardhatSolidityAlone = "\n\n  5 passing\n  1 failing\n  2 skipped\n";
const hardhatNodeAlone = "  7 passing (1534ms)\n  1 todo\n";
const mocha = "\n  4 passing (2s)\n  2 pending\n  1 failing\n";
const vitest = [" Test Files  1 failed | 3 passed (4)", "      Tests  1 failed | 9 passed | 1 expected fail | 2 skipped | 1 todo (14)", "   Start at  10:00:00"].join("\n");

describe("countResults()", () => {
  it("reads node:test's spec reporter: todo counts as skipped", () => {
    assert.deepEqual(countResults(nodeSpec), { passed: 6, failed: 1, skipped: 2 });
  });
  it("reads node:test's TAP reporter: a cancelled test fails", () => {
    assert.deepEqual(countResults(nodeTap), { passed: 2, failed: 1, skipped: 1 });
  });
  it("reads Hardhat's test task summary over both runners, with its per-runner breakdown", () => {
    assert.deepEqual(countResults(hardhatTask), { passed: 12, failed: 2, skipped: 4 });
  });
  it("reads Hardhat's Solidity and node:test runners run alone", () => {
    assert.deepEqual(countResults(hardhatSolidityAlone), { passed: 5, failed: 1, skipped: 2 });
    assert.deepEqual(countResults(hardhatNodeAlone), { passed: 7, failed: 0, skipped: 1 });
  });
  it("reads Mocha: pending tests are skipped", () => {
    assert.deepEqual(countResults(mocha), { passed: 4, failed: 1, skipped: 2 });
  });
  it("reads Vitest's Tests line (not its Test Files line): expected fails pass, todo is skipped", () => {
    assert.deepEqual(countResults(vitest), { passed: 10, failed: 1, skipped: 3 });
    assert.deepEqual(countResults("      Tests  3 skipped (3)"), { passed: 0, failed: 0, skipped: 3 });
  });
  it("ignores colour codes", () => {
    assert.deepEqual(countResults("\x1b[32mℹ pass 3\x1b[39m\n\x1b[36m  2 skipped\x1b[39m\n"), { passed: 3, failed: 0, skipped: 2 });
    assert.deepEqual(countResults("\x1b[1m      Tests \x1b[22m \x1b[1m\x1b[32m4 passed\x1b[39m\x1b[22m\x1b[2m | \x1b[22m\x1b[33m1 skipped\x1b[39m\x1b[90m (5)\x1b[39m"), {
      passed: 4,
      failed: 0,
      skipped: 1,
    });
  });
  it("adds up the runs of a suite that runs several (the dApp: Vitest, then node:test)", () => {
    assert.deepEqual(countResults(`${vitest}\n${nodeSpec}`), { passed: 16, failed: 2, skipped: 5 });
  });
  it("does not read counts out of ordinary log lines", () => {
    const noise = ["bid 3 passing the reserve", "lot 2 skipped by the keeper", "# pass the mic", "Tests are running", "ℹ pass three"].join("\n");
    assert.deepEqual(countResults(noise), { passed: 0, failed: 0, skipped: 0 });
  });
  it("reads the typecheck and lint suites' closing lines (one test per project)", () => {
    assert.deepEqual(countResults(tapSummary([true, true, false])), { passed: 2, failed: 1, skipped: 0 });
  });
});

describe("suiteFailures()", () => {
  it("is the failed tests when there are some", () => {
    assert.equal(suiteFailures(1, { passed: 3, failed: 2, skipped: 0 }), 2);
  });
  it("is one when the suite exited non-zero with no failing test", () => {
    assert.equal(suiteFailures(1, { passed: 3, failed: 0, skipped: 0 }), 1);
  });
  it("is one when the suite ran no test, even if it exited 0 or skipped everything", () => {
    assert.equal(suiteFailures(0, { passed: 0, failed: 0, skipped: 0 }), 1);
    assert.equal(suiteFailures(0, { passed: 0, failed: 0, skipped: 4 }), 1);
  });
  it("is zero for a clean run, skipped tests included", () => {
    assert.equal(suiteFailures(0, { passed: 3, failed: 0, skipped: 1 }), 0);
  });
});
