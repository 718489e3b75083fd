/**
 * @module wagmi
 * The wagmi config for one chain (the deployment's): injected wallets found through EIP-6963, a plain
 * injected fallback, and WalletConnect when a project id is configured. Reads go through the dApp
 * server's RPC proxy so the browser needs no direct route to the node.
 */
import { createConfig, http, injected, type Config, type CreateConnectorFn } from "wagmi";
import { chainById } from "@sothebais/common/chains";
import type { Chain } from "viem";
import { type AppConfig, serviceUrl } from "./config.ts";

export function chainFor(config: AppConfig): Chain {
  const chain = chainById(config.chainId);
  // Wallets that add the network get the RPC this deployment uses (the local node for 31337).
  return { ...chain, rpcUrls: { default: { http: [config.walletRpcUrl] } } };
}

export async function createWagmiConfig(config: AppConfig): Promise<Config> {
  const chain = chainFor(config);
  const connectors: CreateConnectorFn[] = [injected({ shimDisconnect: true })];
  if (config.walletConnectProjectId) {
    try {
      // Loaded only when a project id is configured (WALLETCONNECT_PROJECT_ID): the connector and
      // @walletconnect/ethereum-provider (a dependency of the dApp) are chunks of their own, never in the
      // first load.
      const { walletConnect } = await import("wagmi/connectors/walletConnect");
      connectors.push(walletConnect({ projectId: config.walletConnectProjectId, showQrModal: true }));
    } catch (error) {
      console.warn("WalletConnect is configured but could not load", error);
    }
  }
  return createConfig({
    chains: [chain],
    connectors,
    multiInjectedProviderDiscovery: true,
    // The server's read-only proxy refuses batches over DAPP_RPC_MAX_BATCH (default 20).
    transports: { [chain.id]: http(serviceUrl("rpc"), { batch: { wait: 10, batchSize: 20 } }) },
    pollingInterval: config.chainId === 31337 ? 500 : 2000,
  });
}
