/**
 * @module metadata
 * ERC-721 metadata from a token URI (data:, ipfs://, ar://, https://) as the page needs it.
 */
export type TokenMetadata = { name?: string; description?: string; image?: string; artist?: string };

const ipfsGateway = "https://ipfs.io/ipfs/";

/** Turns ipfs:// and ar:// into fetchable https URLs; leaves data: and http(s) alone. */
export function resolveUri(uri: string): string {
  if (uri.startsWith("ipfs://")) return ipfsGateway + uri.slice(7).replace(/^ipfs\//, "");
  if (uri.startsWith("ar://")) return `https://arweave.net/${uri.slice(5)}`;
  return uri;
}

function decodeDataJson(uri: string): unknown {
  const comma = uri.indexOf(",");
  const header = uri.slice(5, comma);
  const body = uri.slice(comma + 1);
  const text = header.endsWith(";base64") ? new TextDecoder().decode(Uint8Array.from(atob(body), (c) => c.charCodeAt(0))) : decodeURIComponent(body);
  return JSON.parse(text);
}

function pick(json: unknown): TokenMetadata {
  const j = (json ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  const attrs = Array.isArray(j.attributes) ? (j.attributes as { trait_type?: string; value?: unknown }[]) : [];
  const artist = str(j.artist) ?? str(attrs.find((a) => /artist|creator/i.test(a.trait_type ?? ""))?.value);
  const image = str(j.image) ?? str(j.image_url) ?? str(j.animation_url);
  return { name: str(j.name), description: str(j.description), image: image ? resolveUri(image) : undefined, artist };
}

export async function fetchTokenMetadata(uri: string, fetchImpl: typeof fetch = fetch): Promise<TokenMetadata> {
  if (!uri) return {};
  if (uri.startsWith("data:application/json")) return pick(decodeDataJson(uri));
  if (uri.startsWith("data:image/")) return { image: uri };
  const res = await fetchImpl(resolveUri(uri), { signal: AbortSignal.timeout(8000) });
  if (!res.ok) throw new Error(`metadata ${res.status}`);
  const type = res.headers.get("content-type") ?? "";
  if (type.startsWith("image/")) return { image: resolveUri(uri) };
  return pick(await res.json());
}
