import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCanvas } from "@napi-rs/canvas";
import { decodeMarker, drawMarker, patchMarker, encodeMarker, MARKER_BITS, markerFlags, readMarkerFromRgba, weiToGwei } from "../src/scene/marker.ts";

const sample = { lotId: 42, amountGwei: weiToGwei(1_234_567_000_000_000_000n), blockNumber: 987_654, frame: 12_345, flags: markerFlags.hasLot | markerFlags.pending };

describe("marker", () => {
  it("encodeMarker() then decodeMarker() gives back every field", () => {
    const bits = encodeMarker(sample);
    assert.equal(bits.length, MARKER_BITS);
    assert.deepEqual(decodeMarker(bits), sample);
  });

  it("decodeMarker() rejects a strip with one flipped bit (CRC)", () => {
    for (const i of [0, 9, 40, 100, 150]) {
      const bits = encodeMarker(sample);
      bits[i] ^= 1;
      assert.equal(decodeMarker(bits), null, `bit ${i}`);
    }
  });

  it("decodeMarker() rejects an all-black or all-white strip", () => {
    assert.equal(decodeMarker(new Array(MARKER_BITS).fill(0)), null);
    assert.equal(decodeMarker(new Array(MARKER_BITS).fill(1)), null);
  });

  it("drawMarker() pixels read back with readMarkerFromRgba()", () => {
    const canvas = createCanvas(1280, 720);
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#345";
    ctx.fillRect(0, 0, 1280, 720);
    drawMarker(ctx, sample, 720);
    const rgba = ctx.getImageData(0, 0, 1280, 720).data;
    assert.deepEqual(readMarkerFromRgba(new Uint8Array(rgba.buffer), 1280, 720), sample);
  });

  it("patchMarker() rewrites the strip of an existing frame buffer", () => {
    const rgba = new Uint8ClampedArray(1280 * 720 * 4).fill(90);
    patchMarker(rgba, 1280, 720, { ...sample, frame: 99 });
    assert.deepEqual(readMarkerFromRgba(new Uint8Array(rgba.buffer), 1280, 720), { ...sample, frame: 99 });
    assert.equal(rgba[0], 90, "the picture above the strip is untouched");
  });

  it("weiToGwei() truncates below a gwei", () => {
    assert.equal(weiToGwei(1_999_999_999n), 1n);
  });
});
