import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { createRenderer, HEIGHT, WIDTH } from "../src/scene/render.ts";
import { buildView } from "../src/scene/view.ts";
import { createI420, rgbaToI420 } from "../src/scene/yuv.ts";
import { sampleBid, sampleSnapshot } from "./helpers/snapshot.ts";

const NOW = 1_800_000_000_000;

/** A real scene frame: text, gradients, the gold highlight, the marker strip. */
function sceneFrame(): Uint8ClampedArray {
  const r = createRenderer();
  const snap = sampleSnapshot({ now: NOW, bids: [sampleBid({ n: 6, final: false, blockNumber: 125 }), sampleBid({ n: 5 })] });
  const v = buildView({
    snapshot: snap,
    receivedAt: NOW - 100,
    chat: [{ name: "alice", text: "hello from chat" }],
    caption: { text: "We have six tenths", speaking: true },
    names: new Map(),
    artwork: () => undefined,
    firstSeen: new Map([["bid:bid-6", NOW - 500]]),
    now: NOW,
    frame: 1,
    staleAfterMs: 5000,
  });
  r.render(v, NOW);
  return r.frame;
}

const meanAbs = (a: Uint8Array, b: Uint8Array) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0) / a.length;
const maxAbs = (a: Uint8Array, b: Uint8Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe("rgbaToI420()", () => {
  it("matches ffmpeg's own rgba -> yuv420p conversion of a scene frame", () => {
    const rgba = sceneFrame();
    const ours = createI420(WIDTH, HEIGHT);
    rgbaToI420(rgba, ours, 0, 0, WIDTH, HEIGHT);
    const ff = spawnSync("ffmpeg", ["-v", "error", "-f", "rawvideo", "-pix_fmt", "rgba", "-s", `${WIDTH}x${HEIGHT}`, "-i", "pipe:0", "-pix_fmt", "yuv420p", "-f", "rawvideo", "pipe:1"], {
      input: rgba,
      maxBuffer: 16 * 1024 * 1024,
    });
    assert.equal(ff.status, 0, ff.stderr.toString());
    const theirs = createI420(WIDTH, HEIGHT);
    theirs.data.set(ff.stdout);
    // Luma: the same formula up to rounding. Chroma: ffmpeg filters the vertical subsampling over a
    // few rows where we average 2x2, so edges differ a little; on average the planes agree.
    assert.ok(maxAbs(ours.y, theirs.y) <= 1, `Y differs by up to ${maxAbs(ours.y, theirs.y)}`);
    assert.ok(meanAbs(ours.u, theirs.u) < 1, `U mean difference ${meanAbs(ours.u, theirs.u)}`);
    assert.ok(meanAbs(ours.v, theirs.v) < 1, `V mean difference ${meanAbs(ours.v, theirs.v)}`);
  });

  it("converts only the given region", () => {
    const rgba = new Uint8ClampedArray(8 * 4 * 4).fill(255);
    const out = createI420(8, 4);
    rgbaToI420(rgba, out, 2, 0, 2, 2);
    assert.deepEqual([...out.y.subarray(0, 8)], [0, 0, 235, 235, 0, 0, 0, 0]);
    assert.deepEqual([...out.u], [0, 128, 0, 0, 0, 0, 0, 0]);
  });

  it("refuses odd coordinates (chroma covers 2x2 pixels)", () => {
    assert.throws(() => rgbaToI420(new Uint8Array(64), createI420(4, 4), 1, 0, 2, 2), RangeError);
  });
});
