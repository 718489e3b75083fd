/**
 * @module config
 * What the browser knows about the deployment it talks to. Served by the dApp's own server as
 * `/config.json` (see server/config.ts) and loaded once before the first render.
 */
import type { Address } from "viem";

/** Services the dApp server proxies under `/svc/<name>/`. */
export type ServiceName = "rpc" | "indexer" | "relayer" | "broadcaster" | "agent" | "operator" | "hls";

export type AppConfig = {
  chainId: number;
  /** Contract addresses from `deployments/<chainId>.json`; null until the chain is deployed. */
  deployment: { auctionHouse: Address; collection: Address; deployBlock: number } | null;
  /** Why `deployment` is null, in words. */
  deploymentProblem?: string;
  /** Which services this server proxies (the status board lists them). */
  services: ServiceName[];
  /** Public paths on this origin: read-only RPC, indexer reads, live events (SSE), relayer (absent: none). */
  paths?: { rpc: string; indexer: string; liveEvents: string; relayer?: string };
  walletConnectProjectId?: string;
  /** Twitch channel whose player replaces the local HLS stream. */
  twitchChannel?: string;
  /** The HLS playlist through the proxy (`/svc/hls/...m3u8`), when a local stream runs. */
  streamPath?: string;
  /** The local chat page (where `!link CODE` is typed in the local stack). */
  chatPageUrl?: string;
  /** RPC URL a wallet can add for this chain: the chain's public RPC, never the operator's. */
  walletRpcUrl: string;
  /** IPFS gateways for ipfs:// token URIs, in order (a path is on this origin); each answer is checked against the CID. */
  ipfsGateways?: string[];
};

/** Absolute URL of a proxied service path, e.g. serviceUrl("indexer", "/graphql"). */
export function serviceUrl(service: ServiceName, path = "", origin = globalThis.location?.origin ?? "http://localhost"): string {
  return `${origin}/svc/${service}${path}`;
}

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  const res = await fetchImpl("/config.json", { cache: "no-store" });
  if (!res.ok) throw new Error(`could not load /config.json (HTTP ${res.status})`);
  return (await res.json()) as AppConfig;
}
