/**
 * The Loki source against a stand-in for Loki's HTTP API (Loki itself is no package this project can
 * install; the stand-in answers `query_range` and `label/service/values` from a list of lines the way
 * Loki's documentation describes, applying the stream selector's `service` and the line filters). What is
 * checked is ours: the LogQL sent, the streams parsed into entries, the second query that follows a
 * correlation id to its tx hash, the live poll from the newest line seen, and basic auth from the URL.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { waitFor } from "@sothebais/common/testing";
import type { LogEntry } from "../src/logs/entry.ts";
import { createLokiSource, logql } from "../src/logs/loki-source.ts";

type Row = { ns: bigint; service: string; line: string };

describe("createLokiSource()", () => {
  const rows: Row[] = [];
  const queries: string[] = [];
  const auth: (string | undefined)[] = [];
  let server: Server;
  let url: string;
  const tx = `0x${"c3".repeat(32)}`;
  const push = (service: string, fields: Record<string, unknown>) => rows.push({ ns: BigInt(Date.now()) * 1_000_000n + BigInt(rows.length), service, line: JSON.stringify({ level: "info", ...fields }) });

  before(async () => {
    push("relayer", { msg: "bid placed", msgId: "m-9", txHash: tx });
    push("broadcaster", { msg: "bid on stream", txHash: tx });
    push("agent", { msg: "unrelated" });
    server = createServer((req, res) => {
      const u = new URL(req.url ?? "/", "http://x");
      auth.push(req.headers.authorization);
      if (u.pathname === "/loki/api/v1/label/service/values") {
        res.end(JSON.stringify({ status: "success", data: [...new Set(rows.map((r) => r.service))] }));
        return;
      }
      const query = u.searchParams.get("query") ?? "";
      queries.push(query);
      const start = BigInt(u.searchParams.get("start") ?? "0");
      const services = /service=~"([^"]*)"/.exec(query)?.[1] ?? ".+";
      const filters = [...query.matchAll(/\|~ "\(\?i\)([^"]*)"/g)].map((m) => new RegExp(m[1].replace(/\\\\/g, "\\"), "i"));
      const hits = rows.filter((r) => r.ns >= start && new RegExp(`^(${services})$`).test(r.service) && filters.every((f) => f.test(r.line)));
      const streams = [...new Set(hits.map((r) => r.service))].map((service) => ({ stream: { service }, values: hits.filter((r) => r.service === service).map((r) => [String(r.ns), r.line]) }));
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ status: "success", data: { resultType: "streams", result: streams } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://ops:s3cret@127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("logql() puts service and level in the selector and text and ids in case-insensitive line filters", () => {
    assert.equal(logql({ services: [] }), '{service=~".+"}');
    assert.equal(logql({ services: ["relayer", "indexer-api"], level: "warn", q: "a.b" }), '{service=~"relayer|indexer-api", level=~"warn|error"} |~ "(?i)a\\\\.b"');
    assert.equal(logql({ services: [], level: "error", correlation: "m-9" }, [tx]), `{service=~".+", level="error"} |~ "(?i)(m-9|${tx})"`);
  });

  it("queries Loki with basic auth from the URL, and follows a chat message id to the lines of its tx", async () => {
    const source = createLokiSource({ url });
    assert.deepEqual(await source.services(), ["agent", "broadcaster", "relayer"]);
    const trail = await source.query({ services: [], correlation: "m-9" }, 100);
    assert.deepEqual(trail.map((e) => `${e.service}: ${e.msg}`), ["relayer: bid placed", "broadcaster: bid on stream"]);
    assert.equal(queries.length, 2, "a second query with the tx hash the first one found");
    assert.ok(queries[1].includes(tx));
    assert.ok(auth.every((a) => a === `Basic ${Buffer.from("ops:s3cret").toString("base64")}`));
    await source.close();
  });

  it("polls for new lines while someone watches, from the newest line seen", async () => {
    const source = createLokiSource({ url, pollMs: 20 });
    const seen: LogEntry[] = [];
    const stop = source.subscribe((batch) => seen.push(...batch));
    push("relayer", { msg: "after the subscription" });
    await waitFor(() => seen.some((e) => e.msg === "after the subscription"), { what: "the new line" });
    push("relayer", { msg: "another" });
    await waitFor(() => seen.some((e) => e.msg === "another"), { what: "the next line" });
    stop();
    await source.close();
    assert.deepEqual(seen.map((e) => e.msg), ["after the subscription", "another"], "each new line once, none from before the subscription");
  });
});
