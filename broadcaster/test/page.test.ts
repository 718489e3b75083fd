/**
 * The local stream page (what `./sothebais up` serves at http://127.0.0.1:8793/) plays in a real Chromium:
 * the broadcaster streams to nginx-rtmp as the local stack starts it (a keyframe a second), the page's
 * player (hls.js) plays the HLS, and the marker strip is read back from the page's `<video>` element. A
 * functional check with generous bounds (the 2 cores are shared); the timing figure is
 * `bench/glass.bench.ts`'s (mined_to_hls_page_*).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitFor } from "@sothebais/common/testing";
import type { Browser } from "playwright-core";
import { launchChromium, type PagePlayer, playStreamPage } from "./helpers/page.ts";
import { sampleBid, sampleSnapshot } from "./helpers/snapshot.ts";
import { type StreamRig, startStreamRig } from "./helpers/stream.ts";

/** The page must show a decodable frame within this long of being opened on a running stream. */
const FIRST_MARKER_S = 60;

let rig: StreamRig;
let browser: Browser;
let player: PagePlayer;

before(async () => {
  // As the local stack streams to its HLS page (scripts/src/stack/broadcaster.ts).
  rig = await startStreamRig({ KEYFRAME_SECONDS: "1", TTS_ENGINE: "none" });
  // The first HLS fragment exists once the stream has run a little.
  await waitFor(async () => (await fetch(rig.rtmp.hlsUrl)).ok, { timeoutMs: 90_000, intervalMs: 250, what: "the HLS playlist" });
  browser = await launchChromium();
});

after(async () => {
  await player?.close();
  await browser?.close().catch(() => {});
  await rig?.stop();
});

describe("the local stream page (nginx-rtmp HLS, hls.js, Chromium)", () => {
  it(`plays, and a frame marker is read from its <video> within ${FIRST_MARKER_S} s`, async () => {
    const opened = Date.now();
    player = await playStreamPage(browser, rig.rtmp.pageUrl);
    const first = await waitFor(() => player.markers[0], { timeoutMs: FIRST_MARKER_S * 1000, intervalMs: 100, what: "a decoded marker in the page's video" });
    assert.equal(first.marker.lotId, 3);
    assert.equal(first.marker.amountGwei, 300_000_000n);
    const stats = await player.playerStats();
    assert.ok(stats.hlsJs, "the page plays with hls.js");
    console.log(`# first marker in the page ${first.at - opened} ms after opening it; hls.js latency estimate ${stats.latencyS?.toFixed(2)} s`);
  });

  it("a new bid reaches the page's video (its block and amount in the marker)", async () => {
    const bid = sampleBid({ n: 17, blockNumber: 4242, final: false });
    const setAt = Date.now();
    rig.live.set(sampleSnapshot({ bids: [bid, sampleBid({ n: 3 })], finalized: 4000 }));
    const seen = await waitFor(() => player.markers.find((m) => m.marker.blockNumber === 4242), { timeoutMs: 30_000, intervalMs: 50, what: "block 4242 in the page" });
    assert.equal(seen.marker.amountGwei, 1_700_000_000n);
    const counts = await player.counts();
    // Every presented frame carries the strip: a few may fail to decode while the player starts.
    assert.ok(counts.bad <= Math.max(5, counts.frames * 0.02), `undecodable frames: ${counts.bad} of ${counts.frames}`);
    console.log(`# /live update -> page ${seen.at - setAt} ms (functional check, not a figure); ${counts.frames} frames presented, ${counts.bad} undecodable`);
  });
});
