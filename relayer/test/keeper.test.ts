/**
 * The keeper (src/keeper.ts) on a Hardhat node mining a block every second, with a real Redis:
 * - a campaign of 3 lots runs lot 1 -> lot 2 -> lot 3 with no admin action after it was created, one lot
 *   open at a time, each settled within two blocks of its effective end; lot 2's collection (HostileNFT)
 *   refuses the transfer, the lot becomes undeliverable and the show goes on; the chat winners are told
 *   where their lot went (wallet, or escrow); /metrics and /health show the keeper's work;
 * - two keeper instances on two accounts: exactly one settle transaction per lot, none reverted;
 * - a keeper stopped mid-show and a new one started (a dead instance's claim left behind): the show
 *   continues, the next lot is settled within two blocks of its end.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { createLogger } from "@sothebais/common/log";
import { localPrivateKey, localRoles, waitFor } from "@sothebais/common/testing";
import { type Abi, type Address, decodeFunctionData, getAddress, type Hex, parseEther, parseEventLogs, toFunctionSelector } from "viem";
import { createChain, createReads, LotStatus } from "../src/chain.ts";
import { watchHead } from "../src/head.ts";
import { createKeeper, keeperKeys } from "../src/keeper.ts";
import type { Relayer } from "../src/relayer.ts";
import { createSender } from "../src/sender.ts";
import { createStore } from "../src/store.ts";
import { type Harness, linkUser, startHarness, startInProcess, waitOutcome, waitReply } from "./helpers.ts";

const log = createLogger({ service: "keeper-test", level: "error" });
const settleSelector = toFunctionSelector("settle(uint256)");
const closedStates = new Set<number>([LotStatus.Settled, LotStatus.Cancelled, LotStatus.Undeliverable]);

/** A keeper of its own (head poller, sender, Redis connection) on local account `index`. */
function startKeeper(h: Harness, index: number, instance: string, claimTtlMs = 15_000) {
  const client = createChain(h.stack.rpcUrl, h.stack.chainId);
  const reads = createReads(client, h.stack.auctionHouse);
  const redis = createStore(h.redis.url);
  const head = watchHead({ client, pollMs: 50, log });
  const sender = createSender({ client, head, redis, privateKey: localPrivateKey(index), chainId: h.stack.chainId, gasLimit: 400_000n, lowBalance: 0n, maxFeePerGas: 50_000_000_000n, bumpAfterBlocks: 3, log });
  const keeper = createKeeper({ reads, sender, redis, head, log, instance, claimTtlMs, gasLimit: 600_000n });
  head.start();
  sender.start();
  keeper.start();
  return {
    keeper,
    address: sender.address,
    stop: () => {
      keeper.stop();
      sender.stop();
      head.stop();
      redis.disconnect();
    },
  };
}

/**
 * Watches lots until each is closed: the effective end last seen while live or ended (the view clears a
 * settled lot), and the most lots live at once.
 */
function watchLots(h: Harness, ids: bigint[]) {
  const ends = new Map<bigint, number>();
  const statuses = new Map<bigint, number>();
  let maxLive = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const views = await Promise.all(ids.map((id) => h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "lot", args: [id] })));
      views.forEach((v, i) => {
        statuses.set(ids[i], Number(v.status));
        if (v.status === LotStatus.Live || v.status === LotStatus.Ended) ends.set(ids[i], Number(v.endTime));
      });
      maxLive = Math.max(maxLive, views.filter((v) => v.status === LotStatus.Live).length);
      if (views.every((v) => closedStates.has(Number(v.status)))) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    ends,
    statuses,
    maxLive: () => maxLive,
    done: () => waitFor(async () => (ids.every((id) => closedStates.has(statuses.get(id) ?? 0)) ? true : undefined), { what: `lots ${ids.join(", ")} closed`, timeoutMs: 180_000, intervalMs: 250 }),
    stop: async () => {
      stopped = true;
      await loop.catch(() => {});
    },
  };
}

type SettleTx = { lotId: bigint; from: Address; blockNumber: bigint; blockTime: number; ok: boolean };

/** Every settle transaction mined from `fromBlock` on, from anyone. */
async function settleTxs(h: Harness, fromBlock: bigint): Promise<SettleTx[]> {
  const client = h.stack.publicClient;
  const head = await client.getBlockNumber();
  const out: SettleTx[] = [];
  for (let n = fromBlock; n <= head; n++) {
    const block = await client.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions) {
      if (tx.to?.toLowerCase() !== h.stack.auctionHouse.toLowerCase() || !tx.input.startsWith(settleSelector)) continue;
      const { args } = decodeFunctionData({ abi: auctionHouseAbi, data: tx.input });
      const receipt = await client.getTransactionReceipt({ hash: tx.hash });
      out.push({ lotId: args?.[0] as bigint, from: getAddress(tx.from), blockNumber: n, blockTime: Number(block.timestamp), ok: receipt.status === "success" });
    }
  }
  return out;
}

/** Blocks between the first block at or past `endTime` (the lot is over in it) and the settle's block. */
async function blocksAfterEnd(h: Harness, endTime: number, settleBlock: bigint) {
  let first = settleBlock;
  while (first > 0n && Number((await h.stack.publicClient.getBlock({ blockNumber: first - 1n })).timestamp) >= endTime) first--;
  return Number(settleBlock - first);
}

const write = async (h: Harness, index: number, address: Address, abi: Abi, functionName: string, args: readonly unknown[]) => {
  const hash = await h.stack.wallet(index).writeContract({ address, abi, functionName, args } as never);
  const receipt = await h.stack.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
  return receipt;
};

/** A HostileNFT token in custody of a campaign lot; `refuse()` makes every transfer revert. */
async function hostileLot(h: Harness, campaignId: bigint, duration: number) {
  const artifact = JSON.parse(readFileSync(new URL("../../artifacts/contracts/test/helpers/HostileNFT.sol/HostileNFT.json", import.meta.url), "utf8")) as { abi: Abi; bytecode: Hex };
  const admin = h.stack.wallet(localRoles.admin);
  const deployed = await h.stack.publicClient.waitForTransactionReceipt({ hash: await admin.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode }) });
  const nft = deployed.contractAddress as Address;
  await write(h, localRoles.admin, h.stack.auctionHouse, auctionHouseAbi, "setCollectionAllowed", [nft, true]);
  await write(h, localRoles.seller, nft, artifact.abi, "mint", [h.stack.accounts.seller, 7n]);
  await write(h, localRoles.seller, nft, artifact.abi, "setApprovalForAll", [h.stack.auctionHouse, true]);
  const created = await write(h, localRoles.admin, h.stack.auctionHouse, auctionHouseAbi, "createLot", [
    { campaignId, nft, tokenId: 7n, seller: h.stack.accounts.seller, reserve: 0n, startTime: 0, duration, minIncrementBps: 500, minIncrementFloor: 10n ** 15n, timeBuffer: 4 },
  ]);
  const lotId = parseEventLogs({ abi: auctionHouseAbi, logs: created.logs, eventName: "LotCreated" })[0].args.lotId;
  return { lotId, refuse: () => write(h, localRoles.admin, nft, artifact.abi, "setMode", [1, "0x0000000000000000000000000000000000000000"]) };
}

const waitLive = (h: Harness, lotId: bigint) =>
  waitFor(async () => (Number(await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "lotStatus", args: [lotId] })) === LotStatus.Live ? true : undefined), {
    what: `lot ${lotId} live`,
    timeoutMs: 120_000,
    intervalMs: 200,
  });

/**
 * A chat bid, said again as the reply asks when the relayer judged the line's moment to be in the lot that
 * just closed (near a lot change on a loaded machine the chain clock it learns can lag by seconds).
 */
async function chatBid(h: Harness, userId: string, name: string, text: string) {
  const outcomes: string[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const line = h.chat.say({ userId, displayName: name, text });
    const outcome = await waitOutcome(h.store, line.id, 30_000);
    if (outcome.kind === "placed") return;
    outcomes.push(JSON.stringify(outcome));
    if (outcome.kind !== "lot_closed" && outcome.kind !== "not_open_yet") break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  assert.fail(`${name}'s chat bid was not placed: ${outcomes.join(", ")}`);
}

describe("behavior: the keeper runs the show", { timeout: 900_000 }, () => {
  let h: Harness;
  let relayer: Relayer | undefined;

  before(async () => {
    h = await startHarness({ intervalMs: 1000 });
  });
  after(async () => {
    await relayer?.stop().catch(() => {});
    await h?.stop();
  });

  it("a 3-lot campaign runs lot 1 -> 2 -> 3 with no admin action; an undeliverable lot does not stall it; chat winners are told where their lot went", { timeout: 400_000 }, async () => {
    relayer = await startInProcess(h, { KEEPER_ENABLED: "true", RELAYER_INSTANCE: "relayer-keeper" });
    const url = `http://127.0.0.1:${relayer.port}`;
    await linkUser(h, url, 6, "6001", "alice");
    await linkUser(h, url, 7, "7001", "bob");

    const campaignId = await h.stack.createCampaign("Keeper show", "", 2);
    const lot1 = await h.stack.mintAndCreateLot({ campaignId, duration: 10, timeBuffer: 4, minIncrementFloor: 10n ** 15n });
    const hostile = await hostileLot(h, campaignId, 16);
    const lot3 = await h.stack.mintAndCreateLot({ campaignId, duration: 16, timeBuffer: 4, minIncrementFloor: 10n ** 15n });
    const created = await h.stack.publicClient.getBlockNumber();
    const ids = [lot1, hostile.lotId, lot3];
    const watch = watchLots(h, ids);

    await h.stack.bid(8, lot1, parseEther("0.1"));
    await h.stack.bid(9, lot1, parseEther("0.2"));
    await waitLive(h, hostile.lotId);
    // A viewer bids once the lot is on their screen, not in the very second it opens (near a lot change the
    // relayer judges the line's moment against the chain's clock: src/timeline.ts).
    await new Promise((r) => setTimeout(r, 3000));
    await chatBid(h, "6001", "alice", "!bid min");
    await hostile.refuse();
    await waitLive(h, lot3);
    await h.stack.bid(8, lot3, parseEther("0.1"));
    await new Promise((r) => setTimeout(r, 1000));
    await chatBid(h, "7001", "bob", "!bid min");

    await watch.done();
    await watch.stop();
    assert.deepEqual(ids.map((id) => watch.statuses.get(id)), [LotStatus.Settled, LotStatus.Undeliverable, LotStatus.Settled]);
    assert.equal(watch.maxLive(), 1, "one lot open at a time");

    const txs = await settleTxs(h, created);
    for (const id of ids) {
      const mine = txs.filter((t) => t.lotId === id);
      assert.equal(mine.length, 1, `one settle tx for lot ${id}`);
      assert.equal(mine[0].from, relayer.address, "settled by the keeper (the relayer account)");
      assert.ok(mine[0].ok);
      const end = watch.ends.get(id) as number;
      const blocks = await blocksAfterEnd(h, end, mine[0].blockNumber);
      assert.ok(blocks <= 2, `lot ${id} settled ${blocks} blocks (${mine[0].blockTime - end} s) after its end`);
    }
    // Nobody but the keeper touched the house after the campaign was made (HostileNFT's setMode is the collection's).
    const adminTxs = await settleTxs(h, created).then((all) => all.filter((t) => t.from === h.stack.accounts.admin));
    assert.equal(adminTxs.length, 0);

    await waitReply(h.chat, "alice", /lot #\d+ could not be delivered.*went back to your escrow/, 30_000);
    await waitReply(h.chat, "bob", /lot #\d+ is yours for 0\.105 ETH: the artwork is in your wallet/, 30_000);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /sothebais_relayer_lots_settled_total\{outcome="settled"[^}]*\} 2\n/);
    assert.match(metrics, /sothebais_relayer_lots_settled_total\{outcome="undeliverable"[^}]*\} 1\n/);
    assert.match(metrics, /sothebais_relayer_settle_latency_seconds_count(\{[^}]*\})? 3\n/);
    const health = (await (await fetch(`${url}/health`)).json()) as { keeper: { enabled: boolean; settled: number; undeliverable: number; retrying: Record<string, unknown> } };
    assert.equal(health.keeper.enabled, true);
    assert.equal(health.keeper.settled, 2);
    assert.equal(health.keeper.undeliverable, 1);
    assert.deepEqual(health.keeper.retrying, {});
    await relayer.stop();
    relayer = undefined;
  });

  it("two keeper instances on two accounts: exactly one settle transaction per lot, none reverted", { timeout: 300_000 }, async () => {
    await relayer?.stop();
    relayer = undefined;
    const k1 = startKeeper(h, 1, "keeper-1");
    const k2 = startKeeper(h, 11, "keeper-2");
    try {
      const from = await h.stack.publicClient.getBlockNumber();
      // Four lots that end within a second or two of each other: both keepers see each of them end.
      const ids: bigint[] = [];
      for (let i = 0; i < 4; i++) ids.push(await h.stack.mintAndCreateLot({ duration: 12 - i, timeBuffer: 2, minIncrementFloor: 10n ** 15n }));
      await h.stack.bid(8, ids[0], parseEther("0.1"));
      await h.stack.bid(9, ids[2], parseEther("0.1"));
      const watch = watchLots(h, ids);
      await watch.done();
      await watch.stop();
      // Both keepers keep looking a few more blocks: a late second tx would show up here.
      await new Promise((r) => setTimeout(r, 4000));
      const txs = (await settleTxs(h, from)).filter((t) => ids.includes(t.lotId));
      for (const id of ids) assert.equal(txs.filter((t) => t.lotId === id).length, 1, `one settle tx for lot ${id}: ${JSON.stringify(txs.filter((t) => t.lotId === id), (_, v) => (typeof v === "bigint" ? String(v) : v))}`);
      const show = JSON.stringify(txs, (_, v) => (typeof v === "bigint" ? String(v) : v));
      assert.ok(txs.every((t) => t.ok && (t.from === k1.address || t.from === k2.address)), `all from the keepers, none reverted: ${show}`);
      assert.equal(k1.keeper.health().settled + k2.keeper.health().settled, ids.length);
    } finally {
      k1.stop();
      k2.stop();
    }
  });

  it("a keeper stopped mid-show (its claim left behind) and a new one started: the show goes on", { timeout: 300_000 }, async () => {
    let k = startKeeper(h, 1, "keeper-a", 3000);
    const campaignId = await h.stack.createCampaign("Restart show", "", 2);
    const ids: bigint[] = [];
    for (let i = 0; i < 3; i++) ids.push(await h.stack.mintAndCreateLot({ campaignId, duration: 10, timeBuffer: 2, minIncrementFloor: 10n ** 15n }));
    const from = await h.stack.publicClient.getBlockNumber();
    const watch = watchLots(h, ids);
    await h.stack.bid(8, ids[0], parseEther("0.1"));
    await waitFor(async () => (watch.statuses.get(ids[0]) === LotStatus.Settled ? true : undefined), { what: "lot 1 settled", timeoutMs: 120_000, intervalMs: 200 });
    k.stop();
    // Lot 2 opens and ends with no keeper; a dead instance's claim on it is still in Redis.
    await waitFor(async () => (watch.statuses.get(ids[1]) === LotStatus.Ended ? true : undefined), { what: "lot 2 ended", timeoutMs: 120_000, intervalMs: 200 });
    await h.store.set(keeperKeys.claim(ids[1]), "dead-instance", "PX", 3000);
    k = startKeeper(h, 1, "keeper-b", 3000);
    try {
      await watch.done();
      await watch.stop();
      const txs = (await settleTxs(h, from)).filter((t) => ids.includes(t.lotId));
      for (const id of ids) assert.equal(txs.filter((t) => t.lotId === id && t.ok).length, 1, `lot ${id} settled once`);
      const last = txs.find((t) => t.lotId === ids[2]) as SettleTx;
      const blocks = await blocksAfterEnd(h, watch.ends.get(ids[2]) as number, last.blockNumber);
      assert.ok(blocks <= 2, `lot 3 settled ${blocks} blocks after its end by the restarted keeper`);
      assert.equal(watch.maxLive(), 1);
    } finally {
      k.stop();
    }
  });
});
