/**
 * @module chain-events
 * Follows the AuctionHouse's RoleRevoked, RoleGranted, Paused and Unpaused events from the head the
 * service started at: a revoked role drops the account's sessions and cached roles at once (the 5 s
 * role cache is the fallback should this poller lag); a pause or unpause from any wallet or CLI is
 * audited with its account and transaction.
 *
 * The events are read from the chain directly rather than from the indexer: the service already reads
 * the chain for every role check, the indexer does not keep role tables, and a revocation must not wait
 * on the indexer's lag or fail with it.
 */
import { auctionHouseAbi } from "@sothebais/common/abis";
import type { Address } from "@sothebais/common/deployments";
import type { Logger } from "@sothebais/common/log";
import { getAbiItem, type PublicClient } from "viem";
import { roleNameOf } from "./auth/roles.ts";

const events = [
  getAbiItem({ abi: auctionHouseAbi, name: "RoleRevoked" }),
  getAbiItem({ abi: auctionHouseAbi, name: "RoleGranted" }),
  getAbiItem({ abi: auctionHouseAbi, name: "Paused" }),
  getAbiItem({ abi: auctionHouseAbi, name: "Unpaused" }),
] as const;

export type ChainEventHandlers = {
  onRoleRevoked: (account: Address, role: string) => Promise<unknown>;
  onRoleGranted: (account: Address) => void;
  onPause: (paused: boolean, account: Address, tx: string) => Promise<unknown>;
};

export function watchChainEvents(o: { client: PublicClient; house: Address; pollMs: number; log: Logger } & ChainEventHandlers) {
  let last: bigint | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastOkAt = 0;
  const tick = async () => {
    const head = await o.client.getBlockNumber({ cacheTime: 0 });
    if (last === undefined) last = head;
    if (head > last) {
      const logs = await o.client.getLogs({ address: o.house, events, fromBlock: last + 1n, toBlock: head, strict: true });
      for (const log of logs) {
        const tx = log.transactionHash ?? "";
        if (log.eventName === "RoleRevoked") {
          const args = log.args as { role: `0x${string}`; account: Address };
          const role = roleNameOf(args.role);
          if (role) await o.onRoleRevoked(args.account, role);
        } else if (log.eventName === "RoleGranted") {
          o.onRoleGranted((log.args as { account: Address }).account);
        } else {
          await o.onPause(log.eventName === "Paused", (log.args as { account: Address }).account, tx);
        }
      }
      last = head;
    }
    lastOkAt = Date.now();
  };
  const loop = async () => {
    if (stopped) return;
    await tick().catch((error) => o.log.warn("chain events: poll failed, retrying", { error }));
    if (!stopped) timer = setTimeout(loop, o.pollMs);
  };
  return {
    start: () => void loop(),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
    /** Seconds since the last successful poll (health). */
    lagS: () => (lastOkAt ? Math.round((Date.now() - lastOkAt) / 1000) : null),
  };
}
