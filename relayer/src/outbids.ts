/**
 * @module outbids
 * Tells chat bidders when their lead is taken, whoever took it: a wallet in the dApp or another chat
 * bidder. Without it a chat bidder learns only by watching the stream, and loses lots they would have
 * fought for (Whatnot and eBay both push "you were outbid").
 *
 * The chain is the source: every outbid emits BidRefunded (the outbid bidder) and BidPlaced (the new
 * leader) in one transaction. A bidder is a chat bidder when a chat identity is linked to their address.
 * A notice is claimed once in Redis per transaction, so several relayer instances never repeat it, and
 * a bidder with a live `!max` on the lot hears nothing: their proxy answers for them.
 *
 * The same watch tells a chat winner how their lot ended, whoever settled it (the keeper, a bidder, the
 * dApp): LotSettled -> the artwork is in their wallet; LotUndeliverable -> the bid went back to escrow.
 * Once per lot across instances.
 */
import { CHAT_NAMES_HASH } from "@sothebais/common/channels";
import type { Logger } from "@sothebais/common/log";
import { type Address, getAbiItem, type Hex, type PublicClient, zeroAddress, zeroHash } from "viem";
import { houseAbi } from "./chain.ts";
import { followHeads, type Head } from "./head.ts";
import type { ProxyRecord } from "./intake.ts";
import { type Outcome, type Reply, replyBody } from "./replies.ts";
import { keys, type Store } from "./store.ts";

export type OutbidNoticeOptions = {
  client: PublicClient;
  house: Address;
  redis: Store;
  /** Where to speak when the bidder's own channel is not known (links rebuilt from the chain). */
  defaultChannel: string;
  chainId: number;
  /** The shared head poller (the sender's too): logs are read when it sees a new block. */
  head: Head;
  log: Logger;
  /** How long a notice may wait for a chat slot before it is stale. */
  ttlMs?: number;
};

/** What the relayer remembers of a linked chat bidder, by wallet address. */
export type ChatBidder = { chatIdHash: Hex; channel?: string };

const events = [
  getAbiItem({ abi: houseAbi, name: "BidPlaced" }),
  getAbiItem({ abi: houseAbi, name: "BidRefunded" }),
  getAbiItem({ abi: houseAbi, name: "LotSettled" }),
  getAbiItem({ abi: houseAbi, name: "LotUndeliverable" }),
];
const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;
const MAX_RANGE = 1000n;

export function watchOutbids(o: OutbidNoticeOptions) {
  let from: bigint | undefined;
  const heads = followHeads(o.head, {
    // A long range is read in pieces: run again while the cursor is not past the head.
    pass: async (head) => {
      await tick(head);
      return from !== undefined && from <= head;
    },
    retryFailed: true,
    onError: (error) => o.log.debug("outbid watch", { error: String((error as Error).message ?? error) }),
  });

  async function tick(head: bigint) {
    // Start at the head: an outbid from before this process started is no longer news. A head below the
    // cursor means a new chain (local node restarted): follow it.
    if (from === undefined || head + 1n < from) from = head + 1n;
    if (head < from) return;
    const to = head - from >= MAX_RANGE ? from + MAX_RANGE - 1n : head;
    const logs = await o.client.getLogs({ address: o.house, events, fromBlock: from, toBlock: to, strict: true });
    const placed = new Map<Hex, { bidder: Address; amount: bigint; viaRelayer: boolean; chatIdHash: Hex }>();
    for (const l of logs) if (l.eventName === "BidPlaced") placed.set(l.transactionHash, l.args);
    for (const l of logs) {
      if (l.eventName !== "BidRefunded") continue;
      const next = placed.get(l.transactionHash);
      if (!next || next.bidder.toLowerCase() === l.args.bidder.toLowerCase()) continue;
      await notify(l.transactionHash, l.args.lotId, l.args.bidder, next);
    }
    for (const l of logs) {
      if (l.eventName === "LotSettled") await notifyWinner(l.args.lotId, l.args.winner, { kind: "won", lotId: String(l.args.lotId), amount: String(l.args.amount), wallet: l.args.winner, txHash: l.transactionHash });
      if (l.eventName === "LotUndeliverable") await notifyWinner(l.args.lotId, l.args.winner, { kind: "won_undeliverable", lotId: String(l.args.lotId), amount: String(l.args.amount) });
    }
    from = to + 1n;
  }

  async function notify(txHash: Hex, lotId: bigint, outbid: Address, next: { bidder: Address; amount: bigint; viaRelayer: boolean; chatIdHash: Hex }) {
    const json = await o.redis.hget(keys.chatBidders, outbid.toLowerCase());
    if (!json) return;
    const who = JSON.parse(json) as ChatBidder;
    const [name, nextName] = await o.redis.hmget(CHAT_NAMES_HASH, who.chatIdHash, next.chatIdHash);
    if (!name) return;
    if (await hasProxyOn(outbid, lotId)) return;
    if (!(await o.redis.set(keys.notice(`outbid:${txHash}`), "1", "EX", 3600, "NX"))) return;
    const by = next.viaRelayer && next.chatIdHash !== zeroHash && nextName ? `@${nextName}` : short(next.bidder);
    const body = replyBody({ kind: "outbid", lotId: String(lotId), by, amount: String(next.amount) }, o.chainId) as string;
    const reply: Reply = { channel: who.channel ?? o.defaultChannel, to: name, body, expiresAt: Date.now() + (o.ttlMs ?? 60_000) };
    await o.redis.xadd(keys.outbox, "*", "reply", JSON.stringify(reply));
  }

  /** The winner hears how their lot ended, if they are a chat bidder; once per lot across instances. */
  async function notifyWinner(lotId: bigint, winner: Address, outcome: Extract<Outcome, { kind: "won" | "won_undeliverable" }>) {
    if (winner === zeroAddress) return; // no bid: the NFT went back to the seller
    const json = await o.redis.hget(keys.chatBidders, winner.toLowerCase());
    if (!json) return;
    const who = JSON.parse(json) as ChatBidder;
    const name = await o.redis.hget(CHAT_NAMES_HASH, who.chatIdHash);
    if (!name) return;
    if (!(await o.redis.set(keys.notice(`won:${lotId}`), "1", "EX", 24 * 3600, "NX"))) return;
    const reply: Reply = { channel: who.channel ?? o.defaultChannel, to: name, body: replyBody(outcome, o.chainId) as string, expiresAt: Date.now() + (o.ttlMs ?? 60_000) };
    await o.redis.xadd(keys.outbox, "*", "reply", JSON.stringify(reply));
  }

  async function hasProxyOn(bidder: Address, lotId: bigint) {
    const all = await o.redis.hvals(keys.proxies);
    return all.some((v) => {
      const r = JSON.parse(v) as ProxyRecord;
      return r.lotId === String(lotId) && r.bidder.toLowerCase() === bidder.toLowerCase();
    });
  }

  return {
    start: () => {
      // From the next block on: an outbid from before this process started is no longer news.
      const now = o.head.current();
      if (now !== undefined) from = now + 1n;
      heads.start();
    },
    stop: () => heads.stop(),
  };
}

/** Remembers `bidder` as the chat user `chatIdHash` (in `channel`, when known), for outbid notices. */
export function rememberChatBidder(redis: Store, bidder: Address, who: ChatBidder) {
  return redis.hset(keys.chatBidders, bidder.toLowerCase(), JSON.stringify(who));
}
