/**
 * @module logs
 * The Logs page's data: the filters as they sit in the page's address (so a link can prefill them), the
 * operator API's log stream URL, and the bounded list of lines the page shows.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

/** One line as the operator API serves it (operator/src/logs/entry.ts). */
export type LogLine = {
  id: string;
  /** Unix ms. */
  time: number;
  service: string;
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
};

export type LogFilters = {
  /** One service, or "" for all (the tabs). */
  service: string;
  /** Minimum level, or "" for all. */
  level: "" | LogLevel;
  q: string;
  correlation: string;
};

export const emptyFilters: LogFilters = { service: "", level: "", q: "", correlation: "" };

/** Lines the page keeps: the newest, the oldest go first. */
export const maxLines = 2000;

const levels: readonly string[] = ["debug", "info", "warn", "error"];

/** The filters in a location's query string (`?service=relayer&level=error`). */
export function filtersFromSearch(search: string): LogFilters {
  const p = new URLSearchParams(search);
  const level = p.get("level") ?? "";
  return {
    service: p.get("service") ?? "",
    level: levels.includes(level) ? (level as LogLevel) : "",
    q: p.get("q") ?? "",
    correlation: p.get("correlation") ?? "",
  };
}

/** The query string for the filters, empty ones left out (`""` when none is set). */
export function searchOf(f: LogFilters): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The page's path, filters prefilled: where an error card links to. */
export function logsPath(f: Partial<LogFilters> = {}): string {
  return `/admin/logs${searchOf({ ...emptyFilters, ...f })}`;
}

/** The service's log name for a status-board service (the chain's RPC is the `chain` part's log). */
export function logServiceOf(service: string): string {
  return service === "rpc" ? "chain" : service;
}

/** `lines` with `incoming` added, newest first, at most `cap`, each id once. */
export function addLines(lines: readonly LogLine[], incoming: readonly LogLine[], cap = maxLines): LogLine[] {
  if (!incoming.length) return lines as LogLine[];
  const known = new Set(lines.map((l) => l.id));
  const fresh = incoming.filter((l) => !known.has(l.id)).reverse();
  return [...fresh, ...lines].slice(0, cap);
}

/** A few fields worth seeing without opening the line: the ids that follow a bid, then the lot. */
export function keyFields(line: LogLine): [string, string][] {
  const out: [string, string][] = [];
  for (const k of ["msgId", "txHash", "lotId", "amount", "error"]) {
    const v = line.fields[k];
    if (v === undefined || v === null || v === "") continue;
    const text = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
    out.push([k, text.length > 80 ? `${text.slice(0, 77)}…` : text]);
  }
  return out;
}
