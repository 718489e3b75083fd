import { describe, expect, it } from "vitest";
import {
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  InsufficientFundsError,
  parseEther,
  UserRejectedRequestError,
} from "viem";
import { auctionHouseAbi } from "../src/lib/contracts.ts";
import { errorToWords } from "../src/lib/errors.ts";

/** A revert as viem raises it from simulateContract / writeContract: wrapped, with the decoded error inside. */
function revert(errorName: string, args: readonly unknown[]) {
  const data = encodeErrorResult({ abi: auctionHouseAbi, errorName, args } as Parameters<typeof encodeErrorResult>[0]);
  const cause = new ContractFunctionRevertedError({ abi: auctionHouseAbi, data, functionName: "bid" });
  return new ContractFunctionExecutionError(cause, { abi: auctionHouseAbi, functionName: "bid", args: [1n] });
}

describe("errorToWords()", () => {
  it("decodes a bid below the minimum with both amounts", () => {
    expect(errorToWords(revert("AuctionHouseBidTooLow", [1n, parseEther("0.05"), parseEther("0.0525")]))).toEqual({
      title: "Your bid of 0.05 ETH is below the minimum of 0.0525 ETH.",
      action: "Someone may have bid just before you. Bid at least the new minimum.",
      code: "AuctionHouseBidTooLow",
    });
  });
  it("says a lot has ended", () => {
    const words = errorToWords(revert("AuctionHouseLotNotLive", [3n, 3]));
    expect(words.code).toBe("AuctionHouseLotNotLive");
    expect(words.title).toBe("Lot #3 has ended, so it takes no bids.");
  });
  it("says auctions are paused and that withdrawals still work", () => {
    const words = errorToWords(revert("AuctionHousePaused", []));
    expect(words.title).toMatch(/paused/);
    expect(words.action).toMatch(/Withdrawals and settlement still work/);
  });
  it("explains a missing role", () => {
    const words = errorToWords(revert("AccessControlUnauthorizedAccount", ["0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", `0x${"00".repeat(32)}`]));
    expect(words.code).toBe("AccessControlUnauthorizedAccount");
    expect(words.title).toMatch(/does not hold the role/);
  });
  it("explains escrow that does not cover the bid", () => {
    expect(errorToWords(revert("AuctionHouseInsufficientEscrow", ["0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", parseEther("0.1"), parseEther("0.3")])).title).toBe(
      "Your escrow holds 0.1 ETH but this needs 0.3 ETH.",
    );
  });
  it("recognises a rejection in the wallet", () => {
    expect(errorToWords(new UserRejectedRequestError(new Error("User rejected the request.")))).toMatchObject({ code: "UserRejected", title: "You rejected the request in your wallet. Nothing was sent." });
    // A raw EIP-1193 error object, as an injected provider throws it.
    expect(errorToWords(Object.assign(new Error("User denied"), { code: 4001 })).code).toBe("UserRejected");
  });
  it("names the network to switch to", () => {
    const words = errorToWords(Object.assign(new Error("chain"), { name: "ChainMismatchError" }), { chainId: 360 });
    expect(words).toMatchObject({ code: "WrongChain", action: "Switch your wallet to Shape (chain id 360)." });
  });
  it("recognises insufficient funds", () => {
    expect(errorToWords(new InsufficientFundsError()).code).toBe("InsufficientFunds");
  });
  it("falls back to the first line of the message and a retry hint", () => {
    expect(errorToWords(new Error("something odd\nstack"))).toEqual({ title: "something odd", action: "Try again. If it keeps happening, reload the page." });
  });
});
