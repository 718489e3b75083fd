/**
 * The soak's viewers phase (issue 9): VIEWERS concurrent viewers of the live lot on the indexer's
 * `GET /live/events`, held by a separate bounded load process (viewers-load.ts, its fd limit raised by
 * `ulimit -n` in the shell that starts it), while one bid is mined every `bidEveryMs`. For every viewer
 * and bid: mined (the first time a 10 ms `eth_blockNumber` poll of the node sees the bid's block) ->
 * that viewer received a snapshot holding the bid's tx hash. Errors: failed connects, streams closed by
 * the server, and (viewer, bid) pairs never received.
 *
 * `startViewersStack` is the small stack for `SOAK_ONLY=viewers`: the chain (1 s blocks, one long demo
 * lot) and the indexer, as `./sothebais up` starts them.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type Address, createPublicClient, createWalletClient, type Hash, http, parseEther } from "viem";
import { hardhat } from "viem/chains";
import { auctionHouseAbi } from "@sothebais/common/abis";
import type { Deployment } from "@sothebais/common/deployments";
import { localAccount, processTree, rpc, waitFor } from "@sothebais/common/testing";
import type { StackContext, StackService } from "../../scripts/src/stack/types.ts";
import { findChild, treeRssMb } from "./procs.ts";
import { soakContext } from "./stack.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const LotLive = 2;

export type ViewersOptions = {
  indexerUrl: string;
  /** The node itself (not a stall proxy): the phase's clock for "mined". */
  nodeRpcUrl: string;
  auctionHouse: Address;
  viewers: number;
  bidEveryMs: number;
  seconds: number;
  /** Local account that bids (funded here); outside the soak's bidder ranges. */
  bidderIndex: number;
  /** Root pid of the indexer's process tree (launcher + Ponder), for its fd limit and RSS. */
  indexerPid?: number;
  say: (line: string) => void;
};

/** The three keys, and the detail behind them. */
export type ViewersResult = {
  keys: { viewers: number; viewer_update_p95_ms: number; viewer_errors: number };
  detail: Record<string, number | string>;
};

type LoadReport = {
  viewers: number;
  connectFailures: number;
  disconnects: number;
  missed: number;
  bids: number;
  updates: number;
  p50: number;
  p95: number;
  max: number;
  perBid: { tx: string; seen: number; first: number; p95: number }[];
};

/** `Max open files` (soft) of every Ponder process in the tree. */
export function ponderFdLimits(rootPid: number): number[] {
  const limits: number[] = [];
  for (const pid of processTree(rootPid)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("ponder")) continue;
      const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, "utf8"));
      if (m) limits.push(m[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(m[1]));
    } catch {}
  }
  return limits;
}

async function indexerMetric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics/indexer`, { signal: AbortSignal.timeout(10_000) })).text();
  const m = new RegExp(`^sothebais_indexer_${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/** First wall-clock time each block number was seen by a tight poll of the node. */
function watchHeads(rpcUrl: string, signal: AbortSignal) {
  const seen = new Map<bigint, number>();
  let last = -1n;
  const loop = (async () => {
    while (!signal.aborted) {
      const head = await rpc<string>(rpcUrl, "eth_blockNumber").then(BigInt, () => undefined);
      const at = Date.now();
      if (head !== undefined && head > last) {
        for (let b = last < 0n ? head : last + 1n; b <= head; b++) seen.set(b, at);
        last = head;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return { seen, done: loop };
}

export async function runViewers(options: ViewersOptions): Promise<ViewersResult> {
  const { say } = options;
  const hardLimit = Number(readFileSync("/proc/self/limits", "utf8").match(/^Max open files\s+\d+\s+(\d+)/m)?.[1] ?? 1024);
  if (options.indexerPid) {
    const limits = ponderFdLimits(options.indexerPid);
    say(`viewers: Ponder's open-file limit ${limits.join(", ") || "unknown"} (hard limit here ${hardLimit})`);
    if (limits.some((l) => l < options.viewers + 200)) throw new Error(`Ponder's open-file limit (${limits.join(", ")}) is below ${options.viewers} viewers + 200: raise ulimit -n where the soak starts`);
  }
  const rssBefore = options.indexerPid ? treeRssMb(options.indexerPid) : Number.NaN;

  // The load process: its own fd limit, bounded in time whatever happens here.
  const maxSeconds = Math.ceil(180 + 60 + options.seconds + 60);
  const fds = Math.min(hardLimit, options.viewers + 1000);
  const load = spawn("bash", ["-c", `ulimit -Sn ${fds} && exec "$0" "$@"`, process.execPath, join(here, "viewers-load.ts"), options.indexerUrl, String(options.viewers), String(maxSeconds)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const messages: Record<string, unknown>[] = [];
  createInterface({ input: load.stdout }).on("line", (line) => {
    try {
      messages.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      say(`viewers-load: ${line}`);
    }
  });
  const exited = new Promise<number | null>((resolve) => load.once("exit", resolve));
  const send = (m: unknown) => load.stdin.write(`${JSON.stringify(m)}\n`);
  const next = (key: string, timeoutMs: number) =>
    waitFor(
      () => {
        if (load.exitCode !== null) throw new Error(`viewers-load exited (${load.exitCode}): ${JSON.stringify(messages.at(-1))}`);
        const i = messages.findIndex((m) => key in m);
        return i >= 0 ? messages.splice(i, 1)[0] : undefined;
      },
      { timeoutMs, intervalMs: 100, what: `viewers-load: ${key}` },
    );

  const controller = new AbortController();
  try {
    const connected = (await next("connected", 180_000)) as { connected: number; failed: number; ms: number };
    say(`viewers: ${connected.connected} streams open, ${connected.failed} failed, in ${(connected.ms / 1000).toFixed(1)} s`);
    await waitFor(
      async () => {
        send({ ready: true });
        const { snapshots } = (await next("snapshots", 10_000)) as { snapshots: number };
        return snapshots >= connected.connected;
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: "the first snapshot on every open stream" },
    ).catch((e: Error) => say(e.message));
    const subscribers = await indexerMetric(options.indexerUrl, "live_events_subscribers");
    say(`viewers: the indexer counts ${subscribers} subscribers`);

    // Bids: one every bidEveryMs at the contract's minimum, from an account of our own.
    const bidder = localAccount(options.bidderIndex);
    await rpc(options.nodeRpcUrl, "hardhat_setBalance", [bidder.address, `0x${parseEther("1000000").toString(16)}`]);
    const transport = http(options.nodeRpcUrl, { timeout: 60_000 });
    const publicClient = createPublicClient({ chain: hardhat, transport, pollingInterval: 50 });
    const wallet = createWalletClient({ account: bidder, chain: hardhat, transport });
    const heads = watchHeads(options.nodeRpcUrl, controller.signal);
    const house = { address: options.auctionHouse, abi: auctionHouseAbi } as const;
    let sent = 0;
    let landed = 0;
    let skipped = 0;
    const t0 = Date.now();
    for (let k = 0; Date.now() - t0 < options.seconds * 1000; k++) {
      const due = t0 + k * options.bidEveryMs;
      if (Date.now() < due) await new Promise((r) => setTimeout(r, due - Date.now()));
      try {
        const lotId = await publicClient.readContract({ ...house, functionName: "lotCount" });
        const status = Number(await publicClient.readContract({ ...house, functionName: "lotStatus", args: [lotId] }));
        if (status !== LotLive) {
          skipped++;
          continue;
        }
        const min = await publicClient.readContract({ ...house, functionName: "minimumNextBid", args: [lotId] });
        const hash: Hash = await wallet.writeContract({ ...house, functionName: "bid", args: [lotId], value: min, gas: 400_000n });
        send({ watch: hash });
        sent++;
        const receipt = publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 }).then(
          async (r) => {
            if (r.status !== "success") return void send({ unwatch: hash });
            const minedAt = await waitFor(() => heads.seen.get(r.blockNumber), { timeoutMs: 10_000, intervalMs: 5, what: `block ${r.blockNumber} seen` });
            send({ mined: hash, at: minedAt });
            landed++;
          },
          () => void send({ unwatch: hash }),
        );
        // One bid in flight: the next reads the minimum this one set.
        await receipt;
      } catch (error) {
        skipped++;
        say(`viewers: bid skipped: ${(error as Error).message.split("\n")[0]}`);
      }
    }
    // The last bid's update: give every viewer the time the target allows and more.
    await new Promise((r) => setTimeout(r, 5000));
    send({ report: true });
    const report = (await next("p95", 60_000)) as unknown as LoadReport;
    const dropped = await indexerMetric(options.indexerUrl, "live_events_dropped_total");
    const broadcastMs = (1000 * (await indexerMetric(options.indexerUrl, "live_events_broadcast_seconds_sum"))) / (await indexerMetric(options.indexerUrl, "live_events_broadcast_seconds_count"));
    const firsts = report.perBid.map((b) => b.first).sort((a, b) => a - b);
    const firstP50 = firsts[Math.floor(firsts.length / 2)] ?? Number.NaN;
    const rssAfter = options.indexerPid ? treeRssMb(options.indexerPid) : Number.NaN;
    const errors = report.connectFailures + report.disconnects + report.missed;
    say(
      `viewers: ${report.viewers} viewers x ${report.bids} bids: mined -> viewer p50 ${report.p50.toFixed(0)} ms, p95 ${report.p95.toFixed(0)} ms, max ${report.max.toFixed(0)} ms; ` +
        `errors ${errors} (${report.connectFailures} connect failures, ${report.disconnects} disconnects, ${report.missed} missed updates); server dropped ${dropped}; ` +
        `first viewer per bid p50 ${firstP50} ms; server write loop ${broadcastMs.toFixed(1)} ms per event (mean)`,
    );
    return {
      keys: { viewers: report.viewers, viewer_update_p95_ms: Math.round(report.p95), viewer_errors: errors },
      detail: {
        viewer_update_p50_ms: Math.round(report.p50),
        viewer_update_max_ms: Math.round(report.max),
        viewer_first_update_p50_ms: firstP50,
        viewer_broadcast_mean_ms: Math.round(broadcastMs * 10) / 10,
        viewer_connect_failures: report.connectFailures,
        viewer_disconnects: report.disconnects,
        viewer_missed_updates: report.missed,
        viewer_updates: report.updates,
        viewer_bids_measured: report.bids,
        viewer_bids_sent: sent,
        viewer_bids_landed: landed,
        viewer_bid_ticks_skipped: skipped,
        viewer_connect_s: Math.round(connected.ms / 100) / 10,
        viewer_server_dropped: dropped,
        viewer_indexer_rss_mb_before: Math.round(rssBefore),
        viewer_indexer_rss_mb_after: Math.round(rssAfter),
      },
    };
  } finally {
    controller.abort();
    load.stdin.end();
    const timer = setTimeout(() => load.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

export type ViewersStack = { indexerUrl: string; nodeRpcUrl: string; deployment: Deployment; indexerPid: number; stop: () => Promise<void> };

/** Chain + contracts + one long demo lot + indexer: what the viewers phase needs, nothing else. */
export async function startViewersStack(options: { dataDir: string; lotSeconds: number; progress: (line: string) => void; echo: StackContext["echo"] }): Promise<ViewersStack> {
  const { ctx, stops } = await soakContext(options);
  const stop = async () => {
    for (const { fn } of stops.reverse()) await Promise.resolve(fn()).catch(() => {});
  };
  process.env.DEMO_LOTS = "1";
  process.env.DEMO_LOT_SECONDS = String(options.lotSeconds);
  try {
    for (const name of ["chain", "indexer"]) {
      const { service } = (await import(join(ctx.root, "scripts/src/stack", `${name}.ts`))) as { service: StackService };
      await service.start(ctx);
    }
    const indexerPid = findChild("indexer/service/main.ts");
    if (!ctx.deployment || !indexerPid) throw new Error("viewers stack: no deployment or no indexer process");
    return { indexerUrl: ctx.urls.indexerUrl, nodeRpcUrl: ctx.urls.rpcUrl, deployment: ctx.deployment, indexerPid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
