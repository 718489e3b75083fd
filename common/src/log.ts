/**
 * @module log
 * Structured logs: one JSON object per line on stdout (or pretty lines when LOG_FORMAT=pretty).
 * Secrets are redacted by key name, so a private key or OAuth token never reaches a log, and by shape
 * (common/src/redact.ts) in the message and every string, error message and cause, so a stream key or
 * an RPC API key inside a URL quoted by an error never does either.
 */
import { redactSecrets } from "./redact.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;
export type Logger = {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
};

const levels: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const secretKey = /(private.?key|secret|password|token|oauth|mnemonic|authorization)/i;
// Fields named like these hold a 32-byte hash (txHash, chatIdHash), kept although a key has that shape.
const hashKey = /(hash|^tx$)/i;

function redact(value: unknown, key = ""): unknown {
  if (secretKey.test(key) && value !== undefined && value !== null && value !== "") return "[redacted]";
  if (typeof value === "string") return redactSecrets(value, hashKey.test(key));
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    return { name: value.name, message: redactSecrets(value.message), ...(value.cause ? { cause: redact(value.cause) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  }
  return value;
}

/**
 * `fields` as the logger writes them: values under secret-named keys masked, secret shapes masked in every
 * string (32-byte hex kept under hash-named keys), bigints as strings. For readers of log lines that pass
 * them on (the operator's log viewer redacts again what it serves, in case a line did not come from us).
 */
export function redactFields(fields: LogFields): LogFields {
  return redact(fields) as LogFields;
}

export type CreateLoggerOptions = {
  service: string;
  level?: LogLevel;
  pretty?: boolean;
  write?: (line: string) => void;
};

export function createLogger(options: CreateLoggerOptions, bound: LogFields = {}): Logger {
  const min = levels[options.level ?? ((process.env.LOG_LEVEL as LogLevel) || "info")] ?? levels.info;
  const pretty = options.pretty ?? process.env.LOG_FORMAT === "pretty";
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (level: LogLevel, rawMsg: string, fields?: LogFields) => {
    if (levels[level] < min) return;
    const msg = redactSecrets(rawMsg);
    const record = redact({ ...bound, ...fields }) as LogFields;
    if (pretty) {
      const extra = Object.keys(record).length ? ` ${JSON.stringify(record)}` : "";
      write(`${new Date().toISOString().slice(11, 23)} ${level.padEnd(5)} [${options.service}] ${msg}${extra}`);
    } else {
      write(JSON.stringify({ time: new Date().toISOString(), level, service: options.service, msg, ...record }));
    }
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}
