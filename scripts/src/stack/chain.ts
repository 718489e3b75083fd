/**
 * The chain part of `./sothebais up`: a Hardhat node (chain 31337, 1 s interval mining, 127.0.0.1),
 * the contracts deployed with the local roles, deployments/31337.json, and the demo campaign: the demo
 * artworks minted to the seller (account 3), the first lot live at once and the rest queued behind it
 * (the campaign's running order: each opens DEMO_INTERMISSION_S after the one before it closes).
 *
 * Env: DEMO_LOT_SECONDS (default 240) lot duration; DEMO_LOTS (default 5) how many artworks to auction;
 * DEMO_INTERMISSION_S (default 20; 0 = the contract default, 20 s) pause between two lots;
 * DEPLOYMENTS_DIR where the record goes (default deployments/).
 */
import { createServer } from "node:net";
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import { deployContracts } from "@sothebais/common/deploy";
import { saveDeployment } from "@sothebais/common/deployments";
import { env, parseEnv } from "@sothebais/common/env";
import { localAccount, localRoles, rpc, startHardhatNode } from "@sothebais/common/testing";
import { type Abi, type Chain, createPublicClient, createWalletClient, type Hash, http, parseEther, parseEventLogs, type Transport } from "viem";
import { hardhat } from "viem/chains";
import { demoArtworks } from "../demo/artworks.ts";
import type { StackService } from "./types.ts";

/** A second `up` (or a stray node) on the port would make Hardhat fail with a long trace: say it plainly. */
function ensurePortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () => reject(new Error(`port ${port} is in use (another Hardhat node or ./sothebais up?): stop it or set CHAIN_PORT`)));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

export const service: StackService = {
  name: "chain",
  async start(ctx) {
    const config = parseEnv({
      DEMO_LOT_SECONDS: env.int({ fallback: 240, min: 30, max: 86_400 }),
      DEMO_LOTS: env.int({ fallback: 5, min: 1, max: demoArtworks().length }),
      DEMO_INTERMISSION_S: env.int({ fallback: 20, min: 0, max: 86_400 }),
    });
    await ensurePortFree(ctx.ports.chain);
    const node = await startHardhatNode({ port: ctx.ports.chain, intervalMs: 1000, echo: ctx.echo("chain") });
    ctx.onStop("chain", () => node.stop());
    ctx.urls.rpcUrl = node.rpcUrl;
    ctx.urls.wsUrl = node.wsUrl;
    ctx.progress(`Hardhat node at ${node.rpcUrl} (chain ${hardhat.id}, 1 s blocks)`);

    // Set-up transactions are mined at once (automine), then the node goes back to 1 s blocks, so the
    // demo is ready in a couple of seconds instead of one block per transaction.
    await rpc(node.rpcUrl, "evm_setAutomine", [true]);
    try {
      await setUp();
    } finally {
      await rpc(node.rpcUrl, "evm_setAutomine", [false]);
      await rpc(node.rpcUrl, "evm_setIntervalMining", [1000]);
    }

    async function setUp() {
      const chain: Chain = hardhat;
      const transport: Transport = http(node.rpcUrl);
      const publicClient = createPublicClient({ chain, transport, pollingInterval: 100 });
      const wallet = (i: number) => createWalletClient({ account: localAccount(i), chain, transport, pollingInterval: 100 });
      const admin = wallet(localRoles.admin);
      const seller = wallet(localRoles.seller);
      const address = (i: number) => localAccount(i).address;

      const deployment = await deployContracts({
        publicClient,
        walletClient: admin,
        admin: address(localRoles.admin),
        treasury: address(localRoles.treasury),
        relayer: address(localRoles.relayer),
        protocolFeeBps: 500,
        collection: {
          name: "SothebAIs Demo",
          symbol: "SOTHD",
          contractURI: `data:application/json;base64,${Buffer.from(JSON.stringify({ name: "SothebAIs Demo", description: "Procedural artworks auctioned by an AI auctioneer on the local chain." })).toString("base64")}`,
          royaltyReceiver: address(localRoles.seller),
          royaltyBps: 500,
        },
        onProgress: (line) => ctx.progress(line),
      });
      const path = saveDeployment(deployment);
      ctx.deployment = deployment;
      ctx.urls.deploymentsDir = path.replace(/\/[^/]+$/, "");
      ctx.progress(`deployment record ${path}`);

      const confirm = async (hash: Hash) => {
        const receipt = await publicClient.waitForTransactionReceipt({ hash });
        if (receipt.status !== "success") throw new Error(`demo set-up transaction ${hash} reverted`);
        return receipt;
      };
      const write = (w: ReturnType<typeof wallet>, address: `0x${string}`, abi: Abi, functionName: string, args: readonly unknown[]) =>
        w.writeContract({ address, abi, functionName, args } as never).then(confirm);

      const artworks = demoArtworks().slice(0, config.DEMO_LOTS);
      const tokenIds: bigint[] = [];
      for (const art of artworks) {
        const receipt = await write(admin, deployment.collection, sothebaisCollectionAbi, "mint", [address(localRoles.seller), art.tokenURI]);
        const [transfer] = parseEventLogs({ abi: sothebaisCollectionAbi, logs: receipt.logs, eventName: "Transfer" });
        tokenIds.push((transfer.args as { tokenId: bigint }).tokenId);
      }
      ctx.progress(`minted ${artworks.length} demo artworks to the seller ${address(localRoles.seller)}`);
      await write(seller, deployment.collection, sothebaisCollectionAbi, "setApprovalForAll", [deployment.auctionHouse, true]);

      const campaign = await write(admin, deployment.auctionHouse, auctionHouseAbi, "createCampaign", [
        "Procedural Evenings",
        `data:application/json;base64,${Buffer.from(JSON.stringify({ name: "Procedural Evenings", description: "Five generated works, one every few minutes." })).toString("base64")}`,
        config.DEMO_INTERMISSION_S,
      ]);
      const [created] = parseEventLogs({ abi: auctionHouseAbi, logs: campaign.logs, eventName: "CampaignCreated" });
      const campaignId = BigInt((created.args as { campaignId: bigint | number }).campaignId);

      // The first lot starts at once; the others queue behind it (the campaign's running order): each opens
      // DEMO_INTERMISSION_S after the one before it closes (settled by the agent, or by anyone).
      const startTime = 0;
      const lines: string[] = [];
      for (const [i, art] of artworks.entries()) {
        const receipt = await write(admin, deployment.auctionHouse, auctionHouseAbi, "createLot", [
          {
            campaignId,
            nft: deployment.collection,
            tokenId: tokenIds[i],
            seller: address(localRoles.seller),
            reserve: parseEther("0.05"),
            startTime,
            duration: config.DEMO_LOT_SECONDS,
            minIncrementBps: 500,
            minIncrementFloor: parseEther("0.001"),
            timeBuffer: 30,
          },
        ]);
        const [lot] = parseEventLogs({ abi: auctionHouseAbi, logs: receipt.logs, eventName: "LotCreated" });
        const a = lot.args as { lotId: bigint; startTime: number; endTime: number; queued: boolean; campaignPosition: number };
        const clock = (t: number) => new Date(t * 1000).toISOString().slice(11, 19);
        lines.push(`lot #${a.lotId} "${art.title}" ${a.queued ? `queued (#${a.campaignPosition} in the running order)` : `live now until ${clock(Number(a.endTime))} UTC`}`);
      }
      ctx.progress(`demo campaign #${campaignId} "Procedural Evenings": ${artworks.length} lots, reserve 0.05 ETH, ${config.DEMO_LOT_SECONDS} s each, ${config.DEMO_INTERMISSION_S} s between lots`);
      for (const line of lines) ctx.progress(`  ${line}`);
      ctx.progress(`AuctionHouse ${deployment.auctionHouse}, collection ${deployment.collection}`);
    }
  },
};
