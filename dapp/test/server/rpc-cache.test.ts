/**
 * The read-only RPC proxy's per-block cache (dapp/server/rpc-cache.ts) in front of a real Hardhat node:
 * a pass-through in between counts what reaches the chain. Identical concurrent reads cost one upstream
 * call, `eth_chainId` is asked once, and a new block (a real transaction, mined) makes the next read go
 * upstream again and see the new state.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { serve } from "@hono/node-server";
import { createLogger } from "@sothebais/common/log";
import { type HardhatNode, rpc as nodeRpc, startHardhatNode } from "@sothebais/common/testing";
import { createDappServer } from "../../server/app.ts";
import { readDappEnv } from "../../server/config.ts";

const HEAD_TTL_MS = 300;
const silent = createLogger({ service: "dapp-test", write: () => {} });
const recipient = "0x00000000000000000000000000000000000c0ffe";
/** The identity precompile: an eth_call that returns its input, so each call's answer is checkable. */
const identity = "0x0000000000000000000000000000000000000004";

type Answer = { jsonrpc: string; id: number | string | null; result?: string; error?: { code: number; message: string } };

describe("the read-only RPC proxy's per-block cache (real Hardhat node)", { timeout: 120_000 }, () => {
  let node: HardhatNode;
  let counter: Server;
  let base: string;
  let close: () => Promise<void>;
  /** Methods that reached the node through the proxy, in order. */
  const upstream: string[] = [];
  const count = (method: string) => upstream.filter((m) => m === method).length;

  const call = async (body: unknown): Promise<Answer | Answer[]> => {
    const res = await fetch(`${base}/svc/rpc`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    return (await res.json()) as Answer | Answer[];
  };
  const one = async (id: number, method: string, params: unknown[]) => (await call({ jsonrpc: "2.0", id, method, params })) as Answer;
  const afterHeadTtl = () => new Promise((r) => setTimeout(r, HEAD_TTL_MS + 50));

  before(async () => {
    node = await startHardhatNode();
    // Counts every request's methods, then passes the body to the node as it is.
    counter = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", async () => {
        const parsed = JSON.parse(body) as { method: string } | { method: string }[];
        for (const r of Array.isArray(parsed) ? parsed : [parsed]) upstream.push(r.method);
        const answer = await fetch(node.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(await answer.text());
      });
    });
    await new Promise<void>((r) => counter.listen(0, "127.0.0.1", () => r()));
    const env = readDappEnv({ RPC_URL: `http://127.0.0.1:${(counter.address() as AddressInfo).port}`, DAPP_RPC_HEAD_TTL_MS: String(HEAD_TTL_MS) });
    const server = createDappServer({ env, files: new Map(), log: silent });
    const pub = serve({ fetch: server.app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
    await new Promise<void>((r) => (pub.listening ? r() : pub.once("listening", () => r())));
    base = `http://127.0.0.1:${(pub.address() as AddressInfo).port}`;
    close = async () => {
      server.close();
      for (const s of [pub, counter]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    };
  });
  after(async () => {
    await close?.();
    await node?.stop();
  });

  it("50 identical concurrent eth_getBalance reads: one upstream call, each answered with its own id", async () => {
    const before = count("eth_getBalance");
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => one(1000 + i, "eth_getBalance", [recipient, "latest"])));
    assert.deepEqual(
      answers.map((a) => a.id),
      answers.map((_, i) => 1000 + i),
    );
    for (const a of answers) assert.equal(a.result, "0x0");
    assert.equal(count("eth_getBalance") - before, 1, `upstream: ${upstream.join(", ")}`);
  });

  it("eth_call at latest is kept per params: identical calls share one, different calldata is its own", async () => {
    const before = count("eth_call");
    const data = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => one(i, "eth_call", [{ to: identity, data: data(i % 3) }, "latest"])));
    answers.forEach((a, i) => assert.equal(a.result, data(i % 3)));
    assert.equal(count("eth_call") - before, 3);
  });

  it("eth_chainId is asked upstream once; eth_blockNumber once per head TTL, in a batch too", async () => {
    const chainIds = await Promise.all(Array.from({ length: 20 }, (_, i) => one(i, "eth_chainId", [])));
    for (const a of chainIds) assert.equal(a.result, "0x7a69");
    await afterHeadTtl();
    const beforeHead = count("eth_blockNumber");
    const batch = (await call([
      { jsonrpc: "2.0", id: "a", method: "eth_blockNumber", params: [] },
      { jsonrpc: "2.0", id: "b", method: "eth_chainId", params: [] },
      { jsonrpc: "2.0", id: "c", method: "eth_blockNumber", params: [] },
    ])) as Answer[];
    assert.deepEqual(batch.map((a) => a.id), ["a", "b", "c"]);
    assert.equal(batch[0].result, batch[2].result);
    await Promise.all(Array.from({ length: 20 }, (_, i) => one(i, "eth_blockNumber", [])));
    assert.equal(count("eth_chainId"), 1);
    assert.equal(count("eth_blockNumber") - beforeHead, 1);
  });

  it("a new block drops the kept reads: the next one goes upstream and sees the new state", async () => {
    const [from] = await nodeRpc<string[]>(node.rpcUrl, "eth_accounts");
    await afterHeadTtl();
    assert.equal((await one(1, "eth_getBalance", [recipient, "latest"])).result, "0x0");
    const before = count("eth_getBalance");
    // Within the same block: kept.
    assert.equal((await one(2, "eth_getBalance", [recipient, "latest"])).result, "0x0");
    assert.equal(count("eth_getBalance"), before);
    // A real transfer, mined at once (automine): a new block with a new balance.
    await nodeRpc(node.rpcUrl, "eth_sendTransaction", [{ from, to: recipient, value: "0x2a" }]);
    await afterHeadTtl();
    assert.equal((await one(3, "eth_getBalance", [recipient, "latest"])).result, "0x2a");
    assert.equal(count("eth_getBalance") - before, 1);
  });

  it("forwards what a block tag pins or an error answers: nothing of it is kept", async () => {
    const before = count("eth_getBalance");
    for (let i = 0; i < 3; i++) assert.equal((await one(i, "eth_getBalance", [recipient, "0x0"])).result, "0x0");
    assert.equal(count("eth_getBalance") - before, 3, "a block number is forwarded each time");
    const errors = [await one(1, "eth_getBalance", ["not-an-address", "latest"]), await one(2, "eth_getBalance", ["not-an-address", "latest"])];
    for (const e of errors) assert.ok(e.error, JSON.stringify(e));
    assert.equal(count("eth_getBalance") - before, 5, "an error answer is not kept");
  });
});
