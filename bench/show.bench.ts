/**
 * `./sothebais bench show` (issue 20 §1): a whole campaign runs by itself. A Hardhat node mining a block
 * every SHOW_BLOCK_S (2 s, as an OP-stack L2), Redis, the local chat server and the relayer as a process
 * with its keeper on, as `./sothebais up` runs it. The campaign is created once, through the code path of
 * `./sothebais campaign` (scripts/src/lib/campaign.ts); after that no admin transaction is sent: the keeper
 * settles each ended lot, which opens the next after the intermission. Wallet bidders and linked chat
 * bidders (`!bid min` through the relayer) fight over each lot up to their own ceilings, and bid in the last
 * seconds, so lots are extended.
 *
 * Writes bench/results/show.json (bench/lib/results.ts): `lots`, `lots_settled_by_keeper`, `lots_unsettled`,
 * `settle_after_end_p95_s` (the settle's block time less the lot's effective end; target < 4 at 2 s blocks),
 * `max_lots_open_at_once` (must be 1), `intermission_s_min` (a lot's end -> the next lot's opening, chain
 * time), `nft_at_winner` and `seller_paid` (lots, of the sold ones), bids and extensions. Exit 1 when a
 * target is missed.
 *
 * Env: SHOW_LOTS (6), SHOW_LOT_SECONDS (24), SHOW_TIME_BUFFER_S (6), SHOW_INTERMISSION_S (4), SHOW_BLOCK_S (2),
 * SHOW_WALLET_BIDDERS (3), SHOW_CHAT_BIDDERS (3), SHOW_DEADLINE_S (420), SHOW_VERBOSE=1 (relayer output).
 */
import { join } from "node:path";
import { type Address, createPublicClient, createWalletClient, formatEther, http, parseEther, parseEventLogs, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import { repoRoot } from "@sothebais/common/deployments";
import { env, parseEnv } from "@sothebais/common/env";
import { freePort, localAccount, localPrivateKey, localRoles, type Managed, rpc, startProcess, startRedis, startTestStack, type TestStack, waitFor } from "@sothebais/common/testing";
import { startChatServer } from "../relayer/src/chat-server/server.ts";
import { type ChatUser, requestLinkCode, say } from "../scripts/src/audience/chat-bidders.ts";
import { executeCampaign, validateCampaign } from "../scripts/src/lib/campaign.ts";
import type { SendParameters } from "../scripts/src/lib/cli.ts";
import { startBenchRun } from "./lib/results.ts";
import { percentile } from "./lib/stats.ts";

const config = parseEnv({
  SHOW_LOTS: env.int({ fallback: 6, min: 1, max: 50 }),
  SHOW_LOT_SECONDS: env.int({ fallback: 24, min: 10, max: 3600 }),
  SHOW_TIME_BUFFER_S: env.int({ fallback: 6, min: 1, max: 600 }),
  SHOW_INTERMISSION_S: env.int({ fallback: 4, min: 1, max: 600 }),
  SHOW_BLOCK_S: env.int({ fallback: 2, min: 1, max: 12 }),
  SHOW_WALLET_BIDDERS: env.int({ fallback: 3, min: 1, max: 10 }),
  SHOW_CHAT_BIDDERS: env.int({ fallback: 3, min: 0, max: 10 }),
  SHOW_DEADLINE_S: env.int({ fallback: 420, min: 60, max: 7200 }),
  SHOW_VERBOSE: env.bool(false),
});

const LotStatus = { Live: 2, Ended: 3, Settled: 4, Cancelled: 5, Undeliverable: 7 } as const;
const closedStates = new Set<number>([LotStatus.Settled, LotStatus.Cancelled, LotStatus.Undeliverable]);
const t0 = Date.now();
const say_ = (line: string) => console.log(`[show ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const channel = "sothebais";

/** What the watcher saw of one lot: effective times while open, and the close. */
type LotSeen = { lotId: bigint; tokenId: bigint; start?: number; end?: number; status: number };

const run = startBenchRun("show", {
  lots: config.SHOW_LOTS,
  lot_seconds: config.SHOW_LOT_SECONDS,
  time_buffer_s: config.SHOW_TIME_BUFFER_S,
  intermission_s: config.SHOW_INTERMISSION_S,
  block_s: config.SHOW_BLOCK_S,
  wallet_bidders: config.SHOW_WALLET_BIDDERS,
  chat_bidders: config.SHOW_CHAT_BIDDERS,
});

const stops: (() => Promise<unknown>)[] = [];
async function main(): Promise<number> {
  const stack = await startTestStack();
  stops.push(() => stack.stop());
  const redis = await startRedis();
  stops.push(() => redis.stop());
  const chat = await startChatServer({ port: await freePort(), mods: ["sothebais_bot"], rateLimit: { limit: 10_000, modLimit: 10_000, windowMs: 30_000 } });
  stops.push(() => chat.close());
  const relayer = await startRelayerProcess(stack, redis.url, chat.port);
  stops.push(() => relayer.stop());
  say_(`stack up: relayer ${relayer.url} with its keeper, chat on :${chat.port}`);

  const chatUsers = await linkChatUsers(stack, relayer.url, `http://127.0.0.1:${chat.port}`, (id) => chat.events().some((e) => e.type === "message" && e.bot && e.text.includes(`@${id}`) && /linked/.test(e.text)));

  // The campaign, created in one go (automine), then the node mines every SHOW_BLOCK_S: from here on no admin tx.
  const { campaignLots, afterCampaignBlock } = await createCampaign(stack);
  await rpc(stack.rpcUrl, "evm_setAutomine", [false]);
  await rpc(stack.rpcUrl, "evm_setIntervalMining", [config.SHOW_BLOCK_S * 1000]);
  say_(`campaign of ${campaignLots.length} lots created (lots ${campaignLots.map((l) => l.lotId).join(", ")}); blocks every ${config.SHOW_BLOCK_S} s`);

  const client = createPublicClient({ chain: hardhat, transport: http(stack.rpcUrl, { batch: true }), pollingInterval: 250 }) as PublicClient;
  const seen = new Map(campaignLots.map((l) => [l.lotId, { ...l, status: 0 } as LotSeen]));
  const deadline = Date.now() + config.SHOW_DEADLINE_S * 1000;
  let maxOpen = 0;
  let stopped = false;
  const bids = { wallet: 0, chat: 0, walletFailed: 0 };
  const current = (): LotSeen | undefined => [...seen.values()].find((l) => l.status === LotStatus.Live);

  const watcher = (async () => {
    while (!stopped && Date.now() < deadline) {
      const views = await Promise.all([...seen.keys()].map((id) => client.readContract({ address: stack.auctionHouse, abi: auctionHouseAbi, functionName: "lot", args: [id] }))).catch(() => undefined);
      if (views) {
        const list = [...seen.values()];
        for (const [i, v] of views.entries()) {
          const lot = list[i];
          if (lot.status !== Number(v.status) && Number(v.status) !== 0) say_(`lot #${lot.lotId} ${["", "scheduled", "live", "ended", "settled", "cancelled", "queued", "undeliverable"][Number(v.status)]}`);
          lot.status = Number(v.status);
          if (v.status === LotStatus.Live || v.status === LotStatus.Ended) {
            lot.start = Number(v.startTime);
            lot.end = Number(v.endTime);
          }
        }
        maxOpen = Math.max(maxOpen, views.filter((v) => v.status === LotStatus.Live).length);
        if (views.every((v) => closedStates.has(Number(v.status)))) return;
      }
      await sleep(250);
    }
  })();

  const ceilings = new Map<string, bigint>();
  /** Each bidder's most for a lot: random, so every lot has a war that ends. */
  const ceilingOf = (who: string, lotId: bigint) => {
    const key = `${who}:${lotId}`;
    if (!ceilings.has(key)) ceilings.set(key, parseEther("0.02") + BigInt(Math.floor(Math.random() * 40)) * parseEther("0.001"));
    return ceilings.get(key) as bigint;
  };
  const wantsToBid = async (who: string, address: Address) => {
    const lot = current();
    if (!lot) return undefined;
    const [view, min] = await Promise.all([
      client.readContract({ address: stack.auctionHouse, abi: auctionHouseAbi, functionName: "lot", args: [lot.lotId] }),
      client.readContract({ address: stack.auctionHouse, abi: auctionHouseAbi, functionName: "minimumNextBid", args: [lot.lotId] }),
    ]).catch(() => [undefined, undefined] as const);
    if (!view || min === undefined || view.bidder.toLowerCase() === address.toLowerCase() || min > ceilingOf(who, lot.lotId)) return undefined;
    const head = Number((await client.getBlock()).timestamp);
    return { lot, min, late: Number(view.endTime) - head <= config.SHOW_TIME_BUFFER_S };
  };
  /** Bids now and then; in the lot's last seconds (inside the time buffer) at once, which extends it. */
  const bidderLoop = async (who: string, address: Address, bid: (lotId: bigint, amount: bigint) => Promise<void>) => {
    while (!stopped && Date.now() < deadline) {
      const want = await wantsToBid(who, address).catch(() => undefined);
      if (want) {
        await bid(want.lot.lotId, want.min).catch(() => bids.walletFailed++);
        await sleep(want.late ? 500 + Math.random() * 1500 : 2000 + Math.random() * 5000);
      } else await sleep(1000);
    }
  };
  const walletIndexes = Array.from({ length: config.SHOW_WALLET_BIDDERS }, (_, i) => 10 + i);
  const loops = [
    ...walletIndexes.map((index) => {
      const wallet = createWalletClient({ account: localAccount(index), chain: hardhat, transport: http(stack.rpcUrl) });
      return bidderLoop(`w${index}`, wallet.account.address, async (lotId, amount) => {
        const hash = await wallet.writeContract({ address: stack.auctionHouse, abi: auctionHouseAbi, functionName: "bid", args: [lotId], value: amount, gas: 300_000n });
        const receipt = await client.waitForTransactionReceipt({ hash, timeout: 60_000 });
        if (receipt.status === "success") bids.wallet++;
        else bids.walletFailed++;
      });
    }),
    ...chatUsers.map((u) =>
      bidderLoop(`c${u.userId}`, localAccount(u.account).address, async () => {
        await say(`http://127.0.0.1:${chat.port}`, channel, u, "!bid min");
        bids.chat++;
      }),
    ),
  ];
  await watcher;
  stopped = true;
  await Promise.all(loops);
  return report(stack, client, [...seen.values()], maxOpen, bids, afterCampaignBlock, relayer.address);
}

async function startRelayerProcess(stack: TestStack, redisUrl: string, chatPort: number) {
  const port = await freePort();
  const child: Managed = await startProcess({
    name: "relayer",
    command: process.execPath,
    args: [join(repoRoot, "relayer/src/main.ts")],
    cwd: join(repoRoot, "relayer"),
    env: {
      ...stack.env,
      PORT: String(port),
      RELAYER_PRIVATE_KEY: localPrivateKey(localRoles.relayer),
      REDIS_URL: redisUrl,
      TWITCH_SERVER: "127.0.0.1",
      TWITCH_PORT: String(chatPort),
      TWITCH_SECURE: "false",
      TWITCH_USERNAME: "sothebais_bot",
      TWITCH_OAUTH_TOKEN: "oauth:local",
      TWITCH_CHANNELS: channel,
      CHAT_HISTORY_URL: `http://127.0.0.1:${chatPort}`,
      CHAT_RATE_LIMIT: "100",
      STREAM_DELAY_S: "0",
      KEEPER_ENABLED: "true",
      LOG_LEVEL: "info",
    },
    echo: config.SHOW_VERBOSE ? (line) => console.log(`[relayer] ${line}`) : undefined,
    readyWhen: /relayer ready/,
    timeoutMs: 90_000,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(() => fetch(`${url}/health`).then((r) => r.ok, () => false), { what: "relayer /health", timeoutMs: 60_000 });
  return { url, address: localAccount(localRoles.relayer).address, stop: () => child.stop() };
}

/** Deposit, sign, POST /link, `!link CODE` in chat: what a viewer does once in the dApp. */
async function linkChatUsers(stack: TestStack, relayerUrl: string, chatHttp: string, linked: (name: string) => boolean) {
  const users: ChatUser[] = Array.from({ length: config.SHOW_CHAT_BIDDERS }, (_, i) => ({ userId: String(90_001 + i), displayName: `chat${i + 1}`, account: 20 + i }));
  for (const user of users) {
    // The node funds only its first 20 accounts.
    await rpc(stack.rpcUrl, "hardhat_setBalance", [localAccount(user.account).address, "0x3635C9ADC5DEA00000"]);
    const code = await requestLinkCode({ rpcUrl: stack.rpcUrl, relayerUrl, auctionHouse: stack.auctionHouse, relayer: stack.accounts.relayer, user, depositWei: parseEther("2") });
    await say(chatHttp, channel, user, `!link ${code}`);
    await waitFor(() => (linked(user.displayName) ? true : undefined), { what: `${user.displayName} linked`, timeoutMs: 60_000 });
  }
  say_(`${users.length} chat bidders linked`);
  return users;
}

async function createCampaign(stack: TestStack) {
  const admin = createWalletClient({ account: localAccount(localRoles.admin), chain: hardhat, transport: http(stack.rpcUrl) });
  const file = {
    name: "Show bench",
    intermission: `${config.SHOW_INTERMISSION_S}s`,
    defaults: { reserve: "0.01", duration: `${config.SHOW_LOT_SECONDS}s`, minIncrementBps: 1000, minIncrementFloor: "0.001", timeBuffer: `${config.SHOW_TIME_BUFFER_S}s` },
    lots: Array.from({ length: config.SHOW_LOTS }, (_, i) => ({ tokenURI: `data:application/json,{"name":"Show bench #${i + 1}"}` })),
  };
  const { plan, problems } = validateCampaign(file, await stack.now());
  if (!plan) throw new Error(`campaign file: ${problems.join("; ")}`);
  const send = async (s: SendParameters) => {
    const hash = await admin.writeContract({ address: s.address, abi: s.abi, functionName: s.functionName, args: s.args, value: s.value } as never);
    return stack.publicClient.waitForTransactionReceipt({ hash });
  };
  const contracts = {
    deployment: stack.deployment,
    house: { address: stack.auctionHouse, abi: auctionHouseAbi },
    collection: { address: stack.collection, abi: sothebaisCollectionAbi },
  };
  const read = <T>(p: { address: Address; abi: unknown; functionName: string; args?: readonly unknown[] }) => stack.publicClient.readContract(p as never) as Promise<T>;
  const { lots } = await executeCampaign(plan, { signer: admin.account.address, contracts, send, read, print: () => {} });
  return { campaignLots: lots.map((l) => ({ lotId: l.lotId, tokenId: l.tokenId })), afterCampaignBlock: await stack.publicClient.getBlockNumber() };
}

type Bids = { wallet: number; chat: number; walletFailed: number };

async function report(stack: TestStack, client: PublicClient, lots: LotSeen[], maxOpen: number, bids: Bids, fromBlock: bigint, keeper: Address): Promise<number> {
  const house = stack.auctionHouse;
  const seller = localAccount(localRoles.admin).address;
  const logs = await client.getContractEvents({ address: house, abi: auctionHouseAbi, fromBlock, toBlock: "latest" });
  const settledLogs = parseEventLogs({ abi: auctionHouseAbi, logs, eventName: "LotSettled" });
  const undeliverable = parseEventLogs({ abi: auctionHouseAbi, logs, eventName: "LotUndeliverable" });
  const extensions = parseEventLogs({ abi: auctionHouseAbi, logs, eventName: "LotExtended" }).length;
  const placed = parseEventLogs({ abi: auctionHouseAbi, logs, eventName: "BidPlaced" });
  const afterEnd: number[] = [];
  let byKeeper = 0;
  let nftAtWinner = 0;
  let sellerPaid = 0;
  let sold = 0;
  const adminTxs = await adminTxsSince(client, fromBlock, seller);
  const closes = new Map<bigint, number>();
  for (const l of [...settledLogs, ...undeliverable]) {
    const lot = lots.find((x) => x.lotId === l.args.lotId);
    if (!lot) continue;
    const [tx, block] = await Promise.all([client.getTransaction({ hash: l.transactionHash }), client.getBlock({ blockNumber: l.blockNumber })]);
    if (tx.from.toLowerCase() === keeper.toLowerCase()) byKeeper++;
    closes.set(lot.lotId, Number(block.timestamp));
    if (lot.end !== undefined) afterEnd.push(Number(block.timestamp) - lot.end);
  }
  for (const l of settledLogs) {
    const lot = lots.find((x) => x.lotId === l.args.lotId);
    if (!lot || l.args.winner === "0x0000000000000000000000000000000000000000") continue;
    sold++;
    const owner = await client.readContract({ address: stack.collection, abi: sothebaisCollectionAbi, functionName: "ownerOf", args: [lot.tokenId] });
    if (owner.toLowerCase() === l.args.winner.toLowerCase()) nftAtWinner++;
    // Paid: the proceeds are what the price leaves after fee and royalty, and they went out (push or escrow credit).
    if (l.args.sellerProceeds > 0n && l.args.sellerProceeds + l.args.royalty + l.args.protocolFee === l.args.amount) sellerPaid++;
  }
  // The seller's balance grew by exactly the proceeds of every sale: nothing was left unpaid.
  const sellerDelta = (await client.getBalance({ address: seller })) - (await client.getBalance({ address: seller, blockNumber: fromBlock }));
  const sellerEscrowDelta = (await client.readContract({ address: house, abi: auctionHouseAbi, functionName: "escrowOf", args: [seller] })) - (await client.readContract({ address: house, abi: auctionHouseAbi, functionName: "escrowOf", args: [seller], blockNumber: fromBlock }));
  const proceeds = settledLogs.reduce((a, l) => a + l.args.sellerProceeds, 0n);
  const sellerReconciled = sellerDelta + sellerEscrowDelta === proceeds;
  const ordered = [...lots].sort((a, b) => Number(a.lotId - b.lotId));
  const gaps: number[] = [];
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1];
    const next = ordered[i];
    if (prev.end !== undefined && next.start !== undefined) gaps.push(next.start - prev.end);
  }
  const unsettled = lots.filter((l) => !closedStates.has(l.status)).length;
  const figures = {
    lots: lots.length,
    lots_settled_by_keeper: byKeeper,
    lots_unsettled: unsettled,
    settle_after_end_p95_s: afterEnd.length ? percentile(afterEnd, 95) : Number.POSITIVE_INFINITY,
    settle_after_end_max_s: afterEnd.length ? Math.max(...afterEnd) : Number.POSITIVE_INFINITY,
    settle_after_end_mean_s: afterEnd.length ? Math.round((afterEnd.reduce((a, b) => a + b, 0) / afterEnd.length) * 100) / 100 : Number.POSITIVE_INFINITY,
    max_lots_open_at_once: maxOpen,
    intermission_s_min: gaps.length ? Math.min(...gaps) : Number.POSITIVE_INFINITY,
    lots_sold: sold,
    nft_at_winner: nftAtWinner,
    seller_paid: sellerReconciled ? sellerPaid : 0,
    seller_proceeds_eth: formatEther(proceeds),
    bids_on_chain: placed.length,
    bids_chat_on_chain: placed.filter((p) => p.args.viaRelayer).length,
    chat_bid_lines: bids.chat,
    wallet_bids_reverted: bids.walletFailed,
    extensions,
    admin_txs_after_campaign: adminTxs,
  };
  const written = run.write(figures);
  console.log(JSON.stringify(written, null, 2));
  const misses = [
    unsettled > 0 && `${unsettled} lots unsettled`,
    byKeeper !== lots.length && `the keeper settled ${byKeeper} of ${lots.length} lots`,
    !(figures.settle_after_end_p95_s < 4) && `settle_after_end_p95_s ${figures.settle_after_end_p95_s} (target < 4)`,
    maxOpen !== 1 && `max_lots_open_at_once ${maxOpen} (must be 1)`,
    !(figures.intermission_s_min >= config.SHOW_INTERMISSION_S) && `intermission_s_min ${figures.intermission_s_min} < ${config.SHOW_INTERMISSION_S}`,
    nftAtWinner !== sold && `nft_at_winner ${nftAtWinner} of ${sold}`,
    figures.seller_paid !== sold && `seller_paid ${figures.seller_paid} of ${sold}`,
    extensions === 0 && "no lot was extended (no bidding war in the last seconds)",
    figures.bids_chat_on_chain === 0 && config.SHOW_CHAT_BIDDERS > 0 && "no chat bid landed",
    adminTxs > 0 && `${adminTxs} admin transactions after the campaign`,
  ].filter(Boolean);
  for (const m of misses) console.error(`MISSED: ${m}`);
  return misses.length ? 1 : 0;
}

/** Transactions the admin sent after the campaign was created (must be none: the show runs by itself). */
async function adminTxsSince(client: PublicClient, fromBlock: bigint, admin: Address) {
  const head = await client.getBlockNumber();
  let n = 0;
  for (let b = fromBlock + 1n; b <= head; b++) {
    const block = await client.getBlock({ blockNumber: b, includeTransactions: true });
    n += block.transactions.filter((t) => t.from.toLowerCase() === admin.toLowerCase()).length;
  }
  return n;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(error);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => {});
}
process.exit(code);
