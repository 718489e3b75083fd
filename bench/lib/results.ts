/**
 * The one writer of bench/results/*.json (issue 21, "Provenance"). Every file holds one run: its figures,
 * the bench's parameters (`param_*`), and where it came from: `commit` (and how many tracked files differed
 * from it), `started_at`, `duration_s`, and the machine (`machine`, `machine_cores`, load average before and
 * after). A file is written whole, never merged with an earlier one: a figure from another run has no place
 * beside this run's provenance.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const resultsDir = join(repoRoot, "bench/results");

export type Figure = number | string | boolean;
export type Figures = Record<string, Figure>;

/** Keys every results file carries besides its figures. */
export const provenanceKeys = ["commit", "started_at", "duration_s", "machine", "machine_cores", "load_avg_before", "load_avg_after"] as const;

const git = (args: string[]): string | undefined => {
  try {
    return execFileSync("git", args, { cwd: repoRoot, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return undefined;
  }
};

/** +Infinity (a percentile that landed on a miss) and NaN have no JSON number: they are written as strings. */
export function jsonSafe(value: Figure): Figure {
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  return value;
}

const load1 = () => Math.round(loadavg()[0] * 100) / 100;

export type BenchRun = {
  readonly startedAt: Date;
  /** Writes the file: figures first, then the parameters as `param_<name>`, then the provenance. Returns what was written. */
  write: (figures: Figures, path?: string) => Figures;
};

/**
 * Starts the clock of one bench run. `area` names the file (bench/results/<area>.json) unless `write` gets
 * a path; `params` are the run's settings (env and constants), written as `param_<name>`.
 */
export function startBenchRun(area: string, params: Record<string, Figure> = {}): BenchRun {
  const startedAt = new Date();
  const loadBefore = load1();
  return {
    startedAt,
    write(figures, path = join(resultsDir, `${area}.json`)) {
      const out: Figures = {};
      for (const [k, v] of Object.entries(figures)) out[k] = jsonSafe(v);
      for (const [k, v] of Object.entries(params)) out[`param_${k}`] = jsonSafe(v);
      const changed = git(["status", "--porcelain", "--untracked-files=no"]);
      Object.assign(out, {
        bench: area,
        commit: git(["rev-parse", "HEAD"]) ?? "unknown",
        // The tree is shared with other work: how many tracked files differed from the commit when written.
        commit_modified_files: changed === undefined ? -1 : changed.split("\n").filter(Boolean).length,
        started_at: startedAt.toISOString(),
        duration_s: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
        machine: cpus()[0]?.model ?? "unknown",
        machine_cores: cpus().length,
        machine_memory_gb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        load_avg_before: loadBefore,
        load_avg_after: load1(),
      });
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
      return out;
    },
  };
}
