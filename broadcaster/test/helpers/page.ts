/**
 * The local stream page (`src/rtmp-server.ts`, http://127.0.0.1:8793/ in `./sothebais up`) played by a real
 * Chromium, and the marker strip read back from its `<video>` element: every frame the page presents is
 * drawn onto a canvas in the page (its bottom 8 rows only) and decoded by the same decoder the other tests
 * use (`src/scene/marker.ts`, its types stripped by Node and loaded into the page as a module). So what is
 * timed is what a viewer of that page sees: nginx-rtmp's HLS segmenting, the playlist, hls.js's live edge,
 * the browser's decode and presentation.
 *
 * Times are `Date.now()` in the page when a new frame of the element was read (requestVideoFrameCallback, or a
 * 25 ms timer when Chromium presents few frames), the same wall clock as the test process on this machine.
 */
import { readFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import type { Marker } from "../../src/scene/marker.ts";

/** One frame the page presented whose strip decoded. */
export type PageMarker = { at: number; marker: Marker };

export type PagePlayer = {
  page: Page;
  /** Markers decoded so far (drained from the page every `pollMs`). */
  markers: PageMarker[];
  /** Presented frames whose strip did not decode, and frames presented in all. */
  counts: () => Promise<{ bad: number; frames: number }>;
  /** hls.js's own figures: its estimate of the distance to the live edge (s), buffered ahead (s), stalls. */
  playerStats: () => Promise<{ latencyS: number | null; bufferedAheadS: number; stalls: number; hlsJs: boolean }>;
  close: () => Promise<void>;
};

/** Debian's Chromium, headless, with the flags the dApp's browser tests use, and autoplay allowed. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
      // A headless page is never "hidden", but keep Chromium from throttling its timers and media anyway.
      "--disable-background-timer-throttling",
      "--disable-renderer-backgrounding",
      "--disable-backgrounding-occluded-windows",
    ],
  });
}

/** marker.ts as a browser module: types stripped (Node's own stripper), exports put on `window.__sothebaisMarker`. */
export function markerDecoderModule(): string {
  const source = readFileSync(join(import.meta.dirname, "../../src/scene/marker.ts"), "utf8");
  return `${stripTypeScriptTypes(source)}\nwindow.__sothebaisMarker = { readMarkerFromRgba };\n`;
}

/** Runs in the page: decodes the strip of every presented frame into `window.__sothebaisSeen`. */
function pageWatcher(): void {
  type Decoded = { flags: number; lotId: number; amountGwei: bigint; blockNumber: number; frame: number } | null;
  type W = Window & {
    __sothebaisMarker?: { readMarkerFromRgba: (rgba: Uint8ClampedArray, width: number, height: number) => Decoded };
    __sothebaisSeen: { at: number; lotId: number; amountGwei: string; blockNumber: number; frame: number; flags: number }[];
    __sothebaisCounts: { bad: number; frames: number; stalls: number };
  };
  const w = window as unknown as W;
  w.__sothebaisSeen = [];
  w.__sothebaisCounts = { bad: 0, frames: 0, stalls: 0 };
  const video = document.querySelector("video") as HTMLVideoElement;
  video.addEventListener("waiting", () => {
    w.__sothebaisCounts.stalls++;
  });
  const canvas = document.createElement("canvas");
  const strip = 8;
  const ctx = canvas.getContext("2d", { willReadFrequently: true }) as CanvasRenderingContext2D;
  const read = () => {
    const width = video.videoWidth;
    const height = video.videoHeight;
    const decoder = w.__sothebaisMarker;
    if (!width || !height || !decoder) return;
    if (canvas.width !== width) canvas.width = width;
    canvas.height = strip;
    // The bottom 8 rows at the video's own resolution, whatever size the element is shown at.
    ctx.drawImage(video, 0, height - strip, width, strip, 0, 0, width, strip);
    const rgba = ctx.getImageData(0, 0, width, strip).data;
    const at = Date.now();
    w.__sothebaisCounts.frames++;
    const m = decoder.readMarkerFromRgba(rgba, width, strip);
    if (!m) w.__sothebaisCounts.bad++;
    else w.__sothebaisSeen.push({ at, lotId: m.lotId, amountGwei: m.amountGwei.toString(), blockNumber: m.blockNumber, frame: m.frame, flags: m.flags });
  };
  // Each new media time is read once, from whichever comes first: the per-frame callback (fires when the
  // compositor presents a frame), or a 25 ms timer (on a loaded machine Chromium presents few frames while
  // the media pipeline keeps playing: drawImage still gets the frame the element is showing).
  let last = -1;
  const readNew = () => {
    if (video.currentTime === last) return;
    last = video.currentTime;
    read();
  };
  type FrameCallbackVideo = HTMLVideoElement & { requestVideoFrameCallback?: (cb: () => void) => number };
  const v = video as FrameCallbackVideo;
  if (v.requestVideoFrameCallback) {
    const onFrame = () => {
      readNew();
      v.requestVideoFrameCallback?.(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
  }
  setInterval(readNew, 25);
}

/**
 * Opens `pageUrl` (the stream page) in a new page of `browser` and decodes the marker of every frame it
 * presents. The page's own player (hls.js or native HLS) is left exactly as served.
 */
export async function playStreamPage(browser: Browser, pageUrl: string, options: { pollMs?: number } = {}): Promise<PagePlayer> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const markers: PageMarker[] = [];
  await page.goto(pageUrl);
  await page.addScriptTag({ type: "module", content: markerDecoderModule() });
  await page.waitForFunction(() => "__sothebaisMarker" in window);
  await page.evaluate(pageWatcher);
  let closed = false;
  const drain = async () => {
    const batch = await page.evaluate(() => {
      const w = window as unknown as { __sothebaisSeen: { at: number; lotId: number; amountGwei: string; blockNumber: number; frame: number; flags: number }[] };
      return w.__sothebaisSeen.splice(0);
    });
    for (const s of batch) markers.push({ at: s.at, marker: { lotId: s.lotId, amountGwei: BigInt(s.amountGwei), blockNumber: s.blockNumber, frame: s.frame, flags: s.flags } });
  };
  const timer = setInterval(() => {
    if (!closed) drain().catch(() => {});
  }, options.pollMs ?? 100);
  return {
    page,
    markers,
    counts: () => page.evaluate(() => {
      const c = (window as unknown as { __sothebaisCounts: { bad: number; frames: number } }).__sothebaisCounts;
      return { bad: c.bad, frames: c.frames };
    }),
    playerStats: () =>
      page.evaluate(() => {
        const w = window as unknown as { hls?: { latency?: number }; __sothebaisCounts: { stalls: number } };
        const video = document.querySelector("video") as HTMLVideoElement;
        const end = video.buffered.length ? video.buffered.end(video.buffered.length - 1) : video.currentTime;
        return { latencyS: typeof w.hls?.latency === "number" ? w.hls.latency : null, bufferedAheadS: end - video.currentTime, stalls: w.__sothebaisCounts.stalls, hlsJs: !!w.hls };
      }),
    close: async () => {
      closed = true;
      clearInterval(timer);
      await drain().catch(() => {});
      await page.close().catch(() => {});
    },
  };
}
