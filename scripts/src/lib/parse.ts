/**
 * @module lib/parse
 * Parsers for what people type: ETH amounts, durations, times, addresses, ids. Each throws an Error whose
 * message says what was expected, so the caller can prefix the field name.
 */
import { parseEther } from "viem";
import type { Address } from "@sothebais/common/deployments";

/** "0.5" (ETH) or "500000000000000000wei" -> wei. */
export function parseEth(value: unknown): bigint {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) value = String(value);
  if (typeof value !== "string") throw new Error(`expected an ETH amount like "0.5", got ${JSON.stringify(value)}`);
  const v = value.trim();
  if (/^\d+wei$/.test(v)) return BigInt(v.slice(0, -3));
  if (!/^\d+(\.\d{1,18})?$/.test(v) && !/^\.\d{1,18}$/.test(v)) throw new Error(`expected an ETH amount like "0.5", got ${JSON.stringify(value)}`);
  return parseEther(v);
}

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** 300, "300", "90s", "5m", "1h", "1h30m" -> seconds. */
export function parseDuration(value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === "string") {
    const v = value.trim();
    if (/^\d+$/.test(v)) return Number(v);
    if (/^(\d+[smhd])+$/.test(v)) return [...v.matchAll(/(\d+)([smhd])/g)].reduce((n, m) => n + Number(m[1]) * units[m[2]], 0);
  }
  throw new Error(`expected a duration like 300, "90s", "5m" or "1h", got ${JSON.stringify(value)}`);
}

/** "now", unix seconds, "+5m" (from `now`) or an ISO date -> unix seconds. */
export function parseTime(value: unknown, now: number): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === "string") {
    const v = value.trim();
    if (v === "now") return now;
    if (/^\d+$/.test(v)) return Number(v);
    if (v.startsWith("+")) return now + parseDuration(v.slice(1));
    const ms = Date.parse(v);
    if (!Number.isNaN(ms) && /^\d{4}-\d{2}-\d{2}/.test(v)) return Math.floor(ms / 1000);
  }
  throw new Error(`expected "now", "+5m", unix seconds or an ISO date like "2026-12-01T18:00:00Z", got ${JSON.stringify(value)}`);
}

export function parseAddress(value: unknown): Address {
  if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value.trim())) return value.trim() as Address;
  throw new Error(`expected a 0x-prefixed 20-byte address, got ${JSON.stringify(value)}`);
}

/** A non-negative integer id (lot, token, campaign). */
export function parseId(value: unknown): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return BigInt(value.trim());
  throw new Error(`expected a non-negative integer, got ${JSON.stringify(value)}`);
}

/** Basis points 0..max. */
export function parseBps(value: unknown, max = 10_000): number {
  const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= max) return n;
  throw new Error(`expected basis points 0-${max}, got ${JSON.stringify(value)}`);
}

/** Token URIs the collection accepts. */
export function parseTokenURI(value: unknown): string {
  // The collection's rule: one of these schemes followed by something.
  if (typeof value === "string" && /^(ipfs:\/\/|ar:\/\/|https:\/\/|data:)\S/.test(value.trim())) return value.trim();
  throw new Error(`expected a token URI starting with ipfs://, ar://, https:// or data:, got ${JSON.stringify(typeof value === "string" && value.length > 60 ? `${value.slice(0, 60)}…` : value)}`);
}
