/**
 * @module format
 * How the host says numbers, names and times. The truth guard parses the same shapes back, so a
 * line's figures can be checked against chain state (see guard.ts).
 */
import { formatEther, getAddress, isAddress } from "viem";

/** Wei as ETH, exact (no rounding: the host never says a figure the chain does not hold). */
export function formatEth(wei: bigint): string {
  return formatEther(wei);
}

/** `0x1234…abcd`, the name of a wallet bidder who has no chat name. */
export function shortAddress(address: string): string {
  // Checksummed, so the same wallet always reads the same whatever case the source used.
  const a = isAddress(address, { strict: false }) ? getAddress(address) : address;
  return `${a.slice(0, 6)}…${a.slice(-4)}`;
}

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
export const ZERO_HASH = `0x${"0".repeat(64)}`;

/** "1 second", "12 seconds", "2 minutes", "1 minute 5 seconds". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  const mins = `${m} minute${m === 1 ? "" : "s"}`;
  return rest ? `${mins} ${rest} second${rest === 1 ? "" : "s"}` : mins;
}

/**
 * The artwork's title and artist from a `data:application/json` token URI (the demo collection's
 * shape); other URIs would need a fetch, so the host falls back to "token #id".
 */
export function artworkFromUri(tokenUri: string, tokenId: string): { title: string; artist?: string } {
  const fallback = { title: `token #${tokenId}` };
  const match = /^data:application\/json(;base64)?,(.*)$/s.exec(tokenUri);
  if (!match) return fallback;
  try {
    const json = match[1] ? Buffer.from(match[2] ?? "", "base64").toString("utf8") : decodeURIComponent(match[2] ?? "");
    const meta = JSON.parse(json) as { name?: unknown; artist?: unknown; created_by?: unknown; attributes?: unknown };
    const title = typeof meta.name === "string" && meta.name.trim() ? meta.name.trim().slice(0, 80) : fallback.title;
    let artist = typeof meta.artist === "string" ? meta.artist : typeof meta.created_by === "string" ? meta.created_by : undefined;
    if (!artist && Array.isArray(meta.attributes)) {
      const attr = meta.attributes.find((a) => a && typeof a === "object" && /artist/i.test(String((a as { trait_type?: unknown }).trait_type)));
      if (attr && typeof (attr as { value?: unknown }).value === "string") artist = (attr as { value: string }).value;
    }
    return { title, ...(artist ? { artist: artist.slice(0, 60) } : {}) };
  } catch {
    return fallback;
  }
}
