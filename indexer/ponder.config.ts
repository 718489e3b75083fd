/**
 * Ponder config: one chain (CHAIN_ID), the AuctionHouse and the collection from the deployment record,
 * indexed from the deploy block. Values come from service/config.ts, so the launcher and Ponder agree.
 */
import { createConfig } from "ponder";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { erc721Abi } from "./abis/collection.ts";
import { readIndexerConfig } from "./service/config.ts";

const config = readIndexerConfig();
const { deployment } = config;

export default createConfig({
  ordering: "omnichain",
  database: config.databaseUrl
    ? { kind: "postgres", connectionString: config.databaseUrl }
    : { kind: "pglite", directory: config.pgliteDir },
  chains: {
    chain: {
      id: config.chainId,
      rpc: config.rpcUrl,
      ws: config.rpcWsUrl,
      pollingInterval: config.pollingIntervalMs,
      ethGetLogsBlockRange: config.getLogsBlockRange,
      // A local node restarted with the same chain id would otherwise serve stale cached RPC answers.
      disableCache: config.chainId === 31337,
    },
  },
  contracts: {
    AuctionHouse: {
      chain: "chain",
      abi: auctionHouseAbi,
      address: deployment.auctionHouse,
      startBlock: deployment.deployBlock,
    },
    SothebaisCollection: {
      chain: "chain",
      abi: erc721Abi,
      address: deployment.collection,
      startBlock: deployment.deployBlock,
    },
  },
});
