/**
 * @module metadata
 * ERC-721 metadata from a token URI (data:, ipfs://, ar://, https://) as the page needs it.
 *
 * ipfs:// is read through the configured gateways (`/config.json` `ipfsGateways`, the local operator's
 * first in the local stack) and checked against its CID before it is used: a gateway that answers other
 * bytes is skipped and the next one tried; when none verifies, no image is shown and `imageError` says
 * why. The verifier (common/ipfs.ts) is loaded only when an ipfs:// URI is shown, as its own chunk.
 */
export type TokenMetadata = {
  name?: string;
  description?: string;
  /** A URL an <img> can show: the gateway-verified bytes as a blob: URL, or a data:/https: URL. */
  image?: string;
  artist?: string;
  /** Why the artwork is not shown (its bytes did not match the CID on any gateway, or it failed to load). */
  imageError?: string;
};

export type MetadataOptions = { gateways?: readonly string[]; fetchImpl?: typeof fetch };

/** When /config.json names none. */
export const defaultGateways = ["https://ipfs.io/ipfs/"];

/** Largest ipfs:// file read: metadata JSON or an image. */
const MAX_BYTES = 16 * 1024 * 1024;

/** Turns ar:// into a fetchable https URL; leaves data: and http(s) alone. */
export function resolveUri(uri: string): string {
  if (uri.startsWith("ar://")) return `https://arweave.net/${uri.slice(5)}`;
  return uri;
}

const isIpfs = (uri: string) => /^ipfs:\/\//i.test(uri.trim());

/** The bytes an ipfs:// URI names, verified against the CID, with the type sniffed from them. */
async function ipfsFile(uri: string, o: MetadataOptions): Promise<{ bytes: Uint8Array; type: string | undefined }> {
  const [{ fetchVerified }, { sniff }] = await Promise.all([import("@sothebais/common/ipfs"), import("@sothebais/common/image")]);
  const fetchImpl = o.fetchImpl ?? fetch;
  const get = async (url: string, g: { maxBytes: number; accept: string }) => {
    const res = await fetchImpl(url, { headers: { accept: g.accept }, signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > g.maxBytes) throw new Error(`more than ${g.maxBytes} bytes`);
    return bytes;
  };
  const gateways = o.gateways?.length ? o.gateways : defaultGateways;
  const { bytes } = await fetchVerified(uri, { gateways, get, maxBytes: MAX_BYTES });
  const kind = sniff(bytes);
  const type = { png: "image/png", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp", svg: "image/svg+xml", json: "application/json" }[kind as string];
  return { bytes, type };
}

function blobUrl(bytes: Uint8Array, type: string): string {
  return URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
}

function decodeDataJson(uri: string): unknown {
  const comma = uri.indexOf(",");
  const header = uri.slice(5, comma);
  const body = uri.slice(comma + 1);
  const text = header.endsWith(";base64") ? new TextDecoder().decode(Uint8Array.from(atob(body), (c) => c.charCodeAt(0))) : decodeURIComponent(body);
  return JSON.parse(text);
}

function pick(json: unknown): TokenMetadata & { imageUri?: string } {
  const j = (json ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  const attrs = Array.isArray(j.attributes) ? (j.attributes as { trait_type?: string; value?: unknown }[]) : [];
  const artist = str(j.artist) ?? str(attrs.find((a) => /artist|creator/i.test(a.trait_type ?? ""))?.value);
  const imageUri = str(j.image) ?? str(j.image_url) ?? str(j.animation_url);
  return { name: str(j.name), description: str(j.description), imageUri, artist };
}

/** The image a metadata `image` field names, as a showable URL (ipfs:// verified first). */
async function showable(meta: TokenMetadata & { imageUri?: string }, o: MetadataOptions): Promise<TokenMetadata> {
  const { imageUri, ...rest } = meta;
  if (!imageUri) return rest;
  if (!isIpfs(imageUri)) return { ...rest, image: resolveUri(imageUri) };
  try {
    const { bytes, type } = await ipfsFile(imageUri, o);
    if (!type?.startsWith("image/")) return { ...rest, imageError: "the artwork on IPFS is not an image" };
    return { ...rest, image: blobUrl(bytes, type) };
  } catch (error) {
    return { ...rest, imageError: (error as Error).message };
  }
}

export async function fetchTokenMetadata(uri: string, o: MetadataOptions = {}): Promise<TokenMetadata> {
  if (!uri) return {};
  if (uri.startsWith("data:application/json")) return showable(pick(decodeDataJson(uri)), o);
  if (uri.startsWith("data:image/")) return { image: uri };
  if (isIpfs(uri)) {
    const { bytes, type } = await ipfsFile(uri, o);
    if (type?.startsWith("image/")) return { image: blobUrl(bytes, type) };
    return showable(pick(JSON.parse(new TextDecoder().decode(bytes))), o);
  }
  const res = await (o.fetchImpl ?? fetch)(resolveUri(uri), { signal: AbortSignal.timeout(8000) });
  if (!res.ok) throw new Error(`metadata ${res.status}`);
  const type = res.headers.get("content-type") ?? "";
  if (type.startsWith("image/")) return { image: resolveUri(uri) };
  return showable(pick(await res.json()), o);
}
