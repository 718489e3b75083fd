/**
 * @module server/config
 * The dApp's runtime configuration, built on the server (Vite dev server or preview) from the
 * environment and the deployment record `deployments/<chainId>.json`, and served to the browser as
 * `/config.json`. Reading it per request means a local stack that redeploys at start is picked up
 * without rebuilding: the bundle never bakes in an address.
 */
import { existsSync } from "node:fs";
import { parseEnv, env } from "@sothebais/common/env";
import { deploymentPath, loadDeployment } from "@sothebais/common/deployments";
import type { AppConfig, ServiceName } from "../src/lib/config.ts";

export const dappEnvSchema = {
  DAPP_PORT: env.port(5173),
  DAPP_HOST: env.string({ fallback: "127.0.0.1" }),
  CHAIN_ID: env.int({ fallback: 31337, min: 1 }),
  RPC_URL: env.url("http://127.0.0.1:8545"),
  INDEXER_URL: env.url("http://127.0.0.1:42069"),
  RELAYER_URL: env.url(undefined, ["http:", "https:"]),
  BROADCASTER_URL: env.url(undefined, ["http:", "https:"]),
  AGENT_URL: env.url(undefined, ["http:", "https:"]),
  HLS_URL: env.url(undefined, ["http:", "https:"]),
  CHAT_PAGE_URL: env.url(undefined, ["http:", "https:"]),
  TWITCH_CHANNEL: env.string({ optional: true }),
  WALLETCONNECT_PROJECT_ID: env.string({ optional: true }),
} as const;

export type DappEnv = ReturnType<typeof readDappEnv>;

export function readDappEnv(source: Record<string, string | undefined> = process.env) {
  const schema = {
    ...dappEnvSchema,
    RELAYER_URL: { ...dappEnvSchema.RELAYER_URL, optional: true },
    BROADCASTER_URL: { ...dappEnvSchema.BROADCASTER_URL, optional: true },
    AGENT_URL: { ...dappEnvSchema.AGENT_URL, optional: true },
    HLS_URL: { ...dappEnvSchema.HLS_URL, optional: true },
    CHAT_PAGE_URL: { ...dappEnvSchema.CHAT_PAGE_URL, optional: true },
  };
  return parseEnv(schema, source);
}

/** Upstreams the server proxies under `/svc/<name>`, so the browser needs no CORS and no direct port. */
export function upstreams(e: DappEnv): Partial<Record<ServiceName, string>> {
  const out: Partial<Record<ServiceName, string>> = { rpc: e.RPC_URL, indexer: e.INDEXER_URL };
  if (e.RELAYER_URL) out.relayer = e.RELAYER_URL;
  if (e.BROADCASTER_URL) out.broadcaster = e.BROADCASTER_URL;
  if (e.AGENT_URL) out.agent = e.AGENT_URL;
  if (e.HLS_URL) out.hls = new URL(e.HLS_URL).origin;
  return out;
}

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
    deploymentProblem = `no deployment record for chain ${e.CHAIN_ID} yet (${path})`;
  }
  const services = Object.keys(upstreams(e)) as ServiceName[];
  return {
    chainId: e.CHAIN_ID,
    deployment,
    deploymentProblem,
    services,
    walletConnectProjectId: e.WALLETCONNECT_PROJECT_ID,
    twitchChannel: e.TWITCH_CHANNEL,
    chatPageUrl: e.CHAT_PAGE_URL,
    streamPath: e.HLS_URL ? `/svc/hls${new URL(e.HLS_URL).pathname}` : undefined,
    // Only the chain's public RPC is handed to wallets that add the network (local: the node itself).
    walletRpcUrl: e.RPC_URL,
  };
}
