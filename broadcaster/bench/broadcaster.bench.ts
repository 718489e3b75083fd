/**
 * Broadcaster benchmark on real parts: Hardhat node + contracts, the real indexer, Redis, nginx-rtmp,
 * and the broadcaster running in this process (to read its frame timings), streaming while a bid is
 * placed every second. The stream is pulled back from the RTMP server and its marker strip decoded to
 * time "bid mined -> first frame showing it" on what viewers receive.
 *
 * BENCH_SECONDS (default 600) sets the length of the live run. Writes bench/results/broadcaster.json.
 * Memory is sampled every 10 s (this process's RSS and V8 heap, the encoder's RSS): a long run
 * (BENCH_SECONDS=2400) tells a leak from warm-up.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { repoRoot } from "@sothebais/common/deployments";
import { createLogger } from "@sothebais/common/log";
import { rssMb, slopePerMinute, startIndexer, startRedis, startTestStack } from "@sothebais/common/testing";
import { parseEther } from "viem";
import { startBroadcaster } from "../src/broadcaster.ts";
import { readConfig } from "../src/config.ts";
import { startRtmpServer } from "../src/rtmp-server.ts";
import { readMarkers } from "../test/helpers/stream.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 600);
const preRollMs = 1000;

const pct = (values: number[], p: number) => {
  if (!values.length) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** CPU seconds (user + system) of a process from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return 0;
  }
}
/**
 * This process's ffmpeg children by role: the broadcaster's encoder (libx264) counts as "render +
 * encode"; the pull-back reader decodes the stream as a viewer would and is reported apart.
 */
const ffmpegPids = (role: "encoder" | "reader") => {
  let pids: number[] = [];
  try {
    pids = execFileSync("pgrep", ["-P", String(process.pid), "ffmpeg"]).toString().trim().split("\n").map(Number).filter(Boolean);
  } catch {}
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("libx264") === (role === "encoder");
    } catch {
      return false;
    }
  });
};
const ffCpu = (role: "encoder" | "reader", from: Map<number, number>) => ffmpegPids(role).reduce((sum, pid) => sum + cpuSeconds(pid) - (from.get(pid) ?? 0), 0);

const rtmp = await startRtmpServer();
const redis = await startRedis();
const stack = await startTestStack();
const indexer = await startIndexer({ stack });
const log = createLogger({ service: "broadcaster", level: "warn" });
const config = readConfig({ INDEXER_URL: indexer.url, REDIS_URL: redis.url, RTMP_URL: rtmp.rtmpUrl, TTS_ENGINE: "espeak-ng" });

const lotId = await stack.mintAndCreateLot({ reserve: parseEther("0.01"), duration: seconds + 600, minIncrementBps: 10, timeBuffer: 30 });
const bc = startBroadcaster(config, log, stack.auctionHouse);
const reader = readMarkers(rtmp.rtmpUrl);
const started = Date.now();
// Wait for the stream to come back through the server before the clock starts.
while (!reader.markers.length && Date.now() - started < 120_000) await new Promise((r) => setTimeout(r, 200));

const t0 = Date.now();
const h0 = bc.health();
const renderFrom = bc.timings.render.length;
const updateFrom = bc.timings.updateToFrame.length;
let preRoll: { dropped: number; late: number; sent: number } | undefined;
const cpu0 = { node: process.cpuUsage(), ff: new Map<number, number>() };
for (const pid of [...ffmpegPids("encoder"), ...ffmpegPids("reader")]) cpu0.ff.set(pid, cpuSeconds(pid));

const memory: { t: number; rss: number; heap: number; encoder: number }[] = [];
const sampleMemory = setInterval(() => {
  const m = process.memoryUsage();
  memory.push({ t: Date.now(), rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20, encoder: ffmpegPids("encoder").reduce((a, pid) => a + rssMb(pid), 0) });
}, 10_000);

const mined: { block: number; at: number }[] = [];
let amount = parseEther("0.01");
let n = 0;
while (Date.now() - t0 < seconds * 1000) {
  const due = t0 + n * 1000;
  if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  if (!preRoll && Date.now() - t0 >= preRollMs) {
    const h = bc.health();
    preRoll = { dropped: h.droppedFrames as number, late: h.lateFrames as number, sent: h.framesSent as number };
  }
  amount = (amount * 1002n) / 1000n + 1n;
  const receipt = await stack.bid(4 + (n % 6), lotId, amount);
  mined.push({ block: Number(receipt.blockNumber), at: Date.now() });
  n++;
}
await new Promise((r) => setTimeout(r, 3000));
clearInterval(sampleMemory);

const wall = (Date.now() - t0) / 1000;
const nodeCpu = process.cpuUsage(cpu0.node);
const encoderCpu = ffCpu("encoder", cpu0.ff);
const readerCpu = ffCpu("reader", cpu0.ff);
const h1 = bc.health();
const latencies: number[] = [];
for (const m of mined) {
  const seen = reader.markers.find((x) => x.marker.blockNumber === m.block);
  if (seen) latencies.push(seen.at - m.at);
}
const render = bc.timings.render.slice(renderFrom);
const update = bc.timings.updateToFrame.slice(updateFrom);
const base = preRoll ?? { dropped: h0.droppedFrames as number, late: h0.lateFrames as number, sent: h0.framesSent as number };

const results = {
  render_p50_ms: round(pct(render, 50)),
  render_p99_ms: round(pct(render, 99)),
  frames_sent: (h1.framesSent as number) - base.sent,
  dropped_frames: (h1.droppedFrames as number) - base.dropped + ((h1.lateFrames as number) - base.late),
  cpu_cores_used: round((nodeCpu.user + nodeCpu.system) / 1e6 / wall + encoderCpu / wall),
  update_to_frame_p95_ms: round(pct(update, 95)),
  mined_to_frame_p50_ms: round(pct(latencies, 50)),
  mined_to_frame_p95_ms: round(pct(latencies, 95)),
  ...memoryTrends(),
};

/** RSS and heap at the end and their trend after the first minute (warm-up). */
function memoryTrends() {
  const settled = memory.filter((m) => m.t >= t0 + 60_000);
  if (settled.length < 3) return {};
  const last = settled.at(-1) as (typeof memory)[number];
  return {
    rss_mb_end: round(last.rss, 1),
    rss_trend_mb_per_min: round(slopePerMinute(settled.map((m) => ({ t: m.t, y: m.rss })))),
    heap_used_mb_end: round(last.heap, 1),
    heap_trend_mb_per_min: round(slopePerMinute(settled.map((m) => ({ t: m.t, y: m.heap })))),
    encoder_rss_mb_end: round(last.encoder, 1),
    encoder_rss_trend_mb_per_min: round(slopePerMinute(settled.map((m) => ({ t: m.t, y: m.encoder })))),
  };
}

console.log(`\nbroadcaster benchmark: ${seconds} s live, ${n} bids (one a second), ${cpus().length} cores (${cpus()[0]?.model ?? "?"})`);
console.log(`${"metric".padEnd(26)} value`);
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(26)} ${v}`);
console.log(
  `(details: dropped ${(h1.droppedFrames as number) - base.dropped}, late ${(h1.lateFrames as number) - base.late}, bids seen on stream ${latencies.length}/${mined.length}, ` +
    `encoder ffmpeg ${round(encoderCpu / wall)} core, node ${round((nodeCpu.user + nodeCpu.system) / 1e6 / wall)} core (bench driver included), ` +
    `pull-back reader ffmpeg ${round(readerCpu / wall)} core (not counted), encoder speed ${h1.encoder && (h1.encoder as { speed: number }).speed}, ` +
    `render p99.9 ${round(pct(render, 99.9))} ms max ${round(pct(render, 100))} ms, ${render.length} frames drawn, load ${loadavg().map((l) => l.toFixed(2)).join(" ")})`,
);
const out = join(repoRoot, "bench/results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "broadcaster.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${join(out, "broadcaster.json")}`);

reader.stop();
await bc.stop();
await indexer.stop();
await stack.stop();
await redis.stop();
await rtmp.stop();
process.exit(0);
