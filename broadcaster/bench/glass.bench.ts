/**
 * Glass to glass (issue 21 §3): what a viewer of the local stream page sees, and when.
 *
 * The local stack as `./sothebais up` starts it (scripts/src/stack: chain with 1 s blocks, Redis, the
 * indexer, nginx-rtmp with its HLS page, the local chat server, the relayer, the broadcaster; no agent, no
 * dApp, no simulated audience), and the stream page (http://<hls>/, the one `up` prints) played by a real
 * Chromium. Every frame the page presents has its marker strip decoded from the `<video>` element
 * (test/helpers/page.ts, the tests' own decoder). Then, one a second, alternately:
 *
 *  - a wallet bid (accounts 4-9), and
 *  - a chat bid: `!bid <amount>` said in the local chat by a linked chat user (account 10), which the
 *    relayer reads over tmi.js and places on chain,
 *
 * each waited for until mined before the next (so every bid is on screen on its own for about a block).
 *
 * Figures (bench/results/broadcaster-glass.json, bench/lib/results.ts):
 *  - `mined_to_hls_page_*`: the bid's block first seen by a 25 ms poller on the node -> the first frame the
 *    page presented whose marker carries that bid (lot, amount, block). Over every bid, wallet and chat.
 *  - `chat_to_hls_page_*`: the chat server's timestamp of the `!bid` line (what Twitch sends as tmi-sent-ts)
 *    -> that frame. A chat bid that never landed is a miss too.
 *  - `mined_to_rtmp_pull_*`: the same bids on the stream pulled straight from the RTMP server with ffmpeg
 *    (the broadcaster bench's mined -> frame), in the same run: the HLS page's share is the difference.
 * A bid never seen is a miss: +Infinity in the distribution (bench/lib/stats.ts).
 *
 * GLASS_BIDS (default 100) wallet bids and GLASS_CHAT_BIDS (default 100) chat bids; GLASS_INTERVAL_MS
 * (default 1000) between the starts of two bids; GLASS_RTMP_PULL=0 skips the RTMP pull-back reader.
 */
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { localAccount, localRoles, waitFor } from "@sothebais/common/testing";
import { createPublicClient, createWalletClient, formatEther, type Hash, http, parseEther, parseEventLogs } from "viem";
import { hardhat } from "viem/chains";
import { type ChatUser, linkChatUserInStack, say } from "../../scripts/src/audience/chat-bidders.ts";
import { freeStackPorts, startStack } from "../../scripts/src/stack/start.ts";
import { repoRoot, startBenchRun } from "../../bench/lib/results.ts";
import { latencyKeys, round } from "../../bench/lib/stats.ts";
import { playerHlsConfig } from "../src/rtmp-server.ts";
import { launchChromium, type PageMarker, playStreamPage } from "../test/helpers/page.ts";
import { type MarkerReader, readMarkers } from "../test/helpers/stream.ts";

const walletBids = Number(process.env.GLASS_BIDS ?? 100);
const chatBids = Number(process.env.GLASS_CHAT_BIDS ?? 100);
const intervalMs = Number(process.env.GLASS_INTERVAL_MS ?? 1000);
const rtmpPull = process.env.GLASS_RTMP_PULL !== "0";
/** How long after the last bid the page may still show it. */
const tailMs = 15_000;
const step = parseEther("0.002");

const run = startBenchRun("broadcaster-glass", {
  wallet_bids: walletBids,
  chat_bids: chatBids,
  bid_interval_ms: intervalMs,
  block_interval_ms: 1000,
  keyframe_s: Number(process.env.KEYFRAME_SECONDS ?? 0.5),
  hls_fragment_s: 1,
  hls_playlist_s: 6,
  player: `hls.js ${JSON.stringify(playerHlsConfig)}`,
  rtmp_pull_reader: rtmpPull,
});

const results = join(repoRoot, "test-results");
mkdirSync(results, { recursive: true });
const servicesLog = join(results, "glass-services.log");
writeFileSync(servicesLog, "");
const dataDir = mkdtempSync(join(tmpdir(), "sothebais-glass-"));
process.env.DEMO_LOTS = "1";
process.env.DEMO_LOT_SECONDS = "3600";
process.env.DEPLOYMENTS_DIR = join(dataDir, "deployments");

console.log(`glass to glass: ${walletBids} wallet + ${chatBids} chat bids, one every ${intervalMs} ms; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
const stack = await startStack({
  ports: await freeStackPorts(),
  dataDir,
  parts: ["chain", "redis", "indexer", "rtmp", "chat", "relayer", "broadcaster"],
  echo: (name) => (line) => appendFileSync(servicesLog, `${new Date().toISOString()} [${name}] ${line}\n`),
  onPart: (name, phase, s) => console.log(`  ${phase === "starting" ? "starting" : "ready   "} ${name}${phase === "ready" ? ` (${s.toFixed(1)} s)` : ""}`),
});
const stopAll: (() => Promise<unknown> | unknown)[] = [];
const shutdown = async () => {
  for (const fn of stopAll.reverse()) await Promise.resolve(fn()).catch(() => {});
  await stack.stop("glass bench done");
};
process.on("SIGINT", () => void shutdown().then(() => process.exit(130)));

try {
  const { urls, deployment } = stack.ctx;
  if (!deployment || !urls.rpcUrl || !urls.streamPageUrl || !urls.chatPageUrl || !urls.relayerUrl || !urls.rtmpUrl || !urls.indexerUrl) throw new Error("a stack part did not start");
  const house = deployment.auctionHouse;
  const transport = http(urls.rpcUrl);
  const pub = createPublicClient({ chain: hardhat, transport, pollingInterval: 50 });
  const wallet = (i: number) => createWalletClient({ account: localAccount(i), chain: hardhat, transport });
  const chatHttp = new URL(urls.chatPageUrl).origin;
  const channel = urls.chatChannel ?? "sothebais";
  const chatUser: ChatUser = { userId: "7177", displayName: "GlassBidder", account: 10 };

  // When each block was first seen (25 ms poll of the node): "mined" for every bid in it.
  const blockSeenAt = new Map<number, number>();
  let watching = true;
  void (async () => {
    while (watching) {
      try {
        const n = Number(await pub.getBlockNumber({ cacheTime: 0 }));
        if (!blockSeenAt.has(n)) blockSeenAt.set(n, Date.now());
      } catch {}
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  stopAll.push(() => {
    watching = false;
  });

  // Our own lot (the demo lot steps aside before any bid): a small increment so 200 bids stay cheap.
  const demo = (await pub.readContract({ address: house, abi: auctionHouseAbi, functionName: "lot", args: [1n] })) as { tokenId: bigint };
  const admin = wallet(localRoles.admin);
  await pub.waitForTransactionReceipt({ hash: await admin.writeContract({ address: house, abi: auctionHouseAbi, functionName: "cancelLot", args: [1n] }) });
  const created = await pub.waitForTransactionReceipt({
    hash: await admin.writeContract({
      address: house,
      abi: auctionHouseAbi,
      functionName: "createLot",
      args: [
        {
          campaignId: 1n,
          nft: deployment.collection,
          tokenId: demo.tokenId,
          seller: localAccount(localRoles.seller).address,
          reserve: parseEther("0.01"),
          startTime: 0,
          duration: 3600,
          minIncrementBps: 10,
          minIncrementFloor: parseEther("0.001"),
          timeBuffer: 30,
        },
      ],
    }),
  });
  const [lotEvent] = parseEventLogs({ abi: auctionHouseAbi, logs: created.logs, eventName: "LotCreated" });
  const lotId = (lotEvent.args as { lotId: bigint }).lotId;

  // The chat bidder links as a viewer does: deposit, sign, POST /link, `!link CODE` in chat.
  await linkChatUserInStack(urls, house, chatUser, parseEther("5"));

  const browser = await launchChromium();
  stopAll.push(() => browser.close());
  const player = await playStreamPage(browser, urls.streamPageUrl);
  stopAll.push(() => player.close());
  const reader: MarkerReader | undefined = rtmpPull ? readMarkers(urls.rtmpUrl) : undefined;
  if (reader) stopAll.push(() => reader.stop());
  await waitFor(() => player.markers.some((m) => m.marker.lotId === Number(lotId)), { timeoutMs: 180_000, intervalMs: 200, what: `lot ${lotId} in the stream page` });
  console.log(`  lot ${lotId} on the page; bidding`);

  type Sent = { kind: "wallet" | "chat"; amount: bigint; sentAt?: number; block?: number; minedAt?: number; failed?: string };
  const sent: Sent[] = [];
  const stats: { latencyS: number | null; bufferedAheadS: number; stalls: number }[] = [];
  const sampleStats = setInterval(() => void player.playerStats().then((s) => stats.push(s), () => {}), 1000);
  stopAll.push(() => clearInterval(sampleStats));

  const minedAtOf = (block: number) => waitFor(() => blockSeenAt.get(block), { timeoutMs: 10_000, intervalMs: 10, what: `block ${block} seen` });
  let amount = parseEther("0.02");
  let walletLeft = walletBids;
  let chatLeft = chatBids;
  let lastBlock = await pub.getBlockNumber();
  const t0 = Date.now();
  for (let i = 0; walletLeft + chatLeft > 0; i++) {
    const due = t0 + i * intervalMs;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const kind: Sent["kind"] = chatLeft === 0 || (walletLeft > 0 && i % 2 === 0) ? "wallet" : "chat";
    const bid: Sent = { kind, amount };
    sent.push(bid);
    try {
      if (kind === "wallet") {
        walletLeft--;
        bid.sentAt = Date.now();
        const hash: Hash = await wallet(4 + (i % 6)).writeContract({ address: house, abi: auctionHouseAbi, functionName: "bid", args: [lotId], value: amount });
        const receipt = await pub.waitForTransactionReceipt({ hash, pollingInterval: 25, timeout: 30_000 });
        if (receipt.status !== "success") throw new Error("reverted");
        bid.block = Number(receipt.blockNumber);
      } else {
        chatLeft--;
        const line = await say(chatHttp, channel, chatUser, `!bid ${formatEther(amount)}`);
        bid.sentAt = line.sentAt;
        const want = amount;
        const log = await waitFor(
          async () => {
            const logs = await pub.getContractEvents({ address: house, abi: auctionHouseAbi, eventName: "BidPlaced", args: { lotId }, fromBlock: lastBlock });
            return logs.find((l) => (l.args as { amount: bigint; viaRelayer: boolean }).amount === want && (l.args as { viaRelayer: boolean }).viaRelayer);
          },
          { timeoutMs: 30_000, intervalMs: 25, what: `chat bid ${formatEther(amount)} on chain` },
        );
        bid.block = Number(log.blockNumber);
      }
      bid.minedAt = await minedAtOf(bid.block);
      lastBlock = BigInt(bid.block);
      amount += step;
    } catch (error) {
      bid.failed = (error as Error).message.split("\n")[0].slice(0, 160);
      console.log(`  ${kind} bid ${formatEther(amount)} failed: ${bid.failed}`);
      // The next bid must clear whatever did land.
      amount += step;
    }
  }
  const bidding = (Date.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, tailMs));
  clearInterval(sampleStats);
  const counts = await player.counts();
  await player.close();

  const firstSeen = (markers: readonly PageMarker[], b: Sent): number | undefined => {
    if (b.block === undefined) return undefined;
    const gwei = b.amount / 10n ** 9n;
    return markers.find((m) => m.marker.lotId === Number(lotId) && m.marker.amountGwei === gwei && m.marker.blockNumber === b.block)?.at;
  };
  const page = player.markers;
  const pulled = reader?.markers ?? [];
  const minedToPage = sent.map((b) => {
    const at = firstSeen(page, b);
    return at !== undefined && b.minedAt !== undefined ? at - b.minedAt : Number.NaN;
  });
  const chat = sent.filter((b) => b.kind === "chat");
  const chatToPage = chat.map((b) => {
    const at = firstSeen(page, b);
    return at !== undefined && b.sentAt !== undefined ? at - b.sentAt : Number.NaN;
  });
  const chatToMined = chat.map((b) => (b.minedAt !== undefined && b.sentAt !== undefined ? b.minedAt - b.sentAt : Number.NaN));
  const minedToPull = sent.map((b) => {
    const at = firstSeen(pulled, b);
    return at !== undefined && b.minedAt !== undefined ? at - b.minedAt : Number.NaN;
  });
  const latencies = stats.map((s) => s.latencyS).filter((l): l is number => typeof l === "number" && Number.isFinite(l));
  const figures: Record<string, number> = {
    ...latencyKeys("mined_to_hls_page", minedToPage, { digits: 0 }),
    ...latencyKeys("chat_to_hls_page", chatToPage, { digits: 0 }),
    ...latencyKeys("chat_to_mined", chatToMined, { digits: 0 }),
    ...(reader ? latencyKeys("mined_to_rtmp_pull", minedToPull, { digits: 0 }) : {}),
    bids_failed: sent.filter((b) => b.failed).length,
    hls_js_latency_estimate_median_s: latencies.length ? round([...latencies].sort((a, b) => a - b)[Math.floor(latencies.length / 2)], 2) : Number.NaN,
    page_stalls: stats.at(-1)?.stalls ?? 0,
    page_frames_presented: counts.frames,
    page_frames_undecodable: counts.bad,
    bidding_s: round(bidding, 1),
  };

  console.log(`\nglass to glass: ${sent.length} bids in ${round(bidding, 1)} s (${sent.filter((b) => b.failed).length} failed), load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(36)} ${v}`);
  const written = run.write(figures);
  console.log(`wrote bench/results/broadcaster-glass.json (${written.duration_s} s, load ${written.load_avg_before} -> ${written.load_avg_after})`);
} finally {
  await shutdown();
}
process.exit(0);
