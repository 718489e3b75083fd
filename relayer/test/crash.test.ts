/**
 * kill -9 of the relayer at random points during a burst of 500 chat bids from 50 users, restarted each
 * time: every message ends with exactly one outcome, no bid lands twice, none is lost, and the chain's
 * final highest bid is the highest valid one sent.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitFor } from "@sothebais/common/testing";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { parseEther, formatEther } from "viem";
import { keys, groups } from "../src/store.ts";
import { checkExactlyOnce, type Harness, registerUsers, startAsProcess, startHarness } from "./helpers.ts";

describe("behavior: kill -9 during a burst", () => {
  let h: Harness;
  let proc: Awaited<ReturnType<typeof startAsProcess>> | undefined;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await proc?.kill();
    await h?.stop();
  });

  it("500 bids from 50 users, relayer killed at random points: exactly one outcome each, none twice on chain", { timeout: 300_000 }, async () => {
    const users = await registerUsers(h, 50);
    const lotId = await h.stack.mintAndCreateLot({ reserve: parseEther("0.001"), duration: 7200, minIncrementBps: 100 });
    const env = { CONFIRM_FACTOR: "100000", CLAIM_IDLE_MS: "2000", RELAYER_INSTANCE: "relayer-crash" };
    proc = await startAsProcess(h, env);

    // Each bid 1.1 % above the previous one: every bid is valid on its own when it arrives.
    const total = 500;
    const amounts = Array.from({ length: total }, (_, k) => parseEther(formatEther((parseEther("0.01") * 1011n ** BigInt(k)) / 1000n ** BigInt(k))).toString());
    const ids: string[] = [];
    let sending = true;
    let kills = 0;
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);

    const killer = (async () => {
      // Kill at random points while the burst is sent and, until 4 kills happened, while it is processed.
      while (sending || kills < 4) {
        await new Promise((r) => setTimeout(r, 300 + rnd() * 2000));
        const t0 = Date.now();
        await proc?.kill();
        kills++;
        proc = await startAsProcess(h, env);
        if (process.env.DEBUG_CRASH) console.log("restart took", Date.now() - t0, "ms");
      }
    })();
    for (let k = 0; k < total; k++) {
      const u = users[Math.floor(rnd() * users.length)];
      ids.push(h.chat.say({ userId: u.userId, displayName: u.name, text: `!bid ${formatEther(BigInt(amounts[k]))}` }).id);
      await new Promise((r) => setTimeout(r, 20));
    }
    sending = false;
    if (process.env.DEBUG_CRASH) console.log("sent all", ids.length);
    await killer;
    assert.ok(kills >= 4, `killed ${kills} times`);

    await waitFor(async () => {
      const n = await Promise.all(ids.map((id) => h.store.exists(keys.outcome(id))));
      return n.every(Boolean);
    }, { timeoutMs: 180_000, intervalMs: 500, what: "an outcome for every message" }).catch(async (error) => {
      const missing = [];
      for (const id of ids) if (!(await h.store.exists(keys.outcome(id)))) missing.push(id);
      const sample = await Promise.all(missing.slice(0, 5).map(async (id) => ({ id, seen: await h.store.exists(keys.seen(id)), lock: await h.store.get(keys.lock(id)), tx: await h.store.hgetall(keys.tx(id)) })));
      console.log(JSON.stringify({ missing: missing.length, sample, pending: await h.store.xpending(keys.bids, groups.senders), nonce: await h.store.keys("*nonce:*").then((k) => Promise.all(k.map((x) => h.store.get(x)))), chainNonce: await h.stack.publicClient.getTransactionCount({ address: h.stack.accounts.relayer }) }, null, 1));
      console.log(proc?.output().slice(-3000));
      throw error;
    });

    const { outcomes, events, placed } = await checkExactlyOnce(h, ids, lotId);
    const kinds = [...outcomes.values()].reduce<Record<string, number>>((acc, o) => ((acc[o.kind] = (acc[o.kind] ?? 0) + 1), acc), {});
    assert.ok(Object.keys(kinds).every((k) => ["placed", "outbid", "too_low"].includes(k)), JSON.stringify(kinds));
    // No bid on chain twice, none without its outcome: chain events and placed outcomes are the same set.
    const eventTx = events.map((e) => e.transactionHash).sort();
    assert.deepEqual(placed.map((p) => p.txHash).sort(), eventTx);
    const eventAmounts = events.map((e) => String((e.args as { amount: bigint }).amount));
    assert.equal(new Set(eventAmounts).size, eventAmounts.length, "no amount placed twice");
    const lot = (await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "lot", args: [lotId] })) as { amount: bigint };
    assert.equal(lot.amount, BigInt(amounts.at(-1) as string), "the highest bid sent is the highest on chain");
    // Every reply went out: nothing left pending in the outbox.
    await waitFor(async () => ((await h.store.xpending(keys.outbox, groups.chat)) as [number])[0] === 0, { timeoutMs: 60_000, what: "outbox drained" });
  });
});
