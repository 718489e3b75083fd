/**
 * Test helpers around the real stream: a tiny `/live` server we control (for tests that are not about
 * the indexer), the broadcaster as a child process, and readers that pull the stream back from the
 * RTMP server: one decodes the marker strip from its pixels, one keeps a region's pixels (the artwork).
 */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { LiveSnapshot } from "@sothebais/common/live";
import { freePort, type Managed, type RedisServer, startProcess, startRedis } from "@sothebais/common/testing";
import { BROADCASTER_NODE_FLAGS } from "../../src/node-flags.ts";
import { type RtmpServer, startRtmpServer } from "../../src/rtmp-server.ts";
import { type Marker, MARKER_BLOCK, readMarkerFromGray } from "../../src/scene/marker.ts";
import { sampleBid, sampleSnapshot } from "./snapshot.ts";

export const broadcasterDir = join(import.meta.dirname, "../..");

export type LiveServer = { url: string; set: (s: LiveSnapshot | null) => void; close: () => Promise<void>; requests: () => number };

/** Serves `/live` from a snapshot the test sets; 503 while it is null. */
export async function startLiveServer(initial: LiveSnapshot | null): Promise<LiveServer> {
  let snap = initial;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    if (req.url?.startsWith("/live") && snap) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ...snap, indexedAt: Date.now() }));
    } else {
      res.writeHead(503);
      res.end("not ready");
    }
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${port}`,
    set: (s) => {
      snap = s;
    },
    requests: () => requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type BroadcasterProcess = Managed & { url: string; port: number };

export async function startBroadcasterProcess(env: Record<string, string>): Promise<BroadcasterProcess> {
  const port = await freePort();
  const proc = await startProcess({
    name: "broadcaster",
    command: process.execPath,
    args: [...BROADCASTER_NODE_FLAGS, "src/main.ts"],
    cwd: broadcasterDir,
    env: { PORT: String(port), LOG_LEVEL: "info", ...env },
    readyWhen: /"msg":"listening"/,
    timeoutMs: 30_000,
  });
  return { ...proc, port, url: `http://127.0.0.1:${port}` };
}

export type StreamRig = { rtmp: RtmpServer; redis: RedisServer; live: LiveServer; bc: BroadcasterProcess; stop: () => Promise<void> };

/**
 * The broadcaster streaming to a real nginx-rtmp, with a real Redis and a `/live` server the test sets
 * (lot 3 with one bid to start), `env` on top of the stream's settings. `stop` ends all of it; a part
 * that fails to start stops the ones before it.
 */
export async function startStreamRig(env: Record<string, string> = {}): Promise<StreamRig> {
  const started: { stop: () => Promise<unknown> }[] = [];
  const stop = async () => {
    for (const part of started.reverse()) await part.stop();
  };
  try {
    const rtmp = await startRtmpServer();
    started.push(rtmp);
    const redis = await startRedis();
    started.push(redis);
    const live = await startLiveServer(sampleSnapshot({ bids: [sampleBid({ n: 3 })] }));
    started.push({ stop: live.close });
    const bc = await startBroadcasterProcess({
      INDEXER_URL: live.url,
      REDIS_URL: redis.url,
      RTMP_URL: rtmp.rtmpUrl,
      // Same output format as production; the lighter preset spares the 2 shared cores.
      X264_PRESET: "superfast",
      ...env,
    });
    started.push(bc);
    return { rtmp, redis, live, bc, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export type MarkerReader = {
  /** Markers decoded so far, with the wall time each frame came out of the decoder. */
  markers: { at: number; marker: Marker }[];
  /** Frames whose strip did not decode (damaged or not ours). */
  bad: () => number;
  stop: () => void;
};

/**
 * Pulls `rtmpUrl` with ffmpeg (low-delay flags) as raw frames of the `crop` region in `pixFmt`, and hands
 * each whole frame to `onFrame` (a view into a buffer that is reused: copy what is kept). Reconnects when
 * the pull ends (the server restarted) until stopped; returns the stop.
 */
function pullFrames(rtmpUrl: string, crop: Region, pixFmt: "gray" | "rgb24", onFrame: (frame: Buffer) => void): () => void {
  const frameBytes = crop.w * crop.h * (pixFmt === "gray" ? 1 : 3);
  let stopped = false;
  let child: ReturnType<typeof spawn> | undefined;
  const run = () => {
    if (stopped) return;
    child = spawn(
      "ffmpeg",
      ["-hide_banner", "-loglevel", "error", "-fflags", "nobuffer", "-flags", "low_delay", "-probesize", "32768", "-analyzeduration", "0", "-i", rtmpUrl, "-an", "-vf", `crop=${crop.w}:${crop.h}:${crop.x}:${crop.y}`, "-pix_fmt", pixFmt, "-f", "rawvideo", "pipe:1"],
      { stdio: ["ignore", "pipe", "ignore"], detached: true },
    );
    let pending = Buffer.alloc(0);
    child.stdout?.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        onFrame(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
      }
    });
    child.on("exit", () => {
      if (!stopped) setTimeout(run, 300);
    });
  };
  run();
  return () => {
    stopped = true;
    try {
      if (child?.pid) process.kill(-child.pid, "SIGKILL");
    } catch {}
  };
}

/**
 * Pulls `rtmpUrl` with ffmpeg (low-delay flags), crops the bottom 8 rows as gray pixels and decodes the
 * marker of every frame. Reconnects when the pull ends (the server restarted) until stopped.
 */
export function readMarkers(rtmpUrl: string, width = 1280, height = 720): MarkerReader {
  const markers: { at: number; marker: Marker }[] = [];
  let bad = 0;
  const stop = pullFrames(rtmpUrl, { x: 0, y: height - MARKER_BLOCK, w: width, h: MARKER_BLOCK }, "gray", (frame) => {
    const marker = readMarkerFromGray(frame, width);
    if (marker) markers.push({ at: Date.now(), marker });
    else bad++;
  });
  return { markers, bad: () => bad, stop };
}

export type Region = { x: number; y: number; w: number; h: number };

export type RegionReader = {
  /** RGB24 pixels (row by row) of the region in the newest frame pulled, with the wall time it was decoded. */
  latest: () => { at: number; rgb: Buffer } | undefined;
  /** Frames decoded so far. */
  frames: () => number;
  stop: () => void;
};

/**
 * Pulls `rtmpUrl` with ffmpeg (the same low-delay flags as {@link readMarkers}) and keeps the pixels of
 * `region` from the newest frame, as RGB24: what a viewer's player decodes, after the encoder's colour
 * conversion and compression. Reconnects when the pull ends until stopped.
 */
export function readRegion(rtmpUrl: string, region: Region): RegionReader {
  let latest: { at: number; rgb: Buffer } | undefined;
  let frames = 0;
  const stop = pullFrames(rtmpUrl, region, "rgb24", (frame) => {
    latest = { at: Date.now(), rgb: Buffer.from(frame) };
    frames++;
  });
  return { latest: () => latest, frames: () => frames, stop };
}

/** The mean colour of RGB24 pixels, and the largest distance of any channel of any pixel from it. */
export function colourOf(rgb: Uint8Array): { mean: [number, number, number]; spread: number } {
  const n = rgb.length / 3;
  const sum = [0, 0, 0];
  for (let i = 0; i < rgb.length; i++) sum[i % 3] += rgb[i];
  const mean = sum.map((v) => Math.round(v / n)) as [number, number, number];
  let spread = 0;
  for (let i = 0; i < rgb.length; i++) spread = Math.max(spread, Math.abs(rgb[i] - mean[i % 3]));
  return { mean, spread };
}

export type Probe = { streams: { codec_type: string; codec_name: string; width?: number; height?: number; r_frame_rate?: string; avg_frame_rate?: string; sample_rate?: string; profile?: string; pix_fmt?: string }[] };

/** ffprobe of the live stream's stream headers. */
export function ffprobe(url: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("ffprobe", ["-v", "error", "-rw_timeout", "15000000", ...args, url], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`ffprobe exited ${code}: ${err.slice(0, 500)}`));
    });
  });
}
