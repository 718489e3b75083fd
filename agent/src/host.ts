/**
 * @module host
 * The show: turns snapshots of the auction and chat questions into lines. Moments come from
 * {@link diffSnapshot}; the countdown and the hammer run on timers set from the lot's on-chain end
 * time through the chain clock; each line is written by the model (when configured, within a
 * deadline) or a template, checked by the truth guard, and queued with a priority, an expiry and
 * the chain state it depends on.
 */
import type { ChatLine, ChatModeration, HostLine, HostLineKind } from "@sothebais/common/channels";
import type { LiveSnapshot } from "@sothebais/common/live";
import { answerFromFacts, fallbackAnswer, parseQuestion, type Question } from "./answers.ts";
import { type ChatQuote, createCodeRedactor, createModeration } from "./chat.ts";
import type { ChainClock } from "./clock.ts";
import { type Bidder, buildFacts, describeFacts, type Facts, type NameBook } from "./facts.ts";
import { allowedFor, checkLine, type GuardReason } from "./guard.ts";
import { diffSnapshot, emptyMemory, type ShowEvent } from "./show.ts";
import type { QueuedLine, Speaker } from "./queue.ts";
import { type CountdownStep, describeRequest, type LineRequest, templateLine } from "./templates.ts";

export type LineSource = "template" | "model";
export type FallbackReason = "timeout" | "error" | "guard";

export type HostHooks = {
  onLine?: (line: HostLine, source: LineSource) => void;
  onModel?: (ms: number, outcome: "ok" | FallbackReason) => void;
  /** A line the truth guard rejected: each distinct reason once, the problems for the log. */
  onGuardReject?: (kind: string, reasons: GuardReason[], problems: string[], text: string) => void;
  /** A chat question dropped before it was answered (deleted, author banned, queue full). */
  onQuestionDropped?: (reason: "moderated" | "queue_full") => void;
  onFallback?: (kind: string, reason: FallbackReason) => void;
  onQuestion?: (topic: string) => void;
  onError?: (what: string, error: unknown) => void;
  /** A new standing bid seen in the indexer's snapshot (logged with its txHash: one hop of a bid's trail). */
  onBid?: (bid: Extract<ShowEvent, { type: "bid" }>) => void;
};

export type HostOptions = {
  hostName: string;
  handles: string[];
  speaker: Speaker;
  clock: ChainClock;
  names: NameBook;
  /**
   * Ask the model for a line (ElizaOS runtime); absent = offline templates only. `chat` is given only
   * for an answer, and only the line being answered: show lines never carry chat text.
   */
  generate?: (moment: string, chat?: ChatQuote) => Promise<string>;
  /** Persistent memory (plugin-sql cache); bidders are welcomed once, ever. */
  recall: <T>(key: string) => Promise<T | undefined>;
  remember: <T>(key: string, value: T) => Promise<void>;
  /** Fetch a fresh snapshot now (the hammer checks the chain before it falls). */
  refresh: () => Promise<void>;
  modelDeadlineMs: number;
  /** After the end time, wait this long for a late bid to be indexed before the hammer falls. */
  hammerGraceMs: number;
  /** Fill silence after this long without a spoken line. */
  idleMs: number;
  dappUrl?: string;
  now?: () => number;
  hooks?: HostHooks;
};

export type Host = {
  onSnapshot: (snap: LiveSnapshot, seenAtMs: number) => void;
  onChat: (line: ChatLine) => void;
  /** CLEARMSG / CLEARCHAT from the relayer: those lines leave the answer queue and never reach a prompt. */
  onModeration: (event: ChatModeration) => void;
  facts: () => Facts | null;
  describe: () => string;
  stop: () => void;
};

/**
 * Which line may cut into which: a higher priority speaks after the minimum gap, a lower one waits
 * for the current line to be said. The countdown outranks the extension call: a late bid's call
 * takes ~5 s to say, and with a 10 s time buffer "going once" is due about 5 s after the bid, so
 * waiting for the call would make it miss its moment (its lifetime is 1 s) and the host would skip it.
 */
export const linePriorities: Record<HostLineKind, number> = {
  sold: 100,
  no_sale: 100,
  countdown: 96,
  extension: 95,
  open: 80,
  bid: 70,
  outbid: 70,
  answer: 40,
  welcome: 30,
  between: 20,
  filler: 10,
};
/** How long a line may wait before it is not worth saying. */
const lifetimes: Record<HostLineKind, number> = {
  sold: 20_000,
  no_sale: 20_000,
  extension: 8_000,
  countdown: 1_000,
  open: 15_000,
  bid: 8_000,
  outbid: 8_000,
  answer: 30_000,
  welcome: 20_000,
  between: 15_000,
  filler: 10_000,
};
const chatKinds = new Set<HostLineKind>(["open", "extension", "sold", "no_sale", "answer", "welcome", "between"]);
/** Moments the model writes; the countdown is too time-critical to wait for it. */
const modelKinds = new Set<HostLineKind>(["open", "bid", "outbid", "extension", "sold", "no_sale", "between", "filler", "welcome", "answer"]);

const countdownSteps: { step: CountdownStep; before: number }[] = [
  { step: "thirty", before: 30 },
  { step: "ten", before: 10 },
  { step: "once", before: 5 },
  { step: "twice", before: 3 },
  { step: "last", before: 1 },
];

let lineSeq = 0;

/** Questions waiting for an answer; past this the oldest is dropped (a flood must not back up the host). */
const MAX_PENDING_QUESTIONS = 8;

export function createHost(o: HostOptions): Host {
  const now = o.now ?? Date.now;
  const hooks = o.hooks ?? {};
  const mem = emptyMemory();
  let snap: LiveSnapshot | null = null;
  let facts: Facts | null = null;
  const roster = new Set<string>();
  const moderation = createModeration(now);
  const codes = createCodeRedactor();
  // Questions are answered one at a time, so a line deleted while it waits is dropped before any prompt.
  const pending: { line: ChatLine; q: Question }[] = [];
  let answering = false;
  let timers: ReturnType<typeof setTimeout>[] = [];
  let scheduledFor: string | null = null;
  let lastVoiceAt = now();
  let stopped = false;
  const welcomed = new Set<string>();

  const currentFacts = () => (snap ? buildFacts(snap, o.names, o.clock.nowMs(), roster) : null);

  const idle = setInterval(() => fillSilence(), 1000);
  idle.unref?.();

  async function compose(req: LineRequest, chat?: { quote: ChatQuote; live: () => boolean }): Promise<{ text: string; source: LineSource } | null> {
    const template = req.kind === "answer" && !req.answer ? null : templateLine(req);
    if (!o.generate || !modelKinds.has(req.kind) || (req.kind === "answer" && template)) {
      if (template) return { text: template, source: "template" };
      // A question the facts cannot answer, and no model: a polite redirect.
      return req.kind === "answer" ? { text: `@${req.user} ${fallbackAnswer()}`, source: "template" } : null;
    }
    const deadline = now() + o.modelDeadlineMs;
    const base = chat && req.kind === "answer" ? `A viewer, @${req.user}, asks the host the question quoted below. Answer briefly, starting with @${req.user}; if it is not about this auction, steer back to the lot.` : describeRequest(req);
    let moment = base;
    let reason: FallbackReason = "timeout";
    for (let attempt = 0; attempt < 2; attempt++) {
      const left = deadline - now();
      if (left < 50) break;
      // Deleted (or its author banned) while it waited: it must not reach the model.
      if (chat && !chat.live()) return null;
      const started = now();
      let text: string;
      try {
        text = await withDeadline(o.generate(moment, chat?.quote), left);
      } catch (error) {
        reason = error instanceof DeadlineError ? "timeout" : "error";
        hooks.onModel?.(now() - started, reason);
        if (reason === "error") hooks.onError?.("model", error);
        break;
      }
      hooks.onModel?.(now() - started, "ok");
      const f = currentFacts();
      if (!f) break;
      const verdict = checkLine(text, allowedFor(req, f, { hostName: o.hostName, dappUrl: o.dappUrl }));
      if (verdict.ok) return { text, source: "model" };
      reason = "guard";
      hooks.onGuardReject?.(req.kind, verdict.reasons, verdict.problems, text);
      // Only the reasons go back: the rejected text may carry what a viewer slipped into the model.
      moment = `${base}\nYour previous line was rejected (${verdict.reasons.join(", ")}). Use only the facts, exactly as given.`;
    }
    hooks.onFallback?.(req.kind, reason);
    if (template) return { text: template, source: "template" };
    return { text: `@${req.kind === "answer" ? req.user : ""} ${fallbackAnswer()}`, source: "template" };
  }

  async function say(
    req: LineRequest,
    extra: { key?: string; validWhile?: () => boolean; expiresAt?: number; lotId?: string; blockNumber?: number; endTime?: number; secondsLeft?: number; chat?: boolean; speak?: boolean; quote?: ChatQuote },
  ) {
    const createdAt = now();
    const composed = await compose(req, extra.quote && extra.validWhile ? { quote: extra.quote, live: extra.validWhile } : undefined);
    if (!composed || stopped) return;
    if (extra.quote && extra.validWhile && !extra.validWhile()) return;
    const kind = req.kind as HostLineKind;
    const line: QueuedLine = {
      id: `${createdAt.toString(36)}-${(lineSeq++).toString(36)}`,
      kind,
      text: composed.text,
      priority: linePriorities[kind],
      createdAt: now(),
      expiresAt: extra.expiresAt ?? createdAt + lifetimes[kind],
      ...(extra.lotId ? { lotId: extra.lotId } : "lot" in req ? { lotId: req.lot.lotId } : {}),
      ...(extra.blockNumber !== undefined ? { blockNumber: extra.blockNumber } : snap ? { blockNumber: snap.blockNumber } : {}),
      ...(extra.endTime !== undefined ? { endTime: extra.endTime } : "lot" in req ? { endTime: req.lot.endTime } : {}),
      ...(extra.secondsLeft !== undefined ? { secondsLeft: extra.secondsLeft } : {}),
      speak: extra.speak ?? true,
      chat: extra.chat ?? chatKinds.has(kind),
      ...(extra.key ? { key: extra.key } : {}),
      ...(extra.validWhile ? { validWhile: extra.validWhile } : {}),
    };
    hooks.onLine?.(line, composed.source);
    o.speaker.push(line);
    if (line.speak) lastVoiceAt = now();
  }

  const lotIsLive = (lotId: string, endTime?: number) => () => {
    const l = snap?.lot;
    return !!l && l.lotId === lotId && !mem.closed.has(lotId) && (endTime === undefined || l.endTime === endTime);
  };

  function handle(e: ShowEvent) {
    switch (e.type) {
      case "open": {
        const secondsLeft = Math.max(0, Math.ceil(e.lot.endTime - o.clock.nowMs() / 1000));
        void say({ kind: "open", lot: e.lot, secondsLeft }, { key: `open:${e.lot.lotId}`, validWhile: lotIsLive(e.lot.lotId) });
        break;
      }
      case "bid": {
        hooks.onBid?.(e);
        roster.add(e.bidder.name);
        if (e.previous) roster.add(e.previous.name);
        const standing = () => lotIsLive(e.lot.lotId)() && snap?.lot?.amount === e.amount.toString();
        const base = { key: `bid:${e.lot.lotId}`, validWhile: standing, blockNumber: e.blockNumber };
        if (e.extended) {
          const secondsLeft = Math.max(0, Math.ceil(e.lot.endTime - o.clock.nowMs() / 1000));
          void say({ kind: "extension", lot: e.lot, bidder: e.bidder, amount: e.amount, secondsLeft }, base);
        } else if (e.previous) void say({ kind: "outbid", lot: e.lot, bidder: e.bidder, previous: e.previous, amount: e.amount }, base);
        else void say({ kind: "bid", lot: e.lot, bidder: e.bidder, amount: e.amount }, base);
        break;
      }
      case "new_bidder":
        void welcome(e.bidder);
        break;
      case "closed":
        clearTimers();
        if (e.cancelled && !e.winner) return; // cancelled before any bid: nothing was on sale
        if (e.winner && e.amount > 0n) void say({ kind: "sold", lot: e.lot, winner: e.winner, amount: e.amount }, { key: `close:${e.lotId}`, lotId: e.lotId });
        else void say({ kind: "no_sale", lot: e.lot }, { key: `close:${e.lotId}`, lotId: e.lotId });
        lastVoiceAt = now();
        break;
    }
  }

  async function welcome(bidder: Bidder) {
    const id = bidder.chatIdHash !== `0x${"0".repeat(64)}` ? `chat:${bidder.chatIdHash}` : `wallet:${bidder.address.toLowerCase()}`;
    if (welcomed.has(id)) return;
    welcomed.add(id);
    try {
      const known = await o.recall<{ name: string; firstSeen: number }>(`sothebais:bidder:${id}`);
      if (known) return;
      await o.remember(`sothebais:bidder:${id}`, { name: bidder.name, firstSeen: now() });
    } catch (error) {
      hooks.onError?.("memory", error);
      return;
    }
    await say({ kind: "welcome", bidder }, { key: `welcome:${id}` });
  }

  function clearTimers() {
    for (const t of timers) clearTimeout(t);
    timers = [];
    scheduledFor = null;
  }

  /** Countdown lines and the hammer, at wall times that match the lot's on-chain end. */
  function schedule() {
    const l = snap?.lot;
    if (!l || l.status !== "live" || mem.closed.has(l.lotId)) {
      if (scheduledFor) clearTimers();
      return;
    }
    const key = `${l.lotId}:${l.endTime}:${Math.round(o.clock.offsetMs() / 250)}`;
    if (key === scheduledFor) return;
    clearTimers();
    scheduledFor = key;
    const lotId = l.lotId;
    const endTime = l.endTime;
    const duration = endTime - l.startTime;
    for (const { step, before } of countdownSteps) {
      if (step === "thirty" && duration < 45) continue;
      const at = o.clock.wallAt(endTime - before);
      const delay = at - now();
      if (delay < -300) continue; // that moment has passed: never say it late
      timers.push(
        setTimeout(() => {
          const f = currentFacts();
          if (!f?.lot || !lotIsLive(lotId, endTime)()) return;
          void say(
            { kind: "countdown", lot: f.lot, step, secondsLeft: before },
            { key: `countdown:${lotId}`, validWhile: lotIsLive(lotId, endTime), expiresAt: at + lifetimes.countdown, endTime, secondsLeft: before },
          );
        }, Math.max(0, delay)),
      );
    }
    const hammerAt = o.clock.wallAt(endTime) + o.hammerGraceMs;
    timers.push(setTimeout(() => void hammer(lotId, endTime), Math.max(0, hammerAt - now())));
  }

  async function hammer(lotId: string, endTime: number) {
    try {
      await o.refresh();
    } catch (error) {
      hooks.onError?.("refresh", error);
    }
    const l = snap?.lot;
    if (!l || l.lotId !== lotId || mem.closed.has(lotId)) return;
    if (l.endTime !== endTime) return; // extended: schedule() set new timers
    const f = currentFacts();
    if (!f?.lot) return;
    if (o.clock.nowMs() < endTime * 1000) {
      // The chain clock moved back (new estimate): try again at the new time.
      timers.push(setTimeout(() => void hammer(lotId, endTime), Math.max(50, o.clock.wallAt(endTime) + o.hammerGraceMs - now())));
      return;
    }
    // Only the indexed chain may close the lot: until a block at or past the end is indexed, a late bid
    // (and its extension) can still be on its way through a lagging indexer.
    if (!snap || snap.blockTimestamp < endTime) {
      timers.push(setTimeout(() => void hammer(lotId, endTime), 250));
      return;
    }
    mem.closed.add(lotId);
    handle({ type: "closed", lotId, lot: f.lot, winner: f.lot.leader, amount: f.lot.amount, cancelled: false });
  }

  function fillSilence() {
    if (stopped || !snap || now() - lastVoiceAt < o.idleMs || o.speaker.size() > 0) return;
    const f = currentFacts();
    if (!f) return;
    lastVoiceAt = now();
    if (f.lot && f.lot.status === "live" && !mem.closed.has(f.lot.lotId) && (f.secondsLeft ?? 0) > 15) {
      const lotId = f.lot.lotId;
      void say({ kind: "filler", lot: f.lot, secondsLeft: f.secondsLeft ?? 0 }, { validWhile: lotIsLive(lotId) });
    } else if (!f.lot || mem.closed.has(f.lot.lotId)) {
      const u = f.upcoming[0];
      const next = u ? { lotId: u.lotId, title: u.title, reserve: u.reserve, secondsToStart: Math.max(0, Math.round(u.startTime - o.clock.nowMs() / 1000)) } : null;
      void say({ kind: "between", next }, {});
    }
  }

  function onQuestion(line: ChatLine, q: Question) {
    hooks.onQuestion?.(q.topic);
    pending.push({ line, q });
    if (pending.length > MAX_PENDING_QUESTIONS) {
      pending.shift();
      hooks.onQuestionDropped?.("queue_full");
    }
    void answerNext();
  }

  /** Answers the queued questions one by one; each is checked against moderation until it is published. */
  async function answerNext() {
    if (answering) return;
    answering = true;
    try {
      for (let next = pending.shift(); next && !stopped; next = pending.shift()) {
        const { line, q } = next;
        const live = () => !moderation.removed(line);
        if (!live()) {
          hooks.onQuestionDropped?.("moderated");
          continue;
        }
        const f = currentFacts();
        const answer = f ? answerFromFacts(q, { facts: f, dappUrl: o.dappUrl, hostName: o.hostName }) : "The auction feed is catching up, ask me again in a moment.";
        const quote = { user: line.displayName, text: codes.redact(q.text) };
        await say({ kind: "answer", user: line.displayName, answer: answer ?? "" }, { speak: false, chat: true, quote, validWhile: live });
      }
    } catch (error) {
      hooks.onError?.("answer", error);
    } finally {
      answering = false;
    }
  }

  return {
    onSnapshot: (next, seenAtMs) => {
      if (stopped) return;
      o.clock.observe(next, seenAtMs);
      snap = next;
      const f = buildFacts(next, o.names, o.clock.nowMs(), roster);
      facts = f;
      for (const e of diffSnapshot(mem, next, f, o.names)) handle(e);
      schedule();
    },
    onChat: (line) => {
      if (stopped || line.fromBot) return;
      // Codes are learnt from every line, even one that is not a question, so a later mention is redacted.
      codes.observe(line.text);
      if (moderation.removed(line)) return;
      const q = parseQuestion(line.text, o.handles);
      if (q) onQuestion(line, q);
    },
    onModeration: (event) => {
      moderation.apply(event);
      const before = pending.length;
      for (let i = pending.length - 1; i >= 0; i--) if (moderation.removed((pending[i] as { line: ChatLine }).line)) pending.splice(i, 1);
      for (let i = pending.length; i < before; i++) hooks.onQuestionDropped?.("moderated");
    },
    facts: () => currentFacts() ?? facts,
    describe: () => {
      const f = currentFacts();
      return f ? describeFacts(f) : "The auction state is not known yet.";
    },
    stop: () => {
      stopped = true;
      clearTimers();
      pending.length = 0;
      clearInterval(idle);
    },
  };
}

class DeadlineError extends Error {
  override name = "DeadlineError";
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new DeadlineError(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
