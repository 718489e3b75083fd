/**
 * @module contracts
 * ABIs the dApp calls, generated from the contracts (@sothebais/common/abis; never typed by hand):
 * the full AuctionHouse ABI (its custom errors and OpenZeppelin's AccessControl / pause errors all
 * decode) and the collection's (mint, approvals, ERC-721 errors).
 */
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import { keccak256, toHex } from "viem";

export { auctionHouseAbi };
export const collectionAbi = sothebaisCollectionAbi;
/** Any ERC-721 a lot may hold: the collection's ABI covers the standard calls the dApp makes. */
export const erc721Abi = sothebaisCollectionAbi;

/** OpenZeppelin AccessControl role ids: DEFAULT_ADMIN_ROLE is zero, the others hash their names. */
export const roles = {
  admin: "0x0000000000000000000000000000000000000000000000000000000000000000",
  auctioneer: keccak256(toHex("AUCTIONEER_ROLE")),
  pauser: keccak256(toHex("PAUSER_ROLE")),
  relayer: keccak256(toHex("RELAYER_ROLE")),
} as const;

export type RoleName = keyof typeof roles;

/** Lot status as the contract's enum orders it. */
export const lotStatuses = ["none", "scheduled", "live", "ended", "settled", "cancelled", "queued", "undeliverable"] as const;
export type LotStatus = (typeof lotStatuses)[number];
