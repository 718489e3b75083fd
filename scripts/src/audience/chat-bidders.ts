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
import { chatIdHashOf } from "@sothebais/common/chat-auth";
import { chatAuthorizationDomain, chatAuthorizationTypes, localAccount, localRoles, waitFor } from "@sothebais/common/testing";

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

export type SentLine = { id: string; userId: string; text: string; sentAt: number };

/** POST /api/say on the local chat server; returns the message id the server gave the line. */
export async function say(chatHttpUrl: string, channel: string, user: ChatUser, text: string): Promise<SentLine> {
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

export type LinkRequest = {
  rpcUrl: string;
  relayerUrl: string;
  auctionHouse: Address;
  relayer: Address;
  user: ChatUser;
  /** Escrow deposited, and the caps signed. */
  depositWei: bigint;
  /** The viewer's own client address (`x-forwarded-for`): the relayer limits link requests per client. */
  forwardedFor?: string;
};

/** What a viewer does in the dApp: deposit, sign a ChatAuthorization for the relayer, get a one-time code from `POST /link`. */
export async function requestLinkCode(r: LinkRequest): Promise<string> {
  const transport = http(r.rpcUrl);
  const publicClient = createPublicClient({ chain: hardhat, transport, pollingInterval: 500 });
  const wallet = createWalletClient({ account: localAccount(r.user.account), chain: hardhat, transport });
  const hash = await wallet.writeContract({ address: r.auctionHouse, abi: auctionHouseAbi, functionName: "deposit", value: r.depositWei });
  await publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
  const nonce = await publicClient.readContract({ address: r.auctionHouse, abi: auctionHouseAbi, functionName: "nonces", args: [wallet.account.address] });
  const authorization = {
    bidder: wallet.account.address,
    relayer: r.relayer,
    // The one chat account this authorization is for: the relayer registers it only from that account.
    chatIdHash: chatIdHashOf({ platform: "twitch", userId: r.user.userId }),
    maxBid: r.depositWei,
    totalCap: r.depositWei,
    expiry: BigInt(Math.floor(Date.now() / 1000) + 24 * 3600),
    nonce,
  };
  const signature = await wallet.signTypedData({
    domain: chatAuthorizationDomain(hardhat.id, r.auctionHouse),
    types: chatAuthorizationTypes,
    primaryType: "ChatAuthorization",
    message: authorization,
  });
  const res = await fetch(new URL("/link", r.relayerUrl), {
    method: "POST",
    headers: { "content-type": "application/json", ...(r.forwardedFor ? { "x-forwarded-for": r.forwardedFor } : {}) },
    body: JSON.stringify({
      authorization: Object.fromEntries(Object.entries(authorization).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
      signature,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { code?: string; error?: string };
  if (!res.ok || !body.code) throw new Error(`relayer refused the link for ${r.user.displayName}: ${body.error ?? res.status}`);
  return body.code;
}

/** Deposit, sign, get a code, type `!link CODE`. Returns once the code was said in chat. */
export async function linkChatUser(options: ChatBiddersOptions, user: ChatUser): Promise<void> {
  const depositWei = options.depositWei ?? parseEther("3");
  const code = await requestLinkCode({ ...options, user, depositWei });
  await say(options.chatHttpUrl, options.channel, user, `!link ${code}`);
  options.onEvent?.(`${user.displayName} linked ${localAccount(user.account).address.slice(0, 8)} with ${formatEther(depositWei)} ETH in escrow`);
}

/**
 * In a running local stack (scripts/src/stack: its `urls` and AuctionHouse): links `user` as a viewer does
 * and waits until the chain holds the authorization for the stack's relayer, bound to the user's chat id.
 */
export async function linkChatUserInStack(urls: Record<string, string>, auctionHouse: Address, user: ChatUser, depositWei: bigint, timeoutMs = 120_000): Promise<void> {
  const relayer = localAccount(localRoles.relayer).address;
  const chatHttpUrl = new URL(urls.chatPageUrl).origin;
  const channel = urls.chatChannel ?? "sothebais";
  const signal = new AbortController().signal;
  await linkChatUser({ rpcUrl: urls.rpcUrl, indexerUrl: urls.indexerUrl, relayerUrl: urls.relayerUrl, chatHttpUrl, channel, auctionHouse, relayer, users: [user], depositWei, signal }, user);
  const client = createPublicClient({ chain: hardhat, transport: http(urls.rpcUrl) });
  const bidder = localAccount(user.account).address;
  const expected = chatIdHashOf({ platform: "twitch", userId: user.userId });
  await waitFor(
    async () => {
      const auth = (await client.readContract({ address: auctionHouse, abi: auctionHouseAbi, functionName: "authorizationOf", args: [bidder] })) as { chatIdHash: string; relayer: Address };
      return auth.chatIdHash === expected && auth.relayer === relayer;
    },
    { timeoutMs, intervalMs: 250, what: `${user.displayName}'s chat authorization on chain` },
  );
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
