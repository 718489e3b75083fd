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

const networkErrorNames = new Set(["HttpRequestError", "TimeoutError", "WebSocketRequestError", "SocketClosedError"]);
const networkCodes = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/**
 * True when `error` means the other side could not be reached or did not answer in time (worth a retry),
 * false when it answered, even with an error. Decided by error names and codes along the cause chain,
 * never by searching messages: a viem message quotes the request body, whose hex holds any digits
 * ("…503…"), and a JSON-RPC "nonce too low" must not be retried as an outage.
 */
export function isNetworkError(error: unknown): boolean {
  return (
    walk(error, (e) => {
      if (!(e instanceof Error)) return false;
      const status = (e as { status?: number }).status;
      if (networkErrorNames.has(e.name)) return e.name !== "HttpRequestError" || status === undefined || status === 408 || status === 429 || status >= 500;
      if (networkCodes.has(String((e as { code?: unknown }).code))) return true;
      // undici's own errors, before a code is attached: their messages are short and quote no payload.
      return e.name === "TypeError" && /^fetch failed$/.test(e.message);
    }) !== undefined
  );
}
