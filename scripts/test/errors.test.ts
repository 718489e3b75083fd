import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { roles } from "@sothebais/common/deploy";
import { FatalError } from "@sothebais/common/errors";
import { ContractFunctionExecutionError, ContractFunctionRevertedError, encodeErrorResult, HttpRequestError, parseEther } from "viem";
import { decodeRevert, errorsAbi, explainError } from "../src/lib/errors.ts";

const who = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

function reverted(functionName: string, data: `0x${string}`) {
  const cause = new ContractFunctionRevertedError({ abi: [], data, functionName });
  // viem keeps the raw revert data even when the ABI it was given could not decode it
  (cause as { raw?: string }).raw = data;
  return new ContractFunctionExecutionError(cause, { abi: [], functionName });
}

describe("explainError()", () => {
  it("decodes an OpenZeppelin role error and names the role", () => {
    const data = encodeErrorResult({ abi: errorsAbi, errorName: "AccessControlUnauthorizedAccount", args: [who, roles.PAUSER_ROLE] });
    assert.equal(explainError(reverted("pause", data)), `pause reverted: ${who} lacks PAUSER_ROLE`);
  });

  it("decodes our custom errors with their arguments", () => {
    const data = encodeErrorResult({ abi: errorsAbi, errorName: "AuctionHouseBidTooLow", args: [3n, 1n, 2n] });
    assert.equal(explainError(reverted("bid", data)), "bid reverted: AuctionHouseBidTooLow(3, 1, 2)");
    const escrow = encodeErrorResult({ abi: errorsAbi, errorName: "AuctionHouseInsufficientEscrow", args: [who, parseEther("0.1"), parseEther("0.5")] });
    assert.equal(decodeRevert(escrow)?.name, "AuctionHouseInsufficientEscrow");
    assert.equal(explainError(reverted("relayBid", escrow)), `relayBid reverted: AuctionHouseInsufficientEscrow: ${who} has 0.1 ETH in escrow, needs 0.5 ETH`);
  });

  it("names the lot status in lot-state errors", () => {
    const data = encodeErrorResult({ abi: errorsAbi, errorName: "AuctionHouseLotNotLive", args: [4n, 1] });
    assert.equal(explainError(reverted("bid", data)), "bid reverted: AuctionHouseLotNotLive(4, scheduled)");
  });

  it("shows unknown revert data by selector", () => {
    assert.equal(explainError(reverted("register", "0xdeadbeef00")), "register reverted with unknown error data 0xdeadbeef");
  });

  it("puts an AppError's hints on the same line", () => {
    assert.equal(explainError(new FatalError("no deployment", { hints: ["deploy first"] })), "no deployment — deploy first");
  });

  it("turns a refused connection into what to do", () => {
    const error = new HttpRequestError({ url: "http://127.0.0.1:8545", details: "fetch failed" });
    assert.equal(explainError(error, { network: "local" }), "cannot reach http://127.0.0.1:8545 — start the local stack (./sothebais up) or set RPC_URL");
  });
});
