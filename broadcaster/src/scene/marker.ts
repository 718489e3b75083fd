/**
 * @module scene/marker
 * A machine-readable strip drawn along the bottom edge of every frame: 160 black/white 8x8 blocks
 * carrying the lot id, the highest bid (gwei), the block of that bid, a frame counter and flags,
 * protected by a CRC-16. Tests and benchmarks decode it from the stream pulled back from the RTMP
 * server, so they check what viewers get, not what the renderer thinks it drew. 8x8 luma blocks in
 * pure black and white survive H.264 at broadcast bitrates and yuv420p chroma subsampling.
 */

export const MARKER_BLOCK = 8;
export const MARKER_BITS = 160;
const MAGIC = 0xa5;

/** Flags, one bit each. */
export const markerFlags = {
  hasLot: 1,
  pending: 2, // the highest bid's block is not final yet
  sold: 4,
  noSale: 8,
  stale: 16, // the indexer feed is stale: the overlay says "reconnecting"
  between: 32, // between-lots screen
  chatBidsPaused: 64, // the "chat bidding paused" banner is on
  brb: 128, // the "be right back" scene is on (operator console)
} as const;

export type Marker = {
  lotId: number;
  /** Highest bid in gwei (wei / 1e9, truncated). */
  amountGwei: bigint;
  blockNumber: number;
  /** Renderer frame counter (mod 2^24). */
  frame: number;
  flags: number;
};

// Field layout, most significant bit first: magic 8, flags 8, lotId 24, amountGwei 48, block 32, frame 24, crc 16.
const layout = [
  ["magic", 8],
  ["flags", 8],
  ["lotId", 24],
  ["amountGwei", 48],
  ["blockNumber", 32],
  ["frame", 24],
] as const;

/** CRC-16/CCITT-FALSE over bits packed MSB first. */
function crc16(bits: number[]): number {
  let crc = 0xffff;
  for (const bit of bits) {
    const top = (crc >> 15) & 1;
    crc = (crc << 1) & 0xffff;
    if (top ^ bit) crc ^= 0x1021;
  }
  return crc;
}

function pushBits(out: number[], value: bigint, width: number): void {
  for (let i = width - 1; i >= 0; i--) out.push(Number((value >> BigInt(i)) & 1n));
}

/** The 160 bits of a marker. Values wider than their field are truncated to it. */
export function encodeMarker(m: Marker): number[] {
  const values: Record<string, bigint> = {
    magic: BigInt(MAGIC),
    flags: BigInt(m.flags & 0xff),
    lotId: BigInt(m.lotId),
    amountGwei: m.amountGwei,
    blockNumber: BigInt(m.blockNumber),
    frame: BigInt(m.frame),
  };
  const bits: number[] = [];
  for (const [name, width] of layout) pushBits(bits, values[name] & ((1n << BigInt(width)) - 1n), width);
  pushBits(bits, BigInt(crc16(bits)), 16);
  return bits;
}

/** Reads bits back; null when the magic or the CRC does not match (a damaged or foreign frame). */
export function decodeMarker(bits: ArrayLike<number>): Marker | null {
  if (bits.length < MARKER_BITS) return null;
  const data = Array.from({ length: MARKER_BITS - 16 }, (_, i) => bits[i]);
  let crc = 0;
  for (let i = MARKER_BITS - 16; i < MARKER_BITS; i++) crc = (crc << 1) | bits[i];
  if (crc !== crc16(data)) return null;
  const values: Record<string, bigint> = {};
  let at = 0;
  for (const [name, width] of layout) {
    let v = 0n;
    for (let i = 0; i < width; i++) v = (v << 1n) | BigInt(data[at + i]);
    values[name] = v;
    at += width;
  }
  if (values.magic !== BigInt(MAGIC)) return null;
  return {
    flags: Number(values.flags),
    lotId: Number(values.lotId),
    amountGwei: values.amountGwei,
    blockNumber: Number(values.blockNumber),
    frame: Number(values.frame),
  };
}

/** Minimal 2D context surface the marker needs (canvas or anything alike). */
type FillContext = { fillStyle: unknown; fillRect: (x: number, y: number, w: number, h: number) => void };

/** Draws the strip at the bottom of a `width`-wide frame (one row of 8x8 blocks at y = height - 8). */
export function drawMarker(ctx: FillContext, m: Marker, height: number): void {
  const bits = encodeMarker(m);
  const y = height - MARKER_BLOCK;
  ctx.fillStyle = "#000000";
  ctx.fillRect(0, y, MARKER_BITS * MARKER_BLOCK, MARKER_BLOCK);
  ctx.fillStyle = "#ffffff";
  for (let i = 0; i < bits.length; i++) if (bits[i]) ctx.fillRect(i * MARKER_BLOCK, y, MARKER_BLOCK, MARKER_BLOCK);
}

/**
 * Decodes a marker from an 8-pixel-high strip of 8-bit luma (gray) pixels, `width` wide, as produced by
 * `ffmpeg -vf crop=W:8:0:H-8 -pix_fmt gray`. Samples the centre of each block.
 */
export function readMarkerFromGray(strip: Uint8Array, width: number): Marker | null {
  const bits: number[] = [];
  const row = (MARKER_BLOCK / 2) * width;
  for (let i = 0; i < MARKER_BITS; i++) {
    // Average the 2x2 pixels at the block centre: robust to a little ringing at block edges.
    const x = i * MARKER_BLOCK + MARKER_BLOCK / 2;
    const v = (strip[row + x] + strip[row + x - 1] + strip[row - width + x] + strip[row - width + x - 1]) / 4;
    bits.push(v >= 128 ? 1 : 0);
  }
  return decodeMarker(bits);
}

/** Same as {@link readMarkerFromGray} for a full RGBA frame (the renderer's own pixels, previews). */
export function readMarkerFromRgba(rgba: Uint8Array, width: number, height: number): Marker | null {
  const strip = new Uint8Array(width * MARKER_BLOCK);
  const y0 = height - MARKER_BLOCK;
  for (let y = 0; y < MARKER_BLOCK; y++) {
    for (let x = 0; x < width; x++) {
      const p = ((y0 + y) * width + x) * 4;
      strip[y * width + x] = (rgba[p] * 77 + rgba[p + 1] * 150 + rgba[p + 2] * 29) >> 8;
    }
  }
  return readMarkerFromGray(strip, width);
}

/** wei -> gwei as the marker carries it. */
export function weiToGwei(wei: bigint): bigint {
  return wei / 1_000_000_000n;
}

/**
 * Writes the marker strip straight into an RGBA frame buffer (a reused frame gets its new frame
 * counter without a redraw).
 */
export function patchMarker(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, m: Marker): void {
  const bits = encodeMarker(m);
  for (let y = height - MARKER_BLOCK; y < height; y++) {
    const row = y * width * 4;
    for (let i = 0; i < bits.length; i++) {
      const v = bits[i] ? 255 : 0;
      for (let x = i * MARKER_BLOCK; x < (i + 1) * MARKER_BLOCK && x < width; x++) {
        const p = row + x * 4;
        rgba[p] = v;
        rgba[p + 1] = v;
        rgba[p + 2] = v;
        rgba[p + 3] = 255;
      }
    }
  }
}
