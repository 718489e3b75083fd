/**
 * How every bench turns samples into figures (issue 21, "Percentiles"). A sample that never arrived (a bid
 * never seen, a push that never came, a line never answered) is a miss: it enters the distribution as
 * +Infinity, so a p95 cannot improve by dropping the slow cases. A p95 over fewer than 100 samples says
 * little more than its largest sample, so it is reported as the maximum under a key that says so.
 */

/** Below this many samples (misses included) a p95 is reported as `*_max_*`. */
export const MIN_SAMPLES_FOR_P95 = 100;

/**
 * Nearest-rank percentile (the smallest sample with at least p % of the samples at or below it), with
 * `missed` extra samples at +Infinity. NaN when there are no samples at all.
 */
export function percentile(samples: readonly number[], p: number, options: { missed?: number } = {}): number {
  if (!(p > 0 && p <= 100)) throw new Error(`percentile: p must be in (0, 100], got ${p}`);
  const missed = options.missed ?? 0;
  const finite = samples.filter((s) => Number.isFinite(s));
  // A non-finite sample given directly (NaN for "never seen", or +Infinity) is a miss too.
  const misses = missed + samples.length - finite.length;
  const n = finite.length + misses;
  if (n === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  if (rank > finite.length) return Number.POSITIVE_INFINITY;
  return [...finite].sort((a, b) => a - b)[rank - 1];
}

export const round = (n: number, digits = 1): number => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);

export type LatencyKeyOptions = {
  /** Samples that never arrived, beside those in `samples` (NaN / Infinity samples count as misses too). */
  missed?: number;
  /** Unit in the key (default "ms"). */
  unit?: string;
  /** Goes after the unit, as in `chat_to_mined_p95_ms_interval_1s`. */
  suffix?: string;
  digits?: number;
  /** Percentiles besides the tail one (default [50]). */
  also?: number[];
  /** The tail percentile (default 95). */
  tail?: number;
};

/**
 * The keys of one latency distribution: `<name>_p50_<unit>`, then `<name>_p95_<unit>` when there are at least
 * 100 samples or else `<name>_max_<unit>` (the largest sample, +Infinity when any was missed), and always
 * `<name>_samples` (misses included) and `<name>_missed`.
 */
export function latencyKeys(name: string, samples: readonly number[], options: LatencyKeyOptions = {}): Record<string, number> {
  const unit = options.unit ?? "ms";
  const suffix = options.suffix ?? "";
  const digits = options.digits ?? 1;
  const tail = options.tail ?? 95;
  const missed = (options.missed ?? 0) + samples.filter((s) => !Number.isFinite(s)).length;
  const finite = samples.filter((s) => Number.isFinite(s));
  const n = finite.length + missed;
  const keys: Record<string, number> = {};
  for (const p of options.also ?? [50]) keys[`${name}_p${p}_${unit}${suffix}`] = round(percentile(finite, p, { missed }), digits);
  if (n >= MIN_SAMPLES_FOR_P95) keys[`${name}_p${tail}_${unit}${suffix}`] = round(percentile(finite, tail, { missed }), digits);
  else keys[`${name}_max_${unit}${suffix}`] = round(percentile(finite, 100, { missed }), digits);
  keys[`${name}_samples${suffix}`] = n;
  keys[`${name}_missed${suffix}`] = missed;
  return keys;
}

/** Count of each value, for outcome kinds and failure reasons. */
export function countBy(values: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

/** `{ a: 2 }` -> `{ <prefix>a: 2 }`, names made key-safe (`indexer-lag` -> `indexer_lag`). */
export function prefixKeys(prefix: string, counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [`${prefix}${k.replace(/[^A-Za-z0-9_]/g, "_")}`, v]));
}
