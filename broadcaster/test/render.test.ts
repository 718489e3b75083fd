import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCanvas } from "@napi-rs/canvas";
import type { LiveSnapshot } from "@sothebais/common/live";
import type { ArtworkEntry } from "../src/artwork/loader.ts";
import { readMarkerFromRgba } from "../src/scene/marker.ts";
import { createRenderer, HEIGHT, WIDTH } from "../src/scene/render.ts";
import { buildView, type ChatRow, type SceneInputs } from "../src/scene/view.ts";
import { sampleBid, sampleSnapshot } from "./helpers/snapshot.ts";

const T0 = 1_800_000_000_000;

const art = createCanvas(300, 200);
{
  const c = art.getContext("2d");
  c.fillStyle = "#3a6";
  c.fillRect(0, 0, 300, 200);
  c.fillStyle = "#fe2";
  c.beginPath();
  c.arc(150, 100, 60, 0, Math.PI * 2);
  c.fill();
}
const ready: ArtworkEntry = { uri: "ipfs://art", status: "ready", image: art, name: "Dawn over Shape", artist: "Ada", at: 0 };

type Step = { name: string; at: number; snapshot: LiveSnapshot | null; chat?: ChatRow[]; caption?: SceneInputs["caption"]; receivedAt?: number; firstSeen?: Map<string, number>; paused?: boolean };

/** An auction from "connecting" to the next lot, with the moments that animate or change one panel. */
function steps(): Step[] {
  const b1 = sampleBid({ n: 2, blockNumber: 125, final: false });
  const b2 = sampleBid({ n: 3, blockNumber: 127, final: false });
  const seen = new Map([
    ["bid:bid-2", T0 + 2000],
    ["bid:bid-3", T0 + 4000],
    ["ext:3:1", T0 + 4000],
  ]);
  const chat = [{ name: "alice", text: "hello" }];
  const chat2 = [...chat, { name: "bob", text: "!bid 0.3 and a long line that wraps over two lines in the chat pane for sure" }];
  const live = (at: number, o: Parameters<typeof sampleSnapshot>[0] = {}) => sampleSnapshot({ now: T0, tokenUri: "ipfs://art", ...o });
  const withExt = (s: LiveSnapshot) => (s.lot ? { ...s, lot: { ...s.lot, extended: 1 } } : s);
  const between = (s: LiveSnapshot): LiveSnapshot => ({
    ...s,
    lot: s.lot ? { ...s.lot, status: "settled" } : null,
    lastSettled: s.lot ? { ...s.lot, lotId: "3", winner: s.lot.bidder, amount: s.lot.amount, blockNumber: 127, txHash: b2.txHash, tokenUri: "ipfs://art" } : undefined,
  } as unknown as LiveSnapshot);
  const settled = between(live(0, { bids: [b2, b1], finalized: 130, status: "settled", endIn: -10 }));
  return [
    { name: "connecting", at: T0, snapshot: null },
    { name: "live, no bids", at: T0 + 1000, snapshot: live(0) },
    { name: "same second", at: T0 + 1100, snapshot: live(0) },
    { name: "next second", at: T0 + 1200 + 1000, snapshot: live(0) },
    { name: "first bid, pending, highlighted", at: T0 + 2100, snapshot: live(0, { bids: [b1] }), firstSeen: seen },
    { name: "highlight fades", at: T0 + 2200, snapshot: live(0, { bids: [b1] }), firstSeen: seen },
    { name: "highlight over", at: T0 + 3500, snapshot: live(0, { bids: [b1] }), firstSeen: seen },
    { name: "chat line", at: T0 + 3510, snapshot: live(0, { bids: [b1] }), firstSeen: seen, chat },
    { name: "host speaking", at: T0 + 3520, snapshot: live(0, { bids: [b1] }), firstSeen: seen, chat, caption: { text: "We have a bid of two tenths", speaking: true } },
    { name: "outbid, extended, final", at: T0 + 4100, snapshot: withExt(live(0, { bids: [b2, b1], finalized: 126 })), firstSeen: seen, chat: chat2, caption: { text: "We have a bid of two tenths", speaking: true } },
    { name: "last 30 seconds", at: T0 + 70_000, snapshot: withExt(live(0, { bids: [b2, b1], finalized: 128 })), firstSeen: seen, chat: chat2 },
    { name: "chat bidding paused (banner)", at: T0 + 70_100, snapshot: withExt(live(0, { bids: [b2, b1], finalized: 128 })), firstSeen: seen, chat: chat2, paused: true },
    { name: "chat bidding resumed", at: T0 + 70_200, snapshot: withExt(live(0, { bids: [b2, b1], finalized: 128 })), firstSeen: seen, chat: chat2 },
    { name: "feed stale", at: T0 + 70_600, snapshot: withExt(live(0, { bids: [b2, b1], finalized: 128 })), firstSeen: seen, chat: chat2, receivedAt: T0 + 60_000 },
    { name: "feed back", at: T0 + 70_700, snapshot: withExt(live(0, { bids: [b2, b1], finalized: 128 })), firstSeen: seen, chat: chat2 },
    { name: "closing", at: T0 + 97_000, snapshot: withExt(live(0, { bids: [b2, b1], finalized: 126 })), firstSeen: seen, chat: chat2 },
    { name: "sold", at: T0 + 98_000, snapshot: withExt(live(0, { bids: [b2, b1], finalized: 130, status: "ended" })), firstSeen: seen, chat: chat2 },
    { name: "between lots, sold card", at: T0 + 110_000, snapshot: settled, chat: chat2 },
    { name: "between lots, stale", at: T0 + 120_000, snapshot: settled, chat: chat2, receivedAt: T0 + 100_000 },
  ];
}

const view = (s: Step) =>
  buildView({
    snapshot: s.snapshot,
    receivedAt: s.receivedAt ?? s.at - 100,
    chat: s.chat ?? [],
    chatBidsPaused: s.paused,
    caption: s.caption ?? null,
    names: new Map(),
    artwork: (uri) => (uri === "ipfs://art" ? ready : undefined),
    firstSeen: s.firstSeen ?? new Map(),
    now: s.at,
    frame: Math.round((s.at - T0) / 10),
    staleAfterMs: 5000,
  });

describe("createRenderer()", () => {
  it("behavior: redrawing only the changed regions gives the same pixels (RGBA and I420) as drawing the whole frame", () => {
    const incremental = createRenderer();
    for (const step of steps()) {
      const v = view(step);
      incremental.render(v, step.at);
      const whole = createRenderer();
      assert.ok(whole.render(v, step.at) >= 6, "a new renderer draws every region");
      const diff = incremental.frame.findIndex((b, i) => b !== whole.frame[i]);
      const at = diff < 0 ? "" : ` (first difference at x ${(diff / 4) % WIDTH}, y ${Math.floor(diff / 4 / WIDTH)})`;
      assert.equal(diff, -1, `${step.name}: frames differ${at}`);
      assert.equal(Buffer.compare(incremental.yuv.data, whole.yuv.data), 0, `${step.name}: I420 frames differ`);
    }
  });

  it("redraws nothing when the picture is unchanged, and only the bid panel and ticker while a highlight animates", () => {
    const r = createRenderer();
    const s = steps();
    const byName = (name: string) => {
      const step = s.find((x) => x.name === name);
      assert.ok(step);
      return step;
    };
    r.render(view(byName("live, no bids")), T0 + 1000);
    assert.equal(r.render(view(byName("same second")), T0 + 1100), 0);
    const first = byName("first bid, pending, highlighted");
    r.render(view(first), first.at);
    const fade = byName("highlight fades");
    // 100 ms later: the highlight's alpha stepped down in the bid panel and the ticker row; the LIVE
    // dot, clock, countdown, chat and the rest did not.
    assert.equal(r.render(view(fade), fade.at), 2);
  });

  it("with a frame budget, draws the changed regions over several frames, bid panel first, until the picture equals a whole redraw", () => {
    let t = 0;
    // Every clock read costs 5 ms, so a 1 ms budget allows one region a frame.
    const r = createRenderer({ budgetMs: 1, clock: () => (t += 5) });
    const s = steps();
    const live = s.find((x) => x.name === "live, no bids");
    const bid = s.find((x) => x.name === "outbid, extended, final");
    assert.ok(live && bid);
    while (r.render(view(live), live.at) > 0);
    const whole = createRenderer();
    whole.render(view(bid), bid.at);
    const counts: number[] = [];
    for (let k = 0; k < 16; k++) counts.push(r.render(view(bid), bid.at));
    assert.deepEqual(counts.slice(0, 3), [1, 1, 1], "one region per frame under the budget");
    assert.equal(counts.at(-1), 0, "every changed region was drawn within 16 frames");
    assert.equal(Buffer.compare(r.yuv.data, whole.yuv.data), 0, "the picture ends equal to a whole redraw");
  });

  it("with a frame budget, a region that changes every frame does not starve the others", () => {
    let t = 0;
    const r = createRenderer({ budgetMs: 1, clock: () => (t += 5) });
    const first = steps().find((x) => x.name === "first bid, pending, highlighted");
    assert.ok(first);
    const whole = createRenderer();
    // The highlight changes the bid panel and the ticker on every 100 ms step for 2 s; the artwork
    // (left column) changed once, on the first frame, and must be drawn while the highlight runs.
    const artShown = () => {
      for (let y = 100; y < 500; y++) {
        const row = y * WIDTH;
        if (Buffer.compare(r.yuv.y.subarray(row, row + 400), whole.yuv.y.subarray(row, row + 400)) !== 0) return false;
      }
      return true;
    };
    let frames = 0;
    for (; frames < 15 && !(frames > 0 && artShown()); frames++) {
      const at = first.at + frames * 100;
      const v = view({ ...first, at });
      r.render(v, at);
      whole.render(v, at);
    }
    assert.ok(frames < 15, "the artwork was not drawn while the highlight animated");
  });

  it("writes the view's marker into every frame, also when nothing else changed", () => {
    const r = createRenderer();
    const s = steps()[1];
    r.render(view(s), s.at);
    const v = view({ ...s, at: s.at + 10 });
    r.render({ ...v, marker: { ...v.marker, frame: 4242 } }, s.at + 10);
    const m = readMarkerFromRgba(new Uint8Array(r.frame.buffer), WIDTH, HEIGHT);
    assert.equal(m?.frame, 4242);
    assert.equal(m?.lotId, 3);
  });
});
