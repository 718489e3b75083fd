/**
 * The soak's chat audience: many viewers linked the way the dApp links them (deposit, signed
 * ChatAuthorization, `POST /link`, `!link CODE`), then chat lines whose message ids are kept, so each one
 * can be followed to its outcome. Each simulated viewer comes from its own address (`x-forwarded-for`),
 * as real viewers do: the relayer limits link requests per client.
 */
import { type Address, createPublicClient, createWalletClient, http } from "viem";
import { hardhat } from "viem/chains";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { chatAuthorizationDomain, chatAuthorizationTypes, localAccount } from "@sothebais/common/testing";
import type { ChatUser } from "../../scripts/src/audience/chat-bidders.ts";

export type SentLine = { id: string; userId: string; text: string; sentAt: number };

/** POST /api/say on the local chat server; returns the message id the server gave the line. */
export async function sayLine(chatHttpUrl: string, channel: string, user: ChatUser, text: string): Promise<SentLine> {
  const res = await fetch(new URL("/api/say", chatHttpUrl), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ channel, userId: user.userId, displayName: user.displayName, text }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`chat server refused the line (${res.status}): ${await res.text()}`);
  const event = (await res.json()) as { id: string; sentAt: number };
  return { id: event.id, userId: user.userId, text, sentAt: event.sentAt };
}

export type LinkOptions = { rpcUrl: string; relayerUrl: string; chatHttpUrl: string; channel: string; auctionHouse: Address; relayer: Address; depositWei: bigint };

/** Deposit, sign, get a code (from the viewer's own address), say `!link CODE`. Returns the `!link` line. */
export async function linkViewer(options: LinkOptions, user: ChatUser, index: number): Promise<SentLine> {
  const transport = http(options.rpcUrl);
  const publicClient = createPublicClient({ chain: hardhat, transport, pollingInterval: 500 });
  const wallet = createWalletClient({ account: localAccount(user.account), chain: hardhat, transport });
  const hash = await wallet.writeContract({ address: options.auctionHouse, abi: auctionHouseAbi, functionName: "deposit", value: options.depositWei });
  await publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
  const nonce = await publicClient.readContract({ address: options.auctionHouse, abi: auctionHouseAbi, functionName: "nonces", args: [wallet.account.address] });
  const authorization = {
    bidder: wallet.account.address,
    relayer: options.relayer,
    maxBid: options.depositWei,
    totalCap: options.depositWei,
    expiry: BigInt(Math.floor(Date.now() / 1000) + 24 * 3600),
    nonce,
  };
  const signature = await wallet.signTypedData({
    domain: chatAuthorizationDomain(hardhat.id, options.auctionHouse),
    types: chatAuthorizationTypes,
    primaryType: "ChatAuthorization",
    message: authorization,
  });
  const res = await fetch(new URL("/link", options.relayerUrl), {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": `10.0.${index >> 8}.${index & 255}` },
    body: JSON.stringify({
      authorization: Object.fromEntries(Object.entries(authorization).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
      signature,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { code?: string; error?: string };
  if (!res.ok || !body.code) throw new Error(`relayer refused the link for ${user.displayName}: ${body.error ?? res.status}`);
  return sayLine(options.chatHttpUrl, options.channel, user, `!link ${body.code}`);
}
