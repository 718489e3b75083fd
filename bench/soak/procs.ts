/**
 * Processes of the soak's stack, seen from /proc: find a part's process by its command line, sample the
 * RSS of its whole tree, kill -9 its process group and start it again exactly as it was (command line,
 * working directory and environment read back from /proc), as a supervisor would.
 */
import { readFileSync, readlinkSync } from "node:fs";
import { type Managed, ppidOf, processIds, processTree, rssMb, startProcess } from "@sothebais/common/testing";

export type ProcSnapshot = { name: string; pid: number; argv: string[]; cwd: string; env: Record<string, string> };

const argvOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);

/** The direct child of this process whose command line contains `needle` (newest first). */
export function findChild(needle: string): number | undefined {
  const mine = processIds().filter((pid) => ppidOf(pid) === process.pid).sort((a, b) => b - a);
  for (const pid of mine) {
    try {
      if (argvOf(pid).join(" ").includes(needle)) return pid;
    } catch {}
  }
  return undefined;
}

export function snapshot(name: string, pid: number): ProcSnapshot {
  const env = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
  return { name, pid, argv: argvOf(pid), cwd: readlinkSync(`/proc/${pid}/cwd`), env };
}

/** Sum of VmRSS over the process tree, in MB (0 when it is gone). */
export function treeRssMb(root: number): number {
  return processTree(root).reduce((mb, pid) => mb + rssMb(pid), 0);
}

/** kill -9 the process group (the parts start their children detached, one group each). */
export function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {}
  }
}

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return ppidOf(pid) !== undefined;
  } catch {
    return false;
  }
};

/** Starts the process again as it was. Readiness is the caller's business (each service has its own /health). */
export function respawn(snap: ProcSnapshot, echo?: (line: string) => void): Promise<Managed> {
  return startProcess({ name: snap.name, command: snap.argv[0], args: snap.argv.slice(1), cwd: snap.cwd, env: snap.env, echo, timeoutMs: 120_000 });
}
