/**
 * The soak's view of the chain, read directly from the node (not through the stall proxy): the campaign
 * driver (settle the ended lot, put the next artwork up), and the balance invariant
 * `balance(AuctionHouse) == sum of escrow + standing highest bids of unsettled lots`, read at one block.
 */
import { type Address, createPublicClient, createWalletClient, http, parseEther, parseEventLogs, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import type { Deployment } from "@sothebais/common/deployments";
import { localAccount, localRoles } from "@sothebais/common/testing";
import { demoArtworks } from "../../scripts/src/demo/artworks.ts";

export const LotStatus = { None: 0, Scheduled: 1, Live: 2, Ended: 3, Settled: 4, Cancelled: 5 } as const;

export function chainClients(rpcUrl: string) {
  const transport = http(rpcUrl, { batch: { batchSize: 100 }, timeout: 60_000 });
  const publicClient = createPublicClient({ chain: hardhat, transport, pollingInterval: 500 }) as PublicClient;
  const admin = createWalletClient({ account: localAccount(localRoles.admin), chain: hardhat, transport });
  return { publicClient, admin };
}

export type Campaign = { lotsCreated: number; lotsSettled: number; tick: () => Promise<{ lotId: bigint; status: number } | undefined> };

/** One lot after another: settles the current lot once it ended, then mints and lists the next artwork. */
export function campaignDriver(rpcUrl: string, deployment: Deployment, lot: { seconds: number; timeBuffer: number; campaignId: bigint }): Campaign {
  const { publicClient, admin } = chainClients(rpcUrl);
  const art = demoArtworks();
  const house = deployment.auctionHouse;
  const self: Campaign = {
    lotsCreated: 0,
    lotsSettled: 0,
    async tick() {
      const count = await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "lotCount" });
      if (count === 0n) return undefined;
      const status = Number(await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "lotStatus", args: [count] }));
      if (status === LotStatus.Ended) {
        // The relayer's keeper settles ended lots too: a settle that lost the race to it is no failure.
        try {
          const hash = await admin.writeContract({ address: house, abi: auctionHouseAbi, functionName: "settle", args: [count] });
          await publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
        } catch (error) {
          const now = Number(await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "lotStatus", args: [count] }));
          if (now === LotStatus.Ended) throw error;
        }
        self.lotsSettled++;
        return { lotId: count, status: LotStatus.Settled };
      }
      if (status === LotStatus.Settled || status === LotStatus.Cancelled) {
        const artwork = art[Number(count) % art.length];
        const seller = localAccount(localRoles.seller).address;
        const minted = await publicClient.waitForTransactionReceipt({
          hash: await admin.writeContract({ address: deployment.collection, abi: sothebaisCollectionAbi, functionName: "mint", args: [seller, artwork.tokenURI] }),
          timeout: 120_000,
        });
        const [transfer] = parseEventLogs({ abi: sothebaisCollectionAbi, logs: minted.logs, eventName: "Transfer" });
        const tokenId = (transfer.args as { tokenId: bigint }).tokenId;
        const hash = await admin.writeContract({
          address: house,
          abi: auctionHouseAbi,
          functionName: "createLot",
          args: [
            {
              campaignId: lot.campaignId,
              nft: deployment.collection,
              tokenId,
              seller,
              reserve: parseEther("0.05"),
              startTime: 0,
              duration: lot.seconds,
              minIncrementBps: 500,
              minIncrementFloor: parseEther("0.001"),
              timeBuffer: lot.timeBuffer,
            },
          ],
        });
        await publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
        self.lotsCreated++;
        return { lotId: count + 1n, status: LotStatus.Live };
      }
      return { lotId: count, status };
    },
  };
  return self;
}

export type InvariantCheck = { block: bigint; balance: bigint; escrow: bigint; standing: bigint; ok: boolean };

/** Reads everything at one block so the sides compare like with like. `accounts`: every possible escrow holder. */
export async function checkInvariant(publicClient: PublicClient, house: Address, accounts: Address[]): Promise<InvariantCheck> {
  const block = (await publicClient.getBlockNumber()) - 1n;
  const at = { blockNumber: block };
  const balance = await publicClient.getBalance({ address: house, ...at });
  const escrows = await Promise.all(accounts.map((a) => publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "escrowOf", args: [a], ...at })));
  const count = await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "lotCount", ...at });
  const lots = await Promise.all(
    Array.from({ length: Number(count) }, (_, i) => publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "lot", args: [BigInt(i + 1)], ...at })),
  );
  const escrow = escrows.reduce((a, b) => a + b, 0n);
  const standing = lots.filter((l) => l.status === LotStatus.Live || l.status === LotStatus.Ended).reduce((a, l) => a + l.amount, 0n);
  return { block, balance, escrow, standing, ok: balance === escrow + standing };
}
