/**
 * @module chatAuth
 * The EIP-712 ChatAuthorization a bidder signs so one relayer may bid for them from their escrow,
 * within caps, until an expiry (see IAuctionHouse.ChatAuthorization).
 */
import type { Address } from "viem";

export const chatAuthorizationTypes = {
  ChatAuthorization: [
    { name: "bidder", type: "address" },
    { name: "relayer", type: "address" },
    { name: "maxBid", type: "uint256" },
    { name: "totalCap", type: "uint256" },
    { name: "expiry", type: "uint256" },
    { name: "nonce", type: "uint256" },
  ],
} as const;

export type ChatAuthorization = {
  bidder: Address;
  relayer: Address;
  maxBid: bigint;
  totalCap: bigint;
  expiry: bigint;
  nonce: bigint;
};

export function chatAuthorizationTypedData(input: { chainId: number; auctionHouse: Address; message: ChatAuthorization }) {
  return {
    domain: { name: "SothebAIs AuctionHouse", version: "1", chainId: input.chainId, verifyingContract: input.auctionHouse },
    types: chatAuthorizationTypes,
    primaryType: "ChatAuthorization",
    message: input.message,
  } as const;
}

/** Expiry choices on the link form, in days. */
export const expiryChoices = [1, 7, 30] as const;

export function expiryFromNow(days: number, nowMs = Date.now()): bigint {
  return BigInt(Math.floor(nowMs / 1000) + days * 86_400);
}
