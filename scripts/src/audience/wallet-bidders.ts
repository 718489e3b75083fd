/**
 * Simulated wallet bidders for the demo and the soak: local accounts that watch the live lot and bid
 * like people do (a few seconds apart, a little above the minimum, more eagerly near the end).
 * Every bid is a real transaction; a bid that loses a race is simply reported as such.
 */
import { type Address, BaseError, ContractFunctionRevertedError, createPublicClient, createWalletClient, formatEther, http, parseEther } from "viem";
import { hardhat } from "viem/chains";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { fetchLiveLot } from "@sothebais/common/live";
import { localAccount } from "@sothebais/common/testing";

export type WalletBiddersOptions = {
  rpcUrl: string;
  indexerUrl: string;
  auctionHouse: Address;
  /** Local account indexes that bid (default 10..14). */
  accounts?: number[];
  /** Mean pause between bids in ms (default 6000). */
  meanIntervalMs?: number;
  /** Stop bidding above this (default 5 ETH), so a demo lot ends at a believable price. */
  ceilingWei?: bigint;
  signal: AbortSignal;
  onBid?: (event: { bidder: Address; lotId: bigint; amount: bigint; ok: boolean; reason?: string }) => void;
  random?: () => number;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Rounds up to a "human" amount: 0.001 ETH steps. */
export function humanAmount(wei: bigint): bigint {
  const step = parseEther("0.001");
  return ((wei + step - 1n) / step) * step;
}

export async function runWalletBidders(options: WalletBiddersOptions): Promise<void> {
  const random = options.random ?? Math.random;
  const indexes = options.accounts ?? [10, 11, 12, 13, 14];
  const ceiling = options.ceilingWei ?? parseEther("5");
  const transport = http(options.rpcUrl);
  const publicClient = createPublicClient({ chain: hardhat, transport });
  const wallets = indexes.map((i) => createWalletClient({ account: localAccount(i), chain: hardhat, transport }));

  while (!options.signal.aborted) {
    const mean = options.meanIntervalMs ?? 6000;
    await sleep(mean * (0.4 + random() * 1.2), options.signal);
    if (options.signal.aborted) break;
    try {
      const snap = await fetchLiveLot(options.indexerUrl, { signal: AbortSignal.timeout(3000) });
      const lot = snap.lot;
      if (!lot || lot.status !== "live") continue;
      const secondsLeft = lot.endTime - Math.floor(Date.now() / 1000);
      // Quieter early on, keener in the last half-minute: that is when the time buffer matters.
      if (secondsLeft > 30 && random() < 0.35) continue;
      const candidates = wallets.filter((w) => w.account.address.toLowerCase() !== lot.bidder.toLowerCase());
      const wallet = candidates[Math.floor(random() * candidates.length)];
      const lotId = BigInt(lot.lotId);
      // The chain is the truth: ask it for the minimum rather than trusting the read model.
      const minimum = await publicClient.readContract({ address: options.auctionHouse, abi: auctionHouseAbi, functionName: "minimumNextBid", args: [lotId] });
      const amount = humanAmount(minimum + (minimum * BigInt(Math.floor(random() * 15))) / 100n);
      if (amount > ceiling) continue;
      try {
        const hash = await wallet.writeContract({ address: options.auctionHouse, abi: auctionHouseAbi, functionName: "bid", args: [lotId], value: amount });
        const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 30_000 });
        options.onBid?.({ bidder: wallet.account.address, lotId, amount, ok: receipt.status === "success" });
      } catch (error) {
        options.onBid?.({ bidder: wallet.account.address, lotId, amount, ok: false, reason: bidFailureReason(error) });
      }
    } catch {
      // The indexer or chain is restarting: try again on the next tick.
    }
  }
}

/**
 * Why a bid failed, in one line: the contract's custom error name first when the call reverted (viem puts it
 * on a later line of its message, under "The contract function ... reverted"), else viem's short message.
 */
export function bidFailureReason(error: unknown): string {
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    const name = revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
    return name ? `${name}: ${error.shortMessage}` : error.shortMessage;
  }
  return String(error instanceof Error ? error.message : error).split("\n")[0];
}

export const describeBid = (e: { bidder: Address; lotId: bigint; amount: bigint; ok: boolean; reason?: string }) =>
  `${e.bidder.slice(0, 8)} ${e.ok ? "bid" : "failed to bid"} ${formatEther(e.amount)} ETH on lot ${e.lotId}${e.reason ? ` (${e.reason})` : ""}`;
