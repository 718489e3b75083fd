/**
 * @module chat-auth
 * The EIP-712 ChatAuthorization a bidder signs once so one relayer may bid for them from their escrow,
 * within caps, until an expiry (IAuctionHouse.ChatAuthorization). The dApp signs it, the relayer checks
 * it, the contract verifies it: one definition, so the three can never disagree on a field.
 */
import type { Address } from "viem";

export type ChatAuthorization = {
  bidder: Address;
  relayer: Address;
  maxBid: bigint;
  totalCap: bigint;
  expiry: bigint;
  nonce: bigint;
};

/** EIP-712 types, field for field the contract's CHAT_AUTHORIZATION_TYPEHASH. */
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

/** The AuctionHouse's EIP-712 domain on `chainId`. */
export function chatAuthorizationDomain(chainId: number, auctionHouse: Address) {
  return { name: "SothebAIs AuctionHouse", version: "1", chainId, verifyingContract: auctionHouse } as const;
}
