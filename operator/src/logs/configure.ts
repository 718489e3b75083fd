/**
 * @module logs/configure
 * The Logs page's source from the operator's configuration: Loki when `LOKI_URL` is set (production),
 * else the files in `LOG_DIR` (the local stack), else none (the service runs without `/logs`).
 */
import { createFileSource } from "./file-source.ts";
import { createLokiSource } from "./loki-source.ts";
import type { LogSource } from "./source.ts";

export type LogSourceConfig = { LOG_DIR?: string; LOKI_URL?: string; LOKI_TENANT?: string; LOG_RING_LINES: number };

export function createLogSource(c: LogSourceConfig, onError: (message: string) => void): LogSource | undefined {
  if (c.LOKI_URL) return createLokiSource({ url: c.LOKI_URL, tenant: c.LOKI_TENANT, onError });
  if (c.LOG_DIR) return createFileSource({ dir: c.LOG_DIR, ringLines: c.LOG_RING_LINES, onError });
  return undefined;
}
