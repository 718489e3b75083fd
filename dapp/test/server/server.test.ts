/**
 * The dApp's production server (dapp/server): config validation, the read-only RPC allowlist, no
 * pass-through of any service's /metrics or admin routes, the operator's RPC URL never in a response, and
 * the live events fan-out (one upstream subscription, the same bytes to every viewer). Fake upstreams on
 * loopback stand for the chain RPC, the indexer and the relayer.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { serve } from "@hono/node-server";
import { ConfigError } from "@sothebais/common/errors";
import { createLogger } from "@sothebais/common/log";
import { createDappServer } from "../../server/app.ts";
import { readDappEnv } from "../../server/config.ts";
import { checkLogsRange, RPC_ALLOWLIST } from "../../server/rpc.ts";
import { loadStatic } from "../../server/static.ts";

const FAKE_KEY = "sk_live_FAKEKEY0123456789abcdef";
const silent = createLogger({ service: "dapp-test", write: () => {} });

type Upstream = { url: string; server: Server; seen: { method?: string; url?: string; body: string }[]; sse: Set<ServerResponse>; sseOpened: number };

/** One fake service: records what reached it; `/live/events` is an SSE stream the test writes to. */
async function fakeUpstream(handler?: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Upstream> {
  const up: Upstream = { url: "", server: createServer(), seen: [], sse: new Set(), sseOpened: 0 };
  up.server.on("request", (req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      up.seen.push({ method: req.method, url: req.url, body });
      if (req.url === "/live/events") {
        up.sseOpened++;
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("retry: 1000\n\n");
        up.sse.add(res);
        res.on("close", () => up.sse.delete(res));
        return;
      }
      if (handler) return handler(req, res, body);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, path: req.url }));
    });
  });
  await new Promise<void>((r) => up.server.listen(0, "127.0.0.1", () => r()));
  up.url = `http://127.0.0.1:${(up.server.address() as AddressInfo).port}`;
  return up;
}

/** The chain: answers every JSON-RPC request (single or batch) with its method name as the result. */
const rpcHandler = (_req: IncomingMessage, res: ServerResponse, body: string) => {
  const parsed = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
  const answer = (r: { id: number; method: string }) => ({ jsonrpc: "2.0", id: r.id, result: r.method === "eth_blockNumber" ? "0x64" : r.method });
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(Array.isArray(parsed) ? parsed.map(answer) : answer(parsed)));
};

describe("dApp server config", () => {
  it("names every bad value on a line of its own", () => {
    assert.throws(
      () => readDappEnv({ DAPP_PORT: "0", CHAIN_ID: "abc", RPC_URL: "ftp://x", DAPP_RPC_MAX_BATCH: "0" }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 4, error.message);
        for (const key of ["DAPP_PORT", "CHAIN_ID", "RPC_URL", "DAPP_RPC_MAX_BATCH"]) assert.ok(error.problems.some((p) => p.startsWith(`${key}:`)), key);
        return true;
      },
    );
  });

  it("defaults to a loopback metrics port apart from the public one", () => {
    const env = readDappEnv({});
    assert.equal(env.DAPP_METRICS_HOST, "127.0.0.1");
    assert.notEqual(env.DAPP_METRICS_PORT, env.DAPP_PORT);
  });
});

describe("the RPC allowlist", () => {
  it("holds only reads", () => {
    for (const m of RPC_ALLOWLIST) assert.match(m, /^(eth_(call|chainId|blockNumber|getBalance|getTransactionReceipt|getTransactionByHash|getLogs|estimateGas|gasPrice|maxPriorityFeePerGas|feeHistory|getBlockByNumber|getCode)|net_version)$/);
  });
  it("bounds eth_getLogs ranges, tags resolved against the head", () => {
    assert.equal(checkLogsRange([{ fromBlock: "0x1", toBlock: "0x10" }], 100, 1000), undefined);
    assert.match(checkLogsRange([{ fromBlock: "earliest", toBlock: "latest" }], 100, 1000) ?? "", /1001 blocks/);
    assert.match(checkLogsRange([{ fromBlock: "0x0" }], 100, 5000) ?? "", /at most 100/);
    assert.equal(checkLogsRange([{ blockHash: `0x${"a".repeat(64)}` }], 1, 5000), undefined);
  });
});

describe("dApp server", () => {
  let rpc: Upstream;
  let indexer: Upstream;
  let relayer: Upstream;
  let operator: Upstream;
  let base: string;
  let ops: string;
  let close: () => Promise<void>;
  const responses: string[] = [];

  /** Every response body and header block is kept, to look for the operator's key in all of them. */
  const get = async (path: string, init?: RequestInit & { origin?: string }) => {
    const res = await fetch(`${init?.origin ?? base}${path}`, init);
    const text = await res.text();
    responses.push(`${[...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${text}`);
    return { res, text };
  };
  const rpcCall = (body: unknown) => get("/svc/rpc", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  before(async () => {
    rpc = await fakeUpstream(rpcHandler);
    indexer = await fakeUpstream();
    relayer = await fakeUpstream();
    // The operator API: echoes what reached it and sets two cookies.
    operator = await fakeUpstream((req, res, body) => {
      res.writeHead(200, { "content-type": "application/json", "set-cookie": ["__Host-s=abc; Path=/; HttpOnly; Secure; SameSite=Strict", "other=1; Path=/"] });
      res.end(JSON.stringify({ url: req.url, method: req.method, body, cookie: req.headers.cookie, origin: req.headers.origin, type: req.headers["content-type"] }));
    });
    const dist = mkdtempSync(join(tmpdir(), "dapp-dist-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), `<!doctype html><script type="module" src="/assets/index-abc123.js"></script>${" ".repeat(600)}`);
    writeFileSync(join(dist, "assets/index-abc123.js"), `console.log("app");${"/* pad */".repeat(100)}`);
    const deployments = mkdtempSync(join(tmpdir(), "dapp-deployments-"));
    process.env.DEPLOYMENTS_DIR = deployments;
    const env = readDappEnv({
      CHAIN_ID: "11011",
      RPC_URL: `${rpc.url}/v2/${FAKE_KEY}?apikey=${FAKE_KEY}`,
      INDEXER_URL: indexer.url,
      RELAYER_URL: relayer.url,
      AGENT_URL: relayer.url,
      OPERATOR_URL: operator.url,
      DAPP_RPC_MAX_BATCH: "3",
      DAPP_RPC_MAX_BODY_BYTES: "2048",
      DAPP_RPC_MAX_LOG_BLOCKS: "50",
      DAPP_LIVE_HEARTBEAT_MS: "60000",
    });
    const server = createDappServer({ env, files: loadStatic(dist), log: silent });
    const pub = serve({ fetch: server.app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
    const opsServer = serve({ fetch: server.ops.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
    await Promise.all([pub, opsServer].map((s) => new Promise<void>((r) => (s.listening ? r() : s.once("listening", () => r())))));
    base = `http://127.0.0.1:${(pub.address() as AddressInfo).port}`;
    ops = `http://127.0.0.1:${(opsServer.address() as AddressInfo).port}`;
    close = async () => {
      server.close();
      for (const s of [pub, opsServer, rpc.server, indexer.server, relayer.server, operator.server]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    };
  });
  after(() => close());

  it("forwards allowed reads and refuses writes, debug_* and admin_* with an error naming the method", async () => {
    const ok = await rpcCall({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
    assert.equal(JSON.parse(ok.text).result, "eth_chainId");
    for (const method of ["eth_sendRawTransaction", "eth_sendTransaction", "debug_traceTransaction", "admin_addPeer", "personal_sign", "eth_subscribe", "hardhat_setBalance", "anvil_mine"]) {
      const before = rpc.seen.length;
      const { text } = await rpcCall({ jsonrpc: "2.0", id: 7, method, params: [] });
      const body = JSON.parse(text) as { id: number; error: { code: number; message: string } };
      assert.equal(body.id, 7);
      assert.equal(body.error.code, -32601);
      assert.ok(body.error.message.includes(method), body.error.message);
      assert.equal(rpc.seen.length, before, `${method} must not reach the chain`);
    }
  });

  it("answers a batch in order, refusing inside it what is not allowed, and refuses a batch over the limit", async () => {
    const { text } = await rpcCall([
      { jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] },
      { jsonrpc: "2.0", id: 2, method: "eth_sendRawTransaction", params: ["0x00"] },
      { jsonrpc: "2.0", id: 3, method: "eth_call", params: [{}, "latest"] },
    ]);
    const answers = JSON.parse(text) as { id: number; result?: string; error?: { message: string } }[];
    assert.deepEqual(answers.map((a) => a.id), [1, 2, 3]);
    assert.equal(answers[0].result, "0x64");
    assert.match(answers[1].error?.message ?? "", /eth_sendRawTransaction/);
    assert.equal(answers[2].result, "eth_call");
    const big = await rpcCall(Array.from({ length: 4 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "eth_chainId" })));
    assert.match((JSON.parse(big.text) as { error: { message: string } }).error.message, /batch of 4 requests: at most 3/);
  });

  it("refuses an eth_getLogs wider than the limit and a body over the limit", async () => {
    const wide = await rpcCall({ jsonrpc: "2.0", id: 1, method: "eth_getLogs", params: [{ fromBlock: "earliest", toBlock: "latest" }] });
    assert.match((JSON.parse(wide.text) as { error: { message: string } }).error.message, /at most 50/);
    const narrow = await rpcCall({ jsonrpc: "2.0", id: 1, method: "eth_getLogs", params: [{ fromBlock: "0x60", toBlock: "latest" }] });
    assert.equal(JSON.parse(narrow.text).result, "eth_getLogs");
    const huge = await rpcCall({ jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ data: `0x${"00".repeat(2000)}` }, "latest"] });
    assert.equal(huge.res.status, 413);
  });

  it("passes through no /metrics, agent /state or admin route of any service", async () => {
    for (const path of ["/svc/indexer/metrics", "/svc/indexer/metrics/indexer", "/svc/relayer/metrics", "/svc/agent/state", "/svc/agent/admin", "/svc/indexer/sql/live", "/svc/indexer/status", "/svc/rpc/metrics", "/metrics", "/svc/relayer/admin/pause"]) {
      const before = indexer.seen.length + relayer.seen.length;
      const { res } = await get(path);
      assert.notEqual(res.status, 200, path);
      assert.ok(!res.headers.get("content-type")?.includes("text/plain; version="), `${path} looks like Prometheus text`);
      assert.equal(indexer.seen.length + relayer.seen.length, before, `${path} must not reach a service`);
    }
    const metrics = await get("/metrics", { origin: ops });
    assert.equal(metrics.res.status, 200);
    assert.match(metrics.text, /sothebais_dapp_http_requests_total/);
  });

  it("passes the operator API through whole (method, path, query, body, cookie, Origin in; status and every Set-Cookie out), but its /metrics", async () => {
    const { res, text } = await get("/svc/operator/auth/login?x=1", {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "__Host-s=old", origin: "https://console.example" },
      body: '{"message":"m","signature":"0x01"}',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(text), { url: "/auth/login?x=1", method: "POST", body: '{"message":"m","signature":"0x01"}', cookie: "__Host-s=old", origin: "https://console.example", type: "application/json" });
    assert.deepEqual(res.headers.getSetCookie(), ["__Host-s=abc; Path=/; HttpOnly; Secure; SameSite=Strict", "other=1; Path=/"]);
    const before = operator.seen.length;
    const metrics = await get("/svc/operator/metrics");
    assert.equal(metrics.res.status, 404);
    assert.equal(operator.seen.length, before, "/metrics must not reach the operator API");
  });

  it("proxies the indexer reads and the relayer's /link", async () => {
    const gql = await get("/svc/indexer/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"{ lots { items { id } } }"}' });
    assert.equal(gql.res.status, 200);
    assert.equal(indexer.seen.at(-1)?.url, "/graphql");
    // The same read again within a second (every viewer re-reading a list): answered without the indexer.
    const seen = indexer.seen.length;
    const again = await Promise.all([1, 2, 3].map(() => get("/svc/indexer/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"{ lots { items { id } } }"}' })));
    assert.deepEqual(again.map((a) => a.text), [gql.text, gql.text, gql.text]);
    assert.equal(indexer.seen.length, seen);
    await get("/svc/indexer/live");
    assert.equal(indexer.seen.at(-1)?.url, "/live");
    await get("/svc/indexer/lots/12");
    assert.equal(indexer.seen.at(-1)?.url, "/lots/12");
    const link = await get("/svc/relayer/link", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(link.res.status, 200);
    assert.equal(relayer.seen.at(-1)?.url, "/link");
  });

  it("serves hashed assets for a year, index.html with no-cache, and app pages as index.html", async () => {
    const asset = await get("/assets/index-abc123.js", { headers: { "accept-encoding": "gzip" } });
    assert.equal(asset.res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.match(asset.text, /console\.log/);
    const page = await get("/lot/3");
    assert.equal(page.res.headers.get("cache-control"), "no-cache");
    assert.match(page.text, /index-abc123/);
    assert.equal((await get("/assets/missing.js")).res.status, 404);
  });

  it("never shows the operator's RPC URL: /config.json hands the wallet the chain's public RPC", async () => {
    const { text } = await get("/config.json");
    const config = JSON.parse(text) as { chainId: number; walletRpcUrl: string; paths: { rpc: string } };
    assert.equal(config.chainId, 11011);
    assert.equal(config.walletRpcUrl, "https://sepolia.shape.network");
    assert.equal(config.paths.rpc, "/svc/rpc");
    // An upstream failure quoting its URL must not carry it either.
    await get("/svc/indexer/../../etc/passwd");
    await get("/health");
    for (const r of responses) {
      assert.ok(!r.includes(FAKE_KEY), `a response carried the operator's RPC key:\n${r.slice(0, 400)}`);
      assert.ok(!r.includes(rpc.url), `a response carried the operator's RPC URL:\n${r.slice(0, 400)}`);
    }
  });

  it("fans one upstream /live/events out to every viewer, the same bytes to each", async () => {
    const viewers = 50;
    const streams = await Promise.all(
      Array.from({ length: viewers }, async () => {
        const res = await fetch(`${base}/svc/indexer/live/events`, { headers: { accept: "text/event-stream" } });
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        let text = "";
        return {
          reader,
          /** Reads until `needle` has arrived; returns everything read so far. */
          until: async (needle: string) => {
            const decoder = new TextDecoder();
            while (!text.includes(needle)) {
              const r = await reader.read();
              if (r.done) throw new Error("stream ended");
              text += decoder.decode(r.value, { stream: true });
            }
            return text;
          },
        };
      }),
    );
    // One subscription upstream, however many viewers.
    for (let i = 0; i < 50 && indexer.sse.size === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(indexer.sse.size, 1);
    assert.equal(indexer.sseOpened, 1);
    const snapshot = 'id: abc\nevent: snapshot\ndata: {"blockNumber":5,"lot":{"lotId":"1"}}\n\n';
    const head = 'event: head\ndata: {"blockNumber":6}\n\n';
    for (const up of indexer.sse) up.write(snapshot + head);
    const seen = await Promise.all(streams.map((s) => s.until('"blockNumber":6')));
    for (const text of seen) {
      assert.match(text, /^retry: \d+\n\n/);
      assert.equal(text.replace(/^retry: \d+\n\n/, ""), snapshot + head);
    }
    // A viewer arriving later gets the snapshot and the head at once; one naming the snapshot gets the head only.
    const late = await fetch(`${base}/svc/indexer/live/events`);
    const lateText = await readUntil(late, '"blockNumber":6');
    assert.ok(lateText.includes(snapshot) && lateText.includes(head));
    const resumed = await fetch(`${base}/svc/indexer/live/events`, { headers: { "last-event-id": "abc" } });
    const resumedText = await readUntil(resumed, '"blockNumber":6');
    assert.ok(!resumedText.includes("event: snapshot"));
    for (const s of streams) await s.reader.cancel();
    await late.body?.cancel();
    await resumed.body?.cancel();
    const health = await get("/health", { origin: ops });
    assert.match(health.text, /"upstreamConnected":true/);
  });
});

async function readUntil(res: Response, needle: string): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(needle)) {
    const r = await reader.read();
    if (r.done) break;
    text += decoder.decode(r.value, { stream: true });
  }
  reader.releaseLock();
  return text;
}
