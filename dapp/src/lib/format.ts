/**
 * @module format
 * How numbers, addresses and times read on screen. Pure functions, tested in test/format.test.ts.
 */
import { formatEther, getAddress, isAddress } from "viem";
import { explorers } from "@sothebais/common/chains";

/** `1.25 ETH`; trims trailing zeros, keeps at most `decimals` places, never rounds a positive amount to 0. */
export function formatEth(wei: bigint, options: { decimals?: number; unit?: boolean } = {}): string {
  const { decimals = 4, unit = true } = options;
  const suffix = unit ? " ETH" : "";
  const negative = wei < 0n;
  const abs = negative ? -wei : wei;
  const [whole, fraction = ""] = formatEther(abs).split(".");
  const cut = fraction.slice(0, decimals).replace(/0+$/, "");
  if (abs > 0n && whole === "0" && cut === "") return `<${(1 / 10 ** decimals).toFixed(decimals)}${suffix}`;
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${cut ? `.${cut}` : ""}${suffix}`;
}

/** `0x1234…abcd`. */
/** `0x976E…0aa9`, in EIP-55 case whatever case the indexer stored, so it reads as wallets show it. */
export function shortAddress(address: string): string {
  const shown = isAddress(address, { strict: false }) ? getAddress(address) : address;
  return shown.length > 12 ? `${shown.slice(0, 6)}…${shown.slice(-4)}` : shown;
}

/** Time left as `2d 03h`, `1h 02m 05s` or `04:09`; `0:00` once over. */
export function formatCountdown(msLeft: number): string {
  const s = Math.max(0, Math.ceil(msLeft / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${two(h)}h`;
  if (h > 0) return `${h}h ${two(m)}m ${two(sec)}s`;
  return `${m}:${two(sec)}`;
}

/** `just now`, `5 min ago`, `3 h ago`, `2 days ago`. */
export function formatAgo(unixSeconds: number, nowMs: number = Date.now()): string {
  const s = Math.max(0, Math.floor(nowMs / 1000 - unixSeconds));
  if (s < 10) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  const days = Math.floor(s / 86_400);
  return `${days} day${days === 1 ? "" : "s"} ago`;
}

/** `Wed 25 Nov, 14:30` in the viewer's time zone. */
export function formatDateTime(unixSeconds: number, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }).format(
    new Date(unixSeconds * 1000),
  );
}

/** Blockscout link for a transaction, address or token on Shape; undefined on the local chain. */
export function explorerUrl(chainId: number, kind: "tx" | "address" | "token", value: string, tokenId?: bigint): string | undefined {
  const base = explorers[chainId];
  if (!base) return undefined;
  if (kind === "token") return `${base}/token/${value}${tokenId !== undefined ? `/instance/${tokenId}` : ""}`;
  return `${base}/${kind}/${value}`;
}
