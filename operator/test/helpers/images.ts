/**
 * Real image files for upload tests, made here: a PNG of any size (pixels from a seed, so two seeds give
 * two different files and one seed always the same bytes), and headers that claim sizes no test should
 * have to allocate.
 */
import { crc32, deflateSync } from "node:zlib";

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * An RGB PNG of `width` x `height`; `noise` makes it incompressible (a large file from few pixels), `fill`
 * one flat colour (found again after scaling and video compression, where a gradient's pixels are not).
 */
export function png(width: number, height: number, o: { seed?: number; noise?: boolean; fill?: [number, number, number] } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const rows = Buffer.alloc((width * 3 + 1) * height);
  let x = (o.seed ?? 1) >>> 0 || 1;
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let i = 1; i <= width * 3; i++) {
      // xorshift32: deterministic pixels; without noise, a gradient that compresses well.
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      rows[row + i] = o.fill ? o.fill[(i - 1) % 3] : o.noise ? x & 0xff : ((i + y + (o.seed ?? 0)) * 3) & 0xff;
    }
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(rows, { level: o.noise ? 0 : 9 })), chunk("IEND", new Uint8Array())]);
}

/** A PNG whose header claims `width` x `height` with no real pixel data behind it. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IEND", new Uint8Array())]);
}
