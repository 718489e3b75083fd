/**
 * @module amounts
 * Amounts people can say. The contract's minimum next bid is the current bid plus a percentage, so a
 * bidding war of `!bid min` climbs 0.3362625 → 0.353075625 → 0.37072940625 ETH: numbers the host cannot
 * read aloud and nobody can type. The relayer's `!bid min`, the dApp's suggested bids and the host's
 * "do I hear" all quote the minimum rounded up to at most three significant digits instead (0.354).
 * Rounding up keeps every quoted amount a valid bid; what is bid is still exactly what is on chain.
 */

/** Significant digits of a quoted amount: 0.354, 1.25, 12.5 ETH. */
export const HUMAN_DIGITS = 3;

/**
 * The smallest amount >= `wei` with at most `digits` significant digits (in wei, which is the same
 * count as in ETH: the two differ by a power of ten). Amounts already that short are returned as they are.
 */
export function roundUpSignificant(wei: bigint, digits = HUMAN_DIGITS): bigint {
  if (wei < 0n) throw new RangeError(`an amount cannot be negative: ${wei}`);
  if (!Number.isInteger(digits) || digits < 1) throw new RangeError(`significant digits must be a whole number >= 1: ${digits}`);
  const length = wei.toString().length;
  if (length <= digits) return wei;
  const step = 10n ** BigInt(length - digits);
  return ((wei + step - 1n) / step) * step;
}

/**
 * The minimum next bid as people say it: rounded up to {@link HUMAN_DIGITS} significant digits, so it
 * is never below the chain's minimum and is the smallest such amount (0.353075625 ETH → 0.354 ETH;
 * a reserve of 0 stays 0; a 1 wei minimum stays 1 wei, as no shorter amount meets it).
 */
export function humanMinimumBid(minimumWei: bigint): bigint {
  return roundUpSignificant(minimumWei, HUMAN_DIGITS);
}
