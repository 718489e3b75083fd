/**
 * @module errors
 * One root error with hints and a cause (viem's shape), split by what the caller should do next
 * (Ponder's split): retry later, or fix something and start again.
 */
export type AppErrorOptions = { cause?: unknown; hints?: string[] };

export class AppError extends Error {
  override name = "AppError";
  readonly hints: string[];
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.hints = options.hints ?? [];
  }
}

/** Worth retrying: a dependency is down or slow. */
export class RetryableError extends AppError {
  override name = "RetryableError";
}

/** Not worth retrying: bad input or configuration. */
export class FatalError extends AppError {
  override name = "FatalError";
}

/** Configuration that failed validation; `problems` has one line per bad key. */
export class ConfigError extends FatalError {
  override name = "ConfigError";
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

/** Follows the cause chain to the first error matching `predicate`, or to the root. */
export function walk(error: unknown, predicate?: (e: unknown) => boolean): unknown {
  let current = error;
  for (let depth = 0; depth < 20; depth++) {
    if (predicate?.(current)) return current;
    const next = current instanceof Error ? current.cause : undefined;
    if (next === undefined) return predicate ? undefined : current;
    current = next;
  }
  return predicate ? undefined : current;
}
