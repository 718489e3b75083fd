/**
 * The relayer's reads of the real indexer (on the real node, its RPC through a proxy the tests cut).
 * Issue 19 §3: `!mybids` is one bounded read of the indexer's GraphQL, never a chain-wide getLogs
 * retried without end. When the indexer is down or hangs, the bidder is told at once (within
 * INDEXER_TIMEOUT_MS), and nothing is retried. And an indexer that lost its RPC still answers `/live`,
 * from blocks ago: the relayer judges bids on the chain then, not on that stale lot.
 */
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fetchLiveLot } from "@sothebais/common/live";
import { freePort, rpc, type RunningIndexer, startIndexer, waitFor } from "@sothebais/common/testing";
import { parseEther } from "viem";
import { MAX_INDEXER_LAG_BLOCKS } from "../src/lots.ts";
import type { Relayer } from "../src/relayer.ts";
import { type Harness, registerUsers, startHarness, startInProcess, startTcpProxy, waitOutcome, waitReply } from "./helpers.ts";

describe("the relayer's indexer reads (real indexer, node, Redis, tmi.js)", () => {
  let h: Harness;
  let indexer: RunningIndexer;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let indexerRpc: Awaited<ReturnType<typeof startTcpProxy>>;
  let relayer: Relayer | undefined;
  let user: Awaited<ReturnType<typeof registerUsers>>[number];
  const lots: bigint[] = [];

  before(async () => {
    h = await startHarness();
    [user] = await registerUsers(h, 1, 40);
    // Lot A: the user bids, a wallet outbids. Lot B: the user leads.
    for (let i = 0; i < 2; i++) lots.push(await h.stack.mintAndCreateLot({ reserve: parseEther("0.01"), duration: 3600 }));
    await h.stack.relayBid(lots[0], user.address, parseEther("0.1"));
    await h.stack.bid(12, lots[0], parseEther("0.3"));
    await h.stack.relayBid(lots[1], user.address, parseEther("0.2"));
    indexerRpc = await startTcpProxy(Number(new URL(h.stack.rpcUrl).port));
    indexer = await startIndexer({ stack: { rpcUrl: indexerRpc.url, deploymentsDir: h.stack.deploymentsDir } });
    proxy = await startTcpProxy(indexer.port);
    // The indexer has the three bids.
    await waitFor(async () => {
      const res = await fetch(`${indexer.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ bids { items { id } } }" }) });
      const body = (await res.json()) as { data?: { bids: { items: unknown[] } } };
      return (body.data?.bids.items.length ?? 0) >= 3;
    }, { what: "bids indexed", timeoutMs: 120_000, intervalMs: 250 });
  });
  after(async () => {
    await relayer?.stop();
    await proxy?.close();
    await indexer?.stop();
    await indexerRpc?.close();
    await h?.stop();
  });

  const ask = async (pattern: RegExp) => {
    const m = h.chat.say({ userId: user.userId, displayName: user.name, text: "!mybids" });
    const started = Date.now();
    const o = await waitOutcome(h.store, m.id);
    const ms = Date.now() - started;
    assert.equal(o.kind, "answer");
    assert.match(o.kind === "answer" ? o.text : "", pattern);
    await waitReply(h.chat, user.name, pattern);
    return ms;
  };

  it("lists the bidder's lots from the indexer: outbid on one, leading on the other", { timeout: 240_000 }, async () => {
    relayer = await startInProcess(h, { INDEXER_URL: proxy.url, INDEXER_TIMEOUT_MS: "1500" });
    await ask(new RegExp(`#${lots[1]} leading at 0\\.2 ETH · #${lots[0]} outbid at 0\\.3 ETH`));
  });

  it("answers at once that the indexer is down when it is", { timeout: 60_000 }, async () => {
    proxy.cut();
    const ms = await ask(/can't read your bids right now \(the indexer is not answering\)/);
    assert.ok(ms < 10_000, `answered in ${ms} ms`);
    proxy.restore();
  });

  it("gives up on a hung indexer after INDEXER_TIMEOUT_MS", { timeout: 60_000 }, async () => {
    // Accepts connections and never answers.
    const sockets = new Set<Socket>();
    const hung = createServer((s) => void sockets.add(s));
    const port = await freePort();
    await new Promise<void>((resolve) => hung.listen(port, "127.0.0.1", resolve));
    try {
      await relayer?.stop();
      relayer = await startInProcess(h, { INDEXER_URL: `http://127.0.0.1:${port}`, INDEXER_TIMEOUT_MS: "1000" });
      const ms = await ask(/can't read your bids right now \(the indexer is not answering\)/);
      assert.ok(ms < 8000, `answered in ${ms} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });

  it("judges a bid on the chain, not on an indexer whose RPC stalled blocks ago", { timeout: 120_000 }, async () => {
    await relayer?.stop();
    relayer = await startInProcess(h, { INDEXER_URL: indexer.url });
    indexerRpc.cut();
    // A wallet outbids on chain, tenfold, and blocks go by that the indexer never sees.
    await h.stack.bid(13, lots[0], parseEther("3"));
    await rpc(h.stack.rpcUrl, "hardhat_mine", ["0x5"]);
    const head = BigInt(await rpc(h.stack.rpcUrl, "eth_blockNumber", []));
    const stale = await fetchLiveLot(indexer.url);
    assert.equal(stale.lot?.lotId, String(lots[0]));
    assert.equal(stale.lot?.amount, String(parseEther("0.3")), "the indexer still answers, with the lot as it was");
    assert.ok(head - BigInt(stale.blockNumber) > MAX_INDEXER_LAG_BLOCKS, `indexer at ${stale.blockNumber}, head ${head}`);
    // Past the age (2 s) up to which intake answers from the live lot it read before, by design.
    await sleep(2500);
    try {
      // 3.5 is ten times the indexer's 0.3 (a stale view would ask to !confirm) and a plain raise over 3.
      const m = h.chat.say({ userId: user.userId, displayName: user.name, text: "!bid 3.5" });
      const o = await waitOutcome(h.store, m.id);
      assert.deepEqual(o.kind === "placed" ? { kind: o.kind, lotId: o.lotId, amount: o.amount } : o, { kind: "placed", lotId: String(lots[0]), amount: String(parseEther("3.5")) });
    } finally {
      indexerRpc.restore();
    }
  });
});
