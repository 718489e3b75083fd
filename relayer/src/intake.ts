/**
 * @module intake
 * Chat message -> parsed, rate-limited, validated -> either answered at once or queued as a job on the
 * bids stream. Every message id is claimed once across restarts and instances (store.ts), so a line
 * replayed after a reconnect, or seen by two relayers on the channel, gets exactly one outcome.
 */
import { humanMinimumBid } from "@sothebais/common/amounts";
import { CHAT_LINES_CHANNEL, type ChatLine } from "@sothebais/common/channels";
import type { Logger } from "@sothebais/common/log";
import type { Address } from "viem";
import { type ChainReads, chatIdHash, houseAbi, LotStatus } from "./chain.ts";
import { signedForChatUser, wrongChatAccount } from "./links.ts";
import { type LiveInfo, liveInfo, type LotSource } from "./lots.ts";
import { parseCommand, syntax } from "./parse.ts";
import { eth, type Outcome, type Reply, replyBody } from "./replies.ts";
import { keys, recordTtl, type Store } from "./store.ts";
import type { Timeline } from "./timeline.ts";

export type ChatMessage = {
  id: string;
  channel: string;
  userId: string;
  displayName: string;
  text: string;
  /** When chat says it was sent (`tmi-sent-ts`, ms): its age and the lot the bidder saw come from it. */
  sentAt: number;
  /** Badge `moderator` or `broadcaster` (or the `mod` tag). */
  isMod: boolean;
  /** When the relayer received it (ms), for latency. */
  receivedAt: number;
};

export type BidJob = {
  type: "bid";
  msgId: string;
  userId: string;
  name: string;
  channel: string;
  bidder: Address;
  lotId: bigint;
  amount: bigint;
  at: number;
  proxy: boolean;
};
export type LinkJob = {
  type: "link";
  msgId: string;
  userId: string;
  name: string;
  channel: string;
  at: number;
  auth: string;
  signature: string;
};
export type Job = BidJob | LinkJob;

export const jobFields = (job: Job): string[] =>
  job.type === "bid"
    ? ["type", "bid", "msgId", job.msgId, "userId", job.userId, "name", job.name, "channel", job.channel, "bidder", job.bidder, "lotId", String(job.lotId), "amount", String(job.amount), "at", String(job.at), "proxy", job.proxy ? "1" : ""]
    : ["type", "link", "msgId", job.msgId, "userId", job.userId, "name", job.name, "channel", job.channel, "at", String(job.at), "auth", job.auth, "signature", job.signature];

export function jobFromFields(f: Record<string, string>): Job {
  if (f.type === "link") return { type: "link", msgId: f.msgId, userId: f.userId, name: f.name, channel: f.channel, at: Number(f.at), auth: f.auth, signature: f.signature };
  return { type: "bid", msgId: f.msgId, userId: f.userId, name: f.name, channel: f.channel, bidder: f.bidder as Address, lotId: BigInt(f.lotId), amount: BigInt(f.amount), at: Number(f.at), proxy: f.proxy === "1" };
}

export type IntakeOptions = {
  redis: Store;
  reads: ChainReads;
  lots: LotSource;
  log: Logger;
  chainId: number;
  instance: string;
  userRateLimit: number;
  globalRateLimit: number;
  confirmFactor: number;
  confirmTtlS: number;
  /** The stream's delay: the bidder's moment is `sentAt` less this. */
  streamDelayMs: number;
  /** Command lines older than this are answered, never executed. */
  maxLineAgeMs: number;
  /** The lots' open/close times, for the lot on the bidder's screen. */
  timeline: Timeline;
  deployBlock: bigint;
  isPaused: () => boolean;
  /** A bid job was queued (for metrics and the latency benchmark). */
  onQueued?: (job: BidJob | LinkJob) => void;
  onOutcome?: (msgId: string, outcome: Outcome) => void;
  /** A proxy (!max) was set: evaluate it now rather than at the next tick. */
  onProxySet?: (userId: string) => void;
  /** `!mybids` answer (mybids.ts: from the indexer, bounded; never a chain-wide log scan). */
  myBids: (bidder: Address) => Promise<string>;
};

/** A far-above bid (job fields) or `!max` (proxy) waiting for `!confirm` (Redis `confirm:<user-id>`). */
type ConfirmRecord = { fields: string[]; proxy?: ProxyRecord; amount: string; ttl: number; expiresAt: number };

/** Filled in by the intake script from the user's link. */
const UNLINKED = "" as Address;

const fieldMap = (flat: string[]) => {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]] = flat[i + 1];
  return f;
};

export type ProxyRecord = { userId: string; name: string; channel: string; bidder: Address; lotId: string; ceiling: string };

const helpText = `commands: ${syntax.bid} · ${syntax.max} · ${syntax.link} · !unlink · !balance · !mybids · !lot · !help`;

export function createIntake(o: IntakeOptions) {
  const { redis } = o;

  const reply = (msg: { channel: string; displayName: string; id: string }, outcome: Outcome): string => {
    const body = replyBody(outcome, o.chainId);
    if (!body) return "";
    const r: Reply = { channel: msg.channel, to: msg.displayName, body, msgId: msg.id };
    return JSON.stringify(r);
  };

  /** Records the outcome of a command answered without a transaction (once). */
  const answer = async (msg: ChatMessage, outcome: Outcome) => {
    const first = await redis.claimAnswer(keys.seen(msg.id), keys.outcome(msg.id), keys.outbox, recordTtl, JSON.stringify(outcome), reply(msg, outcome));
    if (first) o.onOutcome?.(msg.id, outcome);
    return outcome;
  };

  const queue = async (msg: ChatMessage, job: Job) => {
    const id = await redis.claimJob(keys.seen(msg.id), keys.bids, recordTtl, ...jobFields(job));
    if (id) o.onQueued?.(job);
    return id;
  };

  /** A far-above bid or `!max` waits in Redis (it survives a restart) for `!confirm`, recorded with its answer. */
  const askConfirm = async (msg: ChatMessage, pending: { job: BidJob } | { proxy: ProxyRecord }) => {
    const amount = "job" in pending ? String(pending.job.amount) : pending.proxy.ceiling;
    const outcome: Outcome = { kind: "confirm_needed", amount, factor: o.confirmFactor, ttl: o.confirmTtlS, ...("proxy" in pending ? { max: true } : {}) };
    const record: ConfirmRecord = {
      fields: "job" in pending ? jobFields(pending.job) : [],
      ...("proxy" in pending ? { proxy: pending.proxy } : {}),
      amount, ttl: o.confirmTtlS, expiresAt: Date.now() + o.confirmTtlS * 1000,
    };
    // Kept past its expiry, so a late !confirm is told why nothing happened.
    const first = await redis.askConfirm(keys.seen(msg.id), keys.outcome(msg.id), keys.outbox, keys.confirm(msg.userId), recordTtl, JSON.stringify(outcome), reply(msg, outcome), JSON.stringify(record), o.confirmTtlS + 3600);
    if (first) o.onOutcome?.(msg.id, outcome);
    return outcome;
  };

  /** `!confirm`: the pending bid is queued, or the reason it is not is answered, in the step that claims the message. */
  const confirm = async (msg: ChatMessage): Promise<Outcome | "queued" | undefined> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const record = (await redis.get(keys.confirm(msg.userId))) ?? "";
      const pending = record ? (JSON.parse(record) as ConfirmRecord) : undefined;
      let outcome: Outcome | undefined;
      let job: BidJob | undefined;
      if (!pending) outcome = { kind: "nothing_to_confirm" };
      else if (pending.expiresAt <= Date.now()) outcome = { kind: "confirm_expired", amount: pending.amount, ttl: pending.ttl };
      else if (pending.proxy) outcome = { kind: "max_set", lotId: pending.proxy.lotId, ceiling: pending.proxy.ceiling };
      else job = { ...(jobFromFields(fieldMap(pending.fields)) as BidJob), msgId: msg.id, at: msg.receivedAt };
      // A confirmed !max is set by the same script that answers it.
      const proxy = pending?.proxy && outcome?.kind === "max_set" ? JSON.stringify(pending.proxy) : "";
      const r = await redis.takeConfirm(
        keys.seen(msg.id), keys.confirm(msg.userId), keys.bids, keys.outcome(msg.id), keys.outbox, keys.proxies, recordTtl, record,
        outcome ? JSON.stringify(outcome) : "", outcome ? reply(msg, outcome) : "", msg.userId, proxy, ...(job ? jobFields(job) : []),
      );
      if (r === -1) continue; // a new far-above bid (or another instance) changed the record: decide again
      if (r === 0) return undefined;
      if (outcome) {
        o.onOutcome?.(msg.id, outcome);
        if (proxy) o.onProxySet?.(msg.userId);
        return outcome;
      }
      o.onQueued?.(job as BidJob);
      return "queued";
    }
    throw new Error("confirm record kept changing"); // retried with backoff by the caller
  };

  /**
   * The lot a bid or `!max` from this line is for: the one on the bidder's screen at its send time less
   * the stream delay. The live lot in the common case (decided in memory); a lot that has closed since,
   * or none at all (typed before the live lot opened on their stream), is answered and nothing placed.
   */
  async function targetLot(msg: ChatMessage, exact: boolean): Promise<{ kind: "lot"; live: LiveInfo } | { kind: "refused"; outcome: Outcome }> {
    const live = (await o.lots.live({ exact })) ?? (await o.lots.fresh());
    const shown = await o.timeline.shown(msg.sentAt - o.streamDelayMs, live?.lotId);
    if (shown.kind === "none") return { kind: "refused", outcome: live ? { kind: "not_open_yet", lotId: String(live.lotId) } : { kind: "not_live" } };
    if (live && shown.span.lotId === live.lotId) return { kind: "lot", live };
    // Another lot was on screen. Still open (the live-lot cache is a block behind): that one; else refused.
    const lot = shown.span.final ? undefined : await o.reads.lot(shown.span.lotId);
    if (lot?.status === LotStatus.Live) return { kind: "lot", live: liveInfo(lot) };
    return { kind: "refused", outcome: { kind: "lot_closed", lotId: String(shown.span.lotId), ...(live ? { live: String(live.lotId) } : {}) } };
  }

  type BidPlan =
    | { kind: "refused"; outcome: Outcome }
    | { kind: "too_low"; live: LiveInfo }
    | { kind: "confirm"; job: BidJob }
    | { kind: "queue"; job: BidJob };

  /** What a `!bid` asks for, judged against the lot the bidder saw (in memory: no round trip, as a rule). */
  async function planBid(msg: ChatMessage, command: { kind: "bid"; amount: bigint } | { kind: "bid_min" }, bidder: Address): Promise<BidPlan> {
    const target = await targetLot(msg, command.kind === "bid_min");
    if (target.kind === "refused") return target;
    const live = target.live;
    // `!bid min` bids an amount chat can read: the minimum rounded up (0.354, not 0.353075625; common/amounts).
    const amount = command.kind === "bid_min" ? humanMinimumBid(live.minimumNextBid) : command.amount;
    // The cached minimum only ever lags below the chain's, so rejecting below it is always right.
    if (amount < live.minimumNextBid) return { kind: "too_low", live };
    const job: BidJob = { type: "bid", msgId: msg.id, userId: msg.userId, name: msg.displayName, channel: msg.channel, bidder, lotId: live.lotId, amount, at: msg.receivedAt, proxy: false };
    const reference = live.amount > live.minimumNextBid ? live.amount : live.minimumNextBid;
    return command.kind === "bid" && amount >= reference * BigInt(o.confirmFactor) ? { kind: "confirm", job } : { kind: "queue", job };
  }

  /** Handles one chat line. Resolves with what was decided ("queued", an outcome, or undefined). */
  async function handle(msg: ChatMessage): Promise<Outcome | "queued" | undefined> {
    const line: ChatLine = { id: msg.id, userId: msg.userId, displayName: msg.displayName, text: msg.text, sentAt: msg.sentAt, isMod: msg.isMod, fromBot: false };
    const parsed = parseCommand(msg.text);
    if (!parsed) {
      await redis.publishLine(keys.line(msg.id), 600, CHAT_LINES_CHANNEL, JSON.stringify(line));
      return undefined;
    }
    // A link code is used up the first time it is seen in chat, whatever the answer (too old, rate
    // limited, banned, another chat account): once typed it is public. It moves to this line's id, so
    // only this line (on whichever instance handles it) can still use it.
    if (parsed.ok && parsed.command.kind === "link") await redis.rename(keys.linkCode(parsed.command.code), keys.linkTaken(msg.id)).catch(() => {});
    // Never executed once this old (a reconnect's history, a backlog): one answer, as every command gets.
    if (Date.now() - msg.sentAt > o.maxLineAgeMs) return answer(msg, { kind: "too_old", maxAgeS: Math.round(o.maxLineAgeMs / 1000) });
    const idHash = chatIdHash(msg.userId);
    // A bid that is valid as far as the live lot goes is queued by the same script that claims it: one
    // round trip from chat line to queued job. The bidder is filled in there from the link.
    const isBid = parsed.ok && (parsed.command.kind === "bid" || parsed.command.kind === "bid_min");
    const plan = isBid && parsed.ok && !o.isPaused() ? await planBid(msg, parsed.command as Parameters<typeof planBid>[1], UNLINKED) : undefined;
    const [state, userCount, globalCount, banned, linked, , paused, deleted, older] = await redis.intake(
      keys.seen(msg.id), keys.lock(msg.id), keys.rateUser(msg.userId), keys.rateGlobal, keys.banned(msg.userId), keys.users, keys.line(msg.id), keys.bids,
      keys.bidsPaused, keys.deleted(msg.id), keys.epoch, o.instance, 30_000, 10, idHash, 600, CHAT_LINES_CHANNEL, JSON.stringify(line),
      o.userRateLimit, o.globalRateLimit, recordTtl, Date.now(), msg.sentAt, ...(plan?.kind === "queue" ? jobFields(plan.job) : []),
    );
    if (state === 0) return undefined;
    if (state === 2) {
      // Another instance holds the lock. If it dies before an outcome, the lock expires: look again then.
      setTimeout(() => void handle(msg).catch(() => {}), 31_000).unref();
      return undefined;
    }
    if (state === 3 && plan?.kind === "queue") {
      o.onQueued?.({ ...plan.job, bidder: linked as Address });
      return "queued";
    }
    if (banned) return answer(msg, { kind: "ignored", reason: "banned" });
    if (deleted) return answer(msg, { kind: "ignored", reason: "deleted" });
    if (userCount > o.userRateLimit || globalCount > o.globalRateLimit) return answer(msg, { kind: "rate_limited" });
    if (!parsed.ok) return answer(msg, { kind: "malformed", syntax: parsed.syntax });
    const bidder = (linked || undefined) as Address | undefined;
    const command = parsed.command;

    switch (command.kind) {
      case "help":
        return answer(msg, { kind: "answer", text: helpText });
      case "lot":
        return answer(msg, { kind: "answer", text: await lotText() });
      case "pause_bids":
      case "resume_bids":
        return pauseBids(msg, command.kind === "pause_bids");
      case "bid":
      case "bid_min": {
        if (!bidder) return answer(msg, { kind: "not_linked" });
        if (paused) return answer(msg, { kind: "bids_paused" });
        if (o.isPaused()) return answer(msg, { kind: "relayer_paused" });
        const p = plan ?? (await planBid(msg, command, bidder));
        if (p.kind === "refused") return answer(msg, p.outcome);
        if (p.kind === "too_low") return answer(msg, { kind: "too_low", lotId: String(p.live.lotId), minimum: String(p.live.minimumNextBid) });
        const job = { ...p.job, bidder };
        // Sent before this Redis state began: a Redis that is gone may have placed it. Its seen-key went
        // with it; the chain did not. (The age limit keeps this window to MAX_LINE_AGE_S.)
        if (older && (await bidOnChainSince(job.lotId, bidder, msg.sentAt))) return answer(msg, { kind: "maybe_placed", lotId: String(job.lotId) });
        if (p.kind === "confirm") return askConfirm(msg, { job });
        // Planned while paused (and unpaused since): queue it the ordinary way.
        return (await queue(msg, job)) ? "queued" : undefined;
      }
      case "confirm":
        if (paused) return answer(msg, { kind: "bids_paused" });
        return confirm(msg);
      case "max": {
        if (!bidder) return answer(msg, { kind: "not_linked" });
        if (paused) return answer(msg, { kind: "bids_paused" });
        if (o.isPaused()) return answer(msg, { kind: "relayer_paused" });
        const target = await targetLot(msg, false);
        if (target.kind === "refused") return answer(msg, target.outcome);
        const live = target.live;
        if (command.amount < live.minimumNextBid && live.bidder.toLowerCase() !== bidder.toLowerCase()) {
          return answer(msg, { kind: "too_low", lotId: String(live.lotId), minimum: String(live.minimumNextBid) });
        }
        const record: ProxyRecord = { userId: msg.userId, name: msg.displayName, channel: msg.channel, bidder, lotId: String(live.lotId), ceiling: String(command.amount) };
        // A ceiling far above the price bids up to it on its own: the same !confirm as a far-above !bid.
        const reference = live.amount > live.minimumNextBid ? live.amount : live.minimumNextBid;
        if (command.amount >= reference * BigInt(o.confirmFactor)) return askConfirm(msg, { proxy: record });
        await redis.hset(keys.proxies, msg.userId, JSON.stringify(record));
        const out = await answer(msg, { kind: "max_set", lotId: String(live.lotId), ceiling: String(command.amount) });
        o.onProxySet?.(msg.userId);
        return out;
      }
      case "max_off":
        await redis.hdel(keys.proxies, msg.userId);
        return answer(msg, { kind: "max_off" });
      case "link": {
        const guesses = Number((await redis.get(keys.linkGuesses(msg.userId))) ?? 0);
        if (guesses >= 5) return answer(msg, { kind: "rate_limited" });
        const pending = await redis.getdel(keys.linkTaken(msg.id));
        if (!pending) {
          await redis.multi().incr(keys.linkGuesses(msg.userId)).expire(keys.linkGuesses(msg.userId), 600).exec();
          return answer(msg, { kind: "bad_code" });
        }
        const { auth, signature } = JSON.parse(pending) as { auth: string; signature: string };
        // Only the chat account the bidder signed for: a code or signature that leaked (read off a
        // screen, copied from chat) cannot bind the bidder's wallet to someone else's account.
        if (!signedForChatUser(auth, msg.userId)) {
          o.log.warn("link refused: signed for another chat account", { msgId: msg.id, user: msg.displayName, chatIdHash: idHash });
          return answer(msg, { kind: "link_failed", reason: wrongChatAccount });
        }
        const job: LinkJob = { type: "link", msgId: msg.id, userId: msg.userId, name: msg.displayName, channel: msg.channel, at: msg.receivedAt, auth, signature };
        return (await queue(msg, job)) ? "queued" : undefined;
      }
      case "unlink": {
        if (!bidder) return answer(msg, { kind: "not_linked" });
        await redis.multi().hdel(keys.users, idHash).hset(keys.unlinked, idHash, "1").hdel(keys.proxies, msg.userId).hdel(keys.chatBidders, bidder.toLowerCase()).exec();
        return answer(msg, { kind: "unlinked" });
      }
      case "balance":
        if (!bidder) return answer(msg, { kind: "not_linked" });
        return answer(msg, { kind: "answer", text: await balanceText(bidder) });
      case "mybids":
        if (!bidder) return answer(msg, { kind: "not_linked" });
        return answer(msg, { kind: "answer", text: await o.myBids(bidder) });
    }
  }

  async function lotText(): Promise<string> {
    const live = await o.lots.live();
    if (!live) return "no lot is live right now";
    const left = Math.max(0, live.endTime - Math.floor(Date.now() / 1000));
    const current = live.amount > 0n ? `${eth(live.amount)} by ${live.bidder.slice(0, 6)}…${live.bidder.slice(-4)}` : "no bid yet";
    return `lot #${live.lotId}: ${current} · minimum next bid ${eth(live.minimumNextBid)} · ${Math.floor(left / 60)}m${String(left % 60).padStart(2, "0")}s left`;
  }

  /**
   * Whether the chain took a bid by `bidder` on `lotId` in a block made at or after the line's send time
   * (as chain time, less a little for the clock's error). Only for lines replayed after Redis lost its
   * state, so the extra reads are rare.
   */
  async function bidOnChainSince(lotId: bigint, bidder: Address, sentAtMs: number): Promise<boolean> {
    const head = await o.reads.client.getBlockNumber({ cacheTime: 0 });
    // A bounded range: the line is at most MAX_LINE_AGE_S old, far fewer blocks than this on any chain.
    const fromBlock = head - o.deployBlock > 10_000n ? head - 10_000n : o.deployBlock;
    const logs = await o.reads.client.getContractEvents({ address: o.reads.house, abi: houseAbi, eventName: "BidPlaced", args: { lotId, bidder }, fromBlock, toBlock: head });
    const since = Math.floor(o.timeline.chainMs(sentAtMs) / 1000) - 2;
    for (const log of logs.slice(-5)) {
      const block = await o.reads.client.getBlock({ blockNumber: log.blockNumber });
      if (Number(block.timestamp) >= since) return true;
    }
    return false;
  }

  /** `!pausebids` / `!resumebids`: moderators only; the state is in Redis, shared by every instance. */
  async function pauseBids(msg: ChatMessage, pause: boolean): Promise<Outcome> {
    if (!msg.isMod) return answer(msg, { kind: "not_moderator" });
    if (pause) await redis.set(keys.bidsPaused, JSON.stringify({ by: msg.displayName, at: Date.now() } satisfies BidsPause));
    else await redis.del(keys.bidsPaused);
    o.log.info(pause ? "chat bidding paused by a moderator" : "chat bidding resumed by a moderator", { by: msg.displayName, userId: msg.userId });
    return answer(msg, { kind: "bids_pause_set", paused: pause });
  }

  async function balanceText(bidder: Address): Promise<string> {
    const [escrow, auth] = await Promise.all([o.reads.escrowOf(bidder), o.reads.authorizationOf(bidder)]);
    const capLeft = auth.totalCap > auth.exposure ? auth.totalCap - auth.exposure : 0n;
    const expires = new Date(Number(auth.expiry) * 1000).toISOString().slice(0, 16).replace("T", " ");
    return `escrow ${eth(escrow)} (withdrawable now: ${eth(escrow)}) · per-bid cap ${eth(auth.maxBid)} · total cap left ${eth(capLeft)} of ${eth(auth.totalCap)} · authorization ${auth.revoked ? "revoked" : `valid until ${expires} UTC`}`;
  }

  return { handle, answer };
}

export type Intake = ReturnType<typeof createIntake>;

/** Who paused chat bidding and when (Redis `bids-paused`). */
export type BidsPause = { by: string; at: number };

/** The moderators' pause, for /health (the broadcaster shows a banner from it). */
export async function bidsPauseState(redis: Store): Promise<{ paused: boolean; by: string | null; since: number | null }> {
  const raw = await redis.get(keys.bidsPaused);
  if (!raw) return { paused: false, by: null, since: null };
  const p = JSON.parse(raw) as BidsPause;
  return { paused: true, by: p.by, since: p.at };
}
