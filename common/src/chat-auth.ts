/**
 * @module chat-auth
 * The EIP-712 ChatAuthorization a bidder signs once so one relayer may bid for them from their escrow,
 * within caps, until an expiry, from one chat account (IAuctionHouse.ChatAuthorization). The dApp signs it, the relayer checks
 * it, the contract verifies it: one definition, so the three can never disagree on a field.
 */
import { type Address, type Hex, keccak256, toBytes } from "viem";

export type ChatAuthorization = {
  bidder: Address;
  relayer: Address;
  /** The only chat account the authorization is for: {@link chatIdHashOf}. */
  chatIdHash: Hex;
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
    { name: "chatIdHash", type: "bytes32" },
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

/** A chat platform's stable user id ("12345" on Twitch, not the login name, which can change). */
export type ChatIdentity = { platform: "twitch"; userId: string };

/** keccak256 of "platform:userId": what a ChatAuthorization binds and the contract stores as chatIdHash. */
export function chatIdHashOf(identity: ChatIdentity): Hex {
  if (!/^[0-9]{1,20}$/.test(identity.userId)) {
    throw new Error(`chat user id ${JSON.stringify(identity.userId)} is not a ${identity.platform} numeric user id`);
  }
  return keccak256(toBytes(`${identity.platform}:${identity.userId}`));
}
