/**
 * @module templates
 * The offline voice of the host: several lines per moment, rotated so the show does not repeat
 * itself, built only from facts (so they always pass the truth guard). They are also the fallback
 * whenever the model is slow, down or wrong.
 */
import type { Bidder, LotFacts } from "./facts.ts";
import { formatDuration, formatEth } from "./format.ts";

export type CountdownStep = "thirty" | "ten" | "once" | "twice" | "last";

/** One moment of the show the host speaks about, with the facts the line may use. */
export type LineRequest =
  | { kind: "open"; lot: LotFacts; secondsLeft: number }
  | { kind: "bid"; lot: LotFacts; bidder: Bidder; amount: bigint }
  | { kind: "outbid"; lot: LotFacts; bidder: Bidder; previous: Bidder; amount: bigint }
  | { kind: "extension"; lot: LotFacts; bidder: Bidder; amount: bigint; secondsLeft: number }
  | { kind: "countdown"; lot: LotFacts; step: CountdownStep; secondsLeft: number }
  | { kind: "sold"; lot: LotFacts; winner: Bidder; amount: bigint }
  | { kind: "no_sale"; lot: LotFacts }
  | { kind: "between"; next: { lotId: string; title: string; reserve: bigint; secondsToStart: number } | null }
  | { kind: "filler"; lot: LotFacts; secondsLeft: number }
  | { kind: "welcome"; bidder: Bidder }
  | { kind: "answer"; user: string; answer: string };

export type LineKind = LineRequest["kind"];
type Of<K extends LineKind> = Extract<LineRequest, { kind: K }>;
type Variants<K extends LineKind> = ((r: Of<K>) => string)[];

const eth = (wei: bigint) => `${formatEth(wei)} ETH`;

const open: Variants<"open"> = [
  (r) => `Lot ${r.lot.lotId} is open: "${r.lot.title}" by ${r.lot.artist}. We start at ${eth(r.lot.minimumNextBid)}, ${formatDuration(r.secondsLeft)} on the clock.`,
  (r) => `Ladies and gentlemen, lot ${r.lot.lotId}, "${r.lot.title}" from ${r.lot.artist}. Opening bid ${eth(r.lot.minimumNextBid)}. Who starts us off?`,
  (r) => `Fresh on the block, lot ${r.lot.lotId}: "${r.lot.title}" by ${r.lot.artist}. Reserve ${eth(r.lot.reserve)}, the floor is yours.`,
  (r) => `Eyes up! Lot ${r.lot.lotId}, "${r.lot.title}". ${r.lot.artist} made it, you can own it. First bid ${eth(r.lot.minimumNextBid)}.`,
];
const bid: Variants<"bid"> = [
  (r) => `${r.bidder.name} opens lot ${r.lot.lotId} at ${eth(r.amount)}!`,
  (r) => `We have ${eth(r.amount)} from ${r.bidder.name}. Who gives me ${eth(r.lot.minimumNextBid)}?`,
  (r) => `${r.bidder.name} bids ${eth(r.amount)}. The next bid is ${eth(r.lot.minimumNextBid)}.`,
  (r) => `${eth(r.amount)} from ${r.bidder.name}, thank you! Do I hear ${eth(r.lot.minimumNextBid)}?`,
];
const outbid: Variants<"outbid"> = [
  (r) => `${r.bidder.name} takes the lead at ${eth(r.amount)}! Sorry ${r.previous.name}, your move.`,
  (r) => `${eth(r.amount)} from ${r.bidder.name}, ${r.previous.name} is outbid. Next bid ${eth(r.lot.minimumNextBid)}.`,
  (r) => `New high bid: ${r.bidder.name} with ${eth(r.amount)}. ${r.previous.name}, will you answer?`,
  (r) => `${r.bidder.name} jumps over ${r.previous.name}: ${eth(r.amount)} on lot ${r.lot.lotId}!`,
];
const extension: Variants<"extension"> = [
  (r) => `Late bid! ${r.bidder.name} at ${eth(r.amount)}, and the clock goes back to ${formatDuration(r.secondsLeft)}.`,
  (r) => `Not so fast: ${r.bidder.name} bids ${eth(r.amount)} at the buzzer. ${formatDuration(r.secondsLeft)} more on lot ${r.lot.lotId}.`,
  (r) => `Extension! ${eth(r.amount)} from ${r.bidder.name} keeps lot ${r.lot.lotId} alive, ${formatDuration(r.secondsLeft)} to go.`,
];
const countdown: Record<CountdownStep, Variants<"countdown">> = {
  thirty: [
    (r) => `${formatDuration(r.secondsLeft)} left on lot ${r.lot.lotId}. ${r.lot.leader ? `${r.lot.leader.name} leads at ${eth(r.lot.amount)}.` : `Still waiting for a first bid of ${eth(r.lot.minimumNextBid)}.`}`,
    (r) => `Half a minute to go on "${r.lot.title}". ${r.lot.leader ? `The bid is ${eth(r.lot.amount)}.` : "No bids yet!"}`,
  ],
  ten: [
    (r) => `${formatDuration(r.secondsLeft)}! ${r.lot.leader ? `${eth(r.lot.amount)} with ${r.lot.leader.name}.` : `Opening bid ${eth(r.lot.minimumNextBid)}.`} Last chance to bid.`,
    (r) => `Final ${formatDuration(r.secondsLeft)} on lot ${r.lot.lotId}. Next bid ${eth(r.lot.minimumNextBid)}.`,
  ],
  once: [(r) => (r.lot.leader ? `Going once at ${eth(r.lot.amount)}...` : `Going once, no bids yet...`), () => `Going once...`],
  twice: [(r) => (r.lot.leader ? `Going twice, ${r.lot.leader.name}...` : `Going twice...`), () => `Going twice...`],
  last: [() => `Last call!`, () => `Fair warning, last call!`],
};
const sold: Variants<"sold"> = [
  (r) => `SOLD! Lot ${r.lot.lotId} to ${r.winner.name} for ${eth(r.amount)}. Congratulations!`,
  (r) => `Hammer down! "${r.lot.title}" goes to ${r.winner.name} at ${eth(r.amount)}.`,
  (r) => `And... SOLD to ${r.winner.name}, ${eth(r.amount)}. Lot ${r.lot.lotId} has a new home.`,
];
const noSale: Variants<"no_sale"> = [
  (r) => `No sale on lot ${r.lot.lotId}. "${r.lot.title}" goes back to ${r.lot.artist}.`,
  (r) => `Lot ${r.lot.lotId} passes without a bid. Its day will come.`,
];
const between: Variants<"between"> = [
  (r) => (r.next ? `Next up, lot ${r.next.lotId}: "${r.next.title}", in ${formatDuration(r.next.secondsToStart)}. Reserve ${eth(r.next.reserve)}.` : `That's all on the block for now. Thank you for bidding with SothebAIs!`),
  (r) => (r.next ? `Stretch your fingers: lot ${r.next.lotId}, "${r.next.title}", opens in ${formatDuration(r.next.secondsToStart)}.` : `The room is quiet. Link your chat account now, so you are ready when the next lot opens.`),
  () => `New here? Link your chat once in the dApp, then bid right here with !bid and an amount.`,
];
const filler: Variants<"filler"> = [
  (r) => `${r.lot.leader ? `${eth(r.lot.amount)} with ${r.lot.leader.name}.` : "Still no bids."} Who gives me ${eth(r.lot.minimumNextBid)}?`,
  (r) => `"${r.lot.title}" by ${r.lot.artist}, ${formatDuration(r.secondsLeft)} left. The next bid is ${eth(r.lot.minimumNextBid)}.`,
  (r) => `Don't be shy, chat: type !bid ${formatEth(r.lot.minimumNextBid)} and it's yours for now.`,
  (r) => `A piece like lot ${r.lot.lotId} doesn't come twice. ${eth(r.lot.minimumNextBid)} to lead.`,
];
const welcome: Variants<"welcome"> = [
  (r) => `Welcome to the room, ${r.bidder.name}!`,
  (r) => `A new bidder: welcome, ${r.bidder.name}!`,
  (r) => `${r.bidder.name}, first bid with us. Welcome!`,
];

const counters = new Map<string, number>();

/** Picks the next variant for this moment, rotating so consecutive lines of a kind differ. */
function pick<K extends LineKind>(key: string, variants: Variants<K>, r: Of<K>, rng: () => number): string {
  const n = counters.get(key) ?? Math.floor(rng() * variants.length);
  counters.set(key, n + 1);
  const variant = variants[n % variants.length] as (r: Of<K>) => string;
  return variant(r);
}

/** The template line for a moment of the show. */
export function templateLine(r: LineRequest, rng: () => number = Math.random): string {
  switch (r.kind) {
    case "open":
      return pick("open", open, r, rng);
    case "bid":
      return pick("bid", bid, r, rng);
    case "outbid":
      return pick("outbid", outbid, r, rng);
    case "extension":
      return pick("extension", extension, r, rng);
    case "countdown":
      return pick(`countdown:${r.step}`, countdown[r.step], r, rng);
    case "sold":
      return pick("sold", sold, r, rng);
    case "no_sale":
      return pick("no_sale", noSale, r, rng);
    case "between":
      return pick("between", between, r, rng);
    case "filler":
      return pick("filler", filler, r, rng);
    case "welcome":
      return pick("welcome", welcome, r, rng);
    case "answer":
      return `@${r.user} ${r.answer}`;
  }
}

/** What happened, in one sentence for the model's prompt. */
export function describeRequest(r: LineRequest): string {
  switch (r.kind) {
    case "open":
      return `Lot ${r.lot.lotId} just opened. Announce it: title, artist, opening bid ${eth(r.lot.minimumNextBid)}.`;
    case "bid":
      return `${r.bidder.name} placed the first bid: ${eth(r.amount)}. Acknowledge it by name; the next bid is ${eth(r.lot.minimumNextBid)}.`;
    case "outbid":
      return `${r.bidder.name} outbid ${r.previous.name} with ${eth(r.amount)}. Acknowledge it by name; the next bid is ${eth(r.lot.minimumNextBid)}.`;
    case "extension":
      return `A late bid by ${r.bidder.name} of ${eth(r.amount)} extended the lot: ${formatDuration(r.secondsLeft)} left.`;
    case "countdown":
      return `Countdown: ${formatDuration(r.secondsLeft)} left.`;
    case "sold":
      return `Lot ${r.lot.lotId} is SOLD to ${r.winner.name} for ${eth(r.amount)}. Declare it.`;
    case "no_sale":
      return `Lot ${r.lot.lotId} ended without a bid. Say there is no sale.`;
    case "between":
      return r.next ? `Between lots. Lot ${r.next.lotId} "${r.next.title}" opens in ${formatDuration(r.next.secondsToStart)}. Fill the time.` : "No lot is scheduled. Fill the time briefly.";
    case "filler":
      return `The room is quiet. Encourage a bid of ${eth(r.lot.minimumNextBid)}.`;
    case "welcome":
      return `${r.bidder.name} placed their first bid ever with us. Welcome them.`;
    case "answer":
      return `Answer @${r.user}.`;
  }
}
