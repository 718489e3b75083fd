/**
 * @module logs/loki-source
 * Log lines from Grafana Loki (production: Grafana Alloy ships every container's stdout there with the
 * labels `service` and `level`, ops/alloy/config.alloy). History is one `query_range` (the service and
 * level as label matchers, the text and correlation ids as a line filter, so Loki does the heavy part);
 * the live tail is one shared poll of `query_range` from the newest line seen, every `pollMs`, while
 * anyone watches: plain HTTP, no websocket to keep alive through proxies, at most `pollMs` late.
 *
 * @see https://grafana.com/docs/loki/latest/reference/loki-http-api/#query-logs-within-a-range-of-time
 */
import { type LogEntry, parseLine } from "./entry.ts";
import { type LogFilter, selectEntries } from "./filter.ts";
import { type LogSource, notify } from "./source.ts";

export type LokiSourceOptions = {
  /** Loki's base URL; user:password in it is sent as basic auth. */
  url: string;
  /** Multi-tenant Loki: the X-Scope-OrgID header. */
  tenant?: string;
  pollMs?: number;
  /** How far back a query without `since` looks. */
  lookbackMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  onError?: (message: string) => void;
};

type Streams = { status: string; data: { resultType: string; result: { stream: Record<string, string>; values: [string, string][] }[] } };

const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** FNV-1a: a short stable id for a line, so the backlog and the live poll agree on it. */
function hashOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/** The LogQL query for a filter: labels for service and level, a case-insensitive line filter for the rest. */
export function logql(filter: LogFilter, ids: string[] = []): string {
  const matchers = [filter.services.length ? `service=~${JSON.stringify(filter.services.map(regexEscape).join("|"))}` : `service=~".+"`];
  if (filter.level === "warn") matchers.push(`level=~"warn|error"`);
  if (filter.level === "error") matchers.push(`level="error"`);
  let query = `{${matchers.join(", ")}}`;
  if (filter.q) query += ` |~ ${JSON.stringify(`(?i)${regexEscape(filter.q)}`)}`;
  const all = filter.correlation ? [filter.correlation, ...ids] : [];
  if (all.length) query += ` |~ ${JSON.stringify(`(?i)(${all.map(regexEscape).join("|")})`)}`;
  return query;
}

export function createLokiSource(o: LokiSourceOptions): LogSource {
  const fetchImpl = o.fetch ?? fetch;
  const pollMs = o.pollMs ?? 1000;
  const lookbackMs = o.lookbackMs ?? 3600_000;
  const timeoutMs = o.timeoutMs ?? 5000;
  const base = new URL(o.url);
  const headers: Record<string, string> = {};
  if (base.username) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString("base64")}`;
  if (o.tenant) headers["x-scope-orgid"] = o.tenant;
  base.username = "";
  base.password = "";
  const subscribers = new Set<(entries: LogEntry[]) => void>();
  let cursorNs = 0n;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function get<T>(path: string, params: Record<string, string>): Promise<T> {
    const url = new URL(path, base);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await fetchImpl(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`Loki ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as T;
  }

  async function range(query: string, startNs: bigint, limit: number, direction: "forward" | "backward"): Promise<{ entries: LogEntry[]; lastNs: bigint }> {
    const body = await get<Streams>("loki/api/v1/query_range", {
      query,
      start: String(startNs),
      end: String(BigInt(Date.now()) * 1_000_000n),
      limit: String(limit),
      direction,
    });
    const rows: { ns: bigint; service: string; line: string }[] = [];
    for (const s of body.data.result) for (const [ns, line] of s.values) rows.push({ ns: BigInt(ns), service: s.stream.service ?? "unknown", line });
    rows.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
    const entries = rows.map((r) => parseLine(r.service, r.line, `${r.ns}-${hashOf(r.service + r.line)}`, Number(r.ns / 1_000_000n)));
    return { entries, lastNs: rows.at(-1)?.ns ?? startNs };
  }

  async function pollOnce() {
    try {
      const { entries, lastNs } = await range(`{service=~".+"}`, cursorNs + 1n, 1000, "forward");
      cursorNs = lastNs;
      if (entries.length) notify(subscribers, entries, (m) => o.onError?.(m));
    } catch (error) {
      o.onError?.((error as Error).message);
    }
  }

  const loop = async () => {
    await pollOnce();
    if (subscribers.size) timer = setTimeout(() => void (running = loop()), pollMs);
    else running = undefined;
  };

  return {
    kind: "loki",
    services: async () => (await get<{ data?: string[] }>("loki/api/v1/label/service/values", {})).data?.sort() ?? [],
    query: async (filter, limit) => {
      const startNs = BigInt(filter.since ?? Date.now() - lookbackMs) * 1_000_000n;
      // Loki filters by line text, so a line that links the trail may hold an id the first query did not
      // know: ask again with every id found until no new one turns up.
      let ids: string[] = [];
      let entries: LogEntry[] = [];
      for (let round = 0; round < 4; round++) {
        entries = (await range(logql(filter, ids), startNs, Math.min(5000, limit * 4), "backward")).entries;
        if (!filter.correlation) break;
        const found = [...new Set(selectEntries(entries, filter, entries.length).flatMap((e) => [e.fields.msgId, e.fields.txHash]))].filter(
          (v): v is string => typeof v === "string" && v !== filter.correlation && !ids.includes(v),
        );
        if (!found.length) break;
        ids = [...ids, ...found];
      }
      return selectEntries(entries, filter, limit);
    },
    subscribe: (fn) => {
      subscribers.add(fn);
      if (!running) {
        cursorNs = BigInt(Date.now()) * 1_000_000n;
        clearTimeout(timer);
        running = loop();
      }
      return () => void subscribers.delete(fn);
    },
    close: async () => {
      subscribers.clear();
      clearTimeout(timer);
      await running;
      clearTimeout(timer);
    },
  };
}
