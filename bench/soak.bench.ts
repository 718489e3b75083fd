/**
 * Soak and faults (issue 9): the whole local stack on loopback for SOAK_MINUTES with a campaign of short
 * lots, SOAK_CHAT_BIDDERS chat bidders (linked through POST /link + `!link`) and SOAK_WALLET_BIDDERS wallet
 * bidders, while faults are injected one after another: kill -9 + restart of the relayer, the indexer, the
 * agent and the broadcaster, a Redis kill -9 + restart (AOF), the same in the middle of a chat burst
 * (redis-burst), an RPC stall, an RTMP server kill + restart
 * and the indexer lagging (stopped with SIGSTOP). Measures that every chat bid line ends with exactly one
 * outcome and no bid lands twice, the escrow invariant, RSS of every service over time, the stream's fps,
 * and each fault's recovery time and losses. Writes bench/results/soak.json; docs/RELIABILITY.md holds the
 * figures of a run.
 *
 *   SOAK_MINUTES=8 npm run bench:soak
 *
 * Env: SOAK_MINUTES (30), SOAK_CHAT_BIDDERS (200), SOAK_WALLET_BIDDERS (20), SOAK_CHAT_BIDS_PER_MIN (60),
 * SOAK_LOT_SECONDS (60), SOAK_FAULTS (comma list, default all: relayer,redis,redis-burst,rpc,rtmp,indexer,
 * indexer-lag,agent,broadcaster; "none" for a plain soak), SOAK_BURST_LINES (40: the chat burst of redis-burst),
 * SOAK_VERBOSE=1 to echo every service's output, SOAK_RESULTS
 * (the JSON's path, default bench/results/soak.json).
 *
 * Viewers (bench/soak/viewers.ts): SOAK_VIEWERS streams on the indexer's /live/events from a separate load
 * process while a bid is mined every SOAK_VIEWER_BID_MS for SOAK_VIEWER_SECONDS (60). The full soak runs
 * the phase after its window when SOAK_VIEWERS > 0 (default 0). `SOAK_ONLY=viewers` runs only that phase
 * on a small stack (chain + contracts + indexer; SOAK_VIEWERS default 10000) and writes its own file,
 * bench/results/soak-viewers.json: a results file holds one run (bench/lib/results.ts).
 *
 * Lost (bench/lib/outcomes.ts): a chat `!bid` line is lost unless it got the right outcome: no outcome, a
 * `placed` without its `BidPlaced`, `not_live` while a lot was open on chain, or any answer that is not a
 * bid's (`failed`, `relayer_paused`, ...), each counted by reason (`chat_bids_lost_<reason>`). Failed wallet
 * bids are counted by class (`wallet_bids_failed_<class>`), races with other bidders apart from the rest.
 */
import { appendFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { type Address, formatEther, parseEther } from "viem";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { repoRoot } from "@sothebais/common/deployments";
import { env, parseEnv } from "@sothebais/common/env";
import { localAccount, localRoles, rpc, slopePerMinute, waitFor } from "@sothebais/common/testing";
import type { ChatUser } from "../scripts/src/audience/chat-bidders.ts";
import { humanAmount, runWalletBidders } from "../scripts/src/audience/wallet-bidders.ts";
import { classifyWalletFailure, judgeChatBid, liveWindows, placeableAt, type WalletFailure, walletRaces } from "./lib/outcomes.ts";
import { startBenchRun } from "./lib/results.ts";
import { countBy, prefixKeys } from "./lib/stats.ts";
import { campaignDriver, chainClients, checkInvariant, type InvariantCheck, LotStatus } from "./soak/chain.ts";
import { linkViewer, type SentLine, sayLine } from "./soak/chat.ts";
import { alive, killGroup, respawn, treeRssMb } from "./soak/procs.ts";
import { broadcasterHealth, type SoakService, startSoakStack } from "./soak/stack.ts";
import { runViewers, startViewersStack, type ViewersResult } from "./soak/viewers.ts";

const allFaults = ["relayer", "redis", "redis-burst", "rpc", "rtmp", "indexer", "indexer-lag", "agent", "broadcaster"] as const;
type FaultName = (typeof allFaults)[number];

const config = parseEnv({
  SOAK_MINUTES: env.int({ fallback: 30, min: 1, max: 24 * 60 }),
  SOAK_CHAT_BIDDERS: env.int({ fallback: 200, min: 1, max: 1000 }),
  SOAK_WALLET_BIDDERS: env.int({ fallback: 20, min: 1, max: 100 }),
  SOAK_CHAT_BIDS_PER_MIN: env.int({ fallback: 60, min: 1, max: 6000 }),
  SOAK_LOT_SECONDS: env.int({ fallback: 60, min: 30, max: 3600 }),
  SOAK_FAULTS: env.list({ fallback: [...allFaults] }),
  SOAK_VERBOSE: env.bool(false),
  // Where the figures go; the CI soak (test/soak) writes elsewhere so it never replaces a measured run.
  // Default: bench/results/soak.json, or soak-viewers.json for SOAK_ONLY=viewers.
  SOAK_RESULTS: env.string({ optional: true }),
  SOAK_ONLY: env.oneOf(["all", "viewers"] as const, "all"),
  SOAK_VIEWERS: env.int({ optional: true, min: 0, max: 19_000 }),
  SOAK_VIEWER_SECONDS: env.int({ fallback: 60, min: 10, max: 3600 }),
  SOAK_VIEWER_BID_MS: env.int({ fallback: 2000, min: 200, max: 60_000 }),
  SOAK_BURST_LINES: env.int({ fallback: 40, min: 2, max: 1000 }),
});
const resultsPath = config.SOAK_RESULTS ?? join(repoRoot, `bench/results/${config.SOAK_ONLY === "viewers" ? "soak-viewers" : "soak"}.json`);
const faults = config.SOAK_FAULTS.filter((f) => f !== "none") as FaultName[];
for (const f of faults) if (!allFaults.includes(f)) throw new Error(`SOAK_FAULTS: unknown fault "${f}" (known: ${allFaults.join(", ")})`);

const t0 = Date.now();
const clock = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s`;
const dataDir = join(repoRoot, ".tmp/soak");
mkdirSync(dataDir, { recursive: true });
const logFile = join(repoRoot, ".tmp/soak-services.log");
writeFileSync(logFile, "");
const say = (line: string) => console.log(`[soak ${clock()}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const viewerCount = config.SOAK_VIEWERS ?? (config.SOAK_ONLY === "viewers" ? 10_000 : 0);
// Every viewer of the load process comes from one loopback address, which the indexer's per-address stream
// cap (LIVE_STREAMS_PER_ADDRESS, 1,000 in the local stack) is there to refuse: lift it for this phase.
if (viewerCount > 0 && !process.env.LIVE_STREAMS_PER_ADDRESS) process.env.LIVE_STREAMS_PER_ADDRESS = String(viewerCount + 100);
const viewerOptions = {
  viewers: viewerCount,
  bidEveryMs: config.SOAK_VIEWER_BID_MS,
  seconds: config.SOAK_VIEWER_SECONDS,
  // The first account no soak bidder uses.
  bidderIndex: 4 + config.SOAK_WALLET_BIDDERS + config.SOAK_CHAT_BIDDERS,
  say,
};
const benchRun = startBenchRun(config.SOAK_ONLY === "viewers" ? "soak-viewers" : "soak", {
  ...(config.SOAK_ONLY === "viewers"
    ? {}
    : {
        soak_minutes: config.SOAK_MINUTES,
        chat_bidders: config.SOAK_CHAT_BIDDERS,
        wallet_bidders: config.SOAK_WALLET_BIDDERS,
        chat_bids_per_min: config.SOAK_CHAT_BIDS_PER_MIN,
        lot_seconds: config.SOAK_LOT_SECONDS,
        faults: faults.join(",") || "none",
      }),
  viewers: viewerCount,
  viewer_seconds: config.SOAK_VIEWER_SECONDS,
  viewer_bid_ms: config.SOAK_VIEWER_BID_MS,
});
const printViewers = (r: ViewersResult) => {
  console.log("\nViewers (GET /live/events)\n| metric | value |\n|---|---|");
  for (const [k, v] of Object.entries({ ...r.keys, ...r.detail })) console.log(`| ${k} | ${v} |`);
  writeFileSync(join(repoRoot, ".tmp/soak-viewers.json"), `${JSON.stringify({ ...r.keys, ...r.detail }, null, 2)}\n`);
};

if (config.SOAK_ONLY === "viewers") {
  process.env.DEPLOYMENTS_DIR = join(dataDir, "..", "soak-deployments");
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const small = await startViewersStack({ dataDir, lotSeconds: 3600, progress: say, echo: (name) => (line) => appendFileSync(logFile, `${name} | ${line}\n`) });
  const stopSmall = () => small.stop().finally(() => process.exit(130));
  process.once("SIGINT", stopSmall);
  process.once("SIGTERM", stopSmall);
  let exitCode = 0;
  try {
    const r = await runViewers({ ...viewerOptions, indexerUrl: small.indexerUrl, nodeRpcUrl: small.nodeRpcUrl, auctionHouse: small.deployment.auctionHouse, indexerPid: small.indexerPid });
    benchRun.write({ ...r.keys, ...r.detail }, resultsPath);
    printViewers(r);
    console.log(`\nwrote ${resultsPath}; detail in .tmp/soak-viewers.json`);
  } catch (error) {
    console.error(`[soak] viewers phase failed: ${(error as Error).stack ?? error}`);
    exitCode = 1;
  } finally {
    await small.stop();
  }
  process.exit(exitCode);
}

// The chain part puts the first lot up; the campaign driver lists the rest, one after another.
process.env.DEMO_LOTS = "1";
process.env.DEMO_LOT_SECONDS = String(config.SOAK_LOT_SECONDS);
process.env.DEPLOYMENTS_DIR = join(dataDir, "..", "soak-deployments");

const stack = await startSoakStack({
  dataDir,
  progress: (line) => say(line),
  echo: (name) => (line) => {
    appendFileSync(logFile, `${name} | ${line}\n`);
    if (config.SOAK_VERBOSE) console.log(`${name} | ${line}`);
  },
});
let stopped = false;
const stopAll = async () => {
  if (stopped) return;
  stopped = true;
  await stack.stop();
};
// A crash of the soak itself must not leave the stack running (its parts are detached process groups).
process.on("uncaughtException", (error) => {
  console.error(`[soak] crashed: ${error.stack ?? error.message}`);
  void stopAll().finally(() => process.exit(1));
});
process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));
process.once("SIGTERM", () => void stopAll().then(() => process.exit(143)));

const controller = new AbortController();
try {
  await soak();
} finally {
  controller.abort();
  await stopAll();
}

// ------------------------------------------------------------------------------------------ the run

async function soak() {
  const { ctx, nodeRpcUrl, services } = stack;
  const deployment = ctx.deployment;
  if (!deployment) throw new Error("no deployment");
  const house = deployment.auctionHouse;
  const { publicClient } = chainClients(nodeRpcUrl);
  const redis = new Redis(ctx.urls.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on("error", () => {}); // restarts are part of the soak
  const chatHttpUrl = `http://127.0.0.1:${ctx.ports.chat}`;
  const channel = ctx.urls.chatChannel ?? "sothebais";

  // Accounts: wallet bidders from 4, chat bidders after them (derived from the mnemonic beyond Hardhat's 20).
  const walletIdx = Array.from({ length: config.SOAK_WALLET_BIDDERS }, (_, i) => 4 + i);
  const users: ChatUser[] = Array.from({ length: config.SOAK_CHAT_BIDDERS }, (_, i) => ({
    userId: String(500_000 + i),
    displayName: `soaker${i}`,
    account: 4 + config.SOAK_WALLET_BIDDERS + i,
  }));
  say(`funding ${walletIdx.length + users.length} bidder accounts`);
  for (const i of [...walletIdx, ...users.map((u) => u.account)]) await rpc(nodeRpcUrl, "hardhat_setBalance", [localAccount(i).address, `0x${parseEther("1000000").toString(16)}`]);

  // --- link every chat bidder, 20 at a time, and wait for each `!link` outcome
  const cap = parseEther("1");
  const linkOptions = {
    rpcUrl: nodeRpcUrl,
    relayerUrl: ctx.urls.relayerUrl,
    chatHttpUrl,
    channel,
    auctionHouse: house,
    relayer: localAccount(localRoles.relayer).address,
    depositWei: cap,
  };
  const linkLines: SentLine[] = [];
  const tLink = Date.now();
  for (let i = 0; i < users.length; i += 20) {
    const batch = users.slice(i, i + 20);
    const lines = await Promise.all(batch.map((u, j) => linkViewer(linkOptions, u, i + j).catch((e: Error) => (say(`link ${u.displayName}: ${e.message}`), undefined))));
    for (const l of lines) if (l) linkLines.push(l);
  }
  await waitFor(async () => (await Promise.all(linkLines.map((l) => redis.exists(`sothebais:relayer:outcome:${l.id}`)))).every(Boolean), {
    timeoutMs: 600_000,
    intervalMs: 2000,
    what: "an outcome for every !link",
  });
  const linkOutcomes = await Promise.all(linkLines.map(async (l) => JSON.parse((await redis.get(`sothebais:relayer:outcome:${l.id}`)) ?? "{}") as { kind?: string }));
  const linked = new Set(linkLines.filter((_, i) => linkOutcomes[i].kind === "linked").map((l) => l.userId));
  say(`${linked.size}/${users.length} chat bidders linked in ${((Date.now() - tLink) / 1000).toFixed(0)} s`);
  const bidders = users.filter((u) => linked.has(u.userId));
  if (bidders.length === 0) throw new Error("no chat bidder could link");

  // --- observers: fps, RSS, invariant, chat replies, campaign
  const soakStart = Date.now();
  const soakEnd = soakStart + config.SOAK_MINUTES * 60_000;
  const warmupMs = 60_000;
  const fpsSamples: { t: number; fps: number; renderFps: number }[] = [];
  const rssSamples = new Map<string, { t: number; mb: number; pid: number }[]>();
  const invariantChecks: InvariantCheck[] = [];
  const sent: SentLine[] = [];
  let sayFailures = 0;
  const botLines: { text: string; sentAt: number }[] = [];
  const escrowHolders: Address[] = [
    ...[localRoles.admin, localRoles.relayer, localRoles.treasury, localRoles.seller].map((i) => localAccount(i).address),
    ...walletIdx.map((i) => localAccount(i).address),
    ...users.map((u) => localAccount(u.account).address),
  ];
  const campaign = campaignDriver(nodeRpcUrl, deployment, { seconds: config.SOAK_LOT_SECONDS, timeBuffer: 15, campaignId: 1n });
  let current: { lotId: bigint; status: number } | undefined;
  const every = (ms: number, fn: () => Promise<unknown>) =>
    (async () => {
      while (!controller.signal.aborted) {
        await fn().catch(() => {});
        await sleep(ms);
      }
    })();
  const loops = [
    every(3000, async () => {
      const h = await broadcasterHealth(`http://127.0.0.1:${ctx.ports.broadcaster}`);
      if (h) fpsSamples.push({ t: Date.now(), fps: h.fps, renderFps: h.renderFps });
    }),
    every(10_000, async () => {
      for (const s of services.values()) {
        if (!alive(s.pid)) continue;
        const list = rssSamples.get(s.name) ?? [];
        list.push({ t: Date.now(), mb: treeRssMb(s.pid), pid: s.pid });
        rssSamples.set(s.name, list);
      }
    }),
    every(30_000, async () => {
      const c = await checkInvariant(publicClient, house, escrowHolders);
      invariantChecks.push(c);
      if (!c.ok) say(`INVARIANT VIOLATED at block ${c.block}: balance ${c.balance} != escrow ${c.escrow} + standing ${c.standing}`);
    }),
    every(2000, async () => {
      const since = botLines.at(-1)?.sentAt ?? 0;
      const res = (await (await fetch(`${chatHttpUrl}/api/events?since=${since}`, { signal: AbortSignal.timeout(5000) })).json()) as {
        events: { type: string; login?: string; text?: string; sentAt?: number; bot?: boolean }[];
      };
      for (const e of res.events) if (e.type === "message" && (e.bot || e.login === "sothebais_bot") && e.text && e.sentAt) botLines.push({ text: e.text, sentAt: e.sentAt });
    }),
    every(2000, async () => {
      current = await campaign.tick();
    }),
  ];

  // --- bidders: wallets through the indexer's /live (as the dApp does), chat lines at a steady rate
  let walletOk = 0;
  const walletFailures: WalletFailure[] = [];
  const wallets = runWalletBidders({
    rpcUrl: nodeRpcUrl,
    indexerUrl: ctx.urls.indexerUrl,
    auctionHouse: house,
    accounts: walletIdx,
    meanIntervalMs: 2000,
    ceilingWei: cap,
    signal: controller.signal,
    onBid: (e) => (e.ok ? walletOk++ : walletFailures.push(classifyWalletFailure(e.reason))),
  });
  const chatBids = (async () => {
    const gap = 60_000 / config.SOAK_CHAT_BIDS_PER_MIN;
    let next = Date.now();
    while (!controller.signal.aborted && Date.now() < soakEnd) {
      next += gap;
      await sleep(Math.max(0, next - Date.now()));
      const user = bidders[Math.floor(Math.random() * bidders.length)];
      let text = "!bid min";
      if (Math.random() < 0.4 && current?.status === LotStatus.Live) {
        const min = await publicClient
          .readContract({ address: house, abi: auctionHouseAbi, functionName: "minimumNextBid", args: [current.lotId] })
          .catch(() => undefined);
        if (min !== undefined) text = `!bid ${formatEther(humanAmount(min + min / 20n))}`;
      }
      // Fire and forget, so a slow chat server does not slow the audience down.
      void sayLine(chatHttpUrl, channel, user, text).then(
        (line) => sent.push(line),
        () => sayFailures++,
      );
    }
  })();

  // --- faults, spread over the soak after a warm-up, each once the previous one recovered
  type FaultResult = { name: FaultName; at: number; recoveredAt?: number; recoveryMs?: number; fpsTarget?: number; note: string };
  const faultResults: FaultResult[] = [];
  const spacing = faults.length ? Math.max(30_000, (soakEnd - soakStart - warmupMs - 60_000) / faults.length) : 0;
  const svc = (name: string) => services.get(name) as SoakService;
  const restart = async (s: SoakService) => {
    killGroup(s.pid);
    await waitFor(() => !alive(s.pid), { timeoutMs: 30_000, intervalMs: 100, what: `${s.name} gone` });
    const m = await respawn(s.snap, ctx.echo(s.name));
    s.restarted.push(m);
    s.pid = m.child.pid as number;
  };
  const waitHealthy = (names: string[], timeoutMs = 300_000) =>
    waitFor(async () => (await Promise.all(names.map((n) => svc(n).healthy()))).every(Boolean), { timeoutMs, intervalMs: 500, what: `${names.join(", ")} healthy` });

  for (const [i, name] of faults.entries()) {
    const at = soakStart + warmupMs + i * spacing;
    if (Date.now() < at) await sleep(at - Date.now());
    if (Date.now() > soakEnd - 30_000) {
      say(`no time left for fault ${name}: skipped`);
      continue;
    }
    // Recovered = back at 30 fps, or, when this machine renders fewer before any fault, back at 80 % of that.
    const recent = fpsSamples.slice(-10).map((s) => s.fps).sort((a, b) => a - b);
    stack.fpsTarget.value = Math.max(1, Math.min(30, Math.floor((recent[Math.floor(recent.length / 2)] ?? 30) * 0.8)));
    const result: FaultResult = { name, at: Date.now(), note: "" };
    faultResults.push(result);
    say(`fault ${name}: injecting`);
    let from = Date.now();
    try {
      if (name === "relayer" || name === "agent" || name === "broadcaster" || name === "indexer") {
        await restart(svc(name));
        from = result.at;
        const deps = name === "indexer" ? ["indexer", "relayer", "broadcaster"] : [name];
        await waitHealthy(deps);
        result.note = "kill -9 of the process group, restarted at once with the same command and env";
      } else if (name === "redis") {
        await restart(svc("redis"));
        await waitFor(() => redis.ping().then((p) => p === "PONG"), { timeoutMs: 30_000, intervalMs: 200, what: "redis back" });
        await waitHealthy(["relayer", "agent", "broadcaster"]);
        result.note = "kill -9 of redis-server (AOF, appendfsync always), restarted at once";
      } else if (name === "redis-burst") {
        // A burst of chat bid lines from distinct bidders (a bidding war in chat, each line over the chat
        // server's IRC like every other), Redis killed -9 halfway through it and restarted at once. The
        // lines said before the kill were acknowledged by a Redis that died: with appendfsync always, the
        // AOF holds every write it acknowledged, so none is lost and none placed twice (the per-fault and
        // global loss and duplicate counts cover the burst's lines, which go into `sent` like the rest).
        const burst = config.SOAK_BURST_LINES;
        const half = Math.ceil(burst / 2);
        const speak = (i: number) =>
          sayLine(chatHttpUrl, channel, bidders[i % bidders.length], "!bid min").then(
            (line) => void sent.push(line),
            () => void sayFailures++,
          );
        const first = Array.from({ length: half }, (_, i) => speak(i));
        await Promise.all(first);
        await sleep(50); // the relayer is in the middle of these: intake, queue, sends, outcomes
        const killedAt = Date.now();
        const rest = Array.from({ length: burst - half }, (_, i) => sleep(i * 20).then(() => speak(half + i)));
        await restart(svc("redis"));
        await Promise.all(rest);
        await waitFor(() => redis.ping().then((p) => p === "PONG"), { timeoutMs: 30_000, intervalMs: 200, what: "redis back" });
        await waitHealthy(["relayer", "agent", "broadcaster"]);
        result.note = `kill -9 of redis-server (AOF, appendfsync always) ${killedAt - result.at} ms into a burst of ${burst} chat bids (${half} said before the kill), restarted at once`;
      } else if (name === "rpc") {
        stack.proxy.pause();
        await sleep(20_000);
        stack.proxy.resume();
        from = Date.now();
        await waitHealthy(["relayer", "indexer"]);
        result.note = "RPC proxy moved no bytes for 20 s (recovery counted from the end of the stall)";
      } else if (name === "rtmp") {
        // The broadcaster notices a dead ingest only when its next write fails: recovered = its encoder
        // restarted, it is connected, and nginx wrote a new HLS segment after the restart.
        const url = `http://127.0.0.1:${ctx.ports.broadcaster}`;
        const before = ((await broadcasterHealth(url)) as { encoder?: { restarts?: number } } | undefined)?.encoder?.restarts ?? 0;
        await restart(svc("rtmp"));
        const hls = join(ctx.dataDir, "rtmp", "hls");
        await waitFor(
          async () => {
            const h = (await broadcasterHealth(url)) as ({ encoder?: { restarts?: number } } & { ingestConnected: boolean }) | undefined;
            const fresh = readdirSync(hls).some((f) => f.endsWith(".ts") && statSync(join(hls, f)).mtimeMs > result.at);
            return !!h && h.ingestConnected && (h.encoder?.restarts ?? 0) > before && fresh;
          },
          { timeoutMs: 300_000, intervalMs: 500, what: "stream back on the restarted ingest" },
        );
        result.note = "kill -9 of nginx-rtmp, restarted at once; recovery = encoder reconnected and a new HLS segment written";
      } else if (name === "indexer-lag") {
        const pid = svc("indexer").pid;
        process.kill(-pid, "SIGSTOP");
        await sleep(20_000);
        process.kill(-pid, "SIGCONT");
        from = Date.now();
        await waitHealthy(["indexer"]);
        result.note = "indexer frozen (SIGSTOP) for 20 s, then resumed; recovery = caught up with the chain head";
      }
      result.fpsTarget = stack.fpsTarget.value;
      result.recoveredAt = Date.now();
      result.recoveryMs = result.recoveredAt - from;
      say(`fault ${name}: recovered in ${(result.recoveryMs / 1000).toFixed(1)} s`);
    } catch (error) {
      result.note += ` NOT RECOVERED: ${(error as Error).message.split("\n")[0]}`;
      say(`fault ${name}: ${result.note}`);
    }
  }
  if (Date.now() < soakEnd) await sleep(soakEnd - Date.now());
  say(`soak window over: ${sent.length} chat bid lines sent; draining`);
  await chatBids;
  await sleep(3000); // the last fire-and-forget lines
  let viewerResult: ViewersResult | undefined;
  if (viewerCount > 0) {
    say(`viewers phase: ${viewerCount} viewers on /live/events`);
    viewerResult = await runViewers({ ...viewerOptions, indexerUrl: ctx.urls.indexerUrl, nodeRpcUrl, auctionHouse: house, indexerPid: services.get("indexer")?.pid }).catch((error: Error) => {
      say(`viewers phase failed: ${error.message.split("\n")[0]}`);
      return undefined;
    });
  }

  // --- drain: every line must get its outcome (the relayer may be working through a backlog)
  const outcomeOf = async (id: string) => {
    const raw = await redis.get(`sothebais:relayer:outcome:${id}`);
    return raw ? (JSON.parse(raw) as { kind: string; txHash?: string; lotId?: string }) : undefined;
  };
  await waitFor(async () => (await Promise.all(sent.map((l) => redis.exists(`sothebais:relayer:outcome:${l.id}`)))).every(Boolean), {
    timeoutMs: 240_000,
    intervalMs: 2000,
    what: "an outcome for every chat bid line",
  }).catch((e: Error) => say(e.message.split("\n")[0]));
  controller.abort();
  await Promise.allSettled([wallets, ...loops]);
  invariantChecks.push(await checkInvariant(publicClient, house, escrowHolders));

  const outcomes = await Promise.all(sent.map((l) => outcomeOf(l.id)));
  const missing = sent.filter((_, i) => !outcomes[i]);
  // Which lines should have been placed: a lot was open on chain when the line was said (its windows from
  // LotCreated and the end times its bids and extensions set), away from its first seconds (the relayer
  // learns of a lot on its next block read) and its last ones (the line may reach the chain after the end).
  const [events, created, extendedEvents, head, settledEvents] = await Promise.all([
    publicClient.getContractEvents({ address: house, abi: auctionHouseAbi, eventName: "BidPlaced", fromBlock: 0n }),
    publicClient.getContractEvents({ address: house, abi: auctionHouseAbi, eventName: "LotCreated", fromBlock: 0n }),
    publicClient.getContractEvents({ address: house, abi: auctionHouseAbi, eventName: "LotExtended", fromBlock: 0n }),
    publicClient.getBlock(),
    publicClient.getContractEvents({ address: house, abi: auctionHouseAbi, eventName: "LotSettled", fromBlock: 0n }),
  ]);
  const windows = liveWindows(
    created.map((e) => ({ lotId: e.args.lotId as bigint, startTime: Number(e.args.startTime), endTime: Number(e.args.endTime) })),
    [...extendedEvents, ...events].map((e) => ({ lotId: e.args.lotId as bigint, endTime: Number(e.args.endTime) })),
  );
  const grace = { afterStartMs: 3000, beforeEndMs: 5000, chainOffsetMs: Number(head.timestamp) * 1000 - Date.now() };
  const verdicts = sent.map((l, i) => judgeChatBid(outcomes[i]?.kind, placeableAt(l.sentAt, windows, grace)));
  const lostLines = sent.filter((_, i) => verdicts[i].lost);
  const lostReasons = countBy(verdicts.flatMap((v) => (v.lost ? [v.reason] : [])));
  const kinds: Record<string, number> = {};
  for (const o of outcomes) if (o) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
  const placedTx = outcomes.filter((o) => o?.kind === "placed").map((o) => (o?.txHash ?? "").toLowerCase());
  const relayed = events.filter((e) => e.args.viaRelayer);
  const relayedTx = relayed.map((e) => e.transactionHash.toLowerCase());
  const placedSet = new Set(placedTx);
  const txCount = new Map<string, number>();
  for (const tx of relayedTx) txCount.set(tx, (txCount.get(tx) ?? 0) + 1);
  // A duplicate: a relayed bid on chain that no outcome claims (a second send of a line), a tx with two bids,
  // or one outcome's tx claimed twice.
  const unclaimed = relayedTx.filter((tx) => !placedSet.has(tx)).length;
  const doubleTx = [...txCount.values()].filter((n) => n > 1).length;
  const claimedTwice = placedTx.length - placedSet.size;
  const duplicates = unclaimed + doubleTx + claimedTwice;
  const placedWithoutEvent = [...placedSet].filter((tx) => !txCount.has(tx)).length;
  const mentions = botLines.reduce((n, l) => n + (l.text.match(/@soaker\d+/g)?.length ?? 0), 0);

  // Losses per fault: lines sent between the fault and its recovery (plus 10 s) that did not get the right outcome.
  const lostIn = (f: FaultResult) => lostLines.filter((l) => l.sentAt >= f.at && l.sentAt <= (f.recoveredAt ?? soakEnd) + 10_000).length;

  const afterWarmup = fpsSamples.filter((s) => s.t >= soakStart + warmupMs);
  // While the ingest or the broadcaster itself is down the stream carries no frames by definition: those
  // windows (injection to recovery, plus the 1 s the slot count takes to refill) are judged by their
  // recovery time, the rest of the soak by its fps.
  const streamDown = faultResults.filter((f) => f.name === "rtmp" || f.name === "broadcaster");
  const streamUp = afterWarmup.filter((s) => !streamDown.some((f) => s.t >= f.at && s.t <= (f.recoveredAt ?? soakEnd) + 2_000));
  const minOf = (xs: number[]) => (xs.length ? Math.min(...xs) : 0);

  const rssGrowth: Record<string, { first: number; last: number; max: number; slopeMbPerMin: number; lateSlopeMbPerMin: number; growth: number; minutes: number }> = {};
  for (const [name, list] of rssSamples) {
    // One instance (a restart resets memory): the longest-lived, after its first minute. The last one
    // can be a few minutes old when its kill came late in the soak, too short to show a trend.
    const perPid = new Map<number, typeof list>();
    for (const s of list) perPid.get(s.pid)?.push(s) ?? perPid.set(s.pid, [s]);
    const inst = [...perPid.values()].reduce((a, b) => (b.length > a.length ? b : a));
    const settled = inst.filter((s) => s.t >= inst[0].t + 60_000);
    const xs = settled.length >= 3 ? settled : inst;
    const n = xs.length;
    const slopeMbPerMin = slopePerMinute(xs.map((s) => ({ t: s.t, y: s.mb })));
    const minutes = (xs[n - 1].t - xs[0].t) / 60_000;
    // A warm-up (caches filling, 200 bidders linking) rises and stops; a leak keeps its slope in the second half.
    const late = xs.slice(Math.floor(n / 2));
    const lateSlopeMbPerMin = late.length >= 3 ? slopePerMinute(late.map((s) => ({ t: s.t, y: s.mb }))) : slopeMbPerMin;
    rssGrowth[name] = { first: xs[0].mb, last: xs[n - 1].mb, max: Math.max(...list.map((s) => s.mb)), slopeMbPerMin, lateSlopeMbPerMin, growth: slopeMbPerMin * minutes, minutes };
  }

  const recovered = faultResults.filter((f) => f.recoveryMs !== undefined);
  const walletFailed = walletFailures.length;
  const walletUnexplained = walletFailures.filter((c) => !walletRaces.has(c)).length;
  const results: Record<string, number> = {
    soak_minutes: config.SOAK_MINUTES,
    soak_window_s: Math.round((soakEnd - soakStart) / 1000),
    chat_bidders: bidders.length,
    wallet_bidders: walletIdx.length,
    // Settled on chain, by whoever came first: the relayer's keeper (issue 20) or this driver, which settles a
    // lot it finds ended (none, when the keeper keeps up). Before 2026-12-05 only the driver's were counted.
    lots_settled: settledEvents.length,
    lots_settled_by_keeper: settledEvents.length - campaign.lotsSettled,
    lots_created: campaign.lotsCreated + 1,
    chat_bids_sent: sent.length,
    bids_sent: sent.length + walletOk + walletFailed,
    chat_say_failures: sayFailures,
    chat_bids_without_outcome: missing.length,
    // Lost: no outcome or a wrong one (by reason below), or a placed outcome without its BidPlaced.
    chat_bids_lost: lostLines.length,
    chat_bids_placeable: sent.filter((l) => placeableAt(l.sentAt, windows, grace)).length,
    bids_lost: lostLines.length + placedWithoutEvent,
    placed_without_event: placedWithoutEvent,
    duplicate_bids: duplicates,
    bids_duplicated: duplicates,
    chat_bids_placed: placedTx.length,
    relayed_bid_events: relayed.length,
    wallet_bids_ok: walletOk,
    wallet_bids_failed: walletFailed,
    // Failures that were not a race lost to another bid or to the lot's end.
    wallet_bids_failed_not_race: walletUnexplained,
    relayer_reply_mentions: mentions,
    invariant_checks: invariantChecks.length,
    invariant_violations: invariantChecks.filter((c) => !c.ok).length,
    min_stream_fps: minOf(streamUp.map((s) => s.fps)),
    stream_fps_samples_below_30: streamUp.filter((s) => s.fps < 30).length,
    min_stream_fps_with_stream_faults: minOf(afterWarmup.map((s) => s.fps)),
    min_render_fps: minOf(streamUp.map((s) => s.renderFps)),
    render_fps_samples_below_30: streamUp.filter((s) => s.renderFps < 30).length,
    stream_up_fps_samples: streamUp.length,
    fps_samples: afterWarmup.length,
    faults_injected: faultResults.length,
    faults_not_recovered: faultResults.length - recovered.length,
    max_recovery_s: recovered.length ? Math.max(...recovered.map((f) => f.recoveryMs as number)) / 1000 : 0,
  };
  for (const f of faultResults) {
    const key = f.name.replace(/-/g, "_");
    results[`fault_${key}_recovery_ms`] = f.recoveryMs ?? -1;
    results[`fault_${key}_lost`] = lostIn(f);
  }
  for (const [name, g] of Object.entries(rssGrowth)) {
    results[`max_rss_growth_mb_${name}`] = Math.round(g.growth * 10) / 10;
    results[`max_rss_mb_${name}`] = Math.round(g.max);
    results[`rss_trend_second_half_mb_per_min_${name}`] = Math.round(g.lateSlopeMbPerMin * 100) / 100;
  }
  for (const [k, n] of Object.entries(kinds)) results[`outcome_${k}`] = n;
  Object.assign(results, prefixKeys("chat_bids_lost_", lostReasons), prefixKeys("wallet_bids_failed_", countBy(walletFailures)));
  // Viewer keys only from this run's own viewers phase.
  if (viewerResult) Object.assign(results, viewerResult.keys);
  benchRun.write(results, resultsPath);
  // The detail behind the figures, for docs/RELIABILITY.md.
  writeFileSync(
    join(repoRoot, ".tmp/soak-detail.json"),
    JSON.stringify({ faultResults, rssGrowth, rssSamples: Object.fromEntries(rssSamples), fpsSamples, invariantChecks, kinds, missing: missing.slice(0, 50), lost: lostLines.slice(0, 100).map((l) => ({ ...l, outcome: outcomes[sent.indexOf(l)] })), windows: windows.map((w) => ({ ...w, lotId: String(w.lotId) })), grace }, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2),
  );

  console.log("\nSoak results");
  console.log("| metric | value |\n|---|---|");
  for (const [k, v] of Object.entries(results)) console.log(`| ${k} | ${v} |`);
  console.log("\n| fault | recovery (s) | lost | what |\n|---|---|---|---|");
  for (const f of faultResults) console.log(`| ${f.name} | ${f.recoveryMs !== undefined ? (f.recoveryMs / 1000).toFixed(1) : "not recovered"} | ${lostIn(f)} | ${f.note} |`);
  console.log("\n| service | RSS first (MB) | last | max | trend (MB/min) | second half | over (min) |\n|---|---|---|---|---|---|---|");
  for (const [name, g] of Object.entries(rssGrowth)) console.log(`| ${name} | ${g.first.toFixed(0)} | ${g.last.toFixed(0)} | ${g.max.toFixed(0)} | ${g.slopeMbPerMin.toFixed(2)} | ${g.lateSlopeMbPerMin.toFixed(2)} | ${g.minutes.toFixed(1)} |`);
  if (viewerResult) printViewers(viewerResult);
  console.log(`\nwrote ${resultsPath}; service logs in ${logFile}`);
  redis.disconnect();
}
