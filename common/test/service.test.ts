/**
 * runService() is what every service's main.ts runs, and what it does ends in process.exit: each case is
 * a real child process running a small service on it, checked by its exit code and what it printed.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { startProcess } from "../src/testing/process.ts";

const serviceModule = new URL("../src/service.ts", import.meta.url).href;
const envModule = new URL("../src/env.ts", import.meta.url).href;
const SECRET = "SECRETKEY123";

/** A service whose config comes from this test's env, and whose start does what `startBody` says. */
function script(startBody: string, extra = "") {
  return `
    import { runService } from ${JSON.stringify(serviceModule)};
    import { env, parseEnv } from ${JSON.stringify(envModule)};
    await runService({
      service: "svc",
      loadConfig: () => {
        if (process.env.THROW_PLAIN) throw new Error("no dist at /srv/dist: run the build (RPC http://rpc.example/v2/${SECRET})");
        return parseEnv({ PORT: env.port(), RPC_URL: env.url() });
      },
      ${extra}
      start: async ({ config, log, shutdown }) => { ${startBody} },
    });`;
}

function run(source: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", source], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

const good = { PORT: "8080", RPC_URL: `http://rpc.example/v2/${SECRET}` };

describe("runService()", () => {
  it("prints one line per bad env value on stderr, redacted, exits 1 and never starts", async () => {
    const r = await run(script(`log.info("started")`), { PORT: "99999", RPC_URL: `http://rpc.example:99999/v2/${SECRET}` });
    assert.equal(r.code, 1);
    assert.deepEqual(r.stderr.trimEnd().split("\n"), [
      "invalid configuration:",
      '  - PORT: got "99999", expected a TCP port 1-65535',
      '  - RPC_URL: got "http://rpc.example:99999/[redacted]", expected a URL (http: https: ws: wss:)',
    ]);
    assert.equal(r.stdout, "", "nothing started");
  });

  it("exits with configExitCode on a bad environment", async () => {
    const r = await run(script(`log.info("started")`, "configExitCode: 2,"), { PORT: "x", RPC_URL: good.RPC_URL });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /PORT: got "x"/);
  });

  it("names the service and exits 1 when loading fails for another reason, redacted", async () => {
    const r = await run(script(`log.info("started")`), { ...good, THROW_PLAIN: "1" });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "svc: no dist at /srv/dist: run the build (RPC http://rpc.example/[redacted])\n");
  });

  it("logs '<service> failed to start' with the error, redacted, and exits 1 when start throws", async () => {
    const r = await run(script(`throw new Error("cannot reach " + config.RPC_URL)`), good);
    assert.equal(r.code, 1);
    const line = JSON.parse(r.stdout.trim());
    assert.equal(line.service, "svc");
    assert.equal(line.level, "error");
    assert.equal(line.msg, "svc failed to start");
    assert.equal(line.error.message, "cannot reach http://rpc.example/[redacted]");
    assert.ok(!`${r.stdout}${r.stderr}`.includes(SECRET));
  });

  it("logs an uncaught exception after start instead of Node's unredacted stack, and exits 1", async () => {
    const r = await run(script(`setTimeout(() => { throw new Error("boom at " + config.RPC_URL); }, 10); log.info("started")`), good);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /"msg":"uncaught exception".*"message":"boom at http:\/\/rpc\.example\/\[redacted\]"/);
    assert.equal(r.stderr, "");
    assert.ok(!r.stdout.includes(SECRET));
  });

  it("on SIGTERM runs the cleanups start registered, last first, and exits 0", async () => {
    const body = `
      shutdown.onShutdown("first", () => log.info("closed first"));
      shutdown.onShutdown("second", async () => { await new Promise((r) => setTimeout(r, 50)); log.info("closed second"); });
      setInterval(() => {}, 1000);
      log.info("started", { port: config.PORT });`;
    const p = await startProcess({ name: "svc", command: process.execPath, args: ["--input-type=module", "-e", script(body)], env: { ...good, LOG_LEVEL: "info", LOG_FORMAT: undefined }, readyWhen: /"msg":"started"/, timeoutMs: 20_000 });
    p.child.kill("SIGTERM");
    assert.equal(await p.exited, 0);
    const msgs = p.output().trim().split("\n").map((l) => JSON.parse(l).msg);
    assert.deepEqual(msgs, ["started", "shutting down", "closed second", "closed first", "shut down"]);
  });
});
