/**
 * The broadcaster's V8 flags reach it however it is started: every launcher passes the same list.
 * (The stream test checks the running process's new space from its /metrics.)
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BROADCASTER_NODE_FLAGS, missingNodeFlags } from "../src/node-flags.ts";

const root = join(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");

describe("broadcaster V8 flags", () => {
  it("missingNodeFlags() finds the flags in argv or NODE_OPTIONS and names the ones absent", () => {
    assert.deepEqual(missingNodeFlags([...BROADCASTER_NODE_FLAGS], ""), []);
    assert.deepEqual(missingNodeFlags([], `--enable-source-maps ${BROADCASTER_NODE_FLAGS.join(" ")}`), []);
    assert.deepEqual(missingNodeFlags(["--max-semi-space-size=64"], ""), [...BROADCASTER_NODE_FLAGS]);
  });

  it("npm start, the bench, the Dockerfile and the local stack all pass them", () => {
    const scripts = JSON.parse(read("broadcaster/package.json")).scripts as Record<string, string>;
    const dockerCmd = /FROM runtime AS broadcaster[\s\S]*?\nCMD (\[.*\])/.exec(read("Dockerfile"))?.[1];
    assert.ok(dockerCmd, "the broadcaster stage's CMD");
    const flags = BROADCASTER_NODE_FLAGS.join(" ");
    assert.equal(scripts.start, `node ${flags} src/main.ts`);
    // The bench runs the service's own bench first; the glass-to-glass bench after it drives Chromium, not the renderer.
    assert.ok(scripts.bench.startsWith(`node ${flags} bench/broadcaster.bench.ts`), scripts.bench);
    assert.deepEqual(JSON.parse(dockerCmd), ["node", ...BROADCASTER_NODE_FLAGS, "broadcaster/src/main.ts"]);
    assert.match(read("scripts/src/stack/broadcaster.ts"), /args: \[\.\.\.BROADCASTER_NODE_FLAGS, join\(ctx\.root, "broadcaster\/src\/main\.ts"\)\]/);
    assert.match(read("broadcaster/test/helpers/stream.ts"), /args: \[\.\.\.BROADCASTER_NODE_FLAGS, "src\/main\.ts"\]/);
  });
});
