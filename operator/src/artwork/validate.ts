/**
 * @module artwork/validate
 * What an uploaded artwork must be before anything is stored: a PNG, JPEG, GIF or WebP by its magic
 * bytes (the file name and the browser's Content-Type are not trusted), within the size and dimension
 * limits read from its header (nothing is decoded here), and a title and artist. SVG is refused: it is
 * a document that can carry scripts and external references, and a minted token URI is forever.
 * Every refusal names the bad value and what is allowed.
 */
import { type ImageKind, rasterSize, sniff } from "@sothebais/common/image";

export type ArtworkLimits = {
  maxBytes: number;
  /** Largest width and height, each. */
  maxSide: number;
  /** Smallest width and height, each (a thumbnail-sized "artwork" is a mistake). */
  minSide: number;
};

export type RasterKind = Exclude<ImageKind, "svg">;

export type ArtworkInput = { bytes: Uint8Array; title: string; artist: string; description: string };

export type CheckedArtwork = ArtworkInput & { kind: RasterKind; mime: string; width: number; height: number };

/** An upload refused for what it is; `field` names the form field at fault. */
export class ArtworkRejected extends Error {
  override name = "ArtworkRejected";
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

export const mimeOf: Record<RasterKind, string> = { png: "image/png", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp" };

const TEXT_MAX = { title: 200, artist: 200, description: 5000 } as const;

/** Checks an upload against `limits`; returns it with its sniffed type and dimensions, or throws {@link ArtworkRejected}. */
export function checkArtwork(input: ArtworkInput, limits: ArtworkLimits): CheckedArtwork {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 1)} MB`;
  if (input.bytes.length === 0) throw new ArtworkRejected("image", "the image is empty");
  if (input.bytes.length > limits.maxBytes) {
    throw new ArtworkRejected("image", `the image is ${mb(input.bytes.length)} (${input.bytes.length} bytes); at most ${mb(limits.maxBytes)} is allowed`);
  }
  const kind = sniff(input.bytes);
  if (kind === "svg") throw new ArtworkRejected("image", "SVG is not accepted (it can carry scripts and external references); upload a PNG, JPEG, GIF or WebP");
  if (kind === "json" || kind === "unknown") {
    throw new ArtworkRejected("image", "the file is not a PNG, JPEG, GIF or WebP image (checked by its content, not its name)");
  }
  const size = rasterSize(input.bytes, kind);
  if (!size?.width || !size.height) throw new ArtworkRejected("image", `the ${kind.toUpperCase()} header is unreadable (no width and height found)`);
  const { width, height } = size;
  if (width > limits.maxSide || height > limits.maxSide) {
    throw new ArtworkRejected("image", `the image is ${width}x${height} pixels; at most ${limits.maxSide}x${limits.maxSide} is allowed`);
  }
  if (width < limits.minSide || height < limits.minSide) {
    throw new ArtworkRejected("image", `the image is ${width}x${height} pixels; at least ${limits.minSide}x${limits.minSide} is required`);
  }
  const text = (field: keyof typeof TEXT_MAX, value: string, required: boolean) => {
    const v = value.trim();
    if (required && !v) throw new ArtworkRejected(field, `${field} is required`);
    if (v.length > TEXT_MAX[field]) throw new ArtworkRejected(field, `${field} is ${v.length} characters; at most ${TEXT_MAX[field]} are allowed`);
    return v;
  };
  return {
    bytes: input.bytes,
    title: text("title", input.title, true),
    artist: text("artist", input.artist, true),
    description: text("description", input.description, false),
    kind,
    mime: mimeOf[kind],
    width,
    height,
  };
}

/**
 * The token's ERC-721 metadata (OpenSea's shape, which marketplaces and our stream read): name,
 * description, image as ipfs://, the artist as a top-level field and an attribute. Keys in a fixed
 * order so the same artwork always yields the same JSON bytes, hence the same CID.
 */
export function tokenMetadata(a: CheckedArtwork, imageCid: string): Record<string, unknown> {
  return {
    name: a.title,
    description: a.description,
    image: `ipfs://${imageCid}`,
    artist: a.artist,
    attributes: [
      { trait_type: "Artist", value: a.artist },
      { trait_type: "Dimensions", value: `${a.width}x${a.height}` },
      { trait_type: "Format", value: a.kind.toUpperCase() },
    ],
    properties: { files: [{ uri: `ipfs://${imageCid}`, type: a.mime }] },
  };
}
