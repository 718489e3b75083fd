/**
 * @module logs/source
 * Where the console's log lines come from: the files the local stack writes (`LOG_DIR`,
 * logs/file-source.ts) or Grafana Loki in production (`LOKI_URL`, logs/loki-source.ts). Both give the
 * same three things, so the routes do not know which one runs.
 */
import type { LogEntry } from "./entry.ts";
import type { LogFilter } from "./filter.ts";

export type LogSource = {
  kind: "files" | "loki";
  /** Services that have logged, by name (a file name without `.log`, or Loki's `service` label). */
  services: () => Promise<string[]>;
  /** The newest `limit` lines passing the filter, oldest first. */
  query: (filter: LogFilter, limit: number) => Promise<LogEntry[]>;
  /** New lines as they are read, in batches, oldest first; returns the unsubscribe. */
  subscribe: (onEntries: (entries: LogEntry[]) => void) => () => void;
  close: () => Promise<void>;
};

/** Hands a batch to every subscriber; one that throws is reported and the others still get it. */
export function notify(subscribers: Iterable<(entries: LogEntry[]) => void>, batch: LogEntry[], report: (message: string) => void): void {
  for (const fn of subscribers) {
    try {
      fn(batch);
    } catch (error) {
      report(`a log subscriber failed: ${(error as Error).message}`);
    }
  }
}
