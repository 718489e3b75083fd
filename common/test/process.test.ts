import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startProcess } from "../src/testing/process.ts";

describe("startProcess()", () => {
  it("is ready on a coloured line, as Vite prints it when CI forces colour", async () => {
    const script = `process.stdout.write("  \\u001b[32m➜\\u001b[39m  \\u001b[1mLocal\\u001b[22m:   http://127.0.0.1:1/\\n"); setInterval(() => {}, 1000);`;
    const p = await startProcess({ name: "coloured", command: process.execPath, args: ["-e", script], readyWhen: /Local:\s+http/, timeoutMs: 10_000 });
    assert.match(p.output(), /➜ {2}Local: {3}http:\/\/127\.0\.0\.1:1\//);
    await p.stop(1000);
  });

  it("names the process and shows its output when it exits before it is ready", async () => {
    await assert.rejects(
      startProcess({ name: "quitter", command: process.execPath, args: ["-e", `console.log("no luck"); process.exit(3)`], readyWhen: /never/, timeoutMs: 10_000 }),
      /quitter exited \(code 3\) before it was ready:\nno luck/,
    );
  });
});
