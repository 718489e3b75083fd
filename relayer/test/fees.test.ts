/**
 * Issue 19 §3: a base-fee spike above a transaction's max fee does not stall the queue. A real Hardhat
 * node with interval mining; the next block's base fee is raised (hardhat_setNextBlockBaseFeePerGas)
 * right after the relayer signed a bid, so its tx cannot be mined at its fee. It is replaced (same
 * nonce, higher fees, never above MAX_FEE_GWEI); exactly one of the two lands, and the job's record
 * and the chat reply carry the hash that did.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { rpc, waitFor } from "@sothebais/common/testing";
import { type Hash, type Hex, parseEther, parseGwei, parseTransaction } from "viem";
import type { Relayer } from "../src/relayer.ts";
import { keys } from "../src/store.ts";
import { type Harness, registerUsers, startHarness, startInProcess, waitOutcome } from "./helpers.ts";

const BLOCK_MS = 300;

describe("fee spike: stuck transactions are replaced (real Hardhat node, interval mining)", () => {
  let h: Harness;
  let relayer: Relayer | undefined;
  let users: Awaited<ReturnType<typeof registerUsers>>;

  before(async () => {
    h = await startHarness({ intervalMs: BLOCK_MS });
    users = await registerUsers(h, 2, 30);
  });
  after(async () => {
    await relayer?.stop();
    await h?.stop();
  });

  /** Every tx the job signed, read from its record while it runs (a replaced one leaves the mempool). */
  const watchRecord = (msgId: string) => {
    const raws = new Map<string, Hex>();
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const rec = await h.store.hgetall(keys.tx(msgId));
        if (rec.hash && rec.raw && !raws.has(rec.hash)) raws.set(rec.hash, rec.raw as Hex);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    return { raws, stop: async () => ((stop = true), await loop) };
  };

  /**
   * Holds mining, raises the next block's base fee to `spike`, sends `!bid` and resumes mining once the
   * relayer has signed (at the old, low base fee).
   */
  async function bidIntoSpike(user: (typeof users)[number], amount: string, spike: bigint) {
    await rpc(h.stack.rpcUrl, "evm_setIntervalMining", [0]);
    await rpc(h.stack.rpcUrl, "hardhat_setNextBlockBaseFeePerGas", [`0x${spike.toString(16)}`]);
    const m = h.chat.say({ userId: user.userId, displayName: user.name, text: `!bid ${amount}` });
    const record = watchRecord(m.id);
    const first = (await waitFor(async () => {
      const outcome = await h.store.get(keys.outcome(m.id));
      if (outcome) throw new Error(`answered before a tx was signed: ${outcome}`);
      return h.store.hget(keys.tx(m.id), "hash");
    }, { what: "first tx signed", timeoutMs: 20_000 })) as Hash;
    await rpc(h.stack.rpcUrl, "evm_setIntervalMining", [BLOCK_MS]);
    return { m, record, first };
  }

  it("replaces a tx the base fee left behind: same nonce, both fees +10 % or more, one lands", { timeout: 120_000 }, async () => {
    relayer = await startInProcess(h, { FEE_BUMP_AFTER_BLOCKS: "2", MAX_FEE_GWEI: "1000" });
    const lotId = await h.stack.mintAndCreateLot({ reserve: parseEther("0.05"), duration: 3600 });
    await waitFor(async () => (await waitOutcome(h.store, h.chat.say({ userId: "1", displayName: "w", text: "!lot" }).id)).kind === "answer", { what: "relayer up" });
    await new Promise((r) => setTimeout(r, 1000)); // the relayer's live-lot cache sees the lot
    const { m, record, first } = await bidIntoSpike(users[0], "0.1", parseGwei("100"));
    const firstTx = parseTransaction(record.raws.get(first) ?? ((await h.store.hget(keys.tx(m.id), "raw")) as Hex));
    assert.ok((firstTx.maxFeePerGas ?? 0n) < parseGwei("100"), "signed below the spike");

    const o = await waitOutcome(h.store, m.id, 60_000);
    await record.stop();
    assert.equal(o.kind, "placed", JSON.stringify(o));
    const placedHash = (o.kind === "placed" ? o.txHash : "") as Hash;
    assert.notEqual(placedHash, first, "the replacement landed, not the stuck tx");
    const rec = await h.store.hgetall(keys.tx(m.id));
    assert.equal(rec.hash, placedHash, "the record ends with the mined hash");
    assert.ok(rec.prior.split(",").includes(first), "the replaced hash is kept beside it");

    const mined = await h.stack.publicClient.getTransaction({ hash: placedHash });
    assert.equal(mined.nonce, firstTx.nonce, "same nonce");
    assert.ok((mined.maxFeePerGas ?? 0n) * 10n >= (firstTx.maxFeePerGas ?? 0n) * 11n, "max fee +10 % or more");
    assert.ok((mined.maxPriorityFeePerGas ?? 0n) * 10n >= (firstTx.maxPriorityFeePerGas ?? 0n) * 11n, "priority fee +10 % or more");
    assert.ok((mined.maxFeePerGas ?? 0n) <= parseGwei("1000"));
    await assert.rejects(h.stack.publicClient.getTransactionReceipt({ hash: first }), "the stuck tx is never mined");
    const events = await h.stack.publicClient.getContractEvents({ address: h.stack.auctionHouse, abi: auctionHouseAbi, eventName: "BidPlaced", args: { lotId }, fromBlock: 0n });
    assert.equal(events.length, 1, "one bid on chain");
    assert.equal(events[0].transactionHash, placedHash);

    // The queue moves on: the next bid goes through at the normal fee.
    const next = h.chat.say({ userId: users[1].userId, displayName: users[1].name, text: "!bid 0.2" });
    assert.equal((await waitOutcome(h.store, next.id, 30_000)).kind, "placed");
  });

  it("never signs above MAX_FEE_GWEI: a tx capped below the spike waits, and lands once the base fee falls", { timeout: 120_000 }, async () => {
    await relayer?.stop();
    // The first spike is still decaying (slowly: OP-style fee rules): start from a low base fee again.
    await rpc(h.stack.rpcUrl, "hardhat_setNextBlockBaseFeePerGas", [`0x${parseGwei("1").toString(16)}`]);
    const now = await h.stack.publicClient.getBlockNumber();
    await waitFor(async () => (await h.stack.publicClient.getBlockNumber()) >= now + 2n, { what: "low base fee" });
    relayer = await startInProcess(h, { FEE_BUMP_AFTER_BLOCKS: "2", MAX_FEE_GWEI: "20" });
    await h.stack.mintAndCreateLot({ reserve: parseEther("0.05"), duration: 1800 });
    await new Promise((r) => setTimeout(r, 1500));
    // 0.3 is a valid bid on either live lot (the first one's minimum is 0.21): whichever the relayer picks.
    const from = await h.stack.publicClient.getBlockNumber();
    const { m, record, first } = await bidIntoSpike(users[0], "0.3", parseGwei("60"));
    await waitFor(() => record.raws.size >= 2 || undefined, { what: "a replacement", timeoutMs: 30_000 });
    // Several more blocks above the cap: still nothing signed above it, nothing mined.
    const at = await h.stack.publicClient.getBlockNumber();
    await waitFor(async () => (await h.stack.publicClient.getBlockNumber()) >= at + 8n, { what: "8 more blocks", timeoutMs: 30_000 });
    assert.equal(await h.store.get(keys.outcome(m.id)), null, "not placed while the base fee is above the cap");
    // Fees fall (OP-style chains decay slowly on empty blocks; the node is told): it lands.
    await rpc(h.stack.rpcUrl, "hardhat_setNextBlockBaseFeePerGas", [`0x${parseGwei("5").toString(16)}`]);
    const o = await waitOutcome(h.store, m.id, 60_000);
    await record.stop();
    assert.equal(o.kind, "placed", JSON.stringify(o));
    const signed = [...record.raws.values()].map((raw) => parseTransaction(raw));
    for (const tx of signed) assert.ok((tx.maxFeePerGas ?? 0n) <= parseGwei("20"), `max fee ${tx.maxFeePerGas} within the cap`);
    assert.equal(signed.at(-1)?.maxFeePerGas, parseGwei("20"), "replaced up to the cap");
    assert.equal(new Set(signed.map((tx) => tx.nonce)).size, 1, "one nonce");
    const placedHash = (o.kind === "placed" ? o.txHash : "") as Hash;
    assert.notEqual(placedHash, first);
    const events = await h.stack.publicClient.getContractEvents({ address: h.stack.auctionHouse, abi: auctionHouseAbi, eventName: "BidPlaced", fromBlock: from });
    assert.deepEqual(events.map((e) => e.transactionHash), [placedHash], "one bid since the spike, the replacement's");
  });
});
