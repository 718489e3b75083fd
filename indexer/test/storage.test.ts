/**
 * Storage and chain identity: the indexer on Postgres (a private Postgres 15 cluster) gives the same
 * numbers as the contract; a local chain restarted with a new genesis is detected and re-indexed on
 * PGlite and on Postgres; a deployment record from another chain instance is refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { fetchLiveLot } from "@sothebais/common/live";
import { freePort, startProcess, startTestStack, type TestStack } from "@sothebais/common/testing";
import { parseEther } from "viem";
import { type Postgres, startIndexer, startPostgres, waitIndexed } from "./helpers.ts";

/** A lot with a wallet bid and a relayed chat bid; returns the lot id and the last block. */
async function smallHistory(stack: TestStack, amount: bigint) {
  const lotId = await stack.mintAndCreateLot({ duration: 3600 });
  await stack.bid(4, lotId, amount);
  await stack.deposit(5, parseEther("1"));
  const signed = await stack.signChatAuthorization(5, { maxBid: parseEther("1"), totalCap: parseEther("1"), expiry: (await stack.now()) + 86_400, chatId: "twitch:5" });
  await stack.registerAuthorization(signed);
  const receipt = await stack.relayBid(lotId, 5, amount * 2n);
  return { lotId, block: receipt.blockNumber };
}

async function expectMatchesChain(url: string, stack: TestStack, lotId: bigint) {
  const snap = await fetchLiveLot(url);
  const view = await stack.publicClient.readContract({ address: stack.auctionHouse, abi: auctionHouseAbi, functionName: "lot", args: [lotId] });
  assert.equal(snap.lot?.lotId, lotId.toString());
  assert.equal(snap.lot?.amount, view.amount.toString());
  assert.equal(snap.lot?.bidder.toLowerCase(), view.bidder.toLowerCase());
  assert.equal(snap.lot?.viaRelayer, view.viaRelayer);
  assert.equal(snap.bids.length, 2, "exactly this chain's two bids, nothing stale");
  return snap;
}

describe("PGlite: chain restarts", () => {
  const dir = mkdtempSync(join(tmpdir(), "sothebais-indexer-genesis-"));
  const pgliteDir = join(dir, "pglite");
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("behavior: a new genesis is detected, the stale cache cleared and the new chain re-indexed", async () => {
    const first = await startTestStack();
    let firstAmount: bigint;
    try {
      const { lotId, block } = await smallHistory(first, parseEther("0.1"));
      firstAmount = parseEther("0.2");
      const indexer = await startIndexer({ stack: first, pgliteDir });
      try {
        await first.mine();
        await waitIndexed(indexer.url, block, first.mine);
        const snap = await expectMatchesChain(indexer.url, first, lotId);
        assert.equal(snap.lot?.amount, firstAmount.toString());
      } finally {
        await indexer.stop(30_000);
      }
    } finally {
      await first.stop();
    }

    // Same chain id, same contract addresses (first deployment of account 0), different genesis.
    const second = await startTestStack();
    try {
      const { lotId, block } = await smallHistory(second, parseEther("0.3"));
      const indexer = await startIndexer({ stack: second, pgliteDir });
      try {
        assert.match(indexer.output(), /chain genesis changed/, "the reset is logged");
        await second.mine();
        await waitIndexed(indexer.url, block, second.mine);
        const snap = await expectMatchesChain(indexer.url, second, lotId);
        assert.equal(snap.lot?.amount, parseEther("0.6").toString());
        assert.notEqual(snap.lot?.amount, firstAmount.toString());
      } finally {
        await indexer.stop(30_000);
      }
    } finally {
      await second.stop();
    }
  });

  it("behavior: a deployment record made on another chain instance is refused with a clear message", async () => {
    const stack = await startTestStack();
    const wrongDir = mkdtempSync(join(tmpdir(), "sothebais-deployments-wrong-"));
    try {
      writeFileSync(join(wrongDir, "31337.json"), JSON.stringify({ ...stack.deployment, genesisHash: `0x${"ab".repeat(32)}` }));
      const child = await startProcess({
        name: "indexer",
        command: process.execPath,
        args: [new URL("../service/main.ts", import.meta.url).pathname],
        env: { CHAIN_ID: "31337", DEPLOYMENTS_DIR: wrongDir, RPC_URL: stack.rpcUrl, PGLITE_DIR: join(dir, "unused"), PORT: String(await freePort()) },
      });
      const code = await child.exited;
      assert.equal(code, 2);
      assert.match(child.output(), /another chain instance/);
    } finally {
      rmSync(wrongDir, { recursive: true, force: true });
      await stack.stop();
    }
  });

  it("behavior: bad configuration names every bad key and exits", async () => {
    const child = await startProcess({
      name: "indexer",
      command: process.execPath,
      args: [new URL("../service/main.ts", import.meta.url).pathname],
      env: { CHAIN_ID: "31337", PORT: "99999", RPC_URL: "not a url", DATABASE_URL: "mysql://x" },
    });
    assert.equal(await child.exited, 2);
    const out = child.output();
    // The log line is JSON, so the quotes around values come escaped.
    assert.match(out, /PORT: got \\?"99999/);
    assert.match(out, /RPC_URL: got \\?"not a url/);
    assert.match(out, /DATABASE_URL: got \(hidden\)/);
  });
});

describe("Postgres", () => {
  let pg: Postgres;
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg?.stop();
  });

  it("behavior: indexes into Postgres, and a new genesis clears that chain's ponder_sync rows", async () => {
    for (const [round, amount] of [parseEther("0.1"), parseEther("0.25")].entries()) {
      const stack = await startTestStack();
      try {
        const { lotId, block } = await smallHistory(stack, amount);
        const indexer = await startIndexer({ stack, databaseUrl: pg.url });
        try {
          assert.match(indexer.output(), /"database":"postgres"/);
          if (round === 1) assert.match(indexer.output(), /chain genesis changed/);
          await stack.mine();
          await waitIndexed(indexer.url, block, stack.mine);
          const snap = await expectMatchesChain(indexer.url, stack, lotId);
          assert.equal(snap.lot?.amount, (amount * 2n).toString());
        } finally {
          await indexer.stop(30_000);
        }
      } finally {
        await stack.stop();
      }
    }
  });
});
