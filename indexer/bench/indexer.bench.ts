/**
 * Indexer benchmarks (issue 4), against a real Hardhat node and real Ponder on this machine:
 * 1. block with a bid -> row visible over GraphQL and pushed to a live query (200 bids);
 * 2. /live and the GraphQL live-lot query at 1,000 requests/s from a separate process (autocannon);
 * 3. 1,000 concurrent live-query subscribers: block -> last subscriber updated;
 * 4. historical backfill of 20,000 bid events on PGlite and on Postgres.
 * Prints a table and writes bench/results/indexer.json (repo root), one run with its provenance
 * (bench/lib/results.ts); `BENCH_ONLY=latency|backfill` runs one phase and writes its own file
 * (indexer-latency.json, indexer-backfill.json), never merged into another run's.
 *
 * Definitions (issue 21): a bid never pushed is a miss in the push distribution (+Infinity), a fan-out
 * round where a subscriber missed the update is +Infinity; the load phase records the rate autocannon
 * achieved (`live_lot_achieved_rps`, the lower of the two routes) and the run fails when it is below the
 * 1,000 req/s target (1 % allowance for autocannon's pacing).
 *
 *   npm run bench -w @sothebais/indexer     (BENCH_BIDS, BENCH_BACKFILL_BIDS, BENCH_FANOUT_ROUNDS to scale down)
 */
import { fork, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, eq } from "@ponder/client";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { startTestStack, type TestStack } from "@sothebais/common/testing";
import { parseEther } from "viem";
import * as schema from "../ponder.schema.ts";
import { type BackfillPhases, backfillPhases, makeBackfillChain, nodeFloor, retry } from "./backfill-chain.ts";
import { startBenchRun } from "../../bench/lib/results.ts";
import { latencyKeys, percentile } from "../../bench/lib/stats.ts";
import { graphql, type RunningIndexer, startIndexer, startPostgres, waitIndexed } from "../test/helpers.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const BIDS = Number(process.env.BENCH_BIDS ?? 200);
const BACKFILL_BIDS = Number(process.env.BENCH_BACKFILL_BIDS ?? 20_000);
const FANOUT = 1000;
// 100 rounds: a p95 over fewer is reported as the maximum (bench/lib/stats.ts).
const FANOUT_ROUNDS = Number(process.env.BENCH_FANOUT_ROUNDS ?? 100);
const LOAD_RATE = 1000;
const LOAD_SECONDS = 10;

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number) => Math.round(n * 10) / 10;
const log = (line: string) => console.error(`[bench] ${line}`);

const next = (amount: bigint) => amount + amount / 100n + 1n; // >= the contract's minimum at 100 bps

async function latencyLoadFanout(results: Record<string, number>) {
  const stack = await startTestStack();
  const tmp = mkdtempSync(join(tmpdir(), "sothebais-bench-"));
  let indexer: RunningIndexer | undefined;
  try {
    const lotId = await stack.mintAndCreateLot({ duration: 30 * 86_400, minIncrementBps: 100, timeBuffer: 60 });
    // Live queries over /sql (off by default) from one address, 1,000 of them: lift the per-address cap.
    indexer = await startIndexer({ stack, pgliteDir: join(tmp, "pglite"), env: { INDEXER_SQL_OVER_HTTP: "1", LIVE_STREAMS_PER_ADDRESS: "100000" } });
    await waitIndexed(indexer.url, await stack.publicClient.getBlockNumber(), stack.mine);
    log(`indexer ready at ${indexer.url}`);

    let amount = parseEther("0.001");
    let bidder = 4;
    const placeBid = async () => {
      amount = next(amount);
      bidder = bidder === 4 ? 5 : 4;
      const value = amount;
      // Automine: the block is mined when eth_sendRawTransaction returns.
      await stack.wallet(bidder).writeContract({ address: stack.auctionHouse, abi: auctionHouseAbi, functionName: "bid", args: [lotId], value });
      return { value, minedAt: now() };
    };

    // 1. mined -> GraphQL, mined -> live push
    // Ponder's live-query route polls its ready flag once a second and drops subscribers until then
    // (an early subscriber reconnects and then runs a block behind): subscribe after that second.
    await sleep(1500);
    const client = createClient(`${indexer.url}/sql`, { schema });
    const pushed = new Map<string, number>();
    let liveErrors = 0;
    const live = client.live(
      (db) => db.select().from(schema.lot as never).where(eq(schema.lot.id as never, lotId)),
      (rows) => {
        const at = now();
        for (const row of rows as { amount: bigint }[]) if (!pushed.has(String(row.amount))) pushed.set(String(row.amount), at);
      },
      () => liveErrors++,
    );
    const query = `{ lot(id: "${lotId}") { amount } }`;
    const graphqlMs: number[] = [];
    const pushMs: number[] = [];
    for (let i = 0; i < BIDS + 5; i++) {
      const { value, minedAt } = await placeBid();
      let seenAt = 0;
      while (!seenAt) {
        // A keep-alive socket the server just closed can reset one request: poll again.
        const r = await graphql<{ lot: { amount: string } }>(indexer.url, query).catch(() => undefined);
        if (r?.data?.lot?.amount === value.toString()) seenAt = now();
        else await sleep(5);
        if (now() - minedAt > 10_000) throw new Error(`bid ${value} not visible over GraphQL after 10 s`);
      }
      const deadline = now() + 5000;
      while (!pushed.has(value.toString()) && now() < deadline) await sleep(2);
      if (i < 5) continue; // warm-up
      graphqlMs.push(seenAt - minedAt);
      // A push that did not come within 5 s is a miss (NaN -> +Infinity in the distribution).
      pushMs.push((pushed.get(value.toString()) ?? Number.NaN) - minedAt);
    }
    live.unsubscribe();
    Object.assign(results, latencyKeys("mined_to_graphql", graphqlMs), latencyKeys("mined_to_live_push", pushMs));
    results.live_push_errors = liveErrors;
    log(`mined->graphql p50 ${results.mined_to_graphql_p50_ms} p95 ${results.mined_to_graphql_p95_ms}; mined->push p95 ${results.mined_to_live_push_p95_ms} (${pushMs.filter(Number.isFinite).length}/${pushMs.length} pushes, ${liveErrors} subscription errors)`);

    // 2. /live and the GraphQL live-lot query at 1,000 req/s, with a bid every second meanwhile.
    let bidding = true;
    const background = (async () => {
      while (bidding) {
        await placeBid();
        await sleep(1000);
      }
    })();
    const runLoad = (url: string, body?: string) =>
      new Promise<{ requests: number; errors: number; non2xx: number; p50: number; p95: number; p99: number; rps: number; achievedRps: number }>((resolve, reject) => {
        const child = spawn(process.execPath, [join(here, "load.ts"), url, String(LOAD_RATE), String(LOAD_SECONDS), ...(body ? [body] : [])], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop() ?? "{}")) : reject(new Error(`load.ts exited ${code}`))));
      });
    const liveLoad = await runLoad(`${indexer.url}/live`);
    log(`/live at 1000 rps: ${JSON.stringify(liveLoad)}`);
    const head = (await stack.publicClient.getBlock()).timestamp;
    const gqlBody = JSON.stringify({
      query: `{ lots(where: { state: "open", startTime_lte: ${head}, endTime_gt: ${head} }, orderBy: "endTime", limit: 1) { items { id amount bidder endTime minimumNextBid bids(orderBy: "blockNumber", orderDirection: "desc", limit: 10) { items { amount bidder txHash } } } } }`,
    });
    const gqlLoad = await runLoad(`${indexer.url}/graphql`, gqlBody);
    log(`GraphQL live lot at 1000 rps: ${JSON.stringify(gqlLoad)}`);
    bidding = false;
    await background;
    results.live_lot_p95_ms_at_1000rps = Math.max(liveLoad.p95, gqlLoad.p95);
    results.live_lot_errors = liveLoad.errors + liveLoad.non2xx + gqlLoad.errors + gqlLoad.non2xx;
    // The p95 is "at 1,000 req/s" only if that rate was reached: the lower of the two routes' achieved rates.
    results.live_lot_achieved_rps = Math.round(Math.min(liveLoad.achievedRps, gqlLoad.achievedRps) * 10) / 10;
    results.live_lot_target_rps = LOAD_RATE;
    extra.live_p50 = liveLoad.p50;
    extra.live_p95 = liveLoad.p95;
    extra.live_rps = liveLoad.rps;
    extra.graphql_p50 = gqlLoad.p50;
    extra.graphql_p95 = gqlLoad.p95;
    extra.graphql_rps = gqlLoad.rps;

    // 3. fan-out to 1,000 live-query subscribers in another process
    const subs = fork(join(here, "subscribers.ts"), [indexer.url, lotId.toString(), String(FANOUT)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    await new Promise((r) => subs.once("message", r));
    await sleep(8000); // let the 1,000 SSE connections open
    const fanoutMs: number[] = [];
    for (let i = 0; i < FANOUT_ROUNDS + 2; i++) {
      const { value, minedAt } = await placeBid();
      const reply = await new Promise<{ count: number; last: number; errors: number }>((resolve) => {
        subs.once("message", (m) => resolve(m as { count: number; last: number; errors: number }));
        subs.send({ wait: value.toString() });
      });
      if (i >= 2) {
        if (reply.count < FANOUT) log(`round ${i}: only ${reply.count}/${FANOUT} subscribers updated (errors ${reply.errors})`);
        fanoutMs.push(reply.count >= FANOUT ? reply.last - minedAt : Number.POSITIVE_INFINITY);
      }
      await sleep(300);
    }
    subs.send({ stop: true });
    Object.assign(results, latencyKeys(`fanout_${FANOUT}`, fanoutMs));
    log(`fan-out to ${FANOUT}: p50 ${round(percentile(fanoutMs, 50))} p95 ${round(percentile(fanoutMs, 95))} over ${fanoutMs.length} rounds (${fanoutMs.filter((x) => !Number.isFinite(x)).length} with a subscriber missed)`);
  } finally {
    await indexer?.stop(30_000);
    await stack.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function measureBackfill(stack: TestStack, storage: { pgliteDir?: string; databaseUrl?: string }) {
  // BENCH_PROFILE_DIR: a V8 CPU profile of the indexer and of Ponder, written when they stop.
  const profileDir = process.env.BENCH_PROFILE_DIR;
  // The bench's chain is minutes old, so its bids are "live" to the handlers' per-bid line
  // (indexer/src/AuctionHouse.ts): ours at warn, so the run measures Ponder, and Ponder's own phase
  // lines (PONDER_LOG_LEVEL) stay within the output the harness keeps.
  const env = { LOG_LEVEL: "warn", ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}) };
  const indexer = await startIndexer({ stack, ...storage, env });
  try {
    await waitIndexed(indexer.url, await retry(() => stack.publicClient.getBlockNumber()), stack.mine, 600_000);
    const metrics = await retry(async () => (await fetch(`${indexer.url}/metrics`)).text());
    const phases = backfillPhases(indexer.output(), metrics);
    const r = await retry(() => graphql<{ bids: { totalCount: number } }>(indexer.url, `{ bids { totalCount } }`));
    const indexed = r.data?.bids.totalCount ?? 0;
    if (indexed !== BACKFILL_BIDS) throw new Error(`indexed ${indexed} bids, expected ${BACKFILL_BIDS}`);
    return { ...phases, eventsPerSecond: Math.round(BACKFILL_BIDS / phases.backfillS) };
  } finally {
    await indexer.stop(30_000);
  }
}

/** Details beside the figure: Ponder's sync apart from its indexing (handlers + flush). */
function recordPhases(store: string, p: BackfillPhases) {
  extra[`backfill_${store}_s`] = p.backfillS;
  if (p.syncS !== undefined) extra[`backfill_${store}_sync_s`] = p.syncS;
  const indexS = (p.transformS.index ?? 0) + (p.transformS.load ?? 0);
  extra[`backfill_${store}_index_and_flush_s`] = round(indexS);
  extra[`backfill_${store}_events`] = p.events;
  if (indexS > 0) extra[`backfill_${store}_indexing_events_per_s`] = Math.round(p.events / indexS);
}

async function backfill(results: Record<string, number>) {
  const stack = await startTestStack();
  const tmp = mkdtempSync(join(tmpdir(), "sothebais-bench-backfill-"));
  try {
    const t0 = now();
    await makeBackfillChain(stack, BACKFILL_BIDS);
    log(`made ${BACKFILL_BIDS} bids in ${Math.round((now() - t0) / 1000)} s`);
    const floor = await nodeFloor(stack);
    log(`the node alone, one request at a time: ${JSON.stringify(floor)}`);
    extra.node_get_logs_ms = floor.getLogsMs;
    extra.node_get_blocks_ms = floor.getBlocksMs;
    const pglite = await measureBackfill(stack, { pgliteDir: join(tmp, "pglite") });
    results.backfill_events_per_s_pglite = pglite.eventsPerSecond;
    log(`backfill PGlite: ${JSON.stringify(pglite)}`);
    recordPhases("pglite", pglite);
    const pg = await startPostgres();
    try {
      const postgres = await measureBackfill(stack, { databaseUrl: pg.url });
      results.backfill_events_per_s_postgres = postgres.eventsPerSecond;
      log(`backfill Postgres: ${JSON.stringify(postgres)}`);
      recordPhases("postgres", postgres);
    } finally {
      await pg.stop();
    }
  } finally {
    await stack.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

const extra: Record<string, number> = {};
const only = process.env.BENCH_ONLY; // "latency" or "backfill"
if (only && only !== "latency" && only !== "backfill") throw new Error(`BENCH_ONLY: latency or backfill, got ${only}`);
// One run per file: a phase run on its own writes its own file.
const run = startBenchRun(only ? `indexer-${only}` : "indexer", { bids: BIDS, backfill_bids: BACKFILL_BIDS, fanout_subscribers: FANOUT, fanout_rounds: FANOUT_ROUNDS, load_rate: LOAD_RATE, load_seconds: LOAD_SECONDS, only: only ?? "all" });
const results: Record<string, number> = {};
if (only !== "backfill") await latencyLoadFanout(results);
if (only !== "latency") await backfill(results);

const targets: Record<string, string> = {
  mined_to_graphql_p95_ms: "< 150",
  mined_to_live_push_p95_ms: "< 150",
  mined_to_live_push_missed: "0",
  backfill_events_per_s_pglite: ">= 5000",
  backfill_events_per_s_postgres: ">= 5000",
  live_lot_p95_ms_at_1000rps: "< 20",
  live_lot_errors: "0",
  live_lot_achieved_rps: `>= ${LOAD_RATE}`,
  fanout_1000_p95_ms: "< 500",
};
const rateMet = !("live_lot_achieved_rps" in results) || results.live_lot_achieved_rps >= LOAD_RATE * 0.99;
const written = run.write({ ...results, ...extra });
console.log(`indexer bench, ${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"})`);
console.log("| metric | value | target |\n|---|---|---|");
for (const [k, v] of Object.entries(results)) console.log(`| ${k} | ${v} | ${targets[k] ?? ""} |`);
console.log(`details: ${JSON.stringify(extra)}`);
console.log(`wrote bench/results/${written.bench}.json`);
if (!rateMet) {
  console.error(`FAILED: the load reached ${results.live_lot_achieved_rps} req/s, below the ${LOAD_RATE} req/s the latency figure is quoted at`);
  process.exit(1);
}
process.exit(0);
