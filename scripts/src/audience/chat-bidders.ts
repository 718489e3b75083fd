/**
 * Simulated chat bidders for the demo and the soak. Each one does what a real viewer does once:
 * deposits into escrow from its wallet, signs a ChatAuthorization for the relayer, gets a one-time
 * code from the relayer's `POST /link` and types `!link CODE` in chat; from then on it only chats:
 * `!bid min`, `!bid 0.35`, sometimes `!lot` or a question for the host.
 */
import { type Address, createPublicClient, createWalletClient, formatEther, http, parseEther } from "viem";
import { hardhat } from "viem/chains";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { fetchLiveLot } from "@sothebais/common/live";
import { chatAuthorizationDomain, chatAuthorizationTypes, localAccount } from "@sothebais/common/testing";

export type ChatUser = { userId: string; displayName: string; account: number };

export type ChatBiddersOptions = {
  rpcUrl: string;
  indexerUrl: string;
  relayerUrl: string;
  /** HTTP base of the local chat server (its /api/say). */
  chatHttpUrl: string;
  channel: string;
  auctionHouse: Address;
  relayer: Address;
  users: ChatUser[];
  meanIntervalMs?: number;
  /** Escrow each user deposits, and the caps they sign. */
  depositWei?: bigint;
  signal: AbortSignal;
  onEvent?: (line: string) => void;
  random?: () => number;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

export async function say(chatHttpUrl: string, channel: string, user: ChatUser, text: string): Promise<void> {
  const res = await fetch(new URL("/api/say", chatHttpUrl), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ channel, userId: user.userId, displayName: user.displayName, text }),
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`chat server refused the line (${res.status}): ${await res.text()}`);
}

/** Deposit, sign, get a code, type `!link CODE`. Returns once the code was said in chat. */
export async function linkChatUser(options: ChatBiddersOptions, user: ChatUser): Promise<void> {
  const transport = http(options.rpcUrl);
  const publicClient = createPublicClient({ chain: hardhat, transport });
  const wallet = createWalletClient({ account: localAccount(user.account), chain: hardhat, transport });
  const deposit = options.depositWei ?? parseEther("3");
  const hash = await wallet.writeContract({ address: options.auctionHouse, abi: auctionHouseAbi, functionName: "deposit", value: deposit });
  await publicClient.waitForTransactionReceipt({ hash });
  const nonce = await publicClient.readContract({ address: options.auctionHouse, abi: auctionHouseAbi, functionName: "nonces", args: [wallet.account.address] });
  const authorization = {
    bidder: wallet.account.address,
    relayer: options.relayer,
    maxBid: deposit,
    totalCap: deposit,
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
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      authorization: Object.fromEntries(Object.entries(authorization).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
      signature,
    }),
  });
  const body = (await res.json()) as { code?: string; error?: string };
  if (!res.ok || !body.code) throw new Error(`relayer refused the link for ${user.displayName}: ${body.error ?? res.status}`);
  await say(options.chatHttpUrl, options.channel, user, `!link ${body.code}`);
  options.onEvent?.(`${user.displayName} linked ${wallet.account.address.slice(0, 8)} with ${formatEther(deposit)} ETH in escrow`);
}

const chatter = ["what a piece", "is the artist here?", "GG", "this one is mine", "LUL", "how do I bid?", "@host who is leading?", "!lot"];

export async function runChatBidders(options: ChatBiddersOptions): Promise<void> {
  const random = options.random ?? Math.random;
  for (const user of options.users) {
    if (options.signal.aborted) return;
    try {
      await linkChatUser(options, user);
    } catch (error) {
      options.onEvent?.(`could not link ${user.displayName}: ${(error as Error).message}`);
    }
    await sleep(1500, options.signal);
  }
  while (!options.signal.aborted) {
    await sleep((options.meanIntervalMs ?? 7000) * (0.4 + random() * 1.2), options.signal);
    if (options.signal.aborted) break;
    const user = options.users[Math.floor(random() * options.users.length)];
    try {
      const snap = await fetchLiveLot(options.indexerUrl, { signal: AbortSignal.timeout(3000) });
      if (!snap.lot || snap.lot.status !== "live") {
        if (random() < 0.3) await say(options.chatHttpUrl, options.channel, user, chatter[Math.floor(random() * chatter.length)]);
        continue;
      }
      const roll = random();
      const text =
        roll < 0.45 ? "!bid min" : roll < 0.8 ? `!bid ${formatEther(roundUp(BigInt(snap.lot.minimumNextBid) + BigInt(snap.lot.minimumNextBid) / 20n))}` : chatter[Math.floor(random() * chatter.length)];
      await say(options.chatHttpUrl, options.channel, user, text);
    } catch {
      // The indexer, relayer or chat server is restarting: the next tick tries again.
    }
  }
}

function roundUp(wei: bigint): bigint {
  const step = parseEther("0.001");
  return ((wei + step - 1n) / step) * step;
}
