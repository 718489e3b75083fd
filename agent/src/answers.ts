/**
 * @module answers
 * Chat questions addressed to the host (`@host ...` or `!ask ...`), answered from facts alone:
 * how to bid, how to link, the minimum next bid, who leads, time left, what is on the block.
 */
import type { Facts } from "./facts.ts";
import { formatDuration, formatEth } from "./format.ts";

export type Topic = "bid" | "link" | "minimum" | "leader" | "time" | "lot" | "next" | "balance" | "hello" | "other";
export type Question = { text: string; topic: Topic };

/**
 * The question in a chat line, or null when the line is not addressed to the host.
 * `handles` are the names the host answers to (without `@`), e.g. ["host", "lotte"].
 */
export function parseQuestion(text: string, handles: string[]): Question | null {
  const t = text.trim();
  let q: string | null = null;
  const ask = /^!ask\b\s*(.*)$/is.exec(t);
  if (ask) q = ask[1] ?? "";
  else {
    for (const h of handles) {
      const re = new RegExp(`(^|\\s)@${h.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b[,:]?\\s*`, "i");
      if (re.test(t)) {
        q = t.replace(re, " ").trim();
        break;
      }
    }
  }
  if (q === null) return null;
  return { text: q, topic: topicOf(q) };
}

export function topicOf(q: string): Topic {
  const s = q.toLowerCase();
  if (/\b(link|connect|wallet|sign ?up|register|authori[sz])/.test(s)) return "link";
  if (/\b(min(imum)?|next bid|how much|lowest|increment|reserve|start(ing)? (bid|price))/.test(s)) return "minimum";
  if (/\b(who|lead|leader|leading|winning|highest|top bid|high bid|current bid)/.test(s)) return "leader";
  if (/\b(time|how long|when|ends?|left|clock|seconds|minutes)\b/.test(s)) return "time";
  if (/\b(next lot|upcoming|after this|what'?s next)/.test(s)) return "next";
  if (/\b(balance|escrow|deposit|withdraw|refund)/.test(s)) return "balance";
  if (/\b(how (do|can|to) (i )?bid|bid|bidding|!bid)\b/.test(s)) return "bid";
  if (/\b(what|which|artist|title|lot|piece|artwork|nft)\b/.test(s)) return "lot";
  if (/^(hi|hello|hey|yo|gm)\b/.test(s)) return "hello";
  return "other";
}

export type AnswerContext = { facts: Facts; dappUrl?: string; hostName: string };

/** The answer from facts; `null` for "other" (the model may try, else {@link fallbackAnswer}). */
export function answerFromFacts(question: Question, ctx: AnswerContext): string | null {
  const { facts } = ctx;
  const lot = facts.lot;
  const live = lot && lot.status === "live";
  const where = ctx.dappUrl ? ` at ${ctx.dappUrl}` : " in the dApp";
  switch (question.topic) {
    case "bid":
      return `Link your chat account once${where}, then type !bid followed by an amount in ETH${live ? `, for example !bid ${formatEth(lot.minimumNextBid)}` : ""}. Wallet holders can also bid${where}.`;
    case "link":
      return `Open the dApp${where}, connect your wallet, deposit into escrow and press "Link chat": sign once with your caps, then type the !link code it shows here. You keep custody; revoke any time.`;
    case "minimum":
      if (live) return `The minimum next bid on lot ${lot.lotId} is ${formatEth(lot.minimumNextBid)} ETH${lot.leader ? "" : ` (the reserve is ${formatEth(lot.reserve)} ETH)`}.`;
      if (facts.upcoming[0]) return `Lot ${facts.upcoming[0].lotId} opens with a reserve of ${formatEth(facts.upcoming[0].reserve)} ETH.`;
      return "No lot is open right now.";
    case "leader":
      if (!lot) return "No lot is on the block right now.";
      if (!lot.leader) return `No bids yet on lot ${lot.lotId}. The opening bid is ${formatEth(lot.minimumNextBid)} ETH.`;
      return `${lot.leader.name} leads lot ${lot.lotId} at ${formatEth(lot.amount)} ETH.`;
    case "time":
      if (live && facts.secondsLeft !== null) return `${formatDuration(facts.secondsLeft)} left on lot ${lot.lotId}. A bid in the last ${formatDuration(lot.timeBuffer)} extends the clock.`;
      return answerFromFacts({ ...question, topic: "next" }, ctx);
    case "next":
      if (facts.upcoming[0]) return `Next up is lot ${facts.upcoming[0].lotId}, "${facts.upcoming[0].title}".`;
      return live ? `Lot ${lot.lotId} is the one on the block now.` : "Nothing else is scheduled yet.";
    case "lot":
      if (lot) return `Lot ${lot.lotId} is "${lot.title}" by ${lot.artist}${live ? `, current bid ${formatEth(lot.amount)} ETH` : ""}.`;
      return answerFromFacts({ ...question, topic: "next" }, ctx);
    case "balance":
      return `Type !balance to see your escrow. Deposits and withdrawals are in the dApp${where}; outbid chat bids go back to your escrow.`;
    case "hello":
      return live ? `Hello! Lot ${lot.lotId} is live, next bid ${formatEth(lot.minimumNextBid)} ETH.` : `Hello! Stay around, the next lot is coming.`;
    case "other":
      return null;
  }
}

export function fallbackAnswer(): string {
  return "I only know this auction: ask me how to bid, how to link, the minimum bid, who leads, or the time left.";
}
