/**
 * @module config
 * The indexer's configuration: env validated once (parseEnv) plus the deployment record. Read by the
 * launcher (service/main.ts) and by ponder.config.ts, so both agree on chain, RPC and storage.
 */
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { parseEnv, env, type EnvSource } from "@sothebais/common/env";
import { ConfigError } from "@sothebais/common/errors";
import { type Deployment, loadDeployment } from "@sothebais/common/deployments";
import { apiEnv } from "../src/api/config.ts";

export type IndexerConfig = {
  /** `start`: the one writer (indexes and serves). `serve`: an API replica over the writer's Postgres schema. */
  mode: "start" | "serve";
  chainId: number;
  deployment: Deployment;
  rpcUrl: string;
  /** Restart Ponder after this long without following a moving chain (0 = never). */
  stallRestartMs: number;
  /** WebSocket RPC for new-head subscriptions; polling alone when unset. */
  rpcWsUrl: string | undefined;
  port: number;
  hostname: string;
  /** Postgres when set; embedded PGlite otherwise. */
  databaseUrl: string | undefined;
  pgliteDir: string;
  pollingIntervalMs: number;
  /** eth_getLogs block range cap, for RPCs that limit it. */
  getLogsBlockRange: number | undefined;
  logLevel: "error" | "warn" | "info" | "debug" | "trace";
};

const indexerRoot = fileURLToPath(new URL("..", import.meta.url));

/** RPC defaults per chain: the local node, or Shape's public endpoints. */
const defaultRpc: Record<number, string> = {
  31337: "http://127.0.0.1:8545",
  11011: "https://sepolia.shape.network",
  360: "https://mainnet.shape.network",
};

export function readIndexerConfig(source: EnvSource = process.env): IndexerConfig {
  const { CHAIN_ID } = parseEnv({ CHAIN_ID: env.int({ fallback: 31337, min: 1 }) }, source);
  const local = CHAIN_ID === 31337;
  const e = parseEnv(
    {
      INDEXER_MODE: env.oneOf(["start", "serve"] as const, "start"),
      RPC_URL: env.url(defaultRpc[CHAIN_ID], ["http:", "https:"]),
      RPC_WS_URL: { ...env.url(undefined, ["ws:", "wss:"]), optional: true },
      PORT: env.port(42069),
      LISTEN_HOST: env.string({ fallback: "127.0.0.1" }),
      DATABASE_URL: { ...env.url(undefined, ["postgres:", "postgresql:"]), optional: true, secret: true },
      PGLITE_DIR: env.string({ fallback: resolve(indexerRoot, ".ponder", `pglite-${CHAIN_ID}`) }),
      // Ponder's minimum is 100 ms; the local chain wants it (docs/TOOLCHAIN.md), Shape makes a block every 2 s.
      POLLING_INTERVAL_MS: env.int({ fallback: local ? 100 : 1000, min: 100 }),
      ETH_GETLOGS_BLOCK_RANGE: env.int({ optional: true, min: 1 }),
      PONDER_LOG_LEVEL: env.oneOf(["error", "warn", "info", "debug", "trace"] as const, "info"),
      // Read by the API (src/api/index.ts) from the same environment; validated here, at start.
      LIVE_BIDS: env.int({ fallback: 20, min: 1, max: 100 }),
      LIVE_HEAD_TTL_MS: env.int({ fallback: 10, min: 0, max: 1000 }),
      // GET /live/events (src/api/live-stream.ts); the process needs a file descriptor per subscriber.
      LIVE_EVENTS_MAX_SUBSCRIBERS: env.int({ fallback: 10_000, min: 1, max: 1_000_000 }),
      LIVE_EVENTS_MAX_BUFFER_BYTES: env.int({ fallback: 1_048_576, min: 1024 }),
      LIVE_EVENTS_POLL_MS: env.int({ fallback: 50, min: 10, max: 5000 }),
      LIVE_EVENTS_HEARTBEAT_MS: env.int({ fallback: 15_000, min: 100, max: 300_000 }),
      LIVE_EVENTS_RETRY_MS: env.int({ fallback: 2000, min: 100, max: 60_000 }),
      // Restart Ponder when the chain moved on and the indexed block did not for this long (0 = never).
      STALL_RESTART_S: env.int({ fallback: 30, min: 0 }),
      // The API's abuse limits (src/api/config.ts reads them in Ponder's process).
      ...apiEnv,
    },
    source,
  );
  if (e.INDEXER_MODE === "serve" && !e.DATABASE_URL) {
    // ponder serve reads the tables a writer keeps in Postgres; a PGlite directory belongs to one process.
    throw new ConfigError(["DATABASE_URL: missing, expected the writer's Postgres URL (INDEXER_MODE=serve reads its tables)"]);
  }
  // HTTP polling unless a WebSocket is asked for: Ponder's new-heads subscription to the local node died
  // after about five minutes in every long run (indexed block frozen near 320 while the chain went on,
  // one "No new block received" warning, no resubscribe), and polling every 100 ms costs ~50 ms.
  const rpcWsUrl = e.RPC_WS_URL;
  return {
    mode: e.INDEXER_MODE,
    chainId: CHAIN_ID,
    deployment: loadDeployment(CHAIN_ID, source.DEPLOYMENTS_DIR ? resolve(source.DEPLOYMENTS_DIR) : undefined),
    rpcUrl: e.RPC_URL,
    rpcWsUrl,
    port: e.PORT,
    hostname: e.LISTEN_HOST,
    databaseUrl: e.DATABASE_URL,
    pgliteDir: resolve(e.PGLITE_DIR),
    pollingIntervalMs: e.POLLING_INTERVAL_MS,
    getLogsBlockRange: e.ETH_GETLOGS_BLOCK_RANGE,
    logLevel: e.PONDER_LOG_LEVEL,
    stallRestartMs: e.STALL_RESTART_S * 1000,
  };
}
