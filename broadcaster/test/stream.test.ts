/**
 * The broadcaster as a real process streaming to a real nginx-rtmp, checked on the stream pulled back
 * from the server (ffprobe, and the marker strip decoded from its pixels). The indexer is replaced by
 * a small `/live` server we control here; test/e2e.test.ts uses the real chain and indexer.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Image } from "@napi-rs/canvas";
import { CHAT_LINES_CHANNEL, HOST_LINES_CHANNEL } from "@sothebais/common/channels";
import { type RedisServer, waitFor } from "@sothebais/common/testing";
import { Redis } from "ioredis";
import type { RtmpServer } from "../src/rtmp-server.ts";
import { markerFlags, readMarkerFromRgba } from "../src/scene/marker.ts";
import { sampleBid, sampleSnapshot } from "./helpers/snapshot.ts";
import { type BroadcasterProcess, ffprobe, type LiveServer, type MarkerReader, readMarkers, type StreamRig, startStreamRig } from "./helpers/stream.ts";

let rig: StreamRig;
let rtmp: RtmpServer;
let redis: RedisServer;
let live: LiveServer;
let bc: BroadcasterProcess;
let reader: MarkerReader;

const health = async () => (await (await fetch(`${bc.url}/health`)).json()) as Record<string, any>;
const LONG = { timeoutMs: 90_000, intervalMs: 200 };

before(async () => {
  rig = await startStreamRig({ STALE_AFTER_MS: "2000", ARTWORK_TIMEOUT_MS: "1500", ARTWORK_MAX_BYTES: String(256 * 1024) });
  ({ rtmp, redis, live, bc } = rig);
  reader = readMarkers(rtmp.rtmpUrl);
  await waitFor(() => reader.markers.length > 10, { ...LONG, what: "markers decoded from the pulled stream" });
});

after(async () => {
  reader?.stop();
  await rig?.stop();
});

describe("broadcaster stream (real ffmpeg, real nginx-rtmp)", () => {
  it("the pulled stream is h264 High 1280x720 at 30 fps yuv420p with AAC-LC 44.1 kHz", async () => {
    const out = JSON.parse(await ffprobe(rtmp.rtmpUrl, ["-show_entries", "stream=codec_type,codec_name,profile,width,height,r_frame_rate,pix_fmt,sample_rate,channels", "-of", "json"]));
    const video = out.streams.find((s: any) => s.codec_type === "video");
    const audio = out.streams.find((s: any) => s.codec_type === "audio");
    assert.deepEqual(
      { codec: video.codec_name, profile: video.profile, w: video.width, h: video.height, fps: video.r_frame_rate, pix: video.pix_fmt },
      { codec: "h264", profile: "High", w: 1280, h: 720, fps: "30/1", pix: "yuv420p" },
    );
    assert.equal(audio.codec_name, "aac");
    assert.equal(audio.profile, "LC");
    assert.ok(["44100", "48000"].includes(audio.sample_rate));
  });

  it("keyframes come every 2 s and the stream's timestamps advance with wall time", async () => {
    const keyTimes = async () =>
      (await ffprobe(rtmp.rtmpUrl, ["-select_streams", "v", "-skip_frame", "nokey", "-show_entries", "frame=pts_time", "-read_intervals", "%+6", "-of", "csv=p=0"]))
        .split("\n")
        .map(Number)
        .filter((n) => n > 0);
    const first = await keyTimes();
    assert.ok(first.length >= 2, `keyframes: ${first.join(",")}`);
    for (let k = 1; k < first.length; k++) assert.ok(Math.abs(first[k] - first[k - 1] - 2) < 0.05, `keyframe gap ${first[k] - first[k - 1]}`);
    const second = await keyTimes();
    assert.ok(second[0] > first[0], "duration advancing");
  });

  it("a new highest bid shows in the pulled stream's pixels (amount and block)", async () => {
    const bid = sampleBid({ n: 17, blockNumber: 4242, final: false });
    live.set(sampleSnapshot({ bids: [bid, sampleBid({ n: 3 })], finalized: 4000 }));
    const seen = await waitFor(() => reader.markers.find((m) => m.marker.blockNumber === 4242), { ...LONG, what: "marker with block 4242" });
    assert.equal(seen.marker.lotId, 3);
    assert.equal(seen.marker.amountGwei, 1_700_000_000n);
    assert.ok(seen.marker.flags & markerFlags.pending, "not final yet");
    live.set(sampleSnapshot({ bids: [{ ...bid, final: true }, sampleBid({ n: 3 })], finalized: 4242 }));
    await waitFor(() => reader.markers.find((m) => m.marker.blockNumber === 4242 && !(m.marker.flags & markerFlags.pending)), { ...LONG, what: "bid marked final" });
  });

  it("hostile artwork URIs never stall the stream", async () => {
    const uris = [
      "http://10.255.255.1/never-routes.png",
      `${live.url}/404.png`,
      `data:image/svg+xml;utf8,${encodeURIComponent('<!DOCTYPE x [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>')}`,
      // Over ARTWORK_MAX_BYTES (a token URI on chain cannot be megabytes: block gas limits it).
      `data:image/png;base64,${"A".repeat(400 * 1024)}`,
      "data:text/html,<script>alert(1)</script>",
    ];
    for (const [k, tokenUri] of uris.entries()) {
      live.set(sampleSnapshot({ bids: [sampleBid({ n: 20 + k, blockNumber: 5000 + k })], finalized: 6000, tokenUri }));
      await waitFor(() => reader.markers.find((m) => m.marker.blockNumber === 5000 + k), { ...LONG, what: `frames after artwork ${k}` });
    }
    // Frames keep coming while the loads fail in the background (a stall would be zero frames;
    // the bounds are loose because the 2 cores are shared with other suites).
    const from = reader.markers.length;
    const frameFrom = reader.markers.at(-1)?.marker.frame ?? 0;
    await new Promise((r) => setTimeout(r, 5000));
    const h = await health();
    assert.ok(reader.markers.length - from >= 10, `frames decoded in 5 s: ${reader.markers.length - from}`);
    assert.ok((reader.markers.at(-1)?.marker.frame ?? 0) - frameFrom >= 30, "renderer frame counter advanced");
    assert.ok(h.fps > 0, `fps ${h.fps}`);
  });

  it("shows reconnecting (stale flag) when the indexer feed stalls, and recovers", async () => {
    live.set(null);
    await waitFor(() => reader.markers.at(-1) && reader.markers.at(-1)!.marker.flags & markerFlags.stale, { ...LONG, what: "stale flag" });
    assert.equal((await health()).feed.ok, false);
    live.set(sampleSnapshot({ bids: [sampleBid({ n: 30, blockNumber: 7000 })], finalized: 7000 }));
    await waitFor(() => reader.markers.find((m) => m.marker.blockNumber === 7000 && !(m.marker.flags & markerFlags.stale)), { ...LONG, what: "fresh again" });
  });

  it("speaks host lines from Redis and takes chat lines, without disturbing the stream", async () => {
    const pub = new Redis(redis.url);
    try {
      const now = Date.now();
      await pub.publish(CHAT_LINES_CHANNEL, JSON.stringify({ id: "m1", userId: "1", displayName: "alice", text: "!bid 1", sentAt: now, isMod: false, fromBot: false }));
      await pub.publish(HOST_LINES_CHANNEL, JSON.stringify({ id: "h1", kind: "bid", text: "One ether from Alice!", priority: 5, createdAt: now, expiresAt: now + 20_000, speak: true, chat: false }));
      await pub.publish(HOST_LINES_CHANNEL, JSON.stringify({ id: "h2", kind: "bid", text: "Too late", priority: 5, createdAt: now - 9000, expiresAt: now - 1000, speak: true, chat: false }));
      await waitFor(async () => (await health()).speech.spoken >= 1, { ...LONG, what: "host line spoken" });
      assert.equal((await health()).speech.dropped, 1);
    } finally {
      pub.disconnect();
    }
  });

  it("/health, /metrics and /preview.png report the live state", async () => {
    const h = await health();
    assert.equal(h.ingestConnected, true);
    assert.ok(h.fps > 0);
    // fps counts the last second's 30 frame slots the stream carried (drawn or repeated, taken by the
    // encoder), renderFps those drawn on time: never above 30, and 30 exactly when no slot of that
    // second was dropped, or late (a sliding window of timestamps read 29-32).
    for (let k = 0; k < 3; k++) {
      const before = await health();
      await new Promise((r) => setTimeout(r, 1100));
      const after = await health();
      assert.ok(after.fps <= 30 && after.renderFps <= 30, `fps ${after.fps}, renderFps ${after.renderFps}`);
      if (after.droppedFrames === before.droppedFrames) assert.equal(after.fps, 30, `no dropped slot in the last second, yet fps ${after.fps}`);
      if (after.lateFrames === before.lateFrames) assert.equal(after.renderFps, 30, `no late slot in the last second, yet renderFps ${after.renderFps}`);
    }
    assert.equal(typeof h.droppedFrames, "number");
    assert.equal(typeof h.encoder.speed, "number");
    const metrics = await (await fetch(`${bc.url}/metrics`)).text();
    assert.match(metrics, /sothebais_broadcaster_render_seconds_bucket/);
    assert.match(metrics, /sothebais_broadcaster_ingest_connected\{[^}]*\} 1/);
    const res = await fetch(`${bc.url}/preview.png`);
    assert.equal(res.headers.get("content-type"), "image/png");
    const img = new Image();
    img.src = Buffer.from(await res.arrayBuffer());
    const { createCanvas } = await import("@napi-rs/canvas");
    const c = createCanvas(img.width, img.height);
    c.getContext("2d").drawImage(img, 0, 0);
    const marker = readMarkerFromRgba(new Uint8Array(c.getContext("2d").getImageData(0, 0, 1280, 720).data.buffer), 1280, 720);
    assert.equal(marker?.blockNumber, 7000);
    const mjpeg = await fetch(`${bc.url}/preview.mjpeg`);
    assert.match(mjpeg.headers.get("content-type") ?? "", /multipart\/x-mixed-replace/);
    const r = mjpeg.body!.getReader();
    const { value } = await r.read();
    assert.ok(value && value.length > 0);
    await r.cancel();
  });

  it("runs with a small fixed young generation (its V8 flags), so memory does not grow with V8's new space", async () => {
    const metrics = await (await fetch(`${bc.url}/metrics`)).text();
    const newSpace = /sothebais_nodejs_heap_space_size_total_bytes\{[^}]*space="new"[^}]*\} (\d+)/.exec(metrics);
    assert.ok(newSpace, "new space size in /metrics");
    // Two 2 MB semi-spaces; without the flag V8 grows them to 2 x 64 MB within minutes.
    assert.ok(Number(newSpace[1]) <= 4 * 2 ** 20, `new space ${Number(newSpace[1]) / 2 ** 20} MB`);
    assert.doesNotMatch(bc.output(), /started without the broadcaster's V8 flags/);
  });

  it("reconnects after the RTMP server is killed and restarted, without restarting the renderer", async () => {
    const before = await health();
    const pid = bc.child.pid;
    await rtmp.kill();
    await waitFor(async () => (await health()).ingestConnected === false, { ...LONG, what: "ingest seen as down" });
    await new Promise((r) => setTimeout(r, 1500));
    await rtmp.restart();
    const lastFrame = reader.markers.at(-1)?.marker.frame ?? 0;
    await waitFor(async () => (await health()).ingestConnected === true, { ...LONG, what: "ingest reconnected" });
    await waitFor(() => reader.markers.find((m) => m.marker.frame > lastFrame + 30), { ...LONG, what: "pulled stream resumed" });
    const afterHealth = await health();
    assert.ok(afterHealth.encoder.restarts > before.encoder.restarts);
    assert.ok(afterHealth.framesRendered > before.framesRendered, "the renderer kept its frame count: same process");
    assert.equal(bc.child.pid, pid);
  });
});
