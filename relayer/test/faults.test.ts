/**
 * Redis restart and RPC outage during a burst: every message still ends with exactly one outcome, no
 * bid lands twice, none is lost, and chat is told about the outage.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitFor } from "@sothebais/common/testing";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { formatEther, parseEther } from "viem";
import type { Relayer } from "../src/relayer.ts";
import { groups, keys } from "../src/store.ts";
import { checkExactlyOnce, type Harness, registerUsers, startHarness, startInProcess, startTcpProxy } from "./helpers.ts";

describe("behavior: Redis restart and RPC outage during a burst", () => {
  let h: Harness;
  let relayer: Relayer | undefined;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;

  before(async () => {
    h = await startHarness({ durableRedis: true });
    proxy = await startTcpProxy(h.stack.node.port);
  });
  after(async () => {
    await relayer?.stop();
    await proxy?.close();
    await h?.stop();
  });

  it("150 bids: RPC cut for 3 s, then Redis restarted: exactly one outcome each, chain agrees", { timeout: 240_000 }, async () => {
    const users = await registerUsers(h, 15);
    const lotId = await h.stack.mintAndCreateLot({ reserve: parseEther("0.001"), duration: 7200, minIncrementBps: 100 });
    relayer = await startInProcess(h, { RPC_URL: proxy.url, CONFIRM_FACTOR: "100000", RELAYER_INSTANCE: "relayer-faults" });

    const total = 150;
    const amounts = Array.from({ length: total }, (_, k) => (parseEther("0.01") * 1011n ** BigInt(k)) / 1000n ** BigInt(k));
    const ids: string[] = [];
    for (let k = 0; k < total; k++) {
      const u = users[k % users.length];
      ids.push(h.chat.say({ userId: u.userId, displayName: u.name, text: `!bid ${formatEther(amounts[k])}` }).id);
      if (k === 40) proxy.cut();
      if (k === 70) {
        await new Promise((r) => setTimeout(r, 3000)); // the outage lasts at least 3 s
        proxy.restore();
      }
      if (k === 100) h.redis = await h.redis.restart();
      await new Promise((r) => setTimeout(r, 20));
    }

    await waitFor(async () => (await Promise.all(ids.map((id) => h.store.exists(keys.outcome(id))))).every(Boolean), {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: "an outcome for every message",
    });
    const { events, placed, outcomes } = await checkExactlyOnce(h, ids, lotId);
    assert.ok([...outcomes.values()].every((o) => ["placed", "outbid", "too_low"].includes(o.kind)));
    assert.deepEqual(placed.map((p) => p.txHash).sort(), events.map((e) => e.transactionHash).sort());
    const lot = (await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "lot", args: [lotId] })) as { amount: bigint };
    assert.equal(lot.amount, amounts.at(-1));
    await waitFor(() => h.chat.events().some((e) => e.type === "message" && e.bot && /chain connection trouble/.test(e.text)), { what: "RPC outage notice in chat" });
    await waitFor(async () => ((await h.store.xpending(keys.outbox, groups.chat)) as [number])[0] === 0, { timeoutMs: 60_000, what: "outbox drained" });
    const health = await relayer.health();
    assert.equal(health.redis, true);
    assert.equal(health.rpc.up, true);
  });
});
