/**
 * @module links
 * `POST /link`: the dApp posts a bidder's signed ChatAuthorization; the relayer checks it (signature,
 * chain, relayer address, caps, expiry, nonce) and answers with a short single-use code that expires.
 * The user then types `!link CODE` in chat. The authorization names the one chat account it is for
 * (`chatIdHash`, signed): the relayer registers it only when `!link CODE` comes from that account, and
 * the code is used up the first time it is seen in chat, whatever the answer (intake.ts).
 */
import { randomInt } from "node:crypto";
import { chatAuthorizationDomain, chatAuthorizationTypes, chatIdHashOf } from "@sothebais/common/chat-auth";
import { type Address, formatEther, getAddress, type Hex, isAddress } from "viem";
import type { ChainReads } from "./chain.ts";
import { keys, type Store } from "./store.ts";

export type LinkRequest = {
  authorization: { bidder: string; relayer: string; chatIdHash: string; maxBid: string; totalCap: string; expiry: string | number; nonce: string | number };
  signature: string;
};

export type LinkResult = { ok: true; code: string; expiresAt: number } | { ok: false; status: 400 | 402 | 409 | 429; error: string };

/**
 * Why the relayer will not pay to register this bidder, or undefined when it will. Registering costs
 * the relayer ~86k gas; an authorization without escrow behind it can never place a bid, so a loop of
 * fresh keys would only drain the relayer's gas (and pause every chat bid once it runs low).
 */
export function escrowShortfall(escrow: bigint, minimum: bigint): string | undefined {
  if (escrow >= minimum) return undefined;
  return `escrow ${formatEther(escrow)} ETH is below the ${formatEther(minimum)} ETH minimum to link a chat account: deposit in the dApp first`;
}

/** What `!link CODE` answers when the authorization was signed for a chat account other than the sender's. */
export const wrongChatAccount = "this link was signed for another chat account: sign again in the dApp for this chat account and use the new code from it";

/**
 * Whether a stored authorization (JSON, as `createLinkCode` keeps it) was signed for the Twitch user
 * `userId`: its chatIdHash equals chatIdHashOf({platform: "twitch", userId}). False for anything else,
 * including an authorization without a chatIdHash or a user id that is not a Twitch id.
 */
export function signedForChatUser(authJson: string, userId: string): boolean {
  let signed: unknown;
  try {
    signed = (JSON.parse(authJson) as { chatIdHash?: unknown }).chatIdHash;
  } catch {
    return false;
  }
  if (typeof signed !== "string") return false;
  try {
    return signed.toLowerCase() === chatIdHashOf({ platform: "twitch", userId }).toLowerCase();
  } catch {
    return false;
  }
}

// No 0/O/1/I: codes are read off a screen and typed.
const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const newCode = (length = 8) => Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");

const uint = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) || (typeof v === "string" && /^\d{1,78}$/.test(v));

export async function createLinkCode(
  req: LinkRequest,
  ctx: { reads: ChainReads; redis: Store; relayer: Address; chainId: number; ttlS: number; minEscrow: bigint },
): Promise<LinkResult> {
  const a = req?.authorization;
  if (!a || typeof req.signature !== "string" || !/^0x[0-9a-fA-F]+$/.test(req.signature)) return { ok: false, status: 400, error: "expected {authorization: {bidder, relayer, chatIdHash, maxBid, totalCap, expiry, nonce}, signature}" };
  if (!isAddress(a.bidder) || !isAddress(a.relayer)) return { ok: false, status: 400, error: "bidder and relayer must be addresses" };
  if (typeof a.chatIdHash !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(a.chatIdHash) || /^0x0{64}$/.test(a.chatIdHash)) {
    return { ok: false, status: 400, error: "chatIdHash must be the 32-byte hash of the chat account (chatIdHashOf({platform: \"twitch\", userId}))" };
  }
  if (![a.maxBid, a.totalCap, a.expiry, a.nonce].every(uint)) return { ok: false, status: 400, error: "maxBid, totalCap, expiry and nonce must be unsigned integers" };
  const auth = { bidder: getAddress(a.bidder), relayer: getAddress(a.relayer), chatIdHash: a.chatIdHash.toLowerCase() as Hex, maxBid: BigInt(a.maxBid), totalCap: BigInt(a.totalCap), expiry: BigInt(a.expiry), nonce: BigInt(a.nonce) };
  if (auth.relayer !== getAddress(ctx.relayer)) return { ok: false, status: 400, error: `wrong relayer: this relayer is ${ctx.relayer}` };
  if (auth.maxBid === 0n || auth.totalCap < auth.maxBid) return { ok: false, status: 400, error: "caps: maxBid must be > 0 and <= totalCap" };
  const now = BigInt(Math.floor(Date.now() / 1000));
  if (auth.expiry <= now + 60n) return { ok: false, status: 400, error: "expired or expiring within a minute" };
  const domain = chatAuthorizationDomain(ctx.chainId, ctx.reads.house);
  // verifyTypedData also accepts ERC-1271 smart wallets (it calls isValidSignature on contracts).
  const valid = await ctx.reads.client
    .verifyTypedData({ address: auth.bidder, domain, types: chatAuthorizationTypes, primaryType: "ChatAuthorization", message: auth, signature: req.signature as Hex })
    .catch(() => false);
  if (!valid) return { ok: false, status: 400, error: `bad signature: not signed by ${auth.bidder} for chain ${ctx.chainId} and AuctionHouse ${ctx.reads.house}` };
  const nonce = await ctx.reads.nonces(auth.bidder);
  if (nonce !== auth.nonce) return { ok: false, status: 409, error: `nonce ${auth.nonce} is not the bidder's current nonce ${nonce}: sign again` };
  const short = escrowShortfall(await ctx.reads.escrowOf(auth.bidder), ctx.minEscrow);
  if (short) return { ok: false, status: 402, error: short };
  const code = newCode();
  // The chat account is checked when `!link CODE` is typed: only that account can use this code.
  const stored = JSON.stringify({ auth: JSON.stringify({ ...auth, maxBid: String(auth.maxBid), totalCap: String(auth.totalCap), expiry: String(auth.expiry), nonce: String(auth.nonce) }), signature: req.signature });
  await ctx.redis.set(keys.linkCode(code), stored, "EX", ctx.ttlS);
  return { ok: true, code, expiresAt: Date.now() + ctx.ttlS * 1000 };
}

/**
 * The links still in force after a history of registrations (in chain order): a bidder's latest
 * registration wins (it replaced the earlier authorization on chain), and a chat account belongs to the
 * bidder who registered it last. Superseded mappings are never brought back by a rebuild.
 */
export function currentLinks(registrations: readonly { bidder: Address; chatIdHash: Hex }[]): { bidder: Address; chatIdHash: Hex }[] {
  const byBidder = new Map<string, { bidder: Address; chatIdHash: Hex; order: number }>();
  registrations.forEach((r, order) => byBidder.set(r.bidder.toLowerCase(), { bidder: r.bidder, chatIdHash: r.chatIdHash.toLowerCase() as Hex, order }));
  const byChat = new Map<string, { bidder: Address; chatIdHash: Hex; order: number }>();
  for (const l of byBidder.values()) {
    const held = byChat.get(l.chatIdHash);
    if (!held || held.order < l.order) byChat.set(l.chatIdHash, l);
  }
  return [...byChat.values()].sort((x, y) => x.order - y.order).map(({ bidder, chatIdHash }) => ({ bidder, chatIdHash }));
}
