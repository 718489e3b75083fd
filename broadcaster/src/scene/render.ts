/**
 * @module scene/render
 * Draws a {@link SceneView} into a 1280x720 RGBA frame, in layers: a cached static layer (background,
 * panel frames, labels) per layout, then the dynamic parts, then the machine-readable marker strip.
 * Only the regions whose content changed are redrawn and read back into the persistent frame.
 * Drawing is synchronous and bounded (a few dozen text runs); it never touches the network or disk.
 */
import { type Canvas, createCanvas, type SKRSContext2D } from "@napi-rs/canvas";
import type { ArtworkEntry } from "../artwork/loader.ts";
import { MARKER_BLOCK, patchMarker } from "./marker.ts";
import { createI420, type I420, rgbaToI420 } from "./yuv.ts";
import { type BidRow, formatDuration, type SceneView, shortHex } from "./view.ts";

export const WIDTH = 1280;
export const HEIGHT = 720;

const C = {
  bg0: "#07080d",
  bg1: "#121624",
  panel: "rgba(255,255,255,0.045)",
  border: "rgba(217,180,90,0.28)",
  gold: "#d9b45a",
  goldSoft: "rgba(217,180,90,0.55)",
  text: "#f3efe4",
  muted: "#9c9bab",
  dim: "#6d6c7c",
  live: "#e5484d",
  final: "#3ecf8e",
  pending: "#f2a93b",
};
const SERIF = "DejaVu Serif";
const SANS = "DejaVu Sans";
const MONO = "DejaVu Sans Mono";

// Layout boxes.
const ART = { x: 24, y: 72, w: 456, h: 456 };
const MID = { x: 504, w: 424 };
const RIGHT = { x: 952, w: 304 };
const BID = { x: MID.x, y: 72, w: MID.w, h: 164 };
const NEXT = { x: MID.x, y: 248, w: 200, h: 84 };
const TIME = { x: MID.x + 212, y: 248, w: MID.w - 212, h: 84 };
const TICKER = { x: MID.x, y: 344, w: MID.w, h: 280 };
/** The ticker's rows: the newest bids, 40 px apart, the first one's top 38 px into the panel. */
const TICKER_ROW_Y = TICKER.y + 38;
const TICKER_ROW_H = 40;
const TICKER_ROWS = [0, 1, 2, 3, 4, 5];
const QUEUE = { x: RIGHT.x, y: 72, w: RIGHT.w, h: 164 };
const CHAT = { x: RIGHT.x, y: 248, w: RIGHT.w, h: 376 };
/** The chat pane's box (tests read its pixels). */
export const CHAT_PANE: Readonly<typeof CHAT> = CHAT;
const HOST = { x: 24, y: 636, w: 904, h: 68 };
const REF = { x: RIGHT.x, y: 636, w: RIGHT.w, h: 68 };

type Ctx = SKRSContext2D;
/** Which set of regions a frame is cut into: the live lot, between lots, or "be right back". */
type Layout = "lot" | "between" | "brb";

function roundRect(ctx: Ctx, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, r);
}

function panel(ctx: Ctx, b: { x: number; y: number; w: number; h: number }, label?: string): void {
  roundRect(ctx, b.x, b.y, b.w, b.h, 10);
  ctx.fillStyle = C.panel;
  ctx.fill();
  ctx.strokeStyle = C.border;
  ctx.lineWidth = 1;
  ctx.stroke();
  if (label) {
    ctx.font = `bold 12px ${SANS}`;
    ctx.fillStyle = C.goldSoft;
    ctx.letterSpacing = "2px";
    ctx.fillText(label, b.x + 16, b.y + 24);
    ctx.letterSpacing = "0px";
  }
}

/** Text cut with an ellipsis to fit `max` pixels. */
function fit(ctx: Ctx, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

/** Greedy word wrap into at most `lines` lines; the last one ends with an ellipsis if cut. */
function wrap(ctx: Ctx, text: string, max: number, lines: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  let line = "";
  for (let k = 0; k < words.length; k++) {
    const next = line ? `${line} ${words[k]}` : words[k];
    if (ctx.measureText(next).width <= max || !line) {
      line = next;
      continue;
    }
    out.push(line);
    line = words[k];
    if (out.length === lines - 1) {
      out.push(fit(ctx, words.slice(k).join(" "), max));
      return out;
    }
  }
  if (line) out.push(fit(ctx, line, max));
  return out.slice(0, lines);
}

/** A pill with a label; a negative `x` means "right edge at -x". Returns its width. */
function chip(ctx: Ctx, x0: number, y: number, text: string, color: string, filled = false): number {
  ctx.font = `bold 12px ${SANS}`;
  ctx.letterSpacing = "1px";
  const w = ctx.measureText(text).width + 18;
  const x = x0 < 0 ? -x0 - w : x0;
  roundRect(ctx, x, y, w, 22, 11);
  if (filled) {
    ctx.fillStyle = color;
    ctx.fill();
    ctx.fillStyle = "#0b0b10";
  } else {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.fillStyle = color;
  }
  ctx.fillText(text, x + 9, y + 15.5);
  ctx.letterSpacing = "0px";
  return w;
}

function drawBackground(ctx: Ctx, layout: Layout): void {
  const g = ctx.createLinearGradient(0, 0, WIDTH, HEIGHT);
  g.addColorStop(0, C.bg1);
  g.addColorStop(1, C.bg0);
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  const glow = ctx.createRadialGradient(ART.x + ART.w / 2, ART.y + ART.h / 2, 40, ART.x + ART.w / 2, ART.y + ART.h / 2, 520);
  glow.addColorStop(0, "rgba(217,180,90,0.10)");
  glow.addColorStop(1, "rgba(217,180,90,0)");
  ctx.fillStyle = glow;
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  // Header.
  ctx.fillStyle = "rgba(0,0,0,0.35)";
  ctx.fillRect(0, 0, WIDTH, 56);
  ctx.fillStyle = C.goldSoft;
  ctx.fillRect(0, 56, WIDTH, 1);
  ctx.font = `bold 26px ${SERIF}`;
  ctx.fillStyle = C.gold;
  ctx.fillText("SothebAIs", 24, 37);
  ctx.font = `11px ${SANS}`;
  ctx.letterSpacing = "2px";
  ctx.fillStyle = C.muted;
  ctx.fillText("AI AUCTION HOUSE · SHAPE", 186, 35);
  ctx.letterSpacing = "0px";

  if (layout === "lot") {
    roundRect(ctx, ART.x - 1, ART.y - 1, ART.w + 2, ART.h + 2, 6);
    ctx.strokeStyle = C.border;
    ctx.stroke();
    // The bid panel's label changes with the phase (CURRENT BID, CLOSING AT, SOLD FOR): drawn per frame.
    panel(ctx, BID);
    panel(ctx, NEXT, "NEXT BID FROM");
    panel(ctx, TIME, "TIME LEFT");
    panel(ctx, TICKER, "BIDS");
  }
  panel(ctx, QUEUE, "UP NEXT");
  panel(ctx, CHAT, "CHAT");
  panel(ctx, HOST);
  panel(ctx, REF, "ON CHAIN");
}

function drawAvatar(ctx: Ctx, cx: number, cy: number, r: number): void {
  const g = ctx.createLinearGradient(cx - r, cy - r, cx + r, cy + r);
  g.addColorStop(0, "#2b2f45");
  g.addColorStop(1, "#11131d");
  ctx.beginPath();
  ctx.arc(cx, cy, r, 0, Math.PI * 2);
  ctx.fillStyle = g;
  ctx.fill();
  ctx.strokeStyle = C.gold;
  ctx.lineWidth = 2;
  ctx.stroke();
  // A gavel: head and handle.
  ctx.save();
  ctx.translate(cx, cy);
  ctx.rotate(-Math.PI / 4);
  ctx.fillStyle = C.gold;
  roundRect(ctx, -r * 0.45, -r * 0.42, r * 0.9, r * 0.36, 3);
  ctx.fill();
  ctx.fillRect(-r * 0.07, -r * 0.1, r * 0.14, r * 0.62);
  ctx.restore();
}

export type Rect = { x: number; y: number; w: number; h: number };

/**
 * The frame cut into regions that tile it (the marker strip below them is patched, not drawn). A
 * region is redrawn only when its key changes, so a bid highlight repaints the bid panel and the
 * ticker, not 1280x720 pixels; the keys say which parts of the view each region shows.
 */
type Region = {
  name: string;
  rect: Rect;
  /** What the region shows: it is redrawn when this changes (compared as JSON). */
  key: (v: SceneView, now: number) => unknown;
  /** Paints the region's content over the static layer; it must not paint outside `rect`. */
  draw: (ctx: Ctx, v: SceneView, now: number, avatar: Canvas) => void;
  /** The stale overlay (drawn over the middle column) reaches into this region. */
  stale?: true;
};

const stripe = (x: number, w: number) => ({ x, w });
const LEFT_COL = stripe(0, MID.x - 12);
const MID_COL = stripe(MID.x - 12, RIGHT.x - MID.x);
const RIGHT_COL = stripe(RIGHT.x - 12, WIDTH - RIGHT.x + 12);
const BODY_TOP = 60;
const BODY_BOTTOM = HOST.y - 10;
const FOOT_BOTTOM = HEIGHT - MARKER_BLOCK;

/** The stale overlay covers the middle column (and the between-lots box under it) with the data's age. */
const staleKey = (v: SceneView) => (v.stale ? Math.round(v.dataAgeMs / 1000) : -1);
/** The LIVE dot blinks every 600 ms, the header clock ticks every second. */
const headerKey = (v: SceneView, now: number) => [v.stale, v.phase, v.campaign, v.stale ? 0 : Math.floor(now / 600) % 2, Math.floor(now / 1000)];
const queueKey = (v: SceneView) => v.queue;
const chatKey = (v: SceneView) => [v.chatBidsPaused, v.chat];
/** The speaking ring moves at 10 Hz; it has a region of its own so the caption is not redrawn with it. */
const voiceKey = (v: SceneView, now: number) => (v.caption?.speaking ? Math.floor(now / 100) : -1);
const captionKey = (v: SceneView) => v.caption?.text ?? null;
/** The avatar and its ring (radius up to 38 around HOST.x + 42) end left of the caption at HOST.x + 88. */
const VOICE_W = HOST.x + 84;
const refKey = (v: SceneView) => [v.contract, v.lot?.id, v.lot?.block, v.lot?.tx, v.result?.lotId, v.result?.block, v.result?.tx];

const COMMON_REGIONS: Region[] = [
  { name: "header", rect: { x: 0, y: 0, w: WIDTH, h: BODY_TOP }, key: headerKey, draw: drawHeader },
  { name: "queue", rect: { x: RIGHT_COL.x, y: BODY_TOP, w: RIGHT_COL.w, h: NEXT.y - 4 - BODY_TOP }, key: queueKey, draw: drawQueue },
  { name: "chat", rect: { x: RIGHT_COL.x, y: NEXT.y - 4, w: RIGHT_COL.w, h: BODY_BOTTOM - NEXT.y + 4 }, key: chatKey, draw: drawChat },
  { name: "voice", rect: { x: 0, y: BODY_BOTTOM, w: VOICE_W, h: FOOT_BOTTOM - BODY_BOTTOM }, key: voiceKey, draw: drawVoice },
  { name: "caption", rect: { x: VOICE_W, y: BODY_BOTTOM, w: RIGHT_COL.x - VOICE_W, h: FOOT_BOTTOM - BODY_BOTTOM }, key: captionKey, draw: drawCaption },
  { name: "ref", rect: { x: RIGHT_COL.x, y: BODY_BOTTOM, w: RIGHT_COL.w, h: FOOT_BOTTOM - BODY_BOTTOM }, key: refKey, draw: drawReference },
];

/** In drawing order, which is priority order when a frame runs out of budget: the bid first. */
const LOT_REGIONS: Region[] = [
  {
    name: "bid",
    rect: { x: MID_COL.x, y: BODY_TOP, w: MID_COL.w, h: NEXT.y - 4 - BODY_TOP },
    key: (v) => {
      const l = v.lot;
      return [v.phase, staleKey(v), l?.bidFlash, l?.hasBid, l?.amount, l?.bidder, l?.chatBidder, l?.minNext, l?.pending, l?.block, l?.reserveMet];
    },
    draw: drawBidPanel,
    stale: true,
  },
  {
    name: "next",
    rect: { x: MID_COL.x, y: NEXT.y - 4, w: TIME.x - 12 - MID_COL.x, h: TICKER.y - NEXT.y },
    key: (v) => [v.phase, staleKey(v), v.lot?.minNext],
    draw: drawNextPanel,
    stale: true,
  },
  {
    name: "time",
    rect: { x: TIME.x - 12, y: NEXT.y - 4, w: MID_COL.x + MID_COL.w - TIME.x + 12, h: TICKER.y - NEXT.y },
    key: (v, now) => {
      const l = v.lot;
      const remaining = Math.max(0, l?.remainingSec ?? 0);
      const blink = v.phase === "live" && remaining <= 30 ? Math.floor(now / 500) % 2 : -1;
      return [v.phase, staleKey(v), formatDuration(remaining), remaining <= 30, blink, l?.extended, (l?.extendedFlash ?? 0) > 0];
    },
    draw: drawTimePanel,
    stale: true,
  },
  {
    name: "ticker",
    rect: { x: MID_COL.x, y: TICKER.y - 4, w: MID_COL.w, h: TICKER_ROW_Y - 2 - (TICKER.y - 4) },
    key: (v) => [staleKey(v), v.lot?.bidCount],
    draw: drawTickerHead,
    stale: true,
  },
  ...TICKER_ROWS.map((k): Region => ({
    name: `ticker${k}`,
    // A row per region: a new bid's highlight fades in 20 steps and repaints its own row only.
    rect: { x: MID_COL.x, y: TICKER_ROW_Y - 2 + k * TICKER_ROW_H, w: MID_COL.w, h: k === TICKER_ROWS.length - 1 ? BODY_BOTTOM - (TICKER_ROW_Y - 2 + k * TICKER_ROW_H) : TICKER_ROW_H },
    key: (v) => [staleKey(v), v.bids[k] ?? null, k === 0 && !!v.lot && !v.bids.length],
    draw: (ctx, v) => drawTickerRow(ctx, v, k),
    stale: true,
  })),
  {
    name: "art",
    rect: { x: LEFT_COL.x, y: BODY_TOP, w: LEFT_COL.w, h: BODY_BOTTOM - BODY_TOP },
    key: (v) => [v.lot?.artwork, v.result?.kind, v.result?.label, v.lot?.title, v.lot?.artist, v.lot?.id, v.lot?.token, v.lot?.reserve],
    draw: drawArtPanel,
  },
  ...COMMON_REGIONS,
];

const BETWEEN_REGIONS: Region[] = [
  {
    name: "main",
    rect: { x: 0, y: BODY_TOP, w: RIGHT_COL.x, h: BODY_BOTTOM - BODY_TOP },
    key: (v) => [v.phase, staleKey(v), v.next, v.result],
    draw: drawBetween,
    stale: true,
  },
  ...COMMON_REGIONS,
];

/** "Be right back" (operator console): one card over the lot's columns; chat, header, host and reference stay. */
const BRB_REGIONS: Region[] = [
  { name: "main", rect: { x: 0, y: BODY_TOP, w: RIGHT_COL.x, h: BODY_BOTTOM - BODY_TOP }, key: (v) => [v.campaign], draw: drawBrb },
  ...COMMON_REGIONS,
];

/** Artwork entries hold a decoded image: key them by what the frame shows of them. */
const keyJson = (value: unknown) =>
  JSON.stringify(value, (_k, x) => {
    if (x && typeof x === "object" && "status" in x && "uri" in x && "at" in x) {
      const a = x as ArtworkEntry;
      return `${a.status}:${a.uri}:${a.image ? `${a.image.width}x${a.image.height}` : ""}`;
    }
    return typeof x === "bigint" ? x.toString() : x;
  });

export type Renderer = {
  /** The current frame, RGBA, updated in place by `render` (copy it before keeping it). */
  frame: Uint8ClampedArray;
  /** The same frame as I420 (yuv420p), what the encoder is fed, kept in step with `frame`. */
  yuv: I420;
  /**
   * Brings `frame` up to date with the view: redraws and reads back the regions whose content
   * changed, in priority order, until the frame's budget is spent (the rest stay due for the next
   * frame), then writes the marker strip. Returns the number of regions redrawn (0: same picture,
   * new marker).
   */
  render: (view: SceneView, now: number) => number;
};

export type RendererOptions = {
  /**
   * Drawing time per frame, in ms: past it, the remaining changed regions wait for the next frame
   * (the first changed region is always drawn). A bid changes six regions at once; spreading them
   * over two or three frames keeps every frame inside its slot. Default: no budget.
   */
  budgetMs?: number;
  clock?: () => number;
};

export function createRenderer(options: RendererOptions = {}): Renderer {
  const budgetMs = options.budgetMs ?? Number.POSITIVE_INFINITY;
  const clock = options.clock ?? (() => performance.now());
  const frame = new Uint8ClampedArray(WIDTH * HEIGHT * 4);
  const yuv = createI420(WIDTH, HEIGHT);
  const layers = new Map<string, Canvas>();
  const staticLayer = (layout: Layout) => {
    let layer = layers.get(layout);
    if (!layer) {
      layer = createCanvas(WIDTH, HEIGHT);
      drawBackground(layer.getContext("2d"), layout);
      layers.set(layout, layer);
    }
    return layer;
  };
  const avatar = createCanvas(64, 64);
  drawAvatar(avatar.getContext("2d"), 32, 32, 29);
  let lastLayout = "";
  const lastKeys = new Map<string, string>();
  /** Changed regions a frame had no budget left for, in the order they were first put off. */
  const overdue: string[] = [];

  /**
   * Each region is drawn on a canvas of its own size. Every readback of a canvas that was drawn on
   * costs in proportion to the whole canvas (about 0.12 ms for 1280x720, 0.006 ms for one ticker
   * row), so one shared full-frame canvas made each small region cost as much as a large one.
   */
  const canvases = new Map<string, Canvas>();
  const drawRegion = (region: Region, layout: Layout, v: SceneView, now: number) => {
    const r = region.rect;
    let canvas = canvases.get(region.name);
    if (!canvas) {
      canvas = createCanvas(r.w, r.h);
      canvases.set(region.name, canvas);
    }
    const ctx = canvas.getContext("2d");
    // The draw functions use frame coordinates; the canvas's bounds clip them to the region.
    ctx.save();
    ctx.translate(-r.x, -r.y);
    ctx.drawImage(staticLayer(layout), r.x, r.y, r.w, r.h, r.x, r.y, r.w, r.h);
    region.draw(ctx, v, now, avatar);
    if (v.stale && region.stale) drawStale(ctx, v);
    ctx.restore();
    copyRegion(ctx.getImageData(0, 0, r.w, r.h).data, frame, r);
    rgbaToI420(frame, yuv, r.x, r.y, r.w, r.h);
  };

  const render = (v: SceneView, now: number): number => {
    const started = clock();
    const layout: Layout = v.brb ? "brb" : v.lot ? "lot" : "between";
    if (layout !== lastLayout) {
      lastKeys.clear();
      overdue.length = 0;
    }
    lastLayout = layout;
    const regions = layout === "lot" ? LOT_REGIONS : layout === "brb" ? BRB_REGIONS : BETWEEN_REGIONS;
    // Regions left over by earlier frames go first, longest waiting first, so a region that changes
    // every frame (a highlight) cannot starve the others.
    const rank = (r: Region) => {
      const i = overdue.indexOf(r.name);
      return i < 0 ? overdue.length : i;
    };
    const ordered = overdue.length ? [...regions].sort((a, b) => rank(a) - rank(b)) : regions;
    let drawn = 0;
    for (const region of ordered) {
      const key = keyJson(region.key(v, now));
      const queued = overdue.indexOf(region.name);
      if (lastKeys.get(region.name) === key) {
        if (queued >= 0) overdue.splice(queued, 1);
        continue;
      }
      if (drawn > 0 && clock() - started >= budgetMs) {
        if (queued < 0) overdue.push(region.name);
        continue;
      }
      if (queued >= 0) overdue.splice(queued, 1);
      lastKeys.set(region.name, key);
      drawRegion(region, layout, v, now);
      drawn++;
    }
    patchMarker(frame, WIDTH, HEIGHT, v.marker);
    rgbaToI420(frame, yuv, 0, FOOT_BOTTOM, WIDTH, MARKER_BLOCK);
    return drawn;
  };
  return { frame, yuv, render };
}

/** Copies a region's pixels (as read back) into the full frame, row by row. */
function copyRegion(src: Uint8ClampedArray, frame: Uint8ClampedArray, r: Rect): void {
  const rowBytes = r.w * 4;
  for (let row = 0; row < r.h; row++) {
    frame.set(src.subarray(row * rowBytes, (row + 1) * rowBytes), ((r.y + row) * WIDTH + r.x) * 4);
  }
}

function drawHeader(ctx: Ctx, v: SceneView, now: number): void {
  const x = 400;
  if (v.stale) chip(ctx, x, 17, v.phase === "connecting" ? "CONNECTING" : "RECONNECTING", C.pending, true);
  else {
    const w = chip(ctx, x, 17, "  LIVE", C.live, true);
    // A blinking dot inside the pill.
    if (Math.floor(now / 600) % 2 === 0) {
      ctx.beginPath();
      ctx.arc(x + 12, 28, 4, 0, Math.PI * 2);
      ctx.fillStyle = "#fff";
      ctx.fill();
    }
    void w;
  }
  ctx.font = `18px ${SERIF}`;
  ctx.fillStyle = C.text;
  ctx.textAlign = "center";
  ctx.fillText(fit(ctx, v.campaign || "SothebAIs live auction", 420), 760, 36);
  ctx.textAlign = "right";
  ctx.font = `14px ${MONO}`;
  ctx.fillStyle = C.muted;
  ctx.fillText(`${new Date(now).toISOString().slice(11, 19)} UTC`, WIDTH - 24, 35);
  ctx.textAlign = "left";
}

function drawArtwork(ctx: Ctx, box: typeof ART, art: ArtworkEntry | undefined): void {
  if (art?.status === "ready" && art.image) {
    const img = art.image;
    const s = Math.min(box.w / img.width, box.h / img.height);
    const w = img.width * s;
    const h = img.height * s;
    ctx.fillStyle = "#000";
    ctx.fillRect(box.x, box.y, box.w, box.h);
    ctx.drawImage(img, box.x + (box.w - w) / 2, box.y + (box.h - h) / 2, w, h);
    return;
  }
  // Placeholder: a framed empty canvas with the state written on it.
  const g = ctx.createLinearGradient(box.x, box.y, box.x + box.w, box.y + box.h);
  g.addColorStop(0, "#1d2130");
  g.addColorStop(1, "#10121b");
  ctx.fillStyle = g;
  ctx.fillRect(box.x, box.y, box.w, box.h);
  ctx.strokeStyle = "rgba(217,180,90,0.35)";
  ctx.lineWidth = 2;
  ctx.strokeRect(box.x + box.w * 0.3, box.y + box.h * 0.3, box.w * 0.4, box.h * 0.32);
  ctx.beginPath();
  ctx.moveTo(box.x + box.w * 0.32, box.y + box.h * 0.58);
  ctx.lineTo(box.x + box.w * 0.45, box.y + box.h * 0.45);
  ctx.lineTo(box.x + box.w * 0.55, box.y + box.h * 0.53);
  ctx.lineTo(box.x + box.w * 0.68, box.y + box.h * 0.4);
  ctx.stroke();
  ctx.font = `16px ${SANS}`;
  ctx.fillStyle = C.muted;
  ctx.textAlign = "center";
  ctx.fillText(art?.status === "failed" ? "Artwork unavailable" : "Loading artwork…", box.x + box.w / 2, box.y + box.h * 0.72);
  ctx.textAlign = "left";
}

function stamp(ctx: Ctx, cx: number, cy: number, text: string, color: string): void {
  ctx.save();
  ctx.translate(cx, cy);
  ctx.rotate(-0.2);
  ctx.font = `bold 64px ${SERIF}`;
  const w = ctx.measureText(text).width + 48;
  ctx.fillStyle = "rgba(8,8,12,0.72)";
  roundRect(ctx, -w / 2, -50, w, 92, 8);
  ctx.fill();
  ctx.strokeStyle = color;
  ctx.lineWidth = 5;
  ctx.stroke();
  ctx.fillStyle = color;
  ctx.textAlign = "center";
  ctx.fillText(text, 0, 20);
  ctx.restore();
}

/** The artwork with its SOLD / NO SALE stamp, and title, artist and token under it. */
function drawArtPanel(ctx: Ctx, v: SceneView): void {
  const lot = v.lot;
  if (!lot) return;
  drawArtwork(ctx, ART, lot.artwork);
  if (v.result) stamp(ctx, ART.x + ART.w / 2, ART.y + ART.h / 2, v.result.label, v.result.kind === "sold" ? C.live : C.muted);
  ctx.font = `bold 24px ${SERIF}`;
  ctx.fillStyle = C.text;
  ctx.fillText(fit(ctx, lot.title, ART.w), ART.x, 560);
  ctx.font = `italic 17px ${SERIF}`;
  ctx.fillStyle = C.muted;
  ctx.fillText(fit(ctx, lot.artist ? `by ${lot.artist}` : "artist unknown", ART.w), ART.x, 586);
  ctx.font = `13px ${MONO}`;
  ctx.fillStyle = C.dim;
  ctx.fillText(`Lot ${lot.id} · ${lot.token} · reserve ${lot.reserve}`, ART.x, 612);
}

/** Current bid with a flash when it changes, the bidder, pending/final, reserve and closing chips. */
function drawBidPanel(ctx: Ctx, v: SceneView): void {
  const lot = v.lot;
  if (!lot) return;
  if (lot.bidFlash > 0) {
    roundRect(ctx, BID.x, BID.y, BID.w, BID.h, 10);
    ctx.fillStyle = `rgba(217,180,90,${0.22 * lot.bidFlash})`;
    ctx.fill();
  }
  const label = v.phase === "sold" ? "SOLD FOR" : v.phase === "closing" ? "CLOSING AT" : v.phase === "no_sale" ? "HIGHEST BID" : "CURRENT BID";
  ctx.font = `bold 12px ${SANS}`;
  ctx.fillStyle = v.phase === "sold" ? C.live : v.phase === "closing" ? C.pending : C.goldSoft;
  ctx.letterSpacing = "2px";
  ctx.fillText(label, BID.x + 16, BID.y + 24);
  ctx.letterSpacing = "0px";
  const pulse = 1 + 0.06 * lot.bidFlash;
  ctx.save();
  ctx.translate(BID.x + 16, BID.y + 88);
  ctx.scale(pulse, pulse);
  ctx.font = `bold 50px ${SANS}`;
  ctx.fillStyle = lot.hasBid ? C.text : C.muted;
  ctx.fillText(fit(ctx, lot.hasBid ? lot.amount : "No bids yet", BID.w - 40), 0, 0);
  ctx.restore();
  ctx.font = `18px ${SANS}`;
  ctx.fillStyle = lot.chatBidder ? C.gold : C.text;
  if (lot.hasBid) ctx.fillText(fit(ctx, `${lot.bidder}${lot.chatBidder ? "  · chat" : ""}`, BID.w - 32), BID.x + 16, BID.y + 120);
  else {
    ctx.fillStyle = C.muted;
    ctx.fillText(`opening bid ${lot.minNext}`, BID.x + 16, BID.y + 120);
  }
  if (lot.hasBid) {
    const cx = BID.x + 16;
    if (lot.pending) chip(ctx, cx, BID.y + 132, `PENDING · block ${lot.block}`, C.pending);
    else chip(ctx, cx, BID.y + 132, `FINAL ✓ block ${lot.block}`, C.final);
  }
  if (!lot.reserveMet && lot.hasBid) chip(ctx, -(BID.x + BID.w - 12), BID.y + 10, "RESERVE NOT MET", C.pending);
  if (v.phase === "closing") chip(ctx, -(BID.x + BID.w - 12), BID.y + 10, "CONFIRMING FINAL BLOCK", C.pending);
}

function drawNextPanel(ctx: Ctx, v: SceneView): void {
  const lot = v.lot;
  if (!lot) return;
  ctx.font = `bold 22px ${SANS}`;
  ctx.fillStyle = C.text;
  ctx.fillText(fit(ctx, v.phase === "live" ? lot.minNext : "—", NEXT.w - 32), NEXT.x + 16, NEXT.y + 64);
}

/** Countdown (blinking in the last 30 seconds) and the extensions a late bid caused. */
function drawTimePanel(ctx: Ctx, v: SceneView, now: number): void {
  const lot = v.lot;
  if (!lot) return;
  const remaining = Math.max(0, lot.remainingSec);
  ctx.font = `bold 34px ${MONO}`;
  ctx.fillStyle = v.phase !== "live" ? C.muted : remaining <= 30 ? (Math.floor(now / 500) % 2 ? C.live : C.text) : C.text;
  ctx.fillText(v.phase === "live" ? formatDuration(remaining) : v.phase === "closing" ? "closing" : "ended", TIME.x + 16, TIME.y + 68);
  if (lot.extended > 0) {
    const color = lot.extendedFlash > 0 ? C.pending : C.goldSoft;
    chip(ctx, -(TIME.x + TIME.w - 10), TIME.y + 48, `+${lot.extended}×`, color, lot.extendedFlash > 0);
    ctx.font = `bold 11px ${SANS}`;
    ctx.fillStyle = color;
    ctx.textAlign = "right";
    ctx.fillText("EXTENDED", TIME.x + TIME.w - 12, TIME.y + 24);
    ctx.textAlign = "left";
  }
}

/** How many bids the lot has, above the rows. */
function drawTickerHead(ctx: Ctx, v: SceneView): void {
  const lot = v.lot;
  if (!lot) return;
  ctx.font = `12px ${SANS}`;
  ctx.fillStyle = C.dim;
  ctx.textAlign = "right";
  ctx.fillText(`${lot.bidCount} bid${lot.bidCount === 1 ? "" : "s"}`, TICKER.x + TICKER.w - 16, TICKER.y + 24);
  ctx.textAlign = "left";
}

/** Row `k` of the latest bids (the newest first, highlighted while it is new), or how to bid when there is none. */
function drawTickerRow(ctx: Ctx, v: SceneView, k: number): void {
  if (!v.lot) return;
  const b = v.bids[k];
  if (b) drawBidRow(ctx, b, TICKER.x + 8, TICKER_ROW_Y + k * TICKER_ROW_H, TICKER.w - 16, k === 0);
  else if (k === 0 && !v.bids.length) {
    ctx.font = `italic 16px ${SERIF}`;
    ctx.fillStyle = C.muted;
    ctx.fillText("Waiting for the first bid. Bid in chat: !bid 0.1", TICKER.x + 16, TICKER.y + 70);
  }
}

function drawBidRow(ctx: Ctx, b: BidRow, x: number, y: number, w: number, top: boolean): void {
  if (b.flash > 0) {
    roundRect(ctx, x, y, w, 36, 6);
    ctx.fillStyle = `rgba(217,180,90,${0.35 * b.flash})`;
    ctx.fill();
  }
  ctx.font = `${top ? "bold " : ""}17px ${SANS}`;
  ctx.fillStyle = top ? C.text : C.muted;
  ctx.fillText(b.amount, x + 10, y + 24);
  ctx.font = `15px ${SANS}`;
  ctx.fillStyle = b.chat ? C.gold : top ? C.text : C.muted;
  ctx.fillText(fit(ctx, b.bidder, 150), x + 140, y + 24);
  ctx.font = `12px ${MONO}`;
  ctx.fillStyle = b.pending ? C.pending : C.dim;
  ctx.textAlign = "right";
  ctx.fillText(`${b.pending ? "pending " : ""}#${b.block}`, x + w - 10, y + 23);
  ctx.textAlign = "left";
}

function drawBetween(ctx: Ctx, v: SceneView): void {
  const box = { x: 24, y: 72, w: 904, h: 552 };
  panel(ctx, box);
  ctx.textAlign = "center";
  const cx = box.x + box.w / 2;
  if (v.phase === "connecting") {
    ctx.font = `bold 34px ${SERIF}`;
    ctx.fillStyle = C.gold;
    ctx.fillText("The auction will begin shortly", cx, 300);
    ctx.font = `18px ${SANS}`;
    ctx.fillStyle = C.muted;
    ctx.fillText("Connecting to the auction feed…", cx, 340);
    ctx.textAlign = "left";
    return;
  }
  const art = { x: box.x + 32, y: box.y + 72, w: 340, h: 340 };
  ctx.textAlign = "left";
  ctx.font = `bold 12px ${SANS}`;
  ctx.letterSpacing = "2px";
  ctx.fillStyle = C.goldSoft;
  ctx.fillText(v.next ? "NEXT LOT" : "INTERMISSION", box.x + 32, box.y + 44);
  ctx.letterSpacing = "0px";
  if (v.next) {
    drawArtwork(ctx, art, v.next.artwork);
    const tx = art.x + art.w + 36;
    ctx.font = `bold 30px ${SERIF}`;
    ctx.fillStyle = C.text;
    ctx.fillText(fit(ctx, v.next.title, box.x + box.w - tx - 24), tx, art.y + 40);
    ctx.font = `16px ${SANS}`;
    ctx.fillStyle = C.muted;
    ctx.fillText(`Lot ${v.next.lotId} · bidding opens in`, tx, art.y + 78);
    ctx.font = `bold 56px ${MONO}`;
    ctx.fillStyle = C.gold;
    ctx.fillText(v.next.startsIn, tx, art.y + 146);
  } else {
    ctx.font = `bold 30px ${SERIF}`;
    ctx.fillStyle = C.text;
    ctx.fillText("No lot on the block right now", box.x + 32, box.y + 120);
  }
  if (v.result) {
    const y = box.y + box.h - 96;
    ctx.fillStyle = "rgba(0,0,0,0.25)";
    ctx.fillRect(box.x + 16, y, box.w - 32, 80);
    ctx.font = `bold 12px ${SANS}`;
    ctx.letterSpacing = "2px";
    ctx.fillStyle = C.goldSoft;
    ctx.fillText(`LAST LOT ${v.result.lotId}`, box.x + 32, y + 26);
    ctx.letterSpacing = "0px";
    ctx.font = `bold 24px ${SANS}`;
    ctx.fillStyle = v.result.kind === "sold" ? C.live : C.muted;
    ctx.fillText(v.result.label, box.x + 32, y + 60);
    ctx.font = `20px ${SANS}`;
    ctx.fillStyle = C.text;
    const text = v.result.kind === "sold" ? `${v.result.title} · ${v.result.amount} to ${v.result.winner}` : `${v.result.title} · back to the artist`;
    ctx.fillText(fit(ctx, text, box.w - 200), box.x + 150, y + 60);
  }
}

function drawBrb(ctx: Ctx, v: SceneView): void {
  const box = { x: 24, y: 72, w: 904, h: 552 };
  panel(ctx, box);
  const cx = box.x + box.w / 2;
  ctx.textAlign = "center";
  ctx.font = `bold 12px ${SANS}`;
  ctx.letterSpacing = "2px";
  ctx.fillStyle = C.goldSoft;
  ctx.fillText(v.campaign ? v.campaign.toUpperCase() : "SOTHEBAIS", cx, 250);
  ctx.letterSpacing = "0px";
  ctx.font = `bold 64px ${SERIF}`;
  ctx.fillStyle = C.gold;
  ctx.fillText("Be right back", cx, 340);
  ctx.font = `20px ${SANS}`;
  ctx.fillStyle = C.muted;
  ctx.fillText("The auction resumes in a moment. Bids already placed stand.", cx, 390);
  ctx.textAlign = "left";
}

function drawQueue(ctx: Ctx, v: SceneView): void {
  if (!v.queue.length) {
    ctx.font = `italic 15px ${SERIF}`;
    ctx.fillStyle = C.dim;
    ctx.fillText("No more lots scheduled", QUEUE.x + 16, QUEUE.y + 60);
    return;
  }
  v.queue.slice(0, 4).forEach((q, k) => {
    const y = QUEUE.y + 54 + k * 30;
    ctx.font = `13px ${MONO}`;
    ctx.fillStyle = C.goldSoft;
    ctx.fillText(`#${q.lotId}`, QUEUE.x + 16, y);
    ctx.font = `15px ${SANS}`;
    ctx.fillStyle = C.text;
    ctx.fillText(fit(ctx, q.title, 170), QUEUE.x + 60, y);
    ctx.font = `13px ${MONO}`;
    ctx.fillStyle = C.muted;
    ctx.textAlign = "right";
    ctx.fillText(q.startsIn, QUEUE.x + QUEUE.w - 16, y);
    ctx.textAlign = "left";
  });
}

/** Across the top of the chat pane while chat bids are refused, so viewers do not type bids in vain. */
function drawPausedBanner(ctx: Ctx): void {
  const x = CHAT.x + 12;
  const y = CHAT.y + 34;
  roundRect(ctx, x, y, CHAT.w - 24, 40, 6);
  ctx.fillStyle = "#5a1a1f";
  ctx.fill();
  ctx.strokeStyle = "#e0565f";
  ctx.lineWidth = 1;
  ctx.stroke();
  ctx.fillStyle = "#ffd9db";
  ctx.font = `bold 13px ${SANS}`;
  ctx.letterSpacing = "1px";
  ctx.fillText("CHAT BIDDING PAUSED", x + 12, y + 17);
  ctx.letterSpacing = "0px";
  ctx.font = `12px ${SANS}`;
  ctx.fillStyle = "#f3b8bc";
  ctx.fillText("wallet bids in the dApp still work", x + 12, y + 33);
}

function drawChat(ctx: Ctx, v: SceneView): void {
  const max = CHAT.w - 32;
  const rows: { name: string; text: string }[] = [];
  if (v.chatBidsPaused) drawPausedBanner(ctx);
  ctx.font = `14px ${SANS}`;
  // Newest at the bottom; fill upward until the pane is full (two lines fewer under the banner).
  let lines = 0;
  const banner = v.chatBidsPaused ? 2 : 0;
  const capacity = 15 - banner;
  for (let k = v.chat.length - 1; k >= 0 && lines < capacity; k--) {
    const c = v.chat[k];
    const wrapped = wrap(ctx, `${c.name}: ${c.text}`, max, 2);
    lines += wrapped.length;
    rows.unshift({ name: c.name, text: wrapped.join("\n") });
  }
  let y = CHAT.y + 50 + banner * 22;
  for (const r of rows.slice(-capacity)) {
    const parts = r.text.split("\n");
    parts.forEach((line, k) => {
      if (y > CHAT.y + CHAT.h - 12) return;
      if (k === 0) {
        const name = `${r.name}:`;
        ctx.font = `bold 14px ${SANS}`;
        ctx.fillStyle = C.gold;
        ctx.fillText(name, CHAT.x + 16, y);
        const w = ctx.measureText(name).width;
        ctx.font = `14px ${SANS}`;
        ctx.fillStyle = C.text;
        ctx.fillText(line.slice(name.length), CHAT.x + 16 + w, y);
      } else {
        ctx.font = `14px ${SANS}`;
        ctx.fillStyle = C.text;
        ctx.fillText(line, CHAT.x + 16, y);
      }
      y += 22;
    });
  }
  if (!rows.length) {
    ctx.font = `italic 14px ${SERIF}`;
    ctx.fillStyle = C.dim;
    ctx.fillText("Say hi in chat. !help for commands", CHAT.x + 16, CHAT.y + 56 + banner * 22);
  }
}

/** The host's avatar, with a ring that pulses while the host speaks. */
function drawVoice(ctx: Ctx, v: SceneView, now: number, avatar: Canvas): void {
  const cx = HOST.x + 42;
  const cy = HOST.y + HOST.h / 2;
  if (v.caption?.speaking) {
    const r = 32 + 3 * (1 + Math.sin(now / 90));
    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, Math.PI * 2);
    ctx.strokeStyle = "rgba(217,180,90,0.6)";
    ctx.lineWidth = 2;
    ctx.stroke();
  }
  ctx.drawImage(avatar, cx - 32, cy - 32);
}

/** The line being spoken, as a caption of up to two lines. */
function drawCaption(ctx: Ctx, v: SceneView): void {
  ctx.font = `bold 11px ${SANS}`;
  ctx.letterSpacing = "2px";
  ctx.fillStyle = C.goldSoft;
  ctx.fillText("THE AUCTIONEER", HOST.x + 88, HOST.y + 20);
  ctx.letterSpacing = "0px";
  ctx.font = `18px ${SERIF}`;
  ctx.fillStyle = v.caption ? C.text : C.dim;
  const lines = wrap(ctx, v.caption?.text ?? "…", HOST.w - 110, 2);
  lines.forEach((line, k) => ctx.fillText(line, HOST.x + 88, HOST.y + 41 + k * 21));
}

function drawReference(ctx: Ctx, v: SceneView): void {
  ctx.font = `12px ${MONO}`;
  ctx.fillStyle = C.muted;
  const lot = v.lot;
  const result = v.result;
  const contract = v.contract ? `house ${shortHex(v.contract, 8, 6)}` : "house —";
  const l2 = lot ? `lot ${lot.id} · block ${lot.block ?? "—"}` : result ? `lot ${result.lotId} · block ${result.block ?? "—"}` : "no live lot";
  const tx = lot?.tx ?? result?.tx;
  ctx.fillText(contract, REF.x + 110, REF.y + 24);
  ctx.fillText(l2, REF.x + 16, REF.y + 44);
  ctx.fillText(tx ? `tx ${shortHex(tx, 10, 8)}` : "tx —", REF.x + 16, REF.y + 61);
}

function drawStale(ctx: Ctx, v: SceneView): void {
  if (v.phase === "connecting") return;
  ctx.fillStyle = "rgba(6,7,11,0.9)";
  ctx.fillRect(MID.x, 72, MID.w, 552);
  roundRect(ctx, MID.x + 16, 280, MID.w - 32, 92, 10);
  ctx.strokeStyle = C.pending;
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.textAlign = "center";
  ctx.font = `bold 26px ${SANS}`;
  ctx.fillStyle = C.pending;
  ctx.fillText("RECONNECTING…", MID.x + MID.w / 2, 320);
  ctx.font = `16px ${SANS}`;
  ctx.fillStyle = C.text;
  const age = Number.isFinite(v.dataAgeMs) ? `${Math.round(v.dataAgeMs / 1000)} s` : "unknown";
  ctx.fillText(`Auction data is ${age} old. Bids still count on chain.`, MID.x + MID.w / 2, 350);
  ctx.textAlign = "left";
}
