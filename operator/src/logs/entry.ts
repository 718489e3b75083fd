/**
 * @module logs/entry
 * One log line as the console shows it: the service it came from, its time, level and message, and the
 * rest of its JSON fields. Every line is redacted here, once, whatever source it came from: the services
 * redact at the source already (common/src/log.ts), this is the second line of defence for a line that
 * did not come through our logger (a crash trace, a child tool, an older version).
 */
import { type LogFields, redactFields } from "@sothebais/common/log";
import { redactSecrets } from "@sothebais/common/redact";

export const logLevels = ["debug", "info", "warn", "error"] as const;
export type Level = (typeof logLevels)[number];

export type LogEntry = {
  /** Unique within the source; the page keys rows by it and a stream dedupes its backlog by it. */
  id: string;
  /** Unix ms: the line's own `time` when it has one, else when it was read. */
  time: number;
  service: string;
  level: Level;
  msg: string;
  /** Every other field of the JSON line (none for a plain-text line). */
  fields: LogFields;
};

/** Ponder (pino) writes numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
function levelOf(value: unknown): Level {
  if (typeof value === "number") return value >= 50 ? "error" : value >= 40 ? "warn" : value >= 30 ? "info" : "debug";
  if (typeof value !== "string") return "info";
  const v = value.toLowerCase();
  if (v === "fatal" || v === "error" || v === "err") return "error";
  if (v === "warn" || v === "warning") return "warn";
  if (v === "debug" || v === "trace") return "debug";
  return "info";
}

function timeOf(value: unknown, fallback: number): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string") {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return t;
  }
  return fallback;
}

/**
 * The entry for one line of `service`'s output, redacted. A JSON object line gives its level, time and
 * message; anything else (Hardhat's, nginx's or Redis's own output, a stack trace) is kept whole as an
 * `info` message.
 */
export function parseLine(service: string, line: string, id: string, readAt: number): LogEntry {
  let parsed: unknown;
  if (line.startsWith("{")) {
    try {
      parsed = JSON.parse(line);
    } catch {}
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { id, time: readAt, service, level: "info", msg: redactSecrets(line), fields: {} };
  }
  const { level, time, msg, message, service: _named, ...rest } = parsed as Record<string, unknown>;
  const text = typeof msg === "string" ? msg : typeof message === "string" ? message : "";
  return { id, time: timeOf(time, readAt), service, level: levelOf(level), msg: redactSecrets(text), fields: redactFields(rest) };
}
