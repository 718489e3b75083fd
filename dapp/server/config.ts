/**
 * @module server/config
 * The dApp server's configuration (validated at start: one line per bad value) and the browser's runtime
 * configuration built from it, served as `/config.json`: the chain, the wallet's public RPC, the contract
 * addresses from `deployments/<chainId>.json` (read per request, so a local stack that redeploys is
 * picked up without a rebuild) and the public paths of the proxies. Used by the production server
 * (server/main.ts) and by `vite` in development (vite.config.ts).
 *
 * The operator's RPC URL (`RPC_URL`, often with a provider API key in its path or query) is only ever an
 * upstream of the read-only RPC proxy: the wallet is handed `PUBLIC_RPC_URL`, or the chain's public RPC.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseEnv, env } from "@sothebais/common/env";
import { parseGateways } from "@sothebais/common/ipfs";
import { chainById } from "@sothebais/common/chains";
import { deploymentPath, loadDeployment } from "@sothebais/common/deployments";
import type { AppConfig, ServiceName } from "../src/lib/config.ts";

const httpUrl = (fallback?: string) => env.url(fallback, ["http:", "https:"]);
const optionalUrl = () => ({ ...httpUrl(), optional: true });

export const dappEnvSchema = {
  DAPP_PORT: env.port(5173),
  DAPP_HOST: env.string({ fallback: "127.0.0.1" }),
  /** Prometheus `/metrics` and a detailed `/health`, on their own port: not to be published. */
  DAPP_METRICS_PORT: env.port(9469),
  DAPP_METRICS_HOST: env.string({ fallback: "127.0.0.1" }),
  /** The `vite build` output the server serves. */
  DAPP_DIST_DIR: env.string({ fallback: join(import.meta.dirname, "../dist") }),
  CHAIN_ID: env.int({ fallback: 31337, min: 1 }),
  /** The operator's RPC (may carry an API key): upstream of the read-only proxy, never shown to a browser. */
  RPC_URL: httpUrl("http://127.0.0.1:8545"),
  /** What wallets adding the network are given; default: the chain's public RPC (local: 127.0.0.1:8545). */
  PUBLIC_RPC_URL: optionalUrl(),
  INDEXER_URL: httpUrl("http://127.0.0.1:42069"),
  RELAYER_URL: optionalUrl(),
  BROADCASTER_URL: optionalUrl(),
  AGENT_URL: optionalUrl(),
  HLS_URL: optionalUrl(),
  /** The operator API (sign-in, service controls, logs, artwork), proxied whole at /svc/operator/* but its /metrics. */
  OPERATOR_URL: optionalUrl(),
  CHAT_PAGE_URL: optionalUrl(),
  TWITCH_CHANNEL: env.string({ optional: true }),
  /** Gateways the browser reads ipfs:// through, in order; default: the operator's (when proxied), then ipfs.io. */
  IPFS_GATEWAYS: { optional: true, parse: (v: string) => parseGateways(v, { relative: true }) },
  WALLETCONNECT_PROJECT_ID: env.string({ optional: true }),
  /** Read-only RPC proxy: largest body, largest batch, widest eth_getLogs block range. */
  DAPP_RPC_MAX_BODY_BYTES: env.int({ fallback: 65_536, min: 256, max: 1_048_576 }),
  DAPP_RPC_MAX_BATCH: env.int({ fallback: 20, min: 1, max: 1000 }),
  DAPP_RPC_MAX_LOG_BLOCKS: env.int({ fallback: 10_000, min: 1 }),
  /** How long one eth_blockNumber answer stands for the head (about a block time; 0 forwards every read). */
  DAPP_RPC_HEAD_TTL_MS: env.int({ fallback: 1000, min: 0, max: 60_000 }),
  /** Other proxied request bodies (GraphQL, /link). */
  DAPP_MAX_BODY_BYTES: env.int({ fallback: 16_384, min: 256, max: 1_048_576 }),
  /** Live events (SSE) fan-out: open viewer streams at most, unsent bytes before a viewer is dropped, keepalive. */
  DAPP_LIVE_MAX_SUBSCRIBERS: env.int({ fallback: 20_000, min: 1 }),
  DAPP_LIVE_MAX_BUFFER_BYTES: env.int({ fallback: 1_048_576, min: 1024 }),
  DAPP_LIVE_HEARTBEAT_MS: env.int({ fallback: 15_000, min: 100 }),
  DAPP_LIVE_RETRY_MS: env.int({ fallback: 2000, min: 100 }),
  /** Time allowed to an upstream answer (SSE excepted). */
  DAPP_UPSTREAM_TIMEOUT_MS: env.int({ fallback: 10_000, min: 100 }),
} as const;

export type DappEnv = ReturnType<typeof readDappEnv>;

/** Throws a ConfigError with one line per bad value. */
export function readDappEnv(source: Record<string, string | undefined> = process.env) {
  return parseEnv(dappEnvSchema, source);
}

/** Upstreams the server proxies under `/svc/<name>`, so the browser needs no CORS and no direct port. */
export function upstreams(e: DappEnv): Partial<Record<ServiceName, string>> {
  const out: Partial<Record<ServiceName, string>> = { rpc: e.RPC_URL, indexer: e.INDEXER_URL };
  if (e.RELAYER_URL) out.relayer = e.RELAYER_URL;
  if (e.BROADCASTER_URL) out.broadcaster = e.BROADCASTER_URL;
  if (e.AGENT_URL) out.agent = e.AGENT_URL;
  if (e.OPERATOR_URL) out.operator = e.OPERATOR_URL;
  if (e.HLS_URL) out.hls = new URL(e.HLS_URL).origin;
  return out;
}

/** The RPC a wallet adding this chain is given: PUBLIC_RPC_URL, else the chain's public one. Never RPC_URL. */
export function walletRpcUrl(e: DappEnv): string {
  if (e.PUBLIC_RPC_URL) return e.PUBLIC_RPC_URL;
  try {
    return chainById(e.CHAIN_ID).rpcUrls.default.http[0] ?? "http://127.0.0.1:8545";
  } catch {
    return "http://127.0.0.1:8545";
  }
}

/** The public paths the browser uses (all on this origin, through this server's proxies). */
export const publicPaths = {
  rpc: "/svc/rpc",
  indexer: "/svc/indexer",
  liveEvents: "/svc/indexer/live/events",
  relayer: "/svc/relayer",
} as const;

/** The browser's view: every service through the proxy path; the deployment read now, from disk. */
export function buildAppConfig(e: DappEnv): AppConfig {
  const path = deploymentPath(e.CHAIN_ID);
  let deployment: AppConfig["deployment"] = null;
  let deploymentProblem: string | undefined;
  if (existsSync(path)) {
    try {
      const d = loadDeployment(e.CHAIN_ID);
      deployment = { auctionHouse: d.auctionHouse, collection: d.collection, deployBlock: d.deployBlock };
    } catch (error) {
      deploymentProblem = (error as Error).message;
    }
  } else {
    deploymentProblem = `no deployment record for chain ${e.CHAIN_ID} yet (deployments/${e.CHAIN_ID}.json)`;
  }
  const services = Object.keys(upstreams(e)) as ServiceName[];
  return {
    chainId: e.CHAIN_ID,
    deployment,
    deploymentProblem,
    services,
    paths: { ...publicPaths, relayer: e.RELAYER_URL ? publicPaths.relayer : undefined },
    walletConnectProjectId: e.WALLETCONNECT_PROJECT_ID,
    twitchChannel: e.TWITCH_CHANNEL,
    chatPageUrl: e.CHAT_PAGE_URL,
    streamPath: e.HLS_URL ? `/svc/hls${new URL(e.HLS_URL).pathname}` : undefined,
    walletRpcUrl: walletRpcUrl(e),
    // The local operator's node first: it holds what was uploaded here, and its bytes are verified like any gateway's.
    ipfsGateways: e.IPFS_GATEWAYS ?? [...((services as string[]).includes("operator") ? ["/svc/operator/ipfs/"] : []), "https://ipfs.io/ipfs/"],
  };
}
