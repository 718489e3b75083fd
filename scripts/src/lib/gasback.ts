/**
 * @module lib/gasback
 * Shape Gasback: a contract registers once, through its `owner()`, and an NFT minted to `nftRecipient`
 * then collects a share of the sequencer fees the contract generates.
 */
import { parseAbi } from "viem";
import type { Address } from "@sothebais/common/deployments";

export const gasbackAbi = parseAbi([
  "function register(address nftRecipient, address smartContract) returns (uint256 tokenId)",
]);

/**
 * Known Gasback addresses. GASBACK_ADDRESS always wins. Shape Sepolia's is the one third-party projects
 * call (unconfirmed by Shape's docs here), and mainnet has no default: look it up in Shape's docs
 * (docs.shape.network, "Gasback") and pass GASBACK_ADDRESS. The command checks there is code at the
 * address before it sends anything, since a call to an empty address would "succeed" and do nothing.
 */
export const gasbackAddresses: Record<number, Address | undefined> = {
  11011: "0xdF329d59bC797907703F7c198dDA2d770fC45034",
  360: undefined,
};
