/**
 * @module image
 * What image bytes really are, sniffed from magic bytes (never trusted from a name or a Content-Type), and
 * how big a raster claims to be, read from its header before anything decodes it. Used where untrusted
 * artwork comes in: the broadcaster's loader and the operator's upload.
 */

export type ImageKind = "png" | "jpeg" | "gif" | "webp" | "svg";
export type Sniffed = ImageKind | "json" | "unknown";

export function sniff(bytes: Uint8Array): Sniffed {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return "gif";
  if (b.length >= 12 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") return "webp";
  const head = new TextDecoder().decode(b.subarray(0, 4096)).replace(/^\uFEFF/, "").trimStart();
  if (head.startsWith("{")) return "json";
  // XML prolog, comments or a DTD may come first: the sanitizer decides what is allowed.
  if (/^<(\?xml|!doctype|!--|svg[\s>])/i.test(head) && /<svg[\s>]/i.test(head)) return "svg";
  return "unknown";
}

function ascii(b: Uint8Array, at: number, n: number): string {
  return String.fromCharCode(...b.subarray(at, at + n));
}

/** Width and height from a raster image's header (no decoding); null when the header is unreadable. */
export function rasterSize(bytes: Uint8Array, kind: Exclude<ImageKind, "svg">): { width: number; height: number } | null {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (kind === "png") return { width: v.getUint32(16), height: v.getUint32(20) };
    if (kind === "gif") return { width: v.getUint16(6, true), height: v.getUint16(8, true) };
    if (kind === "webp") {
      const chunk = ascii(bytes, 12, 4);
      if (chunk === "VP8X") return { width: 1 + (v.getUint32(24, true) & 0xffffff), height: 1 + (v.getUint32(27, true) & 0xffffff) };
      if (chunk === "VP8L") {
        const bits = v.getUint32(21, true);
        return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
      }
      if (chunk === "VP8 ") return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
      return null;
    }
    // JPEG: walk the segments to the first start-of-frame marker.
    let at = 2;
    while (at + 9 < bytes.length) {
      if (bytes[at] !== 0xff) return null;
      const marker = bytes[at + 1];
      const length = v.getUint16(at + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: v.getUint16(at + 7), height: v.getUint16(at + 5) };
      }
      at += 2 + length;
    }
    return null;
  } catch {
    return null;
  }
}
