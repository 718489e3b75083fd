/**
 * Relayer benchmark: `npm run bench -w @sothebais/relayer` (or `./sothebais bench relayer`).
 * Real Hardhat node, real Redis, the local chat server and real tmi.js, the relayer in-process.
 * Prints a table and writes bench/results/relayer.json (bench/lib/results.ts: one run, with provenance).
 *
 * Definitions (issue 21):
 * - `chat_to_queued_*`: a `!bid` said on the local chat server -> through tmi.js -> validated and queued
 *   (the relayer's onQueued hook), with the production rate limits (USER_RATE_LIMIT 8 / 10 s, GLOBAL 5,000 / s).
 *   Only queued lines count: a line answered instead (too low, rate limited) is a miss in the latency
 *   distribution and is not throughput; the amounts rise by more than the lot's increment so that every
 *   line should queue.
 * - `intake_*`: the same validation called in-process (`intake.handle`, no chat, rate limits raised to
 *   100,000 so one process can feed it): the intake's own cost. Also counts queued lines only.
 * - chat -> mined: a line whose outcome is not `placed` is a miss; fewer than 100 samples report the maximum.
 */
import { cpus } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { waitFor } from "@sothebais/common/testing";
import { startBenchRun } from "../../bench/lib/results.ts";
import { countBy, latencyKeys, percentile, round } from "../../bench/lib/stats.ts";
import { formatEther, parseEther } from "viem";
import type { ChatMessage } from "../src/intake.ts";
import type { Relayer } from "../src/relayer.ts";
import type { Outcome } from "../src/replies.ts";
import { type Harness, registerUsers, startHarness } from "../test/helpers.ts";
import { createLogger } from "@sothebais/common/log";
import { freePort } from "@sothebais/common/testing";
import { loadConfig } from "../src/config.ts";
import { startRelayer } from "../src/relayer.ts";

const pct = (xs: number[], p: number) => percentile(xs, p);
const log = (m: string) => console.error(`[bench] ${m}`);

const INTERVAL_BIDS = Number(process.env.RELAYER_BENCH_INTERVAL_BIDS ?? 100);
const AUTOMINE_BIDS = Number(process.env.RELAYER_BENCH_AUTOMINE_BIDS ?? 100);
/** relayer/src/config.ts's defaults: what production runs with. The harness raises them for its tests. */
const productionLimits = { USER_RATE_LIMIT: "8", GLOBAL_RATE_LIMIT: "5000" };
/** Only for `intake_*`: one process feeding the intake as fast as it can would hit the per-user limit. */
const raisedLimits = { USER_RATE_LIMIT: "100000", GLOBAL_RATE_LIMIT: "100000" };
const run = startBenchRun("relayer", {
  automine_bids: AUTOMINE_BIDS,
  interval_1s_bids: INTERVAL_BIDS,
  user_rate_limit: Number(productionLimits.USER_RATE_LIMIT),
  global_rate_limit: Number(productionLimits.GLOBAL_RATE_LIMIT),
  intake_rate_limits: Number(raisedLimits.USER_RATE_LIMIT),
  // The synthetic amounts would ask for !confirm at the production factor (10x the minimum).
  confirm_factor: 1_000_000,
  chat_users: 200,
});

/** Starts a relayer whose outcomes and queued jobs are observed through its hooks (msgId -> time). */
async function startObserved(h: Harness, overrides: Record<string, string>) {
  const outcomes = new Map<string, { at: number; outcome: Outcome }>();
  const queued = new Map<string, number>();
  const port = await freePort();
  const config = loadConfig({ ...h.env({ CONFIRM_FACTOR: "1000000", ...productionLimits, ...overrides }), PORT: String(port) });
  const relayer: Relayer = await startRelayer(config, createLogger({ service: "relayer-bench", level: "error" }), {
    onOutcome: (id, outcome) => outcomes.set(id, { at: performance.now(), outcome }),
    onQueued: (job) => queued.set(job.msgId, performance.now()),
  });
  await waitFor(async () => (await relayer.health()).chat.connected, { timeoutMs: 30_000, what: "chat" });
  return { relayer, outcomes, queued };
}

/** Chat -> mined over `count` lines said one at a time; a line whose outcome is not `placed` is a miss. */
async function chatToMined(h: Harness, outcomes: Map<string, { at: number; outcome: Outcome }>, users: { userId: string; name: string }[], count: number, randomOffsetMs: number) {
  const samples: number[] = [];
  const notPlaced: string[] = [];
  for (let i = 0; i < count; i++) {
    const u = users[i % users.length];
    // Arrive at a random point of the block interval.
    if (randomOffsetMs) await new Promise((r) => setTimeout(r, Math.floor(Math.random() * randomOffsetMs)));
    const m = h.chat.say({ userId: u.userId, displayName: u.name, text: "!bid min" });
    const s = performance.now();
    const o = await waitFor(() => outcomes.get(m.id), { timeoutMs: 30_000, intervalMs: 2, what: "outcome" }).catch(() => undefined);
    if (o?.outcome.kind === "placed") samples.push(o.at - s);
    else {
      samples.push(Number.NaN);
      notPlaced.push(o?.outcome.kind ?? "none");
    }
  }
  return { samples, notPlaced: countBy(notPlaced) };
}

const results: Record<string, number> = {};
const extra: Record<string, number | string> = {};

// ---------------------------------------------------------------- automine: queueing, mining, capacity, burst
{
  log("starting node (automine), Redis, chat");
  const h = await startHarness({ chatLimit: 100 });
  const users = await registerUsers(h, 200, 20, { maxBid: parseEther("100"), totalCap: parseEther("5000"), deposit: parseEther("500") });
  log("200 users linked");
  // 0.01 % increment (no floor): each line's amount is 1e-6 ETH above the last, more than the increment
  // on any amount below 0.01 ETH, so every line is above the minimum whatever the worker placed before it.
  await h.stack.mintAndCreateLot({ reserve: parseEther("0.001"), duration: 7200, minIncrementBps: 1 });
  let nextAmount = parseEther("0.002");
  const bidText = () => {
    nextAmount += 10n ** 12n;
    return `!bid ${formatEther(nextAmount)}`;
  };
  const message = (i: number, prefix: string): ChatMessage => {
    const u = users[i % users.length];
    return { id: `${prefix}-${i}`, channel: "sothebais", userId: u.userId, displayName: u.name, text: bidText(), sentAt: Date.now(), isMod: false, receivedAt: Date.now() };
  };
  // Redis commands the server processed per message (the worker's included), and event-loop stalls.
  const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await h.store.info("stats"))?.[1] ?? 0);
  const { keys: storeKeys } = await import("../src/store.ts");
  const drain = async (relayer: Relayer) => {
    await waitFor(() => relayer.worker.depth() === 0, { timeoutMs: 300_000, intervalMs: 200, what: "backlog drained" });
    // The replies to thousands of synthetic lines would hold the chat limiter for minutes: drop them.
    await h.store.del(storeKeys.outbox);
  };

  // 1. intake_*: the intake called in-process (no chat), limits raised so one process can feed it.
  {
    const { relayer } = await startObserved(h, { CHAT_RATE_LIMIT: "100", ...raisedLimits });
    await waitFor(async () => (await relayer.intake.handle({ id: `probe-${Date.now()}`, channel: "sothebais", userId: "x", displayName: "x", text: "!lot", sentAt: Date.now(), isMod: false, receivedAt: Date.now() })) !== undefined, { what: "lot visible" });
    const loop = monitorEventLoopDelay({ resolution: 1 });
    // Latency first (no backlog yet): 1000 messages paced at 500/s, each timed from arrival to queued.
    const lat: number[] = [];
    const answered: string[] = [];
    const c0 = await commands();
    loop.enable();
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        new Promise<void>((resolve) =>
          setTimeout(async () => {
            const s = performance.now();
            const r = await relayer.intake.handle(message(i, "lat"));
            if (r === "queued") lat.push(performance.now() - s);
            else {
              lat.push(Number.NaN);
              answered.push(r?.kind ?? "none");
            }
            resolve();
          }, i * 2),
        ),
      ),
    );
    loop.disable();
    const latCommands = ((await commands()) - c0) / 1000;
    Object.assign(results, latencyKeys("intake", lat, { digits: 2 }));
    log(`intake latency: p50 ${round(pct(lat, 50), 2)} p95 ${round(pct(lat, 95), 2)} p99 ${round(pct(lat, 99), 2)} ms, not queued ${JSON.stringify(countBy(answered))}; event loop delay p99 ${round(loop.percentile(99) / 1e6, 1)} max ${round(loop.max / 1e6, 1)} ms; ${round(latCommands, 1)} Redis commands per message (worker included)`);
    // Throughput: 6000 messages, 200 at a time; only queued ones count.
    const n = 6000;
    let queuedCount = 0;
    const notQueued: string[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i += 200) {
      const rs = await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, j) => relayer.intake.handle(message(i + j, "tp"))));
      for (const r of rs) {
        if (r === "queued") queuedCount++;
        else notQueued.push(r?.kind ?? "none");
      }
    }
    results.intake_msgs_per_s = round(queuedCount / ((performance.now() - t0) / 1000), 0);
    results.intake_not_queued = notQueued.length;
    log(`intake: ${results.intake_msgs_per_s} queued msgs/s (${queuedCount} of ${n} queued; not queued ${JSON.stringify(countBy(notQueued))})`);
    await drain(relayer);
    await relayer.stop();
  }

  // The rest with production rate limits; start after the intake's per-user windows (10 s) are over.
  await new Promise((r) => setTimeout(r, 11_000));
  const { relayer, outcomes, queued } = await startObserved(h, { CHAT_RATE_LIMIT: "100" });
  await waitFor(async () => (await relayer.intake.handle({ id: `probe-${Date.now()}`, channel: "sothebais", userId: "x", displayName: "x", text: "!lot", sentAt: Date.now(), isMod: false, receivedAt: Date.now() })) !== undefined, { what: "lot visible" });

  // 2. chat_to_queued latency: 1,000 lines said in chat at 500/s (5 per user in 2 s, within 8 per 10 s),
  // each timed from said to queued; a line answered instead is a miss.
  {
    const said = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const due = performance.now();
      const u = users[i % users.length];
      const m = h.chat.say({ userId: u.userId, displayName: u.name, text: bidText() });
      said.set(m.id, due);
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitFor(() => [...said.keys()].every((id) => queued.has(id) || outcomes.has(id)), { timeoutMs: 60_000, intervalMs: 20, what: "every chat line queued or answered" }).catch((e: Error) => log(e.message));
    const lat = [...said].map(([id, at]) => (queued.has(id) ? (queued.get(id) as number) - at : Number.NaN));
    const notQueued = countBy([...said.keys()].filter((id) => !queued.has(id)).map((id) => outcomes.get(id)?.outcome.kind ?? "none"));
    Object.assign(results, latencyKeys("chat_to_queued", lat, { digits: 2 }));
    extra.chat_to_queued_p99_ms = round(pct(lat, 99), 2);
    log(`chat -> queued: p50 ${round(pct(lat, 50), 2)} p95 ${round(pct(lat, 95), 2)} p99 ${round(pct(lat, 99), 2)} ms; not queued ${JSON.stringify(notQueued)}`);
    await drain(relayer);
  }

  // 3. chat_to_queued throughput: every user's full allowance (8 lines per 10 s) said back to back, so
  // the rate limits admit all 1,600; lines per second from the first said to the last queued.
  {
    await new Promise((r) => setTimeout(r, 11_000));
    const perUser = Number(productionLimits.USER_RATE_LIMIT);
    const ids: string[] = [];
    const t0 = performance.now();
    for (let k = 0; k < perUser; k++) for (const u of users) ids.push(h.chat.say({ userId: u.userId, displayName: u.name, text: bidText() }).id);
    await waitFor(() => ids.every((id) => queued.has(id) || outcomes.has(id)), { timeoutMs: 120_000, intervalMs: 20, what: "every chat line queued or answered" }).catch((e: Error) => log(e.message));
    const queuedIds = ids.filter((id) => queued.has(id));
    const last = Math.max(...queuedIds.map((id) => queued.get(id) as number));
    results.chat_to_queued_msgs_per_s = round(queuedIds.length / ((last - t0) / 1000), 0);
    results.chat_to_queued_lines = ids.length;
    results.chat_to_queued_not_queued = ids.length - queuedIds.length;
    log(`chat -> queued: ${results.chat_to_queued_msgs_per_s} msgs/s (${queuedIds.length} of ${ids.length} queued; not queued ${JSON.stringify(countBy(ids.filter((id) => !queued.has(id)).map((id) => outcomes.get(id)?.outcome.kind ?? "none")))})`);
    await drain(relayer);
  }

  // 4. Chat message (said in chat, over tmi.js) -> bid mined, one at a time, automine.
  await new Promise((r) => setTimeout(r, 11_000));
  const auto = await chatToMined(h, outcomes, users, AUTOMINE_BIDS, 0);
  Object.assign(results, latencyKeys("chat_to_mined", auto.samples, { suffix: "_automine", digits: 0 }));
  log(`mined (automine): p50 ${round(pct(auto.samples, 50), 0)} ms, p95 ${round(pct(auto.samples, 95), 0)} ms; not placed ${JSON.stringify(auto.notPlaced)}`);

  // 5. Raw sending capacity: 40 lots, each bid by a closed loop (next bid when the last is placed), so
  // nothing coalesces; every tx must be mined and succeed.
  const lots: bigint[] = [];
  for (let i = 0; i < 40; i++) lots.push(await h.stack.mintAndCreateLot({ reserve: parseEther("0.001"), duration: 7200, minIncrementBps: 100 }));
  const perLot = 6;
  let placed = 0;
  const failedKinds: string[] = [];
  const { jobFields } = await import("../src/intake.ts");
  const { recordTtl } = await import("../src/store.ts");
  let t0 = performance.now();
  await Promise.all(
    lots.map(async (lotId, li) => {
      for (let k = 0; k < perLot; k++) {
        const u = users[(li * perLot + k) % users.length];
        const msgId = `cap-${lotId}-${k}`;
        const job = { type: "bid" as const, msgId, userId: u.userId, name: u.name, channel: "sothebais", bidder: u.address, lotId, amount: parseEther("0.01") * 2n ** BigInt(k), at: Date.now(), proxy: false };
        await h.store.claimJob(storeKeys.seen(msgId), storeKeys.bids, recordTtl, ...jobFields(job));
        const o = await waitFor(() => outcomes.get(msgId), { timeoutMs: 120_000, intervalMs: 5, what: "capacity outcome" }).catch(() => undefined);
        if (o?.outcome.kind === "placed") placed++;
        else failedKinds.push(o?.outcome.kind ?? "none");
      }
    }),
  );
  const capSeconds = (performance.now() - t0) / 1000;
  results.onchain_bids_per_s = round(placed / capSeconds, 1);
  results.failed_bids = failedKinds.length;
  log(`capacity: ${placed} placed in ${round(capSeconds, 1)} s = ${results.onchain_bids_per_s} tx/s, not placed ${JSON.stringify(countBy(failedKinds))}`);

  // 6. 200-user burst on one lot, said in chat: every message taken to an outcome, every user answered.
  await drain(relayer);
  const burstLot = await h.stack.mintAndCreateLot({ reserve: parseEther("0.001"), duration: 600, minIncrementBps: 100 });
  await waitFor(async () => {
    const o = await relayer.intake.handle({ id: `probe2-${Date.now()}`, channel: "sothebais", userId: "y", displayName: "y", text: "!lot", sentAt: Date.now(), isMod: false, receivedAt: Date.now() });
    return o && o !== "queued" && o.kind === "answer" && o.text.startsWith(`lot #${burstLot}:`);
  }, { what: "burst lot live", intervalMs: 300 });
  const burstIds: string[] = [];
  t0 = performance.now();
  for (let i = 0; i < 200; i++) {
    const u = users[i];
    burstIds.push(h.chat.say({ userId: u.userId, displayName: u.name, text: `!bid ${formatEther(parseEther("0.01") + BigInt(i) * parseEther("0.0005"))}` }).id);
  }
  await waitFor(() => burstIds.every((id) => outcomes.has(id)), { timeoutMs: 120_000, intervalMs: 5, what: "burst outcomes" }).catch((e: Error) => log(e.message));
  // Outcomes per second over the lines that got one; a line without one is counted apart (burst_no_outcome).
  const burstAnswered = burstIds.filter((id) => outcomes.has(id));
  const burstSeconds = (Math.max(...burstAnswered.map((id) => outcomes.get(id)?.at ?? 0)) - t0) / 1000;
  results.burst_outcomes_per_s = round(burstAnswered.length / burstSeconds, 0);
  results.burst_no_outcome = burstIds.length - burstAnswered.length;
  const answeredUsers = async () => {
    const text = h.chat.events().filter((e) => e.type === "message" && e.bot).map((e) => (e.type === "message" ? e.text : "")).join("\n");
    return users.slice(0, 200).filter((u) => !new RegExp(`@${u.name}\\b`).test(text)).length;
  };
  await waitFor(async () => (await answeredUsers()) === 0, { timeoutMs: 90_000, intervalMs: 500, what: "every burst user answered" }).catch(() => {});
  results.burst_unanswered = await answeredUsers();
  const kinds = countBy(burstIds.map((id) => outcomes.get(id)?.outcome.kind ?? "none"));
  for (const [k, v] of Object.entries(kinds)) extra[`burst_outcome_${k}`] = v;
  log(`burst: ${burstAnswered.length} outcomes in ${round(burstSeconds, 2)} s = ${results.burst_outcomes_per_s}/s ${JSON.stringify(kinds)}, unanswered ${results.burst_unanswered}, chat lines ${h.chat.stats().botMessages}, rate-limited ${h.chat.stats().rateLimited}`);
  await relayer.stop();
  await h.stop();
}

// ---------------------------------------------------------------- 1 s interval mining: chat -> mined
{
  log("starting node (1 s interval mining)");
  const h = await startHarness({ intervalMs: 1000 });
  // 20 users: 100 lines at ~1.5 s apart is one line per user every ~30 s, well within 8 per 10 s.
  const users = await registerUsers(h, 20, 20);
  const { relayer, outcomes } = await startObserved(h, {});
  await h.stack.mintAndCreateLot({ reserve: parseEther("0.001"), duration: 7200, minIncrementBps: 100 });
  const interval = await chatToMined(h, outcomes, users, INTERVAL_BIDS, 1000);
  Object.assign(results, latencyKeys("chat_to_mined", interval.samples, { suffix: "_interval_1s", digits: 0 }));
  log(`mined (1 s blocks): p50 ${round(pct(interval.samples, 50), 0)} ms, p95 ${round(pct(interval.samples, 95), 0)} ms; not placed ${JSON.stringify(interval.notPlaced)}`);
  await relayer.stop();
  await h.stop();
}

const targets: Record<string, string> = {
  chat_to_queued_msgs_per_s: ">= 2000",
  chat_to_queued_p95_ms: "< 5",
  chat_to_queued_missed: "0",
  intake_msgs_per_s: "(in-process)",
  intake_p95_ms: "(in-process)",
  chat_to_mined_p95_ms_interval_1s: "< 1250",
  chat_to_mined_max_ms_interval_1s: "(p95 < 1250; < 100 samples)",
  chat_to_mined_p95_ms_automine: "< 250",
  chat_to_mined_max_ms_automine: "(p95 < 250; < 100 samples)",
  onchain_bids_per_s: ">= 50",
  failed_bids: "0",
  burst_outcomes_per_s: ">= 500",
  burst_unanswered: "0",
  burst_no_outcome: "0",
};
const written = run.write({ ...results, ...extra });
console.log(`relayer bench, ${new Date().toISOString()}, ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}`);
console.log("| metric | value | target |\n|---|---|---|");
for (const [k, v] of Object.entries(results)) console.log(`| ${k} | ${v} | ${targets[k] ?? ""} |`);
console.log(`wrote bench/results/relayer.json (commit ${written.commit}, ${written.duration_s} s, load ${written.load_avg_before} -> ${written.load_avg_after})`);
process.exit(0);
