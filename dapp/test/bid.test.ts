import { describe, expect, it } from "vitest";
import { parseEther } from "viem";
import { parseEthInput, planBid, quickBids, roundUpSignificant } from "../src/lib/bid.ts";

describe("parseEthInput()", () => {
  it.each([
    ["0.5", parseEther("0.5")],
    [".5", parseEther("0.5")],
    ["1,5", parseEther("1.5")],
    [" 2 ", parseEther("2")],
    ["3.", parseEther("3")],
    ["0.000000000000000001", 1n],
  ])("reads %j", (text, wei) => {
    expect(parseEthInput(text)).toEqual({ ok: true, wei });
  });
  it.each([
    ["", "Enter an amount in ETH."],
    ["abc", "Use digits and one decimal point, like 0.25."],
    ["1.2.3", "Use digits and one decimal point, like 0.25."],
    ["-1", "Use digits and one decimal point, like 0.25."],
    ["0.0000000000000000001", "ETH has at most 18 decimal places."],
    ["0", "A bid must be more than 0 ETH."],
  ])("refuses %j with %j", (text, problem) => {
    expect(parseEthInput(text)).toEqual({ ok: false, problem });
  });
});

describe("quickBids()", () => {
  it("offers the minimum, +10% and +25%, rounded up to 3 significant digits", () => {
    expect(quickBids(parseEther("0.05"))).toEqual([parseEther("0.05"), parseEther("0.055"), parseEther("0.0625")]);
    expect(quickBids(parseEther("0.0525"))).toEqual([parseEther("0.0525"), parseEther("0.0578"), parseEther("0.0657")]);
  });
  it("never offers less than the minimum, even when the minimum has many digits", () => {
    const min = 52_500_000_000_000_001n;
    for (const q of quickBids(min)) expect(q >= min).toBe(true);
  });
  it("offers nothing without a minimum", () => {
    expect(quickBids(0n)).toEqual([]);
  });
  it("roundUpSignificant() rounds up, never down", () => {
    expect(roundUpSignificant(12_341n)).toBe(12_400n);
    expect(roundUpSignificant(12_300n)).toBe(12_300n);
    expect(roundUpSignificant(99n)).toBe(99n);
  });
});

describe("planBid()", () => {
  const minimum = parseEther("0.1");
  it("pays from escrow first and tops up from the wallet", () => {
    expect(planBid({ amount: parseEther("0.3"), minimum, source: "escrow", escrow: parseEther("0.2"), walletBalance: parseEther("1") })).toEqual({
      ok: true,
      amount: parseEther("0.3"),
      fromEscrow: parseEther("0.2"),
      fromWallet: parseEther("0.1"),
    });
  });
  it("pays everything from the wallet when asked", () => {
    expect(planBid({ amount: parseEther("0.3"), minimum, source: "wallet", escrow: parseEther("5") })).toMatchObject({ ok: true, fromEscrow: 0n, fromWallet: parseEther("0.3") });
  });
  it("refuses a bid below the minimum and names the minimum", () => {
    expect(planBid({ amount: parseEther("0.09"), minimum, source: "wallet", escrow: 0n })).toEqual({ ok: false, problem: "The minimum bid is 0.1 ETH." });
  });
  it("says how much the wallet is short", () => {
    expect(planBid({ amount: parseEther("0.5"), minimum, source: "wallet", escrow: 0n, walletBalance: parseEther("0.2") })).toEqual({
      ok: false,
      problem: "Your wallet is 0.3 ETH short. Deposit to escrow or bid less.",
    });
    expect(planBid({ amount: parseEther("0.5"), minimum, source: "escrow", escrow: parseEther("0.1"), walletBalance: parseEther("0.2") })).toEqual({
      ok: false,
      problem: "Your escrow covers 0.1 ETH; your wallet is 0.2 ETH short for the rest.",
    });
  });
});
