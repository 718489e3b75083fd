/**
 * The preview is public (compose publishes it): its cost must not grow with its viewers. The real
 * service with many concurrent `/preview.mjpeg` and `/preview.png` clients encodes about one image per
 * interval, and every client gets the same bytes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { freePort, type RedisServer, startRedis, waitFor } from "@sothebais/common/testing";
import { sampleBid, sampleSnapshot } from "./helpers/snapshot.ts";
import { type BroadcasterProcess, type LiveServer, startBroadcasterProcess, startLiveServer } from "./helpers/stream.ts";

let redis: RedisServer;
let live: LiveServer;
let bc: BroadcasterProcess;
const PREVIEW_FPS = 2;

before(async () => {
  redis = await startRedis();
  live = await startLiveServer(sampleSnapshot({ bids: [sampleBid({ n: 3 })] }));
  // No ingest needed: frames are drawn (and previewed) whether or not ffmpeg streams.
  bc = await startBroadcasterProcess({
    INDEXER_URL: live.url,
    REDIS_URL: redis.url,
    RTMP_URL: `rtmp://127.0.0.1:${await freePort()}/live/x`,
    TTS_ENGINE: "none",
    PREVIEW_FPS: String(PREVIEW_FPS),
  });
  await waitFor(async () => (await fetch(`${bc.url}/preview.png`)).status === 200, { timeoutMs: 30_000, what: "first frame" });
});

after(async () => {
  await bc?.stop();
  await live?.close();
  await redis?.stop();
});

const encodes = async (format: "png" | "jpeg") => {
  const text = await (await fetch(`${bc.url}/metrics`)).text();
  const m = new RegExp(`sothebais_broadcaster_preview_encodes_total\\{[^}]*format="${format}"[^}]*\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
};

/** Reads JPEG parts from one /preview.mjpeg connection until aborted. */
async function readMjpeg(signal: AbortSignal): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  try {
    const res = await fetch(`${bc.url}/preview.mjpeg`, { signal });
    let pending = Buffer.alloc(0);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const head = /content-length: (\d+)\r\n\r\n/.exec(pending.toString("latin1"));
        if (!head) break;
        const start = head.index + head[0].length;
        const length = Number(head[1]);
        if (pending.length < start + length) break;
        parts.push(pending.subarray(start, start + length));
        pending = pending.subarray(start + length);
      }
    }
  } catch {
    // aborted: the test is done reading
  }
  return parts;
}

describe("shared preview (real broadcaster)", () => {
  it("20 concurrent /preview.png requests share one encode", async () => {
    // Wait out the interval so this burst needs a fresh image.
    await new Promise((r) => setTimeout(r, 1100));
    const before = await encodes("png");
    const bodies = await Promise.all(Array.from({ length: 20 }, async () => Buffer.from(await (await fetch(`${bc.url}/preview.png`)).arrayBuffer())));
    const after = await encodes("png");
    // One encode; two if the burst straddled the 1 s interval on a loaded machine (20 would be per request).
    assert.ok(after - before >= 1 && after - before <= 2, `png encodes for 20 concurrent requests: ${after - before}`);
    const distinct = new Set(bodies.map((b) => b.toString("base64")));
    assert.ok(distinct.size <= after - before, `${distinct.size} distinct images from ${after - before} encodes`);
  });

  it("12 MJPEG viewers for 4 s cost about one JPEG encode per interval, not one per viewer", async () => {
    const viewers = 12;
    const seconds = 4;
    const before = await encodes("jpeg");
    const controller = new AbortController();
    const reading = Array.from({ length: viewers }, () => readMjpeg(controller.signal));
    await new Promise((r) => setTimeout(r, seconds * 1000));
    controller.abort();
    const parts = await Promise.all(reading);
    const after = await encodes("jpeg");
    const encoded = after - before;
    // One per 1/PREVIEW_FPS s (8 in 4 s) plus the edges; per viewer it would be ~96.
    assert.ok(encoded <= seconds * PREVIEW_FPS + 2, `jpeg encodes: ${encoded} for ${viewers} viewers over ${seconds} s`);
    for (const p of parts) assert.ok(p.length >= seconds * PREVIEW_FPS - 3, `a viewer got ${p.length} frames`);
    // The viewers were served the very same images.
    const distinct = new Set(parts.flat().map((b) => b.toString("base64")));
    assert.ok(distinct.size <= encoded, `${distinct.size} distinct images from ${encoded} encodes`);
  });
});
