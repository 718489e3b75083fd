/**
 * @module chatAuth
 * The EIP-712 ChatAuthorization a bidder signs so one relayer may bid for them from their escrow,
 * within caps, until an expiry, from one chat account (see IAuctionHouse.ChatAuthorization).
 *
 * The chat account is bound in the signature: `chatIdHash = chatIdHashOf({platform: "twitch", userId})`,
 * the Twitch numeric user id (stable; the login name can change). The dApp asks for the login, the
 * relayer resolves it to the user id when it can (`GET /twitch/users?login=`, see lib/relayer.ts), and
 * the user can always type the numeric id. The relayer registers the authorization only when `!link CODE`
 * comes from that user id.
 */
import { type ChatAuthorization, chatAuthorizationDomain, chatAuthorizationTypes, chatIdHashOf } from "@sothebais/common/chat-auth";
import type { Address, Hex } from "viem";

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

/** The Twitch account a link is for: its login (what the user sees) and numeric user id (what is signed). */
export type TwitchAccount = { login: string; userId: string; displayName?: string };

/** A Twitch login as typed ("@Alice_Chat" → "alice_chat"), or undefined when it cannot be one. */
export function twitchLoginOf(input: string): string | undefined {
  const v = input.trim().replace(/^@/, "").toLowerCase();
  return /^[a-z0-9_]{1,25}$/.test(v) ? v : undefined;
}

/** A Twitch numeric user id as typed, or undefined. */
export function twitchUserIdOf(input: string): string | undefined {
  const v = input.trim();
  return /^[0-9]{1,20}$/.test(v) ? v : undefined;
}

export function twitchChatIdHash(account: Pick<TwitchAccount, "userId">): Hex {
  return chatIdHashOf({ platform: "twitch", userId: account.userId });
}

/**
 * The authorization to sign. `budget` means "this much more from now on": the contract's totalCap counts
 * everything the authorization ever committed (its exposure: standing highest bids and lots won through
 * it), so the signed totalCap is the current exposure plus the budget.
 */
export function buildChatAuthorization(input: {
  bidder: Address;
  relayer: Address;
  account: TwitchAccount;
  maxBid: bigint;
  budget: bigint;
  exposure: bigint;
  expiry: bigint;
  nonce: bigint;
}): ChatAuthorization {
  return {
    bidder: input.bidder,
    relayer: input.relayer,
    chatIdHash: twitchChatIdHash(input.account),
    maxBid: input.maxBid,
    totalCap: input.exposure + input.budget,
    expiry: input.expiry,
    nonce: input.nonce,
  };
}

/** What is left to spend under an authorization (totalCap − exposure, never negative). */
export function budgetLeft(auth: { totalCap: bigint; exposure: bigint }): bigint {
  return auth.totalCap > auth.exposure ? auth.totalCap - auth.exposure : 0n;
}

/** The registered authorization is for `account` (its chatIdHash), not only some registration. */
export function isLinkedTo(auth: { chatIdHash: Hex }, account: Pick<TwitchAccount, "userId"> | undefined): boolean {
  return account !== undefined && auth.chatIdHash.toLowerCase() === twitchChatIdHash(account).toLowerCase();
}

/** The Twitch account this browser linked for `bidder`, so the linked card can name it (the chain only has the hash). */
const storageKey = (bidder: Address) => `sothebais:chat-account:${bidder.toLowerCase()}`;

export function rememberLinkedAccount(bidder: Address, account: TwitchAccount): void {
  try {
    globalThis.localStorage?.setItem(storageKey(bidder), JSON.stringify(account));
  } catch {
    // private mode / storage full: the card falls back to the hash
  }
}

export function linkedAccountOf(bidder: Address): TwitchAccount | undefined {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(storageKey(bidder)) ?? "null") as TwitchAccount | null;
    return v && typeof v.login === "string" && twitchUserIdOf(String(v.userId)) ? v : undefined;
  } catch {
    return undefined;
  }
}
