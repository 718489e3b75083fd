/**
 * The renderer alone: a scripted live lot (a bid every second, the host speaking, a chat line every
 * two seconds) rendered at 30 fps of simulated time, as fast as it goes, with no encoder or chain
 * beside it. Prints draw time p50/p99 and the time per region, to aim render work without the noise
 * of the full bench. `FRAMES` (default 1,800: one minute of stream).
 */
import { createCanvas } from "@napi-rs/canvas";
import type { ArtworkEntry } from "../src/artwork/loader.ts";
import { createRenderer } from "../src/scene/render.ts";
import { buildView, type ChatRow } from "../src/scene/view.ts";
import { sampleBid, sampleSnapshot } from "../test/helpers/snapshot.ts";

const frames = Number(process.env.FRAMES ?? 1800);
const T0 = 1_800_000_000_000;
const art = createCanvas(1024, 1024);
{
  const c = art.getContext("2d");
  const g = c.createLinearGradient(0, 0, 1024, 1024);
  g.addColorStop(0, "#3a6");
  g.addColorStop(1, "#236");
  c.fillStyle = g;
  c.fillRect(0, 0, 1024, 1024);
}
const ready: ArtworkEntry = { uri: "ipfs://art", status: "ready", image: art, name: "Dawn over Shape", artist: "Ada", at: 0 };
const renderer = createRenderer({ budgetMs: Number(process.env.RENDER_BUDGET_MS ?? 4) });
const firstSeen = new Map<string, number>();
const chat: ChatRow[] = [];
const times: number[] = [];
let drawnFrames = 0;
const cpu0 = process.cpuUsage();
for (let i = 0; i < frames; i++) {
  const now = T0 + (i * 1000) / 30;
  const second = Math.floor(i / 30);
  const bids = Array.from({ length: Math.min(second + 1, 8) }, (_, k) => sampleBid({ n: second + 2 - k, blockNumber: 120 + second - k, final: k > 1 }));
  for (const b of bids) if (!firstSeen.has(`bid:${b.id}`)) firstSeen.set(`bid:${b.id}`, now);
  if (i % 60 === 0) chat.push({ name: `viewer${i}`, text: `!bid ${(second / 10).toFixed(1)} and some words of chat ${i}` });
  if (chat.length > 30) chat.shift();
  const view = buildView({
    snapshot: sampleSnapshot({ now: T0, bids, tokenUri: "ipfs://art", endIn: 300 }),
    receivedAt: now - 50,
    chat,
    caption: { text: `Lot three: we have ${second / 10} ETH from a bidder, who gives me more? Going once...`, speaking: true },
    names: new Map(),
    artwork: () => ready,
    firstSeen,
    now,
    frame: i,
    staleAfterMs: 5000,
  });
  const t = performance.now();
  if (renderer.render(view, now) > 0) {
    times.push(performance.now() - t);
    drawnFrames++;
  }
}
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
console.log(`frames ${frames}, drawn ${drawnFrames}, draw p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms, cpu ${(process.cpuUsage(cpu0).user / 1000).toFixed(0)} ms`);
