/**
 * @module worker
 * Consumes the bids stream (a consumer group shared by every relayer instance) and turns jobs into
 * transactions through the sender. Jobs for one lot run one group at a time; bids that piled up while
 * the previous transaction was in flight are coalesced: only the highest is sent, the others are told
 * they were outbid once it lands. Different lots, and link registrations, run in parallel.
 *
 * After a crash the instance first re-reads its own pending entries; entries of a dead instance are
 * taken over with XAUTOCLAIM. A job with a recorded signed tx is always resumed from that tx.
 */
import { CHAT_NAMES_HASH } from "@sothebais/common/channels";
import { humanMinimumBid } from "@sothebais/common/amounts";
import { isNetworkError } from "@sothebais/common/errors";
import type { Logger } from "@sothebais/common/log";
import { minimumNextBid } from "@sothebais/common/live";
import { type Address, decodeErrorResult, encodeFunctionData, type Hex } from "viem";
import { type ChainReads, chatIdHash, decodeRevert, houseAbi, LotStatus } from "./chain.ts";
import { type BidJob, type Job, jobFields, jobFromFields, type LinkJob, type ProxyRecord } from "./intake.ts";
import { type Outcome, type Reply, outcomeFromRevert, replyBody } from "./replies.ts";
import { escrowShortfall, signedForChatUser, wrongChatAccount } from "./links.ts";
import type { ChatBidder } from "./outbids.ts";
import type { Sender } from "./sender.ts";
import { entries, ensureGroup, groups, keys, recordTtl, type Store } from "./store.ts";

export type WorkerOptions = {
  redis: Store;
  /** A second connection for blocking reads (XREADGROUP BLOCK would stall the shared one). */
  blocking: Store;
  reads: ChainReads;
  sender: Sender;
  log: Logger;
  chainId: number;
  instance: string;
  claimIdleMs: number;
  maxInFlight: number;
  isPaused: () => boolean;
  /** Escrow a bidder needs before the relayer pays to register their authorization. */
  minEscrowToLink: bigint;
  onOutcome?: (job: Job, outcome: Outcome) => void;
};

type Entry = { id: string; job: Job };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createWorker(o: WorkerOptions) {
  const { redis } = o;
  const queues = new Map<string, Entry[]>();
  const active = new Set<string>();
  const known = new Set<string>();
  let inFlight = 0;
  let stopped = false;

  const finish = async (entry: Entry, outcome: Outcome) => {
    const job = entry.job;
    const body = job.type === "bid" && job.proxy && (outcome.kind === "outbid" || outcome.kind === "too_low") ? undefined : replyBody(outcome, o.chainId);
    const reply: Reply | undefined = body ? { channel: job.channel, to: job.name, body, msgId: job.msgId } : undefined;
    const first = await redis.finish(keys.outcome(job.msgId), keys.outbox, keys.bids, recordTtl, JSON.stringify(outcome), reply ? JSON.stringify(reply) : "", groups.senders, entry.id);
    if (first) o.onOutcome?.(job, outcome);
    if (job.type === "bid" && job.proxy && !["placed", "outbid", "too_low"].includes(outcome.kind)) await redis.hdel(keys.proxies, job.userId);
    return Boolean(first);
  };

  /** Runs `fn` until the RPC answers (network errors retried with backoff); contract errors are returned. */
  const untilAnswered = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!isNetworkError(error) || stopped) throw error;
        await sleep(Math.min(100 * 2 ** attempt, 3000));
      }
    }
  };

  const simulate = async (data: Hex): Promise<Outcome | undefined> => {
    try {
      await untilAnswered(() => o.reads.client.call({ account: o.sender.address, to: o.reads.house, data }));
      return undefined;
    } catch (error) {
      const revert = decodeRaw(error) ?? decodeRevert(error);
      if (revert) return outcomeFromRevert(revert, {});
      throw error;
    }
  };

  const decodeRaw = (error: unknown) => {
    // eth_call errors carry the revert data: decode it against our ABI.
    const data = findData(error);
    if (!data) return undefined;
    try {
      const r = decodeErrorResult({ abi: houseAbi, data });
      return { name: r.errorName, args: (r.args ?? []) as readonly unknown[] };
    } catch {
      return { name: "Reverted", args: [] };
    }
  };

  /** Sends a job's tx (or resumes the one recorded) and reads the outcome from the receipt. */
  const transact = async (job: Job, data: Hex): Promise<{ ok: true; hash: string; blockNumber: bigint } | { ok: false; outcome: Outcome }> => {
    const state = await redis.hget(keys.tx(job.msgId), "state");
    if (state !== "signed") {
      const problem = await simulate(data);
      if (problem) return { ok: false, outcome: problem };
      if (o.isPaused()) return { ok: false, outcome: { kind: "relayer_paused" } };
    }
    const { hash, receipt } = await o.sender.send(job.msgId, { to: o.reads.house, data });
    if (receipt.status === "success") return { ok: true, hash, blockNumber: receipt.blockNumber };
    const why = await simulate(data).catch(() => undefined);
    return { ok: false, outcome: why ?? { kind: "failed", reason: `reverted on chain (${hash})` } };
  };

  const bidData = (job: BidJob) => encodeFunctionData({ abi: houseAbi, functionName: "relayBid", args: [job.lotId, job.bidder, job.amount] });

  async function runBids(batch: Entry[]) {
    // Jobs that already sent a tx are resolved from it first: their bid may be on chain.
    const rest: Entry[] = [];
    for (const e of batch) {
      const state = await redis.hget(keys.tx(e.job.msgId), "state");
      if (state === "signed") await runOneBid(e);
      else rest.push(e);
    }
    const sorted = rest.sort((a, b) => {
      const x = a.job as BidJob;
      const y = b.job as BidJob;
      return x.amount === y.amount ? x.at - y.at : x.amount > y.amount ? -1 : 1;
    });
    while (sorted.length) {
      const top = sorted.shift() as Entry;
      const placed = await runOneBid(top);
      if (placed) {
        const win = top.job as BidJob;
        await Promise.all(sorted.map((e) => finish(e, { kind: "outbid", lotId: String(win.lotId), by: `@${win.name}`, amount: String(win.amount) })));
        return;
      }
    }
  }

  async function runOneBid(entry: Entry): Promise<boolean> {
    const job = entry.job as BidJob;
    if (await redis.exists(keys.outcome(job.msgId))) {
      await redis.xack(keys.bids, groups.senders, entry.id);
      return false;
    }
    const [banned, deleted] = await Promise.all([redis.exists(keys.banned(job.userId)), redis.exists(keys.deleted(job.msgId))]);
    const state = await redis.hget(keys.tx(job.msgId), "state");
    if ((banned || deleted) && state !== "signed") {
      await finish(entry, { kind: "ignored", reason: banned ? "banned" : "deleted" });
      return false;
    }
    const result = await transact(job, bidData(job));
    if (result.ok) {
      const chatToMinedMs = Date.now() - job.at;
      const first = await finish(entry, { kind: "placed", lotId: String(job.lotId), amount: String(job.amount), txHash: result.hash, proxy: job.proxy || undefined });
      // One line per placed bid, joining the chat message id to its transaction: an operator greps the
      // msgId here, then the txHash in the broadcaster's "bid on stream" line (docs/OPERATIONS.md).
      if (first) {
        o.log.info("bid placed", {
          msgId: job.msgId, user: job.name, chatIdHash: chatIdHash(job.userId), lotId: job.lotId, amount: job.amount,
          txHash: result.hash, blockNumber: result.blockNumber, chatToMinedMs, proxy: job.proxy || undefined,
        });
      }
      return true;
    }
    await finish(entry, result.outcome);
    return false;
  }

  async function runLink(entry: Entry) {
    const job = entry.job as LinkJob;
    if (await redis.exists(keys.outcome(job.msgId))) return void (await redis.xack(keys.bids, groups.senders, entry.id));
    const a = JSON.parse(job.auth) as Record<string, string>;
    const idHash = chatIdHash(job.userId);
    // Checked at `!link` already; again here for a job queued by an older version (no chatIdHash) or by hand.
    if (!signedForChatUser(job.auth, job.userId)) return finish(entry, { kind: "link_failed", reason: wrongChatAccount });
    const auth = { bidder: a.bidder as Address, relayer: a.relayer as Address, chatIdHash: a.chatIdHash as Hex, maxBid: BigInt(a.maxBid), totalCap: BigInt(a.totalCap), expiry: BigInt(a.expiry), nonce: BigInt(a.nonce) };
    const data = encodeFunctionData({ abi: houseAbi, functionName: "registerChatAuthorization", args: [auth, job.signature as Hex] });
    // Checked again here, not only at POST /link: escrow can be withdrawn while the code waits. A job
    // that already signed its tx is resumed whatever the escrow now (the gas may be spent already).
    if ((await redis.hget(keys.tx(job.msgId), "state")) !== "signed") {
      const short = escrowShortfall(await untilAnswered(() => o.reads.escrowOf(auth.bidder)), o.minEscrowToLink);
      if (short) return finish(entry, { kind: "link_failed", reason: short });
    }
    const result = await transact(job, data);
    if (!result.ok) return finish(entry, result.outcome);
    // The chain now holds one authorization per bidder, for this chat account: the mappings follow it.
    // The bidder's previous chat account no longer bids for them, and the wallet this chat account was
    // linked to before no longer sends its outbid notices here.
    const bidderKey = auth.bidder.toLowerCase();
    const [previous, before] = await Promise.all([redis.hget(keys.chatBidders, bidderKey), redis.hget(keys.users, idHash)]);
    const oldHash = previous ? (JSON.parse(previous) as ChatBidder).chatIdHash : undefined;
    const tx = redis.multi();
    if (oldHash && oldHash.toLowerCase() !== idHash.toLowerCase()) {
      const oldBidder = await redis.hget(keys.users, oldHash);
      if (oldBidder?.toLowerCase() === bidderKey) tx.hdel(keys.users, oldHash);
    }
    if (before && before.toLowerCase() !== bidderKey) {
      const theirs = await redis.hget(keys.chatBidders, before.toLowerCase());
      if (theirs && (JSON.parse(theirs) as ChatBidder).chatIdHash.toLowerCase() === idHash.toLowerCase()) tx.hdel(keys.chatBidders, before.toLowerCase());
    }
    // A standing !max of this bidder's previous chat account stops with the link.
    for (const [userId, raw] of Object.entries(await redis.hgetall(keys.proxies))) {
      const r = JSON.parse(raw) as ProxyRecord;
      if (userId !== job.userId && r.bidder.toLowerCase() === bidderKey) tx.hdel(keys.proxies, userId);
    }
    await tx.hset(keys.users, idHash, auth.bidder).hdel(keys.unlinked, idHash).hset(CHAT_NAMES_HASH, idHash, job.name)
      .hset(keys.chatBidders, bidderKey, JSON.stringify({ chatIdHash: idHash, channel: job.channel } satisfies ChatBidder))
      .exec();
    await finish(entry, { kind: "linked", bidder: auth.bidder });
  }

  async function drain(key: string) {
    active.add(key);
    try {
      for (;;) {
        const batch = queues.get(key) ?? [];
        queues.delete(key);
        if (!batch.length) break;
        try {
          if (key.startsWith("lot:")) await runBids(batch);
          else for (const e of batch) await runLink(e);
        } catch (error) {
          // Left pending in the stream: retried by XAUTOCLAIM (or at restart), never lost.
          o.log.error("job failed, will retry", { key, error });
          for (const e of batch) known.delete(e.id);
          inFlight -= batch.length;
          await sleep(1000);
          continue;
        }
        for (const e of batch) known.delete(e.id);
        inFlight -= batch.length;
      }
    } finally {
      active.delete(key);
    }
  }

  const dispatch = (raw: { id: string; fields: Record<string, string> }[]) => {
    for (const { id, fields } of raw) {
      if (known.has(id) || !fields.msgId) continue;
      known.add(id);
      inFlight++;
      const job = jobFromFields(fields);
      const key = job.type === "bid" ? `lot:${job.lotId}` : `link:${job.msgId}`;
      const q = queues.get(key) ?? [];
      q.push({ id, job });
      queues.set(key, q);
      if (!active.has(key)) void drain(key);
    }
  };

  async function readLoop() {
    let own = true; // first our own pending entries (after a restart), then new ones
    let lastClaim = 0;
    while (!stopped) {
      try {
        if (own) {
          const res = (await o.blocking.xreadgroup("GROUP", groups.senders, o.instance, "COUNT", 500, "STREAMS", keys.bids, "0")) as [string, [string, string[]][]][] | null;
          const list = entries(res?.[0]?.[1]);
          dispatch(list);
          if (list.length < 500) own = false;
          continue;
        }
        if (Date.now() - lastClaim > Math.min(2000, o.claimIdleMs)) {
          lastClaim = Date.now();
          const claimed = (await redis.xautoclaim(keys.bids, groups.senders, o.instance, o.claimIdleMs, "0-0", "COUNT", 200)) as [string, [string, string[]][], string[]];
          dispatch(entries(claimed[1]).filter((e) => e.fields.msgId));
        }
        if (inFlight >= o.maxInFlight) {
          await sleep(20);
          continue;
        }
        const res = (await o.blocking.xreadgroup("GROUP", groups.senders, o.instance, "COUNT", 500, "BLOCK", 200, "STREAMS", keys.bids, ">")) as [string, [string, string[]][]][] | null;
        dispatch(entries(res?.[0]?.[1]));
      } catch (error) {
        if (stopped) break;
        if (String((error as Error).message).includes("NOGROUP")) {
          await ensureGroup(redis, keys.bids, groups.senders).catch(() => {});
          own = true;
        } else {
          o.log.warn("bids stream read failed", { error });
          await sleep(500);
        }
      }
    }
  }

  /** !max: each tick, every proxy that is not leading bids the least needed, up to its ceiling. */
  async function proxyLoop() {
    while (!stopped) {
      try {
        await evaluateProxies();
      } catch (error) {
        if (!isNetworkError(error)) o.log.warn("proxy evaluation failed", { error });
      }
      await sleep(300);
    }
  }

  async function evaluateProxies(only?: string) {
    // Moderators paused chat bidding: a standing !max places nothing either.
    if (await redis.exists(keys.bidsPaused)) return;
    const all = await redis.hgetall(keys.proxies);
    const records = Object.values(all).map((v) => JSON.parse(v) as ProxyRecord).filter((r) => !only || r.userId === only);
    const lots = new Map<string, Awaited<ReturnType<ChainReads["lot"]>>>();
    for (const r of records) {
      let lot = lots.get(r.lotId);
      if (!lot) {
        lot = await o.reads.lot(BigInt(r.lotId));
        lots.set(r.lotId, lot);
      }
      if (lot.status !== LotStatus.Live) {
        await redis.hdel(keys.proxies, r.userId);
        continue;
      }
      if (lot.bidder.toLowerCase() === r.bidder.toLowerCase()) continue;
      const needed = minimumNextBid(lot);
      if (needed > BigInt(r.ceiling)) {
        const msgId = `proxy-end:${r.userId}:${r.lotId}:${r.ceiling}`;
        const outcome: Outcome = { kind: "max_reached", lotId: r.lotId, ceiling: r.ceiling, minimum: String(needed) };
        const body = replyBody(outcome, o.chainId) as string;
        await redis.claimAnswer(keys.seen(msgId), keys.outcome(msgId), keys.outbox, recordTtl, JSON.stringify(outcome), JSON.stringify({ channel: r.channel, to: r.name, body, msgId } satisfies Reply));
        await redis.hdel(keys.proxies, r.userId);
        continue;
      }
      // An amount the host can say (0.538, not 0.537915: common/amounts), or the ceiling the bidder typed
      // when that rounding would pass it.
      const human = humanMinimumBid(needed);
      const amount = human <= BigInt(r.ceiling) ? human : BigInt(r.ceiling);
      // One job per price level: the id is deterministic, so every instance proposes the same job once.
      const msgId = `proxy:${r.userId}:${r.lotId}:${lot.amount}`;
      const job: BidJob = { type: "bid", msgId, userId: r.userId, name: r.name, channel: r.channel, bidder: r.bidder, lotId: BigInt(r.lotId), amount, at: Date.now(), proxy: true };
      await redis.claimJob(keys.seen(msgId), keys.bids, recordTtl, ...jobFields(job));
    }
  }

  return {
    start: async () => {
      await ensureGroup(redis, keys.bids, groups.senders);
      void readLoop();
      void proxyLoop();
    },
    stop: () => {
      stopped = true;
    },
    evaluateProxies,
    depth: () => inFlight,
  };
}

function findData(error: unknown): Hex | undefined {
  let e = error as { data?: unknown; cause?: unknown } | undefined;
  for (let i = 0; i < 10 && e; i++) {
    if (typeof e.data === "string" && e.data.startsWith("0x")) return e.data as Hex;
    if (e.data && typeof (e.data as { data?: unknown }).data === "string") return (e.data as { data: Hex }).data;
    e = e.cause as typeof e;
  }
  return undefined;
}

