/**
 * The whole show, end to end, from a fresh stack (the same parts `./sothebais up` starts, on free
 * ports): a chat user links and bids with `!bid`, a wallet user outbids in Chromium through the dApp,
 * the chat user bids again in the last seconds and extends the lot, the lot ends and the relayer's keeper
 * settles it.
 * Every hop is checked from the outside: the chain (events, balances, NFT owner), the indexer
 * (GraphQL), the stream pulled back from the RTMP server (the frame's marker shows the bid), the
 * chat (replies and the host's lines), the dApp (a screenshot shows the winner). The time at each hop
 * goes into test-results/e2e-report.{json,md}: chat message -> mined -> indexed -> on stream -> dApp.
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { type Address, createPublicClient, createWalletClient, formatEther, getAddress, type Hash, http, parseEther, parseEventLogs } from "viem";
import { hardhat } from "viem/chains";
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import { HOST_LINES_CHANNEL, type HostLine } from "@sothebais/common/channels";
import { repoRoot } from "@sothebais/common/deployments";
import { localAccount, localRoles, waitFor } from "@sothebais/common/testing";
import { type ChatUser, linkChatUserInStack, say } from "../../scripts/src/audience/chat-bidders.ts";
import { freeStackPorts, type RunningStack, startStack } from "../../scripts/src/stack/start.ts";
import { type MarkerReader, readMarkers } from "../../broadcaster/test/helpers/stream.ts";
import { launchChromium } from "../../dapp/test/e2e/stack.ts";
import { injectWallet } from "../../dapp/test/e2e/wallet.ts";

const T = 120_000; // generous: CI machines are small and this test runs every service at once
const results = join(repoRoot, "test-results");
const shots = join(results, "e2e-show");
mkdirSync(shots, { recursive: true });
const servicesLog = join(results, "e2e-services.log");
writeFileSync(servicesLog, "");

type Hop = { step: string; chatSentAt?: number; minedAt?: number; indexedAt?: number; onStreamAt?: number; inDappAt?: number; txHash?: string; block?: number };

describe("the whole show", { timeout: 20 * 60_000 }, () => {
  let stack: RunningStack;
  let browser: Browser;
  let markers: MarkerReader;
  let redis: Redis;
  const hostLines: HostLine[] = [];
  const hops: Hop[] = [];
  const chatUser: ChatUser = { userId: "424242", displayName: "ChatCollector", account: 6 };
  const walletIndex = 7;
  let lotId: bigint;
  let house: Address;
  let collection: Address;
  let tokenId: bigint;
  let channel: string;
  let chatHttp: string;
  const pub = () => createPublicClient({ chain: hardhat, transport: http(stack.ctx.urls.rpcUrl), pollingInterval: 50 });
  const admin = () => createWalletClient({ account: localAccount(localRoles.admin), chain: hardhat, transport: http(stack.ctx.urls.rpcUrl) });

  /** Polls the chain's BidPlaced logs for `lotId` and returns the first bid matching `match`, with the time we saw it. */
  async function waitForBid(match: (args: { bidder: Address; amount: bigint; viaRelayer: boolean; endTime: number }) => boolean, what: string) {
    const client = pub();
    return waitFor(
      async () => {
        const logs = await client.getContractEvents({ address: house, abi: auctionHouseAbi, eventName: "BidPlaced", args: { lotId }, fromBlock: 0n });
        const hit = logs.find((l) => match(l.args as never));
        return hit ? { log: hit, seenAt: Date.now() } : undefined;
      },
      { timeoutMs: T, intervalMs: 50, what },
    );
  }

  async function waitForIndexed(txHash: Hash) {
    await waitFor(
      async () => {
        const res = await fetch(stack.ctx.urls.graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: `query($tx: String!) { bids(where: { txHash: $tx }) { items { id amount viaRelayer } } }`, variables: { tx: txHash } }),
        });
        const body = (await res.json()) as { data?: { bids: { items: unknown[] } } };
        return (body.data?.bids.items.length ?? 0) > 0;
      },
      { timeoutMs: T, intervalMs: 25, what: `bid ${txHash} in GraphQL` },
    );
    return Date.now();
  }

  async function waitOnStream(amount: bigint) {
    const gwei = amount / 10n ** 9n;
    const hit = await waitFor(() => markers.markers.find((m) => m.marker.lotId === Number(lotId) && m.marker.amountGwei === gwei), {
      timeoutMs: T,
      intervalMs: 25,
      what: `a frame of the pulled stream showing ${formatEther(amount)} ETH on lot ${lotId}`,
    });
    return hit.at;
  }

  async function chatEvents(): Promise<{ type: string; text?: string; displayName?: string; bot?: boolean; sentAt?: number }[]> {
    const res = await fetch(`${chatHttp}/api/events?channel=${channel}`);
    return ((await res.json()) as { events: never[] }).events;
  }

  /** A lot made for this test, so its timing is ours: the demo lot steps aside (cancel before any bid). */
  async function createTestLot(durationSeconds: number) {
    const client = pub();
    const wallet = admin();
    const demo = (await client.readContract({ address: house, abi: auctionHouseAbi, functionName: "lot", args: [1n] })) as { tokenId: bigint };
    tokenId = demo.tokenId;
    await client.waitForTransactionReceipt({ hash: await wallet.writeContract({ address: house, abi: auctionHouseAbi, functionName: "cancelLot", args: [1n] }) });
    const created = await client.waitForTransactionReceipt({
      hash: await wallet.writeContract({
        address: house,
        abi: auctionHouseAbi,
        functionName: "createLot",
        args: [
          {
            campaignId: 1n,
            nft: collection,
            tokenId,
            seller: localAccount(localRoles.seller).address,
            reserve: parseEther("0.05"),
            startTime: 0,
            duration: durationSeconds,
            minIncrementBps: 500,
            minIncrementFloor: parseEther("0.001"),
            timeBuffer: 30,
          },
        ],
      }),
    });
    const [event] = parseEventLogs({ abi: auctionHouseAbi, logs: created.logs, eventName: "LotCreated" });
    lotId = (event.args as { lotId: bigint }).lotId;
  }

  before(async () => {
    process.env.DEMO_LOTS = "1";
    process.env.DEMO_LOT_SECONDS = "3600";
    process.env.DAPP_MODE ??= "preview";
    const dataDir = mkdtempSync(join(tmpdir(), "sothebais-e2e-"));
    process.env.DEPLOYMENTS_DIR = join(dataDir, "deployments");
    stack = await startStack({
      ports: await freeStackPorts(),
      dataDir,
      flags: { simulateAudience: false },
      // Every service's output goes to test-results/e2e-services.log, for the hop that failed.
      echo: (name) => (line) => {
        appendFileSync(servicesLog, `${new Date().toISOString()} [${name}] ${line}\n`);
        if (process.env.E2E_VERBOSE === "1") console.log(`[${name}] ${line}`);
      },
      onPart: (name, phase, s) => console.log(`  ${phase === "starting" ? "starting" : "ready   "} ${name}${phase === "ready" ? ` (${s.toFixed(1)} s)` : ""}`),
    });
    const { urls, deployment } = stack.ctx;
    assert.ok(deployment && urls.graphqlUrl && urls.rtmpUrl && urls.relayerUrl && urls.chatPageUrl && urls.dappUrl && urls.agentUrl && urls.broadcasterUrl, "every part of the stack started");
    house = deployment.auctionHouse;
    collection = deployment.collection;
    channel = urls.chatChannel ?? "sothebais";
    chatHttp = new URL(urls.chatPageUrl).origin;

    redis = new Redis(urls.redisUrl, { lazyConnect: true });
    await redis.connect();
    await redis.subscribe(HOST_LINES_CHANNEL);
    redis.on("message", (_channel, message) => hostLines.push(JSON.parse(message) as HostLine));

    markers = readMarkers(urls.rtmpUrl);
    browser = await launchChromium();
  });

  after(async () => {
    const report = { lotId: lotId?.toString(), hops, hostLines: hostLines.map((l) => ({ kind: l.kind, text: l.text, at: l.createdAt })) };
    writeFileSync(join(results, "e2e-report.json"), `${JSON.stringify(report, null, 2)}\n`);
    const ms = (a?: number, b?: number) => (a && b ? `${b - a} ms` : "—");
    const md = [
      "# End-to-end report",
      "",
      "| step | chat -> mined | mined -> indexed | mined -> on stream | mined -> in dApp | tx |",
      "|---|---|---|---|---|---|",
      ...hops.map((h) => `| ${h.step} | ${ms(h.chatSentAt, h.minedAt)} | ${ms(h.minedAt, h.indexedAt)} | ${ms(h.minedAt, h.onStreamAt)} | ${ms(h.minedAt, h.inDappAt)} | ${h.txHash ?? ""} |`),
      "",
      "Mined = when a poller watching the node (50 ms) first saw the bid's log.",
      "",
    ].join("\n");
    writeFileSync(join(results, "e2e-report.md"), md);
    console.log(md);
    markers?.stop();
    await browser?.close().catch(() => {});
    redis?.disconnect();
    await stack?.stop("e2e done");
  });

  it("a chat user links their wallet with !link and the authorization lands on chain", async () => {
    await linkChatUserInStack(stack.ctx.urls, house, chatUser, parseEther("2"), T);
    await waitFor(async () => (await chatEvents()).some((e) => e.bot && /linked/i.test(e.text ?? "") && (e.text ?? "").includes(chatUser.displayName)), {
      timeoutMs: T,
      what: "the relayer's reply confirming the link",
    });
  });

  it("a chat !bid is placed on chain, indexed, shown on the stream and in the dApp", async () => {
    // Created now, after the slow set-up: 5 minutes leaves room for every hop even on a busy machine.
    // Long enough for the link, the first chat bid and the wallet outbid on a busy CI machine.
    await createTestLot(150);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${stack.ctx.urls.dappUrl}/lot/${lotId}`);
    const chatSentAt = Date.now();
    await say(chatHttp, channel, chatUser, "!bid 0.1");
    const bidder = localAccount(chatUser.account).address;
    const { log, seenAt } = await waitForBid((a) => a.bidder === bidder && a.amount === parseEther("0.1") && a.viaRelayer, "the chat bid on chain");
    const txHash = log.transactionHash as Hash;
    const [indexedAt, onStreamAt, inDappAt] = await Promise.all([
      waitForIndexed(txHash),
      waitOnStream(parseEther("0.1")),
      page
        .getByText("0.1 ETH", { exact: false })
        .first()
        .waitFor({ timeout: T })
        .then(() => Date.now()),
    ]);
    hops.push({ step: "chat !bid 0.1", chatSentAt, minedAt: seenAt, indexedAt, onStreamAt, inDappAt, txHash, block: Number(log.blockNumber) });
    await page.screenshot({ path: join(shots, "01-chat-bid.png") });
    await page.close();
    await waitFor(async () => (await chatEvents()).some((e) => e.bot && (e.text ?? "").includes(chatUser.displayName) && /0\.1/.test(e.text ?? "")), {
      timeoutMs: T,
      what: "the relayer's chat reply for the accepted bid",
    });
  });

  it("a wallet user outbids in Chromium through the dApp, and the chat user is told", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const wallet = await injectWallet(context, { rpcUrl: stack.ctx.urls.rpcUrl, accountIndex: walletIndex, name: "E2E Wallet" });
    const page = await context.newPage();
    await page.goto(`${stack.ctx.urls.dappUrl}/lot/${lotId}`);
    await page.getByRole("banner").getByRole("button", { name: "Connect wallet", exact: true }).click();
    await page.getByTestId("account-chip").waitFor({ timeout: T });
    const input = page.getByRole("textbox", { name: /^Your bid/ });
    await input.fill("0.2");
    await page.getByRole("button", { name: "Place bid · 0.2 ETH" }).click();
    const { log, seenAt } = await waitForBid((a) => a.bidder === wallet.address && a.amount === parseEther("0.2") && !a.viaRelayer, "the wallet bid on chain");
    const txHash = log.transactionHash as Hash;
    const [indexedAt, onStreamAt] = await Promise.all([waitForIndexed(txHash), waitOnStream(parseEther("0.2"))]);
    await page.getByText("You lead").waitFor({ timeout: T });
    hops.push({ step: "wallet bid 0.2 in the dApp", minedAt: seenAt, indexedAt, onStreamAt, inDappAt: Date.now(), txHash, block: Number(log.blockNumber) });
    await page.screenshot({ path: join(shots, "02-wallet-outbid.png") });
    // The outbid chat bidder's 0.1 went back to escrow, not to the wallet.
    const escrow = (await pub().readContract({ address: house, abi: auctionHouseAbi, functionName: "escrowOf", args: [localAccount(chatUser.account).address] })) as bigint;
    assert.equal(escrow, parseEther("2"), "the outbid chat bid is back in escrow");
    await context.close();
  });

  it("the chat user bids again in the last seconds and the lot is extended", async () => {
    const client = pub();
    const before = (await client.readContract({ address: house, abi: auctionHouseAbi, functionName: "lot", args: [lotId] })) as { endTime: number };
    // Wait until the end is inside the 30 s buffer (chain time, not wall time). How long that takes
    // depends on how fast the steps before ran, so the wait is the time left plus a margin.
    const left = Number(before.endTime) - Number((await client.getBlock()).timestamp);
    await waitFor(
      async () => {
        const block = await client.getBlock();
        return Number(before.endTime) - Number(block.timestamp) <= 20;
      },
      { timeoutMs: Math.max(0, left - 20) * 1000 + 60_000, intervalMs: 500, what: "the last 20 seconds of the lot" },
    );
    const chatSentAt = Date.now();
    await say(chatHttp, channel, chatUser, "!bid min");
    const bidder = localAccount(chatUser.account).address;
    const { log, seenAt } = await waitForBid((a) => a.bidder === bidder && a.amount > parseEther("0.2"), "the late chat bid on chain");
    const args = log.args as { amount: bigint; endTime: number };
    assert.ok(args.endTime > Number(before.endTime), `the end moved (${before.endTime} -> ${args.endTime})`);
    const extended = await client.getContractEvents({ address: house, abi: auctionHouseAbi, eventName: "LotExtended", args: { lotId }, fromBlock: 0n });
    assert.equal(extended.length, 1, "one LotExtended event");
    assert.equal(args.amount, parseEther("0.21"), "!bid min placed exactly the minimum next bid (0.2 + 5%)");
    const [indexedAt, onStreamAt] = await Promise.all([waitForIndexed(log.transactionHash as Hash), waitOnStream(args.amount)]);
    hops.push({ step: "late chat !bid min (extension)", chatSentAt, minedAt: seenAt, indexedAt, onStreamAt, txHash: log.transactionHash as string, block: Number(log.blockNumber) });
    await waitFor(() => hostLines.some((l) => l.kind === "extension"), { timeoutMs: T, what: "the host calling the extension" });
  });

  it("the lot ends, the keeper settles it, and the money and the artwork go where they should", async () => {
    const client = pub();
    const lot = (await client.readContract({ address: house, abi: auctionHouseAbi, functionName: "lot", args: [lotId] })) as { endTime: number; amount: bigint };
    const seller = localAccount(localRoles.seller).address;
    const treasury = localAccount(localRoles.treasury).address;
    const winner = localAccount(chatUser.account).address;
    // Read before the end: the relayer's keeper settles within a couple of blocks of it.
    const sellerBefore = await client.getBalance({ address: seller });
    const treasuryEscrowBefore = (await client.readContract({ address: house, abi: auctionHouseAbi, functionName: "escrowOf", args: [treasury] })) as bigint;
    await waitFor(async () => Number((await client.getBlock()).timestamp) > Number(lot.endTime), { timeoutMs: 200_000, intervalMs: 500, what: "the end of the lot" });
    const log = await waitFor(
      async () => (await client.getContractEvents({ address: house, abi: auctionHouseAbi, eventName: "LotSettled", args: { lotId }, fromBlock: 0n }))[0],
      { timeoutMs: 60_000, intervalMs: 250, what: "LotSettled from the keeper" },
    );
    const receipt = await client.getTransactionReceipt({ hash: log.transactionHash });
    const tx = await client.getTransaction({ hash: log.transactionHash });
    assert.equal(getAddress(tx.from), localAccount(localRoles.relayer).address, "settled by the relayer's keeper, no admin action");
    const [settled] = parseEventLogs({ abi: auctionHouseAbi, logs: receipt.logs, eventName: "LotSettled" });
    const s = settled.args as { winner: Address; amount: bigint; royalty: bigint; protocolFee: bigint; sellerProceeds: bigint; royaltyReceiver: Address };
    assert.equal(s.winner, winner);
    assert.equal(s.amount, parseEther("0.21"));
    assert.equal(s.protocolFee, (s.amount * 500n) / 10_000n, "5 % protocol fee");
    assert.equal(s.royalty, (s.amount * 500n) / 10_000n, "5 % royalty");
    assert.equal(s.royalty + s.protocolFee + s.sellerProceeds, s.amount, "no wei lost or created");
    const owner = await client.readContract({ address: collection, abi: sothebaisCollectionAbi, functionName: "ownerOf", args: [tokenId] });
    assert.equal(owner, winner, "the chat bidder owns the artwork");
    // The seller is also the royalty receiver of the demo collection.
    assert.equal((await client.getBalance({ address: seller })) - sellerBefore, s.sellerProceeds + (s.royaltyReceiver === seller ? s.royalty : 0n));
    const treasuryEscrowAfter = (await client.readContract({ address: house, abi: auctionHouseAbi, functionName: "escrowOf", args: [treasury] })) as bigint;
    assert.equal(treasuryEscrowAfter - treasuryEscrowBefore, s.protocolFee, "the fee is credited to the treasury, which withdraws it");
    // Contract balance == escrow + standing bids: after settlement nothing is standing for this lot.
    const escrowChat = (await client.readContract({ address: house, abi: auctionHouseAbi, functionName: "escrowOf", args: [winner] })) as bigint;
    assert.equal(escrowChat, parseEther("2") - parseEther("0.21"), "the winner paid from escrow exactly the price");
  });

  it("the host sells it by name and price, in chat and on the stream, and the dApp shows the winner", async () => {
    const sold = await waitFor(() => hostLines.find((l) => l.kind === "sold"), { timeoutMs: T, what: "the host's SOLD line" });
    assert.ok(sold.text.includes(formatEther(parseEther("0.21"))), `the SOLD line names the price: ${sold.text}`);
    assert.ok(sold.text.includes(chatUser.displayName), `the SOLD line names the chat winner: ${sold.text}`);
    await waitFor(async () => (await chatEvents()).some((e) => e.bot && e.text === sold.text), { timeoutMs: T, what: "the SOLD line posted in chat" });
    await waitFor(() => markers.markers.some((m) => m.marker.lotId === Number(lotId) && (m.marker.flags & 4) !== 0), { timeoutMs: T, what: "a SOLD frame on the pulled stream" });
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${stack.ctx.urls.dappUrl}/lot/${lotId}`);
    await page.getByText(/Sold (to|for)/).first().waitFor({ timeout: T });
    const winner = localAccount(chatUser.account).address;
    const body = (await page.textContent("body")) ?? "";
    assert.ok(body.includes(`${winner.slice(0, 6)}…${winner.slice(-4)}`) || body.includes(chatUser.displayName), "the lot page names the winner");
    await page.screenshot({ path: join(shots, "03-sold.png"), fullPage: true });
    await page.close();
    const chatLines = await chatEvents();
    assert.ok(chatLines.filter((e) => e.bot).length >= 4, "the bot replied to the link, the bids and posted host lines");
    assert.ok(hostLines.some((l) => l.kind === "open" || l.kind === "bid"), "the host opened the lot or called a bid");
  });
});
