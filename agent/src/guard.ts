/**
 * @module guard
 * The truth guard: every amount, lot number, time and bidder name in a line must agree with chain
 * state (as indexed) before the line is published. A model line that disagrees is regenerated or
 * replaced by a template; the host never announces a bid that is not on chain.
 */
import { parseEther } from "viem";
import type { Facts } from "./facts.ts";
import type { LineRequest } from "./templates.ts";

/** What one line may mention. */
export type Allowed = {
  amounts: bigint[];
  lots: string[];
  /** Names the line may use (bidders of this moment, the asker, the host, the artist). */
  names: string[];
  /** Every known bidder name: one of these outside `names` is a wrong name. */
  roster: string[];
  /** Who leads (or won) now; a claim that someone else leads is wrong. null: nobody leads. */
  leader: string | null;
  /** Seconds the line may quote (with `secondsTolerance`). */
  seconds: number[];
  secondsTolerance: number;
  /** Literal text the line may quote as is (titles, campaign names) whose digits are not figures. */
  literals: string[];
};

export type GuardResult = { ok: true } | { ok: false; problems: string[] };

const words: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, thirty: 30, forty: 40, "forty-five": 45, fifty: 50, sixty: 60, ninety: 90,
};
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The facts one line may use, from the moment it is about and the current state. */
export function allowedFor(r: LineRequest, f: Facts, extra: { hostName: string }): Allowed {
  const amounts = new Set<bigint>();
  const lots = new Set<string>();
  const names = new Set<string>([extra.hostName]);
  const seconds = new Set<number>();
  const literals = new Set<string>();
  const addLot = (l: { lotId: string; title: string; artist?: string; campaignName?: string; reserve: bigint; tokenId?: string }) => {
    lots.add(l.lotId);
    literals.add(l.title);
    if (l.artist) {
      literals.add(l.artist);
      names.add(l.artist);
    }
    if (l.campaignName) literals.add(l.campaignName);
    if (l.tokenId) lots.add(l.tokenId);
    amounts.add(l.reserve);
  };
  let leader: string | null = f.lot?.leader?.name ?? null;
  if (f.lot) {
    addLot(f.lot);
    amounts.add(f.lot.amount).add(f.lot.minimumNextBid);
    if (f.lot.leader) names.add(f.lot.leader.name);
  }
  if (f.secondsLeft !== null) seconds.add(f.secondsLeft);
  for (const u of f.upcoming) {
    addLot(u);
  }
  if ("lot" in r) {
    addLot(r.lot);
    amounts.add(r.lot.amount).add(r.lot.minimumNextBid);
  }
  switch (r.kind) {
    case "bid":
      names.add(r.bidder.name);
      amounts.add(r.amount);
      leader = r.bidder.name;
      break;
    case "outbid":
      names.add(r.bidder.name).add(r.previous.name);
      amounts.add(r.amount);
      leader = r.bidder.name;
      break;
    case "extension":
      names.add(r.bidder.name);
      amounts.add(r.amount);
      seconds.add(r.secondsLeft);
      leader = r.bidder.name;
      break;
    case "sold":
      names.add(r.winner.name);
      amounts.add(r.amount);
      leader = r.winner.name;
      break;
    case "countdown":
    case "filler":
    case "open":
      seconds.add(r.secondsLeft);
      break;
    case "between":
      if (r.next) {
        lots.add(r.next.lotId);
        amounts.add(r.next.reserve);
        literals.add(r.next.title);
        seconds.add(r.next.secondsToStart);
      }
      break;
    case "welcome":
      names.add(r.bidder.name);
      break;
    case "answer":
      names.add(r.user);
      break;
    case "no_sale":
      leader = null;
      break;
  }
  return {
    amounts: [...amounts],
    lots: [...lots],
    names: [...names],
    roster: f.roster,
    leader,
    seconds: [...seconds],
    secondsTolerance: 2,
    literals: [...literals].filter(Boolean),
  };
}

function toWei(text: string): bigint | null {
  try {
    return parseEther(text);
  } catch {
    return null;
  }
}

/** Checks every figure and name in `text` against `allowed`. */
export function checkLine(text: string, allowed: Allowed): GuardResult {
  const problems: string[] = [];
  let rest = ` ${text} `;
  // Names and literals first: digits inside a title or a name are not figures.
  const sortedLiterals = [...allowed.literals, ...allowed.names].filter((s) => s.length > 1).sort((a, b) => b.length - a.length);
  for (const lit of sortedLiterals) rest = rest.replace(new RegExp(escapeRegExp(lit), "gi"), " ⟨ok⟩ ");

  // Known bidders named in the wrong place (the roster minus who may be named here).
  const allowedNames = new Set(allowed.names.map((n) => n.toLowerCase()));
  for (const name of allowed.roster) {
    if (allowedNames.has(name.toLowerCase()) || name.length < 2) continue;
    if (new RegExp(`(^|[^\\w])${escapeRegExp(name)}(?![\\w])`, "i").test(rest)) problems.push(`names ${name}, who has no part in this moment`);
  }
  // Addresses that are not an allowed name.
  for (const m of rest.matchAll(/0x[0-9a-fA-F]{4,}(?:…|\.\.\.)?[0-9a-fA-F]*/g)) problems.push(`unknown address ${m[0]}`);

  // Leader claims: "<X> leads", "<X> is winning", "led by <X>", "sold to <X>". The guard replaced
  // allowed names with ⟨ok⟩, so a claim about the right person reads "⟨ok⟩ leads".
  const claim = /(\S+)\s+(?:leads|is leading|has the lead|is winning|is on top|holds the (?:top|high(?:est)?) bid)\b|(?:led by|sold to|goes to|leader is|top bidder is|high bidder is)\s+(\S+)/gi;
  for (const m of rest.matchAll(claim)) {
    const who = (m[1] ?? m[2] ?? "").replace(/[^\w⟨⟩@-]/g, "");
    if (!who || /^(who|nobody|no one|it|that|which|he|she|they|you|bid|⟨ok⟩)$/i.test(who)) {
      if (who === "⟨ok⟩" && allowed.leader === null) problems.push("claims a leader when nobody leads");
      continue;
    }
    problems.push(`claims ${who} leads, but ${allowed.leader ?? "nobody"} does`);
  }
  if (allowed.leader) {
    // An allowed name in a leader claim must be the leader itself.
    const leaderRe = new RegExp(`${escapeRegExp(allowed.leader)}`, "i");
    for (const name of allowed.names) {
      if (leaderRe.test(name) || name === allowed.leader) continue;
      const re = new RegExp(`${escapeRegExp(name)}\\s+(?:leads|is leading|has the lead|is winning|is on top)|(?:led by|sold to|goes to|leader is)\\s+${escapeRegExp(name)}`, "i");
      if (re.test(text)) problems.push(`claims ${name} leads, but ${allowed.leader} does`);
    }
  }

  // Amounts: "<n> ETH", "Ξ<n>", and any decimal number.
  const amountRe = /(?:Ξ\s*(\d+(?:\.\d+)?))|(\d+(?:\.\d+)?)\s*(?:ETH|ether|Ξ)\b|(\d+\.\d+)/gi;
  rest = rest.replace(amountRe, (_m, a, b, c) => {
    const raw = a ?? b ?? c;
    const wei = toWei(raw);
    if (wei === null || !allowed.amounts.includes(wei)) problems.push(`amount ${raw} ETH is not on chain`);
    return " ⟨amount⟩ ";
  });
  // Lots: "lot 3", "lot #3", "lot number 3".
  rest = rest.replace(/\blots?\s*(?:#|number\s+|no\.?\s*)?(\d+)/gi, (_m, id) => {
    if (!allowed.lots.includes(id)) problems.push(`lot ${id} is not a lot on the block`);
    return " ⟨lot⟩ ";
  });
  // Times: "<n> seconds", "<n> minutes", in digits or words.
  const inTime = (secs: number, tolerance: number) => allowed.seconds.some((s) => Math.abs(s - secs) <= tolerance);
  rest = rest.replace(/\b(\d+)\s*minutes?\s*(?:and\s*)?(\d+)\s*seconds?/gi, (m, mins: string, secs: string) => {
    if (!inTime(Number(mins) * 60 + Number(secs), allowed.secondsTolerance)) problems.push(`time ${m.trim()} does not match the clock`);
    return " ⟨time⟩ ";
  });
  const numberWord = Object.keys(words).join("|");
  const timeRe = new RegExp(`\\b(\\d+|${numberWord})\\s*(seconds?|secs?|s\\b|minutes?|mins?)`, "gi");
  rest = rest.replace(timeRe, (_m, n: string, unit: string) => {
    const value = /^\d+$/.test(n) ? Number(n) : (words[n.toLowerCase()] ?? NaN);
    const secs = /^m/i.test(unit) ? value * 60 : value;
    const tolerance = /^m/i.test(unit) ? 60 : allowed.secondsTolerance;
    if (!inTime(secs, tolerance)) problems.push(`time ${n} ${unit} does not match the clock`);
    return " ⟨time⟩ ";
  });
  // Any other number is a figure nobody can trace.
  for (const m of rest.matchAll(/#?\b\d+\b/g)) {
    const n = m[0].replace("#", "");
    if (allowed.lots.includes(n)) continue;
    problems.push(`unexplained number ${m[0]}`);
  }
  return problems.length ? { ok: false, problems } : { ok: true };
}
