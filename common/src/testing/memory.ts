/**
 * @module testing/memory
 * Memory readings for the benches: a process's RSS from /proc and the trend of a series of samples,
 * so a soak and a long bench judge "flat" the same way.
 */
import { readFileSync } from "node:fs";

/** VmRSS of one process in MB; 0 once it is gone. */
export function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Least-squares slope of `y` over `t` (ms since the epoch), in units of `y` per minute; 0 for one instant. */
export function slopePerMinute(xs: readonly { t: number; y: number }[]): number {
  const mt = xs.reduce((a, x) => a + x.t, 0) / xs.length;
  const my = xs.reduce((a, x) => a + x.y, 0) / xs.length;
  const sxx = xs.reduce((a, x) => a + (x.t - mt) ** 2, 0);
  return sxx > 0 ? (xs.reduce((a, x) => a + (x.t - mt) * (x.y - my), 0) / sxx) * 60_000 : 0;
}
