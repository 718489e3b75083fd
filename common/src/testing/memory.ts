/**
 * @module testing/memory
 * Process readings for the benches from /proc: a process's RSS, its tree of descendants, and the trend of
 * a series of samples, so a soak and a long bench judge "flat" the same way.
 */
import { readdirSync, readFileSync } from "node:fs";

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

/** The parent of `pid`, from /proc; undefined once it is gone. */
export function ppidOf(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces: fields after the last ")" are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Every process id on the machine. */
export function processIds(): number[] {
  return readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);
}

/** Every descendant of `root`, and `root` itself. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of processIds()) {
    const ppid = ppidOf(pid);
    if (ppid === undefined) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}
