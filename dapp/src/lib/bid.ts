/**
 * @module bid
 * The bid form's arithmetic: reading what the bidder typed, quick-bid amounts, and how a bid is paid
 * (wallet and/or escrow). The contract's `minimumNextBid` is the authority on the minimum; these
 * functions only help the bidder meet it and explain, before any signature, why a bid cannot work.
 */
import { humanMinimumBid, roundUpSignificant } from "@sothebais/common/amounts";
import { parseEther } from "viem";
import { formatEth } from "./format.ts";

export type ParsedAmount = { ok: true; wei: bigint } | { ok: false; problem: string };

/** Parses an ETH amount as typed: `0.5`, `.5`, `1,5` (comma decimal), `2`. */
export function parseEthInput(text: string): ParsedAmount {
  const t = text.trim().replace(",", ".");
  if (t === "") return { ok: false, problem: "Enter an amount in ETH." };
  if (!/^(\d+\.?\d*|\.\d+)$/.test(t)) return { ok: false, problem: "Use digits and one decimal point, like 0.25." };
  const decimals = t.includes(".") ? t.split(".")[1].length : 0;
  if (decimals > 18) return { ok: false, problem: "ETH has at most 18 decimal places." };
  const wei = parseEther(t.endsWith(".") ? t.slice(0, -1) : t.startsWith(".") ? `0${t}` : t);
  if (wei === 0n) return { ok: false, problem: "A bid must be more than 0 ETH." };
  return { ok: true, wei };
}

/** Quick bids read 0.255, not 0.25483 (common/amounts: the same rounding as chat's `!bid min` and the host). */
export { humanMinimumBid, roundUpSignificant };

/** The minimum as people say it, then +10% and +25%, each rounded up to 3 significant digits (never below the minimum). */
export function quickBids(minimum: bigint): bigint[] {
  if (minimum <= 0n) return [];
  const steps = [humanMinimumBid(minimum), roundUpSignificant((minimum * 110n) / 100n), roundUpSignificant((minimum * 125n) / 100n)];
  return [...new Set(steps)];
}

export type PaymentSource = "wallet" | "escrow";

export type BidPlan =
  | { ok: true; amount: bigint; fromEscrow: bigint; fromWallet: bigint }
  | { ok: false; problem: string };

/**
 * How a bid of `amount` is paid. With `source: "escrow"` the escrow pays first and the wallet tops up
 * the rest; with `"wallet"` the wallet pays everything (msg.value). Checks the minimum and the funds.
 */
export function planBid(input: {
  amount: bigint;
  minimum: bigint;
  source: PaymentSource;
  escrow: bigint;
  walletBalance?: bigint;
}): BidPlan {
  const { amount, minimum, source, escrow, walletBalance } = input;
  if (amount < minimum) return { ok: false, problem: `The minimum bid is ${formatEth(minimum, { decimals: 6 })}.` };
  const fromEscrow = source === "escrow" ? (escrow < amount ? escrow : amount) : 0n;
  const fromWallet = amount - fromEscrow;
  if (walletBalance !== undefined && fromWallet > walletBalance) {
    const short = fromWallet - walletBalance;
    return {
      ok: false,
      problem:
        source === "escrow"
          ? `Your escrow covers ${formatEth(fromEscrow, { decimals: 6 })}; your wallet is ${formatEth(short, { decimals: 6 })} short for the rest.`
          : `Your wallet is ${formatEth(short, { decimals: 6 })} short. Deposit to escrow or bid less.`,
    };
  }
  return { ok: true, amount, fromEscrow, fromWallet };
}
