/**
 * dApp benchmark (`npm run bench -w @sothebais/dapp`, root `bench:dapp`, `./sothebais bench dapp`):
 *  - lot_route_gzip_kb: the JavaScript (and CSS, index.html) a phone downloads to open a lot page, from the
 *    production build's manifest (bench/bundle.ts): entry and its static imports, player component included
 *    (the phone plays HLS in its <video>, or Twitch's embed). Target < 250 KB. lot_route_hlsjs_gzip_kb adds
 *    the hls.js chunk a browser without native HLS loads on demand.
 *  - initial_bundle_gzip_kb: index.html with the scripts and styles it names (the older measure).
 *  - mined_to_page: a bid's block mined -> the new bid shown in a page open in headless Chromium, over
 *    BIDS bids (default 30) on the local stack served by the production server.
 *  - live_viewers: VIEWERS (default 10,000) concurrent live-lot streams (`/svc/indexer/live/events`, raw
 *    HTTP on loopback from this process, bench/viewers.ts) through the production dApp server;
 *    live_viewer_update_p95_ms: bid mined -> the update received, per viewer and bid (a viewer that never
 *    got it within 15 s is a miss), target < 1,000; live_viewer_update_all_max_ms: the slowest bid's time
 *    until the LAST viewer had it; live_viewer_errors: streams refused or dropped (target 0).
 * Prints a table and writes bench/results/dapp.json at the repo root (one run, with provenance:
 * bench/lib/results.ts). Misses count as +Infinity (bench/lib/stats.ts).
 */
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { createPublicClient, createWalletClient, http, type Address, type Hash } from "viem";
import { hardhat } from "viem/chains";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { localAccount } from "@sothebais/common/testing";
import { type E2eStack, launchChromium, startE2eStack } from "../test/e2e/stack.ts";
import { startBenchRun } from "../../bench/lib/results.ts";
import { latencyKeys, percentile as pctOf } from "../../bench/lib/stats.ts";
import { initialRouteSize, lotRouteSize } from "./bundle.ts";
import { openViewers } from "./viewers.ts";

const dappDir = join(import.meta.dirname, "..");
const root = join(dappDir, "..");
const BIDS = Number(process.env.BIDS ?? 30);
const VIEWERS = Number(process.env.VIEWERS ?? 10_000);
const VIEWER_BIDS = Number(process.env.VIEWER_BIDS ?? 20);
const VIEWER_WAIT_MS = 15_000;

const percentile = (values: number[], p: number): number => pctOf(values, p);

function build(): string {
  const dist = join(dappDir, "dist");
  const result = spawnSync(join(root, "node_modules/.bin/vite"), ["build", "--logLevel", "error", "--outDir", dist, "--emptyOutDir"], { cwd: dappDir, stdio: "inherit", env: { ...process.env } });
  if (result.status !== 0) throw new Error("vite build failed");
  return dist;
}

/** Sends one bid at the minimum and returns its hash and when its receipt first existed (polled every 5 ms). */
async function bidAndWaitMined(stack: E2eStack, from: number): Promise<{ hash: Hash; minedAt: number; amount: bigint }> {
  const rpcUrl = stack.ctx.urls.rpcUrl;
  const house = stack.ctx.deployment?.auctionHouse as Address;
  const publicClient = createPublicClient({ chain: hardhat, transport: http(rpcUrl), pollingInterval: 10 });
  const wallet = createWalletClient({ account: localAccount(from), chain: hardhat, transport: http(rpcUrl) });
  const minimum = (await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "minimumNextBid", args: [1n] })) as bigint;
  const hash: Hash = await wallet.writeContract({ address: house, abi: auctionHouseAbi, functionName: "bid", args: [1n], value: minimum });
  for (;;) {
    const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
    if (receipt) return { hash, minedAt: Date.now(), amount: minimum };
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function minedToPage(stack: E2eStack): Promise<{ mined: number[]; indexed: number[] }> {
  const browser = await launchChromium();
  try {
    const rpcUrl = stack.ctx.urls.rpcUrl;
    const house = stack.ctx.deployment?.auctionHouse as Address;
    const publicClient = createPublicClient({ chain: hardhat, transport: http(rpcUrl), pollingInterval: 10 });
    const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    await page.goto(`${stack.ctx.urls.dappUrl}/lot/1`);
    await page.getByTestId("current-bid").waitFor({ timeout: 60_000 });
    // Record when each amount first appears as the current bid (page clock = this machine's clock).
    await page.evaluate(() => {
      const w = window as unknown as { __seen: Record<string, number> };
      w.__seen = {};
      const record = () => {
        const el = document.querySelector("[data-testid=bid-history] li");
        const amount = el?.getAttribute("data-amount");
        if (amount && !(amount in w.__seen)) w.__seen[amount] = Date.now();
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    const mined: number[] = [];
    const indexed: number[] = [];
    for (let i = 0; i < BIDS; i++) {
      const account = localAccount(6 + (i % 2));
      const wallet = createWalletClient({ account, chain: hardhat, transport: http(rpcUrl) });
      const minimum = (await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "minimumNextBid", args: [1n] })) as bigint;
      const hash: Hash = await wallet.writeContract({ address: house, abi: auctionHouseAbi, functionName: "bid", args: [1n], value: minimum });
      // Mined = first moment the receipt exists (polled every 5 ms).
      let minedAt = 0;
      while (!minedAt) {
        const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
        if (receipt) minedAt = Date.now();
        else await new Promise((r) => setTimeout(r, 5));
      }
      // Indexed = the indexer's GraphQL answers the bid (polled every 5 ms).
      let indexedAt = 0;
      while (!indexedAt) {
        const res = await fetch(`${stack.ctx.urls.indexerUrl}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: `{ bids(where: { txHash: "${hash}" }) { items { id } } }` }),
        });
        const body = (await res.json()) as { data?: { bids: { items: unknown[] } } };
        if (body.data?.bids.items.length) indexedAt = Date.now();
        else await new Promise((r) => setTimeout(r, 5));
      }
      const key = minimum.toString();
      const seenAt = await page.waitForFunction((k) => (window as unknown as { __seen: Record<string, number> }).__seen[k], key, { timeout: 30_000, polling: 20 }).catch(() => undefined);
      // Not shown within 30 s: a miss (NaN -> +Infinity in the distribution).
      const shownAt = seenAt ? ((await seenAt.jsonValue()) as number) : Number.NaN;
      mined.push(shownAt - minedAt);
      indexed.push(shownAt - indexedAt);
    }
    return { mined, indexed };
  } finally {
    await browser.close().catch(() => {});
  }
}

/** VIEWERS live-lot streams through the dApp server; VIEWER_BIDS bids, each timed from mined to every viewer. */
async function liveViewers(stack: E2eStack) {
  const url = `${stack.ctx.urls.dappUrl}/svc/indexer/live/events`;
  const opened = Date.now();
  const crowd = await openViewers(url, VIEWERS, { concurrency: 250 });
  const openSeconds = (Date.now() - opened) / 1000;
  // Every open viewer has had its first snapshot before the clock starts.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && crowd.viewers.some((v) => v.open && !v.snapshot && !v.error)) await new Promise((r) => setTimeout(r, 100));
  const samples: number[] = [];
  const allSeen: number[] = [];
  for (let i = 0; i < VIEWER_BIDS; i++) {
    const { hash, minedAt } = await bidAndWaitMined(stack, 6 + (i % 2));
    crowd.watch(hash);
    const until = minedAt + VIEWER_WAIT_MS;
    while (Date.now() < until && crowd.viewers.some((v) => !v.error && !v.seen.has(hash))) await new Promise((r) => setTimeout(r, 10));
    let last = 0;
    for (const v of crowd.viewers) {
      const at = v.seen.get(hash);
      samples.push(at === undefined ? Number.NaN : at - minedAt);
      last = at === undefined ? Number.POSITIVE_INFINITY : Math.max(last, at - minedAt);
    }
    allSeen.push(last);
    process.stdout.write(`  viewers: bid ${i + 1}/${VIEWER_BIDS} reached all in ${Number.isFinite(last) ? `${last} ms` : "never"}\n`);
  }
  const metricsText = stack.ctx.urls.dappMetricsUrl ? await fetch(stack.ctx.urls.dappMetricsUrl).then((r) => r.text()).catch(() => "") : "";
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, "m").exec(metricsText)?.[1] ?? Number.NaN);
  const broadcastSum = metric("sothebais_dapp_live_broadcast_seconds_sum");
  const broadcastCount = metric("sothebais_dapp_live_broadcast_seconds_count");
  const errors = crowd.errors();
  const open = crowd.viewers.filter((v) => v.open && !v.error).length;
  crowd.close();
  return {
    open,
    errors,
    openSeconds,
    samples,
    allSeen,
    firstError: crowd.viewers.find((v) => v.error)?.error,
    serverSubscribersPeak: metric("sothebais_dapp_live_subscribers"),
    broadcastMsAvg: broadcastCount > 0 ? (broadcastSum / broadcastCount) * 1000 : Number.NaN,
  };
}

const run = startBenchRun("dapp", { bids: BIDS, viewers: VIEWERS, viewer_bids: VIEWER_BIDS, block_interval_s: 1, server: "dapp/server (production)" });
const dist = build();
const lotRoute = lotRouteSize(dist, { withHlsJs: false });
const lotRouteHls = lotRouteSize(dist, { withHlsJs: true });
const initial = initialRouteSize(dist);
process.env.DEMO_LOT_SECONDS = "3600";
process.env.DAPP_MODE = "production";
const stack = await startE2eStack({ relayer: false });
let latency: Awaited<ReturnType<typeof minedToPage>>;
let crowd: Awaited<ReturnType<typeof liveViewers>>;
try {
  latency = await minedToPage(stack);
  crowd = await liveViewers(stack);
} finally {
  await stack.stop("bench done");
}
const round1 = (n: number) => Math.round(n * 10) / 10;
const results = {
  lot_route_gzip_kb: round1(lotRoute.kb),
  lot_route_hlsjs_gzip_kb: round1(lotRouteHls.kb),
  initial_bundle_gzip_kb: round1(initial.kb),
  ...latencyKeys("mined_to_page", latency.mined, { digits: 0 }),
  ...latencyKeys("indexed_to_page", latency.indexed, { digits: 0 }),
  live_viewers: crowd.open,
  live_viewer_errors: crowd.errors,
  ...latencyKeys("live_viewer_update", crowd.samples, { digits: 0 }),
  ...latencyKeys("live_viewer_update_all", crowd.allSeen, { digits: 0 }),
  live_viewers_connect_s: round1(crowd.openSeconds),
  live_broadcast_ms_avg: round1(crowd.broadcastMsAvg),
};
console.log("\nlot route files (gzip, a phone):");
for (const [f, b] of lotRoute.files) console.log(`  ${f.padEnd(40)} ${(b / 1024).toFixed(1).padStart(7)} KB`);
console.log("\nmetric                          value    target");
console.log(`lot_route_gzip_kb            ${String(results.lot_route_gzip_kb).padStart(8)}    < 250`);
console.log(`lot_route_hlsjs_gzip_kb      ${String(results.lot_route_hlsjs_gzip_kb).padStart(8)}`);
console.log(`initial_bundle_gzip_kb       ${String(results.initial_bundle_gzip_kb).padStart(8)}`);
console.log(`mined_to_page_p50_ms         ${String(Math.round(percentile(latency.mined, 50))).padStart(8)}`);
console.log(`live_viewers                 ${String(results.live_viewers).padStart(8)}    >= 10,000`);
console.log(`live_viewer_errors           ${String(results.live_viewer_errors).padStart(8)}    0${crowd.firstError ? ` (first: ${crowd.firstError})` : ""}`);
console.log(`live_viewer_update_p50_ms    ${String(Math.round(percentile(crowd.samples, 50))).padStart(8)}`);
console.log(`live_viewer_update_p95_ms    ${String(Math.round(percentile(crowd.samples, 95))).padStart(8)}    < 1,000`);
console.log(`live_broadcast_ms_avg        ${String(results.live_broadcast_ms_avg).padStart(8)}`);
console.log(`(${latency.mined.length} page bids, ${VIEWER_BIDS} viewer bids, ${new Date().toISOString()})`);
run.write(results);
