/**
 * @module chain
 * The relayer's view of the AuctionHouse: typed reads, and reverts decoded into the contract's own
 * error names so replies switch on `AuctionHouseBidTooLow`, never on strings.
 */
import { iAuctionHouseAbi } from "@sothebais/common/abis";
import { walk } from "@sothebais/common/errors";
import { type Address, BaseError, ContractFunctionRevertedError, createPublicClient, http, keccak256, parseAbi, type PublicClient, toBytes } from "viem";
import { chatIdentity } from "@sothebais/common/channels";

/** The interface plus the OpenZeppelin errors the implementation can also revert with. */
export const houseAbi = [
  ...iAuctionHouseAbi,
  ...parseAbi([
    "error EnforcedPause()",
    "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
    "error ReentrancyGuardReentrantCall()",
  ]),
] as const;

export type LotView = {
  lotId: bigint;
  bidder: Address;
  amount: bigint;
  reserve: bigint;
  startTime: number;
  endTime: number;
  minIncrementBps: number;
  minIncrementFloor: bigint;
  /** 0 none, 1 scheduled, 2 live, 3 ended, 4 settled, 5 cancelled, 6 queued, 7 undeliverable (IAuctionHouse.LotStatus). */
  status: number;
};

export const LotStatus = { None: 0, Scheduled: 1, Live: 2, Ended: 3, Settled: 4, Cancelled: 5, Queued: 6, Undeliverable: 7 } as const;
export const statusName = ["none", "scheduled", "live", "ended", "settled", "cancelled", "queued", "undeliverable"] as const;

/** keccak256("twitch:<user-id>"), as bound on chain. */
export const chatIdHash = (userId: string) => keccak256(toBytes(chatIdentity("twitch", userId)));

export type Revert = { name: string; args: readonly unknown[] };

/** The decoded custom error behind a failed call or simulation, or undefined for non-revert failures. */
export function decodeRevert(error: unknown): Revert | undefined {
  const reverted = walk(error, (e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | undefined;
  if (reverted?.data?.errorName) return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
  if (reverted) return { name: reverted.reason ?? "Reverted", args: [] };
  if (error instanceof BaseError && /revert/i.test(error.message) && !/fetch failed|ECONNREFUSED|timed out/i.test(error.message)) return { name: "Reverted", args: [] };
  return undefined;
}

export function createChain(rpcUrl: string, chainId: number) {
  const client = createPublicClient({
    transport: http(rpcUrl, { batch: { wait: 2, batchSize: 100 }, retryCount: 0, timeout: 10_000 }),
    chain: { id: chainId, name: `chain-${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } },
  }) as PublicClient;
  return client;
}

export type ChainReads = ReturnType<typeof createReads>;

export function createReads(client: PublicClient, house: Address) {
  const read = <T>(functionName: string, args: readonly unknown[]) =>
    client.readContract({ address: house, abi: houseAbi, functionName, args } as never) as Promise<T>;
  return {
    client,
    house,
    lot: async (lotId: bigint): Promise<LotView> => {
      const v = await read<{ bidder: Address; amount: bigint; reserve: bigint; startTime: number; endTime: number; minIncrementBps: number; minIncrementFloor: bigint; status: number }>("lot", [lotId]);
      return { lotId, bidder: v.bidder, amount: v.amount, reserve: v.reserve, startTime: Number(v.startTime), endTime: Number(v.endTime), minIncrementBps: Number(v.minIncrementBps), minIncrementFloor: v.minIncrementFloor, status: Number(v.status) };
    },
    lotCount: () => read<bigint>("lotCount", []),
    minimumNextBid: (lotId: bigint) => read<bigint>("minimumNextBid", [lotId]),
    escrowOf: (account: Address) => read<bigint>("escrowOf", [account]),
    nonces: (account: Address) => read<bigint>("nonces", [account]),
    authorizationOf: (bidder: Address) =>
      read<{ relayer: Address; chatIdHash: `0x${string}`; maxBid: bigint; totalCap: bigint; expiry: bigint; nonce: bigint; exposure: bigint; revoked: boolean }>("authorizationOf", [bidder]),
  };
}
