/**
 * The Logs API through the real operator service (startOperator: a Hardhat node with the contracts, a
 * real Redis for sessions, a log folder written by the test): refused without a session and to an
 * account without a role; filters and correlation for a signed-in admin; the live stream (backlog, new
 * lines, a heartbeat); a client that stops reading is cut to a bounded buffer and told what it skipped;
 * a key planted in a log line is never served by either route.
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createLogger } from "@sothebais/common/log";
import { freePort, localAccount, type RedisServer, startRedis, startTestStack, type TestStack, waitFor } from "@sothebais/common/testing";
import { createSiweMessage } from "viem/siwe";
import { loadConfig } from "../src/config.ts";
import { type RunningOperator, startOperator } from "../src/operator.ts";

const consoleOrigin = "http://127.0.0.1:5173";
const key = `0x${"7f".repeat(32)}`;
const tx = `0x${"a1".repeat(32)}`;

type Sse = {
  events: { event: string; data: string }[];
  text: () => string;
  close: () => void;
  /** Starts reading a stream opened with `read: false`. */
  resume: () => void;
};

/** Reads a Server-Sent Events response as it comes (`read: false` leaves it unread: a stalled client). */
async function openStream(url: string, cookie: string, read = true): Promise<Sse> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { cookie }, signal: abort.signal });
  assert.equal(res.status, 200, `stream answered ${res.status}`);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const events: Sse["events"] = [];
  let raw = "";
  const pump = async () => {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const chunk = decoder.decode(value, { stream: true });
      raw += chunk;
      buffer += chunk;
      const blocks = buffer.split("\n\n");
      buffer = blocks.pop() ?? "";
      for (const block of blocks) {
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join("\n");
        events.push({ event: event ?? (block.startsWith(":") ? "comment" : "message"), data });
      }
    }
  };
  const sse: Sse = {
    events,
    text: () => raw,
    close: () => abort.abort(),
    resume: () => void pump().catch(() => {}),
  };
  if (read) sse.resume();
  return sse;
}

describe("the Logs API", { timeout: 180_000 }, () => {
  let stack: TestStack;
  let redis: RedisServer;
  let operator: RunningOperator;
  let logDir: string;
  let admin: string;

  async function signIn(index: number): Promise<{ status: number; cookie: string }> {
    const { nonce } = (await (await fetch(`${operator.url}/auth/nonce`)).json()) as { nonce: string };
    const account = localAccount(index);
    const message = createSiweMessage({ address: account.address, chainId: 31337, domain: "127.0.0.1:5173", uri: consoleOrigin, nonce, version: "1", issuedAt: new Date() });
    const res = await fetch(`${operator.url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: consoleOrigin },
      body: JSON.stringify({ message, signature: await account.signMessage({ message }) }),
    });
    return { status: res.status, cookie: res.headers.get("set-cookie")?.split(";")[0] ?? "" };
  }

  const get = (path: string, cookie = admin) => fetch(`${operator.url}${path}`, { headers: cookie ? { cookie } : {} });
  const line = (fields: Record<string, unknown>) => `${JSON.stringify({ time: new Date().toISOString(), level: "info", ...fields })}\n`;

  before(async () => {
    logDir = mkdtempSync(join(tmpdir(), "operator-logs-api-"));
    writeFileSync(join(logDir, "relayer.log"), [line({ msg: "relayer ready" }), line({ msg: "bid placed", msgId: "chat-msg-1", txHash: tx, lotId: "2" }), line({ msg: `connecting with ${key}`, privateKey: key })].join(""));
    writeFileSync(join(logDir, "broadcaster.log"), line({ msg: "bid on stream", txHash: tx, frame: 12 }));
    writeFileSync(join(logDir, "agent.log"), line({ level: "warn", msg: "indexer /live unavailable" }));
    [stack, redis] = await Promise.all([startTestStack(), startRedis()]);
    const config = loadConfig({
      ...stack.env,
      REDIS_URL: redis.url,
      OPERATOR_PORT: String(await freePort()),
      OPERATOR_ORIGINS: consoleOrigin,
      LOG_DIR: logDir,
      LOG_STREAM_HEARTBEAT_MS: "300",
    });
    operator = await startOperator(config, createLogger({ service: "operator", write: () => {} }));
    const signedIn = await signIn(0);
    assert.equal(signedIn.status, 200, "the admin signs in");
    admin = signedIn.cookie;
  });

  after(async () => {
    await operator?.stop();
    await Promise.all([redis?.stop(), stack?.stop()]);
    rmSync(logDir, { recursive: true, force: true });
  });

  it("refuses every route without a session, and serves no line", async () => {
    for (const path of ["/logs", "/logs/services", "/logs/stream", "/logs?correlation=chat-msg-1"]) {
      const res = await get(path, "");
      assert.equal(res.status, 401, path);
      const body = await res.text();
      assert.ok(!body.includes("bid placed") && !body.includes("relayer ready"), `${path} served a line: ${body}`);
    }
  });

  it("gives an account without a role no session, so it reads nothing", async () => {
    const bidder = await signIn(7);
    assert.equal(bidder.status, 403);
    assert.equal(bidder.cookie, "");
    assert.equal((await get("/logs", "sothebais-operator=forged; __Host-sothebais-operator=forged")).status, 401);
  });

  it("lists the services and filters by service, level and text for a signed-in admin", async () => {
    const services = (await (await get("/logs/services")).json()) as { source: string; services: string[] };
    assert.deepEqual(services, { source: "files", services: ["agent", "broadcaster", "relayer"] });
    const byService = (await (await get("/logs?service=relayer")).json()) as { entries: { msg: string }[] };
    assert.equal(byService.entries.length, 3);
    const warn = (await (await get("/logs?level=warn")).json()) as { entries: { service: string; msg: string }[] };
    assert.deepEqual(warn.entries.map((e) => `${e.service}: ${e.msg}`), ["agent: indexer /live unavailable"]);
    const text = (await (await get("/logs?q=READY")).json()) as { entries: { msg: string }[] };
    assert.deepEqual(text.entries.map((e) => e.msg), ["relayer ready"]);
  });

  it("follows a chat message id to the tx hash and the broadcaster's line", async () => {
    const body = (await (await get("/logs?correlation=chat-msg-1")).json()) as { entries: { service: string; msg: string }[] };
    assert.deepEqual(body.entries.map((e) => `${e.service}: ${e.msg}`).sort(), ["broadcaster: bid on stream", "relayer: bid placed"]);
  });

  it("answers a bad filter with 400 naming each bad parameter", async () => {
    const res = await get("/logs?level=loud&limit=0&since=yesterday");
    assert.equal(res.status, 400);
    const body = (await res.json()) as { problems: string[] };
    assert.equal(body.problems.length, 3);
    assert.ok(body.problems.some((p) => p.startsWith("level:")) && body.problems.some((p) => p.startsWith("limit:")) && body.problems.some((p) => p.startsWith("since:")));
  });

  it("never serves the planted key, from the history or the stream", async () => {
    const history = await (await get("/logs?limit=2000")).text();
    assert.ok(history.includes("connecting with [redacted]"), history);
    assert.ok(!history.toLowerCase().includes("7f".repeat(32)), "the key was served by GET /logs");
    const stream = await openStream(`${operator.url}/logs/stream`, admin);
    appendFileSync(join(logDir, "relayer.log"), `RELAYER_PRIVATE_KEY=${key} node relayer/src/main.ts\n`);
    await waitFor(() => stream.events.some((e) => e.event === "log" && e.data.includes("RELAYER_PRIVATE_KEY=[redacted]")), { what: "the planted line, redacted, on the stream" });
    stream.close();
    assert.ok(!stream.text().toLowerCase().includes("7f".repeat(32)), "the key was served by the stream");
  });

  it("streams the backlog, then each new matching line, with heartbeats", async () => {
    const stream = await openStream(`${operator.url}/logs/stream?correlation=chat-msg-1`, admin);
    await waitFor(() => stream.events.some((e) => e.event === "ready"), { what: "ready" });
    await waitFor(() => stream.events.filter((e) => e.event === "log").length === 2, { what: "the backlog" });
    const t0 = Date.now();
    appendFileSync(join(logDir, "agent.log"), line({ msg: "bid seen", txHash: tx.toUpperCase().replace("0X", "0x"), lotId: "2" }));
    appendFileSync(join(logDir, "agent.log"), line({ msg: "an unrelated line" }));
    await waitFor(() => stream.events.some((e) => e.event === "log" && e.data.includes('"bid seen"')), { what: "the new line of the trail" });
    const ms = Date.now() - t0;
    await waitFor(() => stream.events.some((e) => e.event === "comment"), { what: "a heartbeat" });
    stream.close();
    assert.ok(!stream.events.some((e) => e.data.includes("an unrelated line")), "a line off the trail stays out");
    assert.ok(ms < 2000, `the line took ${ms} ms to arrive`);
  });

  it("holds at most 1000 unsent lines for a client that stops reading, and tells it how many it skipped", async () => {
    const stream = await openStream(`${operator.url}/logs/stream?service=flood`, admin, false);
    const pad = "x".repeat(1000);
    const lines = 6000;
    for (let i = 0; i < lines; i += 500) {
      appendFileSync(join(logDir, "flood.log"), Array.from({ length: 500 }, (_, j) => line({ msg: `flood ${i + j}`, pad })).join(""));
    }
    // Every line read by the service (its ring holds the newest 5000), while this client reads nothing.
    await waitFor(async () => ((await (await get("/logs?service=flood&limit=1")).json()) as { entries: { msg: string }[] }).entries[0]?.msg === `flood ${lines - 1}`, {
      timeoutMs: 30_000,
      what: "the service to read every line",
    });
    stream.resume();
    await waitFor(() => stream.events.some((e) => e.event === "log" && e.data.includes(`"flood ${lines - 1}"`)), { timeoutMs: 30_000, what: "the last line" });
    stream.close();
    const dropped = stream.events.filter((e) => e.event === "dropped").reduce((n, e) => n + (JSON.parse(e.data) as { count: number }).count, 0);
    const received = stream.events.filter((e) => e.event === "log").length;
    assert.ok(dropped > 0, "the stalled client was told it skipped lines");
    assert.equal(received + dropped, lines, `every line is either sent or counted as skipped (${received} sent, ${dropped} skipped)`);
  });
});
