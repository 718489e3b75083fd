/**
 * Issue 19 §7: the RPC URL's API key (path or query) and the chat token never leave the relayer: not
 * in a log line, /health, /metrics, an HTTP error, or chat. The relayer runs as its own process against
 * an RPC URL that always fails (a closed port), so every error path that quotes the URL is exercised.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { freePort } from "@sothebais/common/testing";
import { type Harness, startAsProcess, startHarness } from "./helpers.ts";

const KEYS = ["SECRETKEY123", "SECRETKEY456", "SECRETOAUTH789"];

describe("secrets stay inside (relayer process, failing RPC URL with a key)", () => {
  let h: Harness;
  let relayer: Awaited<ReturnType<typeof startAsProcess>> | undefined;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await relayer?.stop();
    await h?.stop();
  });

  it("no key in any stdout/stderr line, /health, /metrics, HTTP error or chat line", { timeout: 120_000 }, async () => {
    const closed = await freePort(); // nothing listens there: every RPC call fails, and says its URL
    relayer = await startAsProcess(h, {
      RPC_URL: `http://127.0.0.1:${closed}/v2/SECRETKEY123?apikey=SECRETKEY456`,
      TWITCH_OAUTH_TOKEN: "oauth:SECRETOAUTH789",
      LOG_LEVEL: "debug",
    });
    const seen: string[] = [];
    const get = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${relayer?.url}${path}`, init);
      const text = await res.text();
      seen.push(`${path} ${res.status} ${text}`);
      return { status: res.status, text };
    };
    // Commands that read the chain (each retried while the RPC is down, logging its error).
    for (const text of ["!lot", "!bid 0.5", "!balance", "!mybids"]) h.chat.say({ userId: "4242", displayName: "curious", text });
    const health = await get("/health");
    assert.equal(health.status, 503);
    assert.match(health.text, /"rpc":\{"up":false/);
    await get("/metrics");
    const body = JSON.stringify({ authorization: { bidder: h.stack.address(5), relayer: h.stack.address(1), chatIdHash: `0x${"12".repeat(32)}`, maxBid: "1", totalCap: "1", expiry: String(Math.floor(Date.now() / 1000) + 3600), nonce: "0" }, signature: "0x1234" });
    await get("/link", { method: "POST", headers: { "content-type": "application/json" }, body });
    // Long enough for the head poller, account watcher, link rebuild and retries to log their failures.
    await new Promise((r) => setTimeout(r, 8000));
    await get("/health");
    const output = relayer.output();
    assert.match(output, /rpc unavailable|could not rebuild links|not handled yet/, "the failing RPC was logged");
    assert.match(output, /127\.0\.0\.1:\d+/, "the RPC host is still named");
    const chat = h.chat.events().map((e) => JSON.stringify(e)).join("\n");
    for (const key of KEYS) {
      for (const line of output.split("\n")) assert.ok(!line.includes(key), `${key} in output: ${line.slice(0, 300)}`);
      for (const s of seen) assert.ok(!s.includes(key), `${key} in ${s.slice(0, 300)}`);
      assert.ok(!chat.includes(key), `${key} in chat`);
    }
  });

  it("a config error naming the URL is redacted too", { timeout: 60_000 }, async () => {
    const { spawnSync } = await import("node:child_process");
    const { join } = await import("node:path");
    const { relayerDir } = await import("./helpers.ts");
    const run = spawnSync(process.execPath, [join(relayerDir, "src/main.ts")], {
      cwd: relayerDir,
      env: { ...process.env, ...h.env(), RPC_URL: "http://rpc.example:99999/v2/SECRETKEY123", PORT: "notaport" },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /RPC_URL/);
    assert.ok(!`${run.stdout}${run.stderr}`.includes("SECRETKEY123"), run.stderr);
  });
});
