/**
 * @module logs/filter
 * The filters of the Logs page and API: service(s), minimum level, text, correlation id, since. Parsed
 * from query parameters (a bad value is a 400 naming it), applied the same way to history and to the
 * live tail.
 *
 * A correlation id follows one bid from chat to frame: the relayer's `bid placed` line carries the chat
 * message id (`msgId`) and the transaction (`txHash`); the indexer, the agent and the broadcaster log
 * the `txHash`. Filtering by either id finds the line that carries it, and the ids on that line join the
 * search ({@link createCorrelation}), so the chat message id alone finds the whole trail.
 */
import { type Level, type LogEntry, logLevels } from "./entry.ts";

export type LogFilter = {
  /** Only these services (none: all). */
  services: string[];
  /** This level and above. */
  level?: Level;
  /** Case-insensitive text, in the message or any field. */
  q?: string;
  /** A chat message id or a tx hash (any field value equal to it; hex case-insensitive). */
  correlation?: string;
  /** Unix ms: lines at or after it. */
  since?: number;
};

export const defaultLimit = 200;
export const maxLimit = 2000;

/** Fields whose values link lines of one bid across services: a matched line's values join the search. */
const linkFields = new Set(["msgId", "txHash"]);

const rank = (l: Level) => logLevels.indexOf(l);
const serviceName = /^[a-z0-9][a-z0-9._-]{0,62}$/i;

export type ParsedQuery = { ok: true; filter: LogFilter; limit: number } | { ok: false; problems: string[] };

/** The filter and limit from query parameters, or one problem per bad parameter. */
export function parseQuery(query: Record<string, string | undefined>): ParsedQuery {
  const problems: string[] = [];
  const filter: LogFilter = { services: [] };
  const service = query.service?.trim();
  if (service && service !== "all") {
    filter.services = service.split(",").map((s) => s.trim()).filter(Boolean);
    const bad = filter.services.filter((s) => !serviceName.test(s));
    if (bad.length) problems.push(`service: got ${JSON.stringify(bad.join(","))}, expected service names (letters, digits, . _ -)`);
  }
  const level = query.level?.trim().toLowerCase();
  if (level && level !== "all") {
    if ((logLevels as readonly string[]).includes(level)) filter.level = level as Level;
    else problems.push(`level: got ${JSON.stringify(level)}, expected one of ${logLevels.join(", ")}`);
  }
  const q = query.q?.trim();
  if (q) {
    if (q.length > 200) problems.push("q: longer than 200 characters");
    else filter.q = q;
  }
  const correlation = query.correlation?.trim();
  if (correlation) {
    if (correlation.length > 200) problems.push("correlation: longer than 200 characters");
    else filter.correlation = correlation;
  }
  const since = query.since?.trim();
  if (since) {
    const ms = /^\d+$/.test(since) ? Number(since) : Date.parse(since);
    if (Number.isFinite(ms)) filter.since = ms;
    else problems.push(`since: got ${JSON.stringify(since)}, expected unix milliseconds or an ISO time`);
  }
  let limit = defaultLimit;
  const rawLimit = query.limit?.trim();
  if (rawLimit) {
    limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > maxLimit) problems.push(`limit: got ${JSON.stringify(rawLimit)}, expected an integer 1-${maxLimit}`);
  }
  return problems.length ? { ok: false, problems } : { ok: true, filter, limit };
}

const sameId = (a: string, b: string) => a === b || (a.startsWith("0x") && a.toLowerCase() === b.toLowerCase());

/** Every scalar value in the fields, nested objects and arrays included, as strings. */
function* valuesOf(fields: unknown): Generator<[key: string, value: string]> {
  if (!fields || typeof fields !== "object") return;
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "bigint") yield [k, String(v)];
    else if (v && typeof v === "object") yield* valuesOf(v);
  }
}

/** The entry without the correlation filter (service, level, text, since). */
function matchesRest(entry: LogEntry, filter: LogFilter): boolean {
  if (filter.services.length && !filter.services.includes(entry.service)) return false;
  if (filter.level && rank(entry.level) < rank(filter.level)) return false;
  if (filter.since !== undefined && entry.time < filter.since) return false;
  if (filter.q) {
    const needle = filter.q.toLowerCase();
    if (!entry.msg.toLowerCase().includes(needle) && !JSON.stringify(entry.fields).toLowerCase().includes(needle)) return false;
  }
  return true;
}

export type Correlation = {
  /** Whether the entry passes the filter; a passing entry's msgId/txHash join the ids searched. */
  matches: (entry: LogEntry) => boolean;
  /** The ids searched so far (the one asked for first). */
  ids: () => string[];
};

/**
 * The filter as a stateful matcher. Without a correlation id it is a plain predicate. With one, an entry
 * matches when any field value equals one of the ids known so far, and its link fields (msgId, txHash)
 * become known: fed in time order, the relayer's `bid placed` line (msgId + txHash) brings the
 * broadcaster's `bid on stream` line (txHash) in. `known` seeds the ids (a repeated search).
 */
export function createCorrelation(filter: LogFilter, known: readonly string[] = []): Correlation {
  const ids = filter.correlation ? [filter.correlation, ...known.filter((k) => !sameId(k, filter.correlation ?? ""))] : [];
  const isKnown = (v: string) => ids.some((id) => sameId(v, id));
  return {
    ids: () => [...ids],
    matches: (entry) => {
      if (!matchesRest(entry, filter)) return false;
      if (!filter.correlation) return true;
      let hit = false;
      for (const [, v] of valuesOf(entry.fields)) if (isKnown(v)) hit = true;
      if (!hit) return false;
      for (const [k, v] of valuesOf(entry.fields)) if (linkFields.has(k) && !isKnown(v)) ids.push(v);
      return true;
    },
  };
}

/**
 * The newest `limit` entries of `entries` (oldest first) that pass the filter. With a correlation id the
 * search repeats until no new id turns up, so a line logged before the one that links it is found too.
 */
export function selectEntries(entries: readonly LogEntry[], filter: LogFilter, limit: number): LogEntry[] {
  let known: string[] = [];
  let hits: LogEntry[] = [];
  for (let round = 0; round < 4; round++) {
    const correlation = createCorrelation(filter, known);
    hits = entries.filter(correlation.matches);
    const found = correlation.ids();
    if (!filter.correlation || found.length === known.length + 1) break;
    known = found.slice(1);
  }
  return hits.slice(-limit);
}
