/**
 * The broadcaster's memory over a long show, without the chain: the real service (`src/main.ts` with its
 * V8 flags, as the stack starts it) streaming to nginx-rtmp, fed by a `/live` server that plays a campaign
 * (a bid a second, some through the relayer with a chat name, a new lot every LOT_SECONDS with a
 * between-lots pause), chat lines at soak rate and a host line every 5 s spoken by espeak-ng, all through
 * Redis. Light enough to run for hours beside other work; tells a leak from warm-up.
 *
 *   MEMORY_MINUTES=60 node bench/memory.bench.ts
 *
 * Prints the service's RSS (its own process, the encoder apart) as a per-minute median and writes
 * bench/results/broadcaster-memory.json: RSS at minute 5 and at the end, the trend after minute 5 and
 * over the second half (per-minute medians: a transient espeak-ng or GC swing does not tilt it).
 */
import { CHAT_LINES_CHANNEL, CHAT_NAMES_HASH, HOST_LINES_CHANNEL } from "@sothebais/common/channels";
import { rssMb, slopePerMinute, startRedis } from "@sothebais/common/testing";
import { Redis } from "ioredis";
import { startBenchRun } from "../../bench/lib/results.ts";
import { startRtmpServer } from "../src/rtmp-server.ts";
import { sampleBid, sampleSnapshot } from "../test/helpers/snapshot.ts";
import { startBroadcasterProcess, startLiveServer } from "../test/helpers/stream.ts";

const minutes = Number(process.env.MEMORY_MINUTES ?? 30);
const lotSeconds = Number(process.env.LOT_SECONDS ?? 60);
const chatHash = (k: number) => `0x${(0xc4a7000 + k).toString(16).padStart(64, "0")}`;

const rtmp = await startRtmpServer();
const redis = await startRedis();
const live = await startLiveServer(null);
const pub = new Redis(redis.url);
for (let k = 0; k < 200; k++) await pub.hset(CHAT_NAMES_HASH, chatHash(k), `bidder_${k}_${"x".repeat(k % 12)}`);
const bc = await startBroadcasterProcess({ INDEXER_URL: live.url, REDIS_URL: redis.url, RTMP_URL: rtmp.rtmpUrl });
const pid = bc.child.pid as number;

const run = startBenchRun("broadcaster-memory", { minutes, lot_seconds: lotSeconds });
const t0 = Date.now();
let second = 0;
let line = 0;
const show = setInterval(() => {
  second++;
  const lot = Math.floor(second / lotSeconds);
  const inLot = second % lotSeconds;
  // The last 10 s of each lot's slot are the between-lots screen.
  if (inLot >= lotSeconds - 10) live.set(null);
  else {
    const bids = Array.from({ length: Math.min(inLot + 1, 12) }, (_, k) => {
      const n = lot * 1000 + inLot - k + 1;
      const viaRelayer = n % 3 === 0;
      return sampleBid({ n, lotId: String(lot + 3), blockNumber: 1000 + second - k, final: k > 2, viaRelayer, chatIdHash: viaRelayer ? (chatHash(n % 200) as `0x${string}`) : undefined });
    });
    const snap = sampleSnapshot({ bids, endIn: lotSeconds - 10 - inLot, tokenUri: `data:application/json,{"name":"Lot ${lot + 3}"}` });
    live.set({ ...snap, lot: snap.lot && { ...snap.lot, lotId: String(lot + 3) } });
  }
  for (let k = 0; k < 3; k++) {
    line++;
    void pub.publish(CHAT_LINES_CHANNEL, JSON.stringify({ id: `m${line}`, userId: `u${line % 200}`, displayName: `viewer_${line % 200}`, text: `!bid ${(line / 1000).toFixed(3)} and a few words, line ${line}`, sentAt: Date.now(), isMod: false, fromBot: false }));
  }
  if (second % 5 === 0) {
    void pub.publish(HOST_LINES_CHANNEL, JSON.stringify({ id: `h${second}`, kind: "bid", text: `Lot ${lot + 3}: ${(second / 100).toFixed(2)} ETH from bidder ${second % 200}. Who gives me more?`, priority: 2, createdAt: Date.now(), expiresAt: Date.now() + 15_000 }));
  }
}, 1000);

const samples: { t: number; y: number }[] = [];
const perMinute: number[] = [];
while (Date.now() - t0 < minutes * 60_000) {
  await new Promise((r) => setTimeout(r, 5000));
  samples.push({ t: Date.now(), y: rssMb(pid) });
  const minute = Math.floor((Date.now() - t0) / 60_000);
  if (minute > perMinute.length) {
    const ys = samples.filter((s) => Math.floor((s.t - t0) / 60_000) === perMinute.length).map((s) => s.y).sort((a, b) => a - b);
    perMinute.push(ys[Math.floor(ys.length / 2)] ?? 0);
    const health = (await (await fetch(`${bc.url}/health`)).json()) as { fps: number; lateFrames: number };
    console.log(`minute ${perMinute.length}: RSS ${perMinute.at(-1)?.toFixed(0)} MB, fps ${health.fps}, late ${health.lateFrames}`);
  }
}
clearInterval(show);

const trend = (from: number) => slopePerMinute(perMinute.slice(from).map((y, k) => ({ t: (from + k) * 60_000, y })));
const round = (n: number) => Math.round(n * 100) / 100;
const results = {
  minutes,
  rss_mb_max_minute: round(Math.max(...perMinute.slice(4))),
  rss_mb_minute_5: round(perMinute[4] ?? Number.NaN),
  rss_mb_end: round(perMinute.at(-1) ?? Number.NaN),
  rss_trend_after_minute_5_mb_per_min: round(trend(5)),
  rss_trend_second_half_mb_per_min: round(trend(Math.floor(perMinute.length / 2))),
};
console.log(run.write(results));

pub.disconnect();
await bc.stop();
await live.close();
await redis.stop();
await rtmp.stop();
process.exit(0);
