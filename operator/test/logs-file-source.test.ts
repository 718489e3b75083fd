/**
 * The local log source against real files in a temp folder: lines appended while it runs, a partial
 * line completed later, a file renamed away (logrotate) and one truncated in place (copytruncate), the
 * per-service ring's bound, the filters (service, level, text, correlation across services) and the
 * redaction of a key planted in a line.
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { waitFor } from "@sothebais/common/testing";
import type { LogEntry } from "../src/logs/entry.ts";
import { createFileSource } from "../src/logs/file-source.ts";
import type { LogFilter } from "../src/logs/filter.ts";
import type { LogSource } from "../src/logs/source.ts";

const dirs: string[] = [];
const sources: LogSource[] = [];
after(async () => {
  for (const s of sources) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A temp folder and a source tailing it; `existing` writes files before the source starts. */
function setup(options: { ringLines?: number; backfillBytes?: number } = {}, existing: (file: (service: string) => string) => void = () => {}) {
  const dir = mkdtempSync(join(tmpdir(), "operator-logs-"));
  dirs.push(dir);
  existing((service) => join(dir, `${service}.log`));
  const seen: LogEntry[] = [];
  const source = createFileSource({ dir, pollMs: 20, ...options });
  sources.push(source);
  source.subscribe((batch) => seen.push(...batch));
  const line = (fields: Record<string, unknown>) => `${JSON.stringify({ time: new Date().toISOString(), level: "info", ...fields })}\n`;
  return { dir, source, seen, line, file: (service: string) => join(dir, `${service}.log`) };
}

const all: LogFilter = { services: [] };
const line0 = `${JSON.stringify({ level: "info", msg: "there before the source" })}\n`;
const msgs = (entries: LogEntry[]) => entries.map((e) => e.msg);

describe("createFileSource()", () => {
  it("reads lines already in a file and lines appended later, each once, with its service, level and fields", async () => {
    const { source, seen, line, file } = setup();
    writeFileSync(file("relayer"), line({ msg: "relayer ready", port: 8788 }));
    await waitFor(() => seen.length === 1, { what: "the existing line" });
    appendFileSync(file("relayer"), line({ level: "warn", msg: "chat disconnected", reason: "x" }));
    appendFileSync(file("broadcaster"), line({ level: "error", msg: "ingest down" }));
    await waitFor(() => seen.length === 3, { what: "the appended lines" });
    const entries = await source.query(all, 100);
    assert.deepEqual(msgs(entries).sort(), ["chat disconnected", "ingest down", "relayer ready"]);
    const warn = entries.find((e) => e.msg === "chat disconnected");
    assert.equal(warn?.service, "relayer");
    assert.equal(warn?.level, "warn");
    assert.deepEqual(warn?.fields, { reason: "x" });
    assert.deepEqual(await source.services(), ["broadcaster", "relayer"]);
  });

  it("holds a partial line until its newline arrives", async () => {
    const { seen, line, file } = setup();
    writeFileSync(file("agent"), '{"level":"info","msg":"first half');
    writeFileSync(file("relayer"), line({ msg: "a whole line" }));
    // The poll that read the whole line read the half too: nothing may have come out of it.
    await waitFor(() => seen.length === 1, { what: "the other file's line" });
    assert.deepEqual(msgs(seen), ["a whole line"]);
    appendFileSync(file("agent"), ' and the rest"}\n');
    await waitFor(() => seen.length === 2, { what: "the completed line" });
    assert.equal(seen[1].msg, "first half and the rest");
  });

  it("follows a file renamed away: the old file's last lines, then the new file from its start", async () => {
    const { seen, line, file, dir } = setup();
    writeFileSync(file("relayer"), line({ msg: "one" }));
    await waitFor(() => seen.length === 1, { what: "line one" });
    appendFileSync(file("relayer"), line({ msg: "two" }));
    renameSync(file("relayer"), join(dir, "relayer.log.1"));
    writeFileSync(file("relayer"), line({ msg: "three" }));
    await waitFor(() => seen.length === 3, { what: "lines two and three" });
    assert.deepEqual(msgs(seen), ["one", "two", "three"]);
  });

  it("reads a file truncated in place again from its start", async () => {
    const { seen, line, file } = setup();
    writeFileSync(file("indexer"), line({ msg: "a long line before the truncation, longer than what follows it" }));
    await waitFor(() => seen.length === 1, { what: "the first line" });
    truncateSync(file("indexer"), 0);
    appendFileSync(file("indexer"), line({ msg: "after" }));
    await waitFor(() => seen.length === 2, { what: "the line after the truncation" });
    assert.equal(seen[1].msg, "after");
  });

  it("keeps a plain-text line whole, and starts a large file there at the start at its last backfillBytes", async () => {
    const { source } = setup({ backfillBytes: 100 }, (file) => writeFileSync(file("chain"), `${"x".repeat(300)}\nolder line\nHardhat node listening on 127.0.0.1:8545\n`));
    const entries = await source.query(all, 10);
    assert.deepEqual(msgs(entries), ["older line", "Hardhat node listening on 127.0.0.1:8545"]);
    assert.equal(entries[0].level, "info");
  });

  it("reads a file that appears later from its first byte, however large (a part started after the operator)", async () => {
    const { source, seen, line, file } = setup({ backfillBytes: 100 }, (file) => writeFileSync(file("relayer"), line0));
    await source.services();
    writeFileSync(file("agent"), Array.from({ length: 50 }, (_, i) => line({ msg: `agent ${i}` })).join(""));
    await waitFor(() => seen.filter((e) => e.service === "agent").length === 50, { what: "every line of the new file" });
    assert.equal(seen.find((e) => e.service === "agent")?.msg, "agent 0");
  });

  it("keeps at most ringLines lines per service, the newest", async () => {
    const { source, seen, line, file } = setup({ ringLines: 10 });
    writeFileSync(file("agent"), Array.from({ length: 25 }, (_, i) => line({ msg: `line ${i}` })).join(""));
    appendFileSync(file("relayer"), line({ msg: "other service" }));
    await waitFor(() => seen.length === 26, { what: "every line" });
    const agent = await source.query({ services: ["agent"] }, 100);
    assert.deepEqual(msgs(agent), Array.from({ length: 10 }, (_, i) => `line ${15 + i}`));
    assert.equal((await source.query({ services: ["relayer"] }, 100)).length, 1, "the other service's ring is its own");
  });

  it("filters by service, minimum level, text and limit", async () => {
    const { source, seen, line, file } = setup();
    writeFileSync(file("relayer"), [line({ level: "debug", msg: "tick" }), line({ msg: "bid placed", user: "BidGoblin" }), line({ level: "error", msg: "job failed" })].join(""));
    writeFileSync(file("agent"), line({ level: "warn", msg: "indexer /live unavailable" }));
    await waitFor(() => seen.length === 4, { what: "every line" });
    assert.deepEqual(msgs(await source.query({ services: ["relayer"] }, 100)), ["tick", "bid placed", "job failed"]);
    assert.deepEqual(msgs(await source.query({ services: [], level: "warn" }, 100)).sort(), ["indexer /live unavailable", "job failed"]);
    assert.deepEqual(msgs(await source.query({ services: [], q: "bidgoblin" }, 100)), ["bid placed"], "text matches field values, case-insensitive");
    assert.deepEqual(msgs(await source.query({ services: ["relayer"] }, 2)), ["bid placed", "job failed"], "the newest lines within the limit");
  });

  it("finds one bid's trail from its chat message id: the relayer's line links the tx hash, which brings the other services' lines", async () => {
    const { source, seen, line, file } = setup();
    const tx = `0x${"ab".repeat(32)}`;
    writeFileSync(file("indexer"), line({ msg: "bid indexed", txHash: tx.toUpperCase().replace("0X", "0x") }));
    writeFileSync(file("relayer"), [line({ msg: "bid placed", msgId: "m-42", txHash: tx }), line({ msg: "bid placed", msgId: "m-43", txHash: `0x${"cd".repeat(32)}` })].join(""));
    writeFileSync(file("broadcaster"), line({ msg: "bid on stream", txHash: tx, frame: 7 }));
    await waitFor(() => seen.length === 4, { what: "every line" });
    const trail = await source.query({ services: [], correlation: "m-42" }, 100);
    assert.deepEqual(msgs(trail).sort(), ["bid indexed", "bid on stream", "bid placed"]);
    assert.ok(trail.every((e) => e.fields.msgId !== "m-43"), "the other bid's line stays out");
    const byTx = await source.query({ services: [], correlation: tx.toUpperCase().replace("0X", "0x") }, 100);
    assert.equal(byTx.length, 3, "a tx hash matches whatever the case of its hex digits");
  });

  it("never serves a planted private key, in a JSON field or in a plain line", async () => {
    const { source, seen, file } = setup();
    const key = `0x${"5e".repeat(32)}`;
    writeFileSync(file("relayer"), `${JSON.stringify({ level: "info", msg: `starting with ${key}`, privateKey: key, note: `key=${key}` })}\ncrash: RELAYER_PRIVATE_KEY=${key}\n`);
    await waitFor(() => seen.length === 2, { what: "both lines" });
    const served = JSON.stringify(await source.query(all, 100));
    assert.ok(!served.toLowerCase().includes("5e".repeat(32)), `a key was served: ${served}`);
    assert.ok(served.includes("[redacted]"));
    assert.ok(!JSON.stringify(seen).toLowerCase().includes("5e".repeat(32)), "nor handed to live subscribers");
  });
});
