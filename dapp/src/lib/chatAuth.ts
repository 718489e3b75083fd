/**
 * @module chatAuth
 * The EIP-712 ChatAuthorization a bidder signs so one relayer may bid for them from their escrow,
 * within caps, until an expiry (see IAuctionHouse.ChatAuthorization).
 */
import { type ChatAuthorization, chatAuthorizationDomain, chatAuthorizationTypes } from "@sothebais/common/chat-auth";
import type { Address } from "viem";

export type { ChatAuthorization };

export function chatAuthorizationTypedData(input: { chainId: number; auctionHouse: Address; message: ChatAuthorization }) {
  return {
    domain: chatAuthorizationDomain(input.chainId, input.auctionHouse),
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
