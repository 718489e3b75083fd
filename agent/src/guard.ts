/**
 * @module guard
 * The truth guard: every amount, lot number, time, name, leader claim, link and address in a line
 * must agree with chain state (as indexed) before the line is published. A model line that
 * disagrees is regenerated or replaced by a template; the host never announces what the chain does
 * not hold. The model may have read a viewer's message (answers), so the guard assumes a line can be
 * hostile: it checks a normalized copy (compatibility forms folded, no accents or invisible characters)
 * and rejects what it cannot read unambiguously (number words, non-ASCII digits, mixed scripts). The
 * original text is spoken.
 */
import type { Facts } from "./facts.ts";
import { shortAddress } from "./format.ts";
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
  /** The lot is closed in this moment (sold / no sale): only then may a line say it sold. */
  closed: boolean;
  /** Seconds the line may quote (with `secondsTolerance`). */
  seconds: number[];
  secondsTolerance: number;
  /** Literal text the line may quote as is (titles, campaign names) whose digits are not figures. */
  literals: string[];
  /** Links the line may give (the dApp). */
  urls: string[];
  /** Other spellings of a bidder of this moment (full address, short address) and the name they stand for. */
  aliases?: { alias: string; name: string }[];
  /** Bids placed on the lot of this moment ("2 bids so far"); undefined: a count is not checked, so not said. */
  bidCount?: number;
  /** Whether the lot of this moment met its reserve, and the reserve; undefined: no reserve claim is checkable. */
  reserveMet?: boolean;
  reserve?: bigint;
  /** Who "you" is: the viewer an answer goes to ("you lead", "it's yours" are claims about them). */
  addressee?: string;
};

/** Why a line was rejected: the `reason` label of `guard_rejections_total`. */
export type GuardReason =
  | "non_ascii_digit"
  | "obfuscation"
  | "number_word"
  | "amount"
  | "percent"
  | "number"
  | "lot"
  | "time"
  | "date"
  | "leader"
  | "sale_while_open"
  | "name"
  | "address"
  | "url"
  | "domain"
  | "ens"
  | "reserve"
  | "injection";

export type GuardResult = { ok: true } | { ok: false; reasons: GuardReason[]; problems: string[] };

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The facts one line may use, from the moment it is about and the current state. */
export function allowedFor(r: LineRequest, f: Facts, extra: { hostName: string; dappUrl?: string }): Allowed {
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
  let closed = false;
  const aliases: { alias: string; name: string }[] = [];
  // A bidder may be called by their address too, full or short: the claim is then about them.
  const addBidder = (b: { address: string; name: string }) => {
    aliases.push({ alias: b.address, name: b.name });
    const short = shortAddress(b.address);
    if (short !== b.name) aliases.push({ alias: short, name: b.name });
  };
  if (f.lot?.leader) addBidder(f.lot.leader);
  let addressee: string | undefined;
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
      addBidder(r.bidder);
      amounts.add(r.amount);
      leader = r.bidder.name;
      break;
    case "outbid":
      names.add(r.bidder.name).add(r.previous.name);
      addBidder(r.bidder);
      addBidder(r.previous);
      amounts.add(r.amount);
      leader = r.bidder.name;
      break;
    case "extension":
      names.add(r.bidder.name);
      addBidder(r.bidder);
      amounts.add(r.amount);
      seconds.add(r.secondsLeft);
      leader = r.bidder.name;
      break;
    case "sold":
      names.add(r.winner.name);
      addBidder(r.winner);
      // The minimum next bid is no price once the hammer fell.
      amounts.delete(r.lot.minimumNextBid);
      if (f.lot) amounts.delete(f.lot.minimumNextBid);
      amounts.add(r.amount);
      leader = r.winner.name;
      closed = true;
      break;
    case "countdown":
    case "filler":
    case "open":
      seconds.add(r.secondsLeft);
      break;
    case "between":
      // No lot is open between lots: the last one may be called closed.
      closed = f.lot?.status !== "live";
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
      addressee = r.user;
      break;
    case "no_sale":
      leader = null;
      closed = true;
      break;
  }
  // "0 ETH" is never a figure worth saying (a lot without a bid holds 0).
  amounts.delete(0n);
  // The lot the moment is about: its count of bids and its reserve can be quoted.
  const subject = "lot" in r ? r.lot : r.kind === "between" ? null : f.lot;
  const sale = r.kind === "sold" ? r.amount : (subject?.amount ?? 0n);
  const reserveFacts =
    r.kind === "between" && r.next
      ? { reserveMet: false, reserve: r.next.reserve }
      : subject
        ? { reserveMet: r.kind !== "no_sale" && sale > 0n && sale >= subject.reserve, reserve: subject.reserve }
        : {};
  return {
    amounts: [...amounts],
    lots: [...lots],
    names: [...names],
    roster: f.roster,
    leader,
    closed,
    seconds: [...seconds],
    secondsTolerance: 2,
    literals: [...literals].filter(Boolean),
    urls: extra.dappUrl ? [extra.dappUrl] : [],
    aliases,
    ...(subject ? { bidCount: subject.bidCount } : {}),
    ...reserveFacts,
    ...(addressee ? { addressee } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Normalization

/** The text the guard reads: compatibility forms folded, invisible and combining extras removed. */
export function normalizeForGuard(text: string): string {
  return (
    text
      // Decomposed so accents come off letters too ("ŠOLD" reads "SOLD"), composed again below.
      .normalize("NFKD")
      // Format characters (zero-width space/joiners, bidi controls, soft hyphen, tags), variation
      // selectors, the combining grapheme joiner and Hangul fillers: invisible, so never meaningful.
      .replace(/[\p{Cf}\u034F\uFE00-\uFE0F\u115F\u1160\u3164\uFFA0]|\uDB40[\uDD00-\uDDEF]/gu, "")
      // Combining marks are decoration (accents, strike-through, Zalgo): the letters underneath are what is read.
      .replace(/\p{M}+/gu, "")
      .replace(/[\p{Z}\p{Cc}]+/gu, " ")
      .normalize("NFC")
  );
}

/** Name and literal occurrences at word boundaries ("al" never matches inside "alice"). */
function wordRe(s: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(s)}(?![\\p{L}\\p{N}_])`, "giu");
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const units: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
const tens: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
/** Words that are quantities on their own: never said by the templates outside a checked time phrase. */
const quantityWords = [
  ...Object.keys(units),
  ...Object.keys(tens),
  "nought", "naught", "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion", "billions", "trillion", "dozen", "dozens", "grand",
  "half", "halves", "quarter", "quarters", "third", "thirds", "fourth", "fourths", "fifth", "fifths", "sixth", "sixths", "seventh", "sevenths",
  "eighth", "eighths", "ninth", "ninths", "tenth", "tenths", "hundredth", "hundredths", "thousandth", "thousandths", "millionth",
  "double", "doubled", "doubles", "triple", "tripled", "quadruple", "halved", "tenfold", "hundredfold", "thousandfold",
];
const NUMWORD = `(?:${Object.keys(tens).join("|")})(?:[\\s-](?:${Object.keys(units).slice(1, 10).join("|")}))?|${Object.keys(units).join("|")}`;
/** "one" as a pronoun, not a figure: "no one", "this one", "one of a kind", "one more". */
const oneIdiom = /\b(?:no|any|some|every|each|this|that|the|which|last|lucky|another|special|right|big)\s+one\b|\bone\s+(?:of|more|last|another|day|to watch|for the)\b|\bone-of-a-kind\b/gi;

/** Tokens with digits that are names of things, not figures. */
const digitTerms = /\b(?:web3|l[12]|erc-?(?:721|1155|20)|[23]d)\b/gi;

const TLDS =
  "com|net|org|io|xyz|co|app|gg|tv|me|info|biz|ru|cn|eth|link|site|online|top|club|shop|live|art|nft|ly|to|us|uk|de|fr|es|it|nl|ai|dev|cc|ws|su|pw|tk|ml|ga|cf|gq|vip|win|bet|cash|money|finance|exchange|claims?|gift|zone|page|click|lol|fun|wtf|sh|so|fm|am|be|ch|eu|in|jp|kr|ca|au|br|mx|pro|name|mobi|tech|store|space|website|network|social|world|today|xn--[a-z0-9-]+";

const neutralSubjects = new Set(
  (
    "the a an this that these those it its it's who who's whoever whom which what what's someone somebody anyone anybody everyone everybody " +
    "you your yours you're we our they their he she him her them us me my i i'm one that's there's here's bid bids bidder bidders lot piece " +
    "art artwork work collector collectors chat room floor highest high top next new current lucky all each every any some another other " +
    "still now yet here there just and but so then again also on to for in at with of from by as is was are be up off out into over about " +
    "stay tuned thanks thank please go well great nice big held been being get gets got getting was were has have had " +
    "will would can could might may must should shall let lets let's don't dont didn't can't cannot won't want wants try tries " +
    "nothing everything something anything yours mine you've you'll you'd we've we'll they've they'll i've i'll he's she's"
  ).split(" "),
);
const negativeSubjects = new Set(["nobody", "none", "no", "noone", "no-one"]);

// Claims of who leads or won. "Strong" phrasings are claims whatever follows ("winner: bob", "bob
// wins"); "name only" phrasings are claims only about a name ("on top, ⟨bob_7⟩"; "go ahead" is not one).
const adverbs = "(?:\\s+(?:still|now|clearly|officially|currently|firmly|just|already|really|definitely|has|had|have))*";
const leadAfterStrong =
  "leads|for\\s+the\\s+win|ftw|holds\\s+(?:⟨lot⟩|⟨L⟩|the\\s+lot|the\\s+piece)|'s\\s+bid\\s+(?:is\\s+|remains\\s+|stays\\s+)?(?:still\\s+)?(?:the\\s+one\\s+to\\s+beat|on\\s+top|in\\s+front|ahead|leading|the\\s+(?:top|high(?:est)?|best|leading|winning)\\s+(?:one|bid)|leads|stands|holds)|" +
  ",\\s*(?:our|the|your)\\s+(?:new\\s+|current\\s+)?(?:leader|top\\s+bidder|high(?:est)?\\s+bidder|leading\\s+bidder)|(?:is|'s)(?:\\s+(?:now|still|currently))*\\s+leading|has\\s+the\\s+lead|holds\\s+the\\s+lead|keeps\\s+the\\s+lead|" +
  "(?:takes|took|taken|grabs|grabbed|gets|got|seizes|seized|claims|claimed|retakes|retook|regains|regained|reclaims|reclaimed)\\s+(?:back\\s+)?the\\s+lead|" +
  "(?:is|'s|remains|stays|sits|stands)(?:\\s+(?:still|now|currently|clearly|firmly|comfortably))*\\s+(?:in\\s+the\\s+lead|on\\s+top|at\\s+the\\s+top|ahead|in\\s+front|out\\s+front|in\\s+first(?:\\s+place)?|in\\s+pole(?:\\s+position)?|winning|the\\s+leader|the\\s+one\\s+to\\s+beat|top\\s+dog|first(?:\\s+place)?|unbeatable|unbeaten|untouchable|unstoppable|the\\s+(?:top|high(?:est)?|leading|winning)\\s+bidder|top\\s+bidder)|" +
  "(?:holds|has|owns)\\s+the\\s+(?:top|high(?:est)?|best|leading)\\s+bid|tops\\s+the\\s+(?:board|room)";
const leadAfterNameOnly = "in\\s+the\\s+lead|on\\s+top|ahead|in\\s+front|winning|leading";
const winAfterStrong =
  "wins|won|has\\s+won|is\\s+the\\s+winner|'s\\s+the\\s+winner|takes\\s+it(?:\\s+home)?|took\\s+it|takes\\s+home|takes\\s+the\\s+lot|walks\\s+away\\s+with|gets\\s+it|got\\s+it|" +
  "(?:bought|buys|purchased|purchases|acquired|acquires|secured|secures|snagged|bagged|scooped|clinched|landed)\\s+(?:it|⟨lot⟩|⟨L⟩|the\\s+lot|the\\s+piece|this\\s+piece|this\\s+one)|" +
  "bags\\s+it|snags\\s+it|scoops\\s+it|owns\\s+(?:it|⟨lot⟩|⟨L⟩|the\\s+lot|the\\s+piece|this\\s+piece)|claims\\s+it|secures\\s+it|lands\\s+it|clinches|goes\\s+home\\s+with|" +
  "is\\s+the\\s+(?:(?:proud|lucky|happy)\\s+(?:new\\s+)?|new\\s+)owner|,\\s*(?:our|the|your)\\s+(?:new\\s+owner|winner)";
/** Overtaking someone is a claim to lead; "nobody outbids bob" claims nothing against the chain. */
const overtakeAfter =
  "outbids|outbid|overtakes|overtook|overtaken|outbidding|overtaking|leapfrogs|leapfrogged|(?:jumps|jumped|leaps|leapt)\\s+(?:over|ahead\\s+of)|" +
  "(?:takes|took|steals|stole|grabs|grabbed|snatches|snatched|wrests|wrestles)\\s+the\\s+lead\\s+(?:from|off)";
const leadBeforeStrong =
  "the\\s+lead\\s+is(?:\\s+(?:now|still|currently))+|all\\s+hail|led\\s+by|held\\s+by|outbid\\s+by|overtaken\\s+by|passed\\s+by|topped\\s+by|beaten\\s+by|" +
  "(?:loses|lost|losing|cedes|ceded|hands|handed|gives\\s+up|gave\\s+up)\\s+the\\s+lead\\s+to|(?:current|new|our|your)\\s+(?:leader|top\\s+bidder|high(?:est)?\\s+bidder)\\s*(?:is\\b|:|=|→|->)|" +
  "leader\\s*(?:=|→|->|⇒|»)|(?:leading|on\\s+top|out\\s+(?:in\\s+)?front|in\\s+the\\s+lead|in\\s+first(?:\\s+place)?)(?:\\s+(?:right\\s+now|now|still|currently))?\\s*(?:is\\b|:|=|→|->)|(?:ahead|in\\s+front)\\s*(?::|=|→|->)|" +
  "(?:leading|in\\s+the\\s+lead|on\\s+top)\\s+(?:right\\s+now|now|currently)|(?:top|high(?:est)?|best|leading|winning)\\s+bid\\s*(?:is\\b|:|=|→)|belongs\\s+to|leader\\s+is|leader\\s*:|leading\\s+bidder(?:\\s+is)?|(?:top|high(?:est)?|best)\\s+bidder(?:\\s+is)?|lead\\s+(?:goes|belongs)\\s+to|the\\s+lead\\s+is|" +
  "congrats(?:\\s+to)?|congratulations(?:\\s+to)?|kudos\\s+to|hats\\s+off\\s+to|well\\s+played";
const leadBeforeNameOnly = "(?:new\\s+)?(?:top|high(?:est)?|best)\\s+bid(?:\\s+is)?|in\\s+the\\s+lead(?:\\s+is)?|on\\s+top(?:\\s+is)?|leader|leading";
const winBeforeStrong =
  "winner\\s+is|winner\\s*:|winning\\s+bidder(?:\\s+is|\\s*:)?|won\\s+by|sold\\s+to|knocked\\s+down\\s+to|goes\\s+to|went\\s+to|awarded\\s+to|new\\s+owner(?:\\s+is)?|" +
  "(?:hammer|gavel)(?:\\s+falls|\\s+down)?\\s+(?:for|to)|victory\\s+(?:for|to)";
const winBeforeNameOnly = "winner|going\\s+to|headed\\s+to|it'?s\\s+yours|all\\s+yours";

const SUBJ = "(@?[\\p{L}\\p{N}_⟨⟩…'-]+)";
const SEP = "[\\s:,!.…—–=→>»⇒-]*";

// ---------------------------------------------------------------------------------------------
// The check

type Problem = { reason: GuardReason; detail: string };

/** Checks every figure, name, claim and link in `text` against `allowed`. */
export function checkLine(text: string, allowed: Allowed): GuardResult {
  const problems: Problem[] = [];
  const add = (reason: GuardReason, detail: string) => problems.push({ reason, detail });

  // Literals, names and our own links may carry digits, dots and claim words of their own.
  const names = [...allowed.names].filter((s) => s.length > 1).sort((a, b) => b.length - a.length);
  // An artist is a literal and a name: as a name, a claim that they lead is checked.
  const nameSet = new Set(names.map((n) => n.toLowerCase()));
  const literals = [...allowed.literals].filter((s) => s.length > 1 && !nameSet.has(s.toLowerCase())).sort((a, b) => b.length - a.length);
  const leaderKey = allowed.leader?.toLowerCase() ?? null;

  checkNumericCharacters(text, [...allowed.urls, ...literals, ...names], add);

  let rest = ` ${normalizeForGuard(text)} `;
  // Our link only as a whole: "http://127.0.0.1:5173.evil.xyz" or "...5173@evil.xyz" is someone else's.
  for (const url of allowed.urls) rest = rest.replace(new RegExp(`${escapeRegExp(url)}(?:[/?#]\\S*)?(?![\\p{L}\\p{N}_@-]|[.:][\\p{L}\\p{N}])`, "giu"), " ⟨U⟩ ");
  for (const lit of literals) rest = rest.replace(wordRe(normalizeForGuard(lit)), "⟨L⟩");
  // A bidder's address (any case, full or short) is that bidder: it becomes their name, then a placeholder.
  for (const a of [...(allowed.aliases ?? [])].sort((x, y) => y.alias.length - x.alias.length)) rest = rest.replace(wordRe(normalizeForGuard(a.alias)), ` ${normalizeForGuard(a.name)} `);
  // Names become ⟨LEADER⟩ or ⟨NAME⟩ (anyone else allowed here), so claims can be checked.
  for (const name of names) rest = rest.replace(wordRe(normalizeForGuard(name)), name.toLowerCase() === leaderKey ? "⟨LEADER⟩" : "⟨NAME⟩");

  checkObfuscation(rest, add);
  checkInjection(rest, add);
  rest = checkNames(rest, allowed, add);
  rest = checkLinks(rest, add);
  rest = checkAmounts(rest, allowed, add);
  rest = checkTimes(rest, allowed, add);
  rest = checkCounts(rest, allowed, add);
  rest = checkLots(rest, allowed, add);
  checkReserve(rest, allowed, add);
  checkLeftoverNumbers(rest, add);
  checkClaims(rest, allowed, add);

  if (!problems.length) return { ok: true };
  return { ok: false, reasons: [...new Set(problems.map((p) => p.reason))], problems: problems.map((p) => `${p.reason}: ${p.detail}`) };
}

type Add = (reason: GuardReason, detail: string) => void;

/** Numerals Unicode files as letters or symbols: CJK numerals, the keycap ten emoji. */
const otherNumerals = /[〇零一二三四五六七八九十廿卅百千万萬億亿兆壱弐參参拾佰仟两兩\u{1F51F}]/u;

/** Digits other than ASCII 0-9 (fullwidth, Arabic-Indic, superscripts, circled, fractions, Roman numerals, CJK). */
function checkNumericCharacters(text: string, excused: string[], add: Add) {
  let t = text.normalize("NFC");
  for (const e of excused) t = t.replace(new RegExp(escapeRegExp(e), "gi"), " ");
  const odd = [...t].filter((c) => (/[\p{Nd}\p{No}\p{Nl}]/u.test(c) && !/[0-9]/.test(c)) || otherNumerals.test(c));
  if (odd.length) add("non_ascii_digit", `digits outside ASCII: ${[...new Set(odd)].join(" ")}`);
}

/** Look-alike letters from other scripts inside a Latin word, and words spelled out letter by letter. */
function checkObfuscation(rest: string, add: Add) {
  for (const m of rest.matchAll(/[\p{L}\p{N}]+/gu)) {
    const w = m[0];
    if (/\p{Script=Latin}/u.test(w) && /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}]/u.test(w)) add("obfuscation", `mixed scripts in "${w}"`);
    // A lone look-alike letter in a Latin line ("it'ѕ yours", "in а sec") hides a word from the checks.
    else if (w.replace(/[Ξ\p{N}]/gu, "").length <= 3 && /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}]/u.test(w.replace(/Ξ/g, "")) && /\p{Script=Latin}/u.test(rest)) add("obfuscation", `look-alike letters "${w}" in a Latin line`);
  }
  if (/(?<![\p{L}\p{N}])\p{L}(?:[\s.*_-]+\p{L}(?![\p{L}\p{N}])){3,}/u.test(rest)) add("obfuscation", "a word spelled out letter by letter");
}

/** Meta talk and scams a prompt injection tends to leave in a line; the host has no reason to say them. */
function checkInjection(rest: string, add: Add) {
  const meta =
    /\b(?:ignore|disregard|forget)\b[^.!?]{0,30}\b(?:instructions?|prompts?|rules|facts)\b|system\s+prompt|developer\s+mode|\bjailbreak|as\s+an\s+(?:ai|llm|assistant|language\s+model)|language\s+model|new\s+instructions|admin\s+(?:override|note|message)|\[\/?inst\]|<\|[a-z_]*\|?>|<\/?chat-|```|\bprompt\s+injection\b/i;
  const scam =
    /\b(?:seed|recovery|secret)\s+phrase|private\s+key|mnemonic|airdrop|giveaway|free\s+(?:eth|nfts?|crypto|mint|money)|double\s+your|\bdm\s+me\b|send\s+(?:your\s+|me\s+|us\s+)?(?:eth|ether|funds|crypto|tokens|money)|refunds?\s+(?:at|via|on|from)\b|\bqr\s+code\b|\b(?:send|transfer|wire)\s+(?:[$€£Ξ]\s*)?\d*\.?\d+|claim\s+(?:your|a)\s+(?:refund|prize|reward)|verify\s+your\s+wallet/i;
  const m = meta.exec(rest) ?? scam.exec(rest);
  if (m) add("injection", `says "${m[0]}"`);
}

/** URLs, domains (also spelled "evil dot xyz" or "evil[.]xyz"), ENS names and 0x addresses. */
function checkLinks(rest: string, add: Add): string {
  // Dots NFKC leaves as they are (ideographic full stop, middle dots) read as dots between two letters.
  let out = rest.replace(/(?<=\p{L})[。｡·∙⋅‧⸳⸱・•](?=\p{L})/gu, ".");
  out = out.replace(/\b(?:https?|ftp|ipfs|ipns|wss?):\/\/\S*|\b(?:javascript|vbscript|data|file|mailto|intent|magnet):(?!\s)\S+|\bwww\s*\.\s*\S+|\bhxxps?\S*/gi, (m) => {
    add("url", m);
    return " ⟨X⟩ ";
  });
  // IP addresses (with a port or path) are links too.
  out = out.replace(/(?<![\p{L}\p{N}.])\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?:\/\S*)?|\[[0-9a-f]*:[0-9a-f:]+\](?::\d+)?/giu, (m) => {
    add("url", m);
    return " ⟨X⟩ ";
  });
  // Emoji labels ("🦄.eth", "💰.xyz") are names too.
  out = out.replace(/(?<!\S)\S*\p{Extended_Pictographic}\S*\.\p{L}{2,24}(?![\p{L}\p{N}])/gu, (m) => {
    add(/\.eth$/i.test(m) ? "ens" : "domain", m);
    return " ⟨X⟩ ";
  });
  const dot = "(?:\\.|\\s*[\\[({]\\s*(?:\\.|dot)\\s*[\\])}]\\s*|\\s+dot\\s+|\\s+\\.\\s*)";
  out = out.replace(new RegExp(`[\\p{L}\\p{N}_-]+(?:${dot}[\\p{L}\\p{N}_-]+)*${dot}eth\\b`, "giu"), (m) => {
    add("ens", m.trim());
    return " ⟨X⟩ ";
  });
  // A dot between letters is a domain ("evil.xyz", "pay.me"); spelled or bracketed dots need a known TLD.
  out = out.replace(/(?<![\p{L}\p{N}])[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)*\.\p{L}{2,24}(?![\p{L}\p{N}])/gu, (m) => {
    add("domain", m);
    return " ⟨X⟩ ";
  });
  out = out.replace(new RegExp(`[\\p{L}\\p{N}_-]{2,}(?:${dot}[\\p{L}\\p{N}_-]+)*${dot}(?:${TLDS})\\b`, "giu"), (m) => {
    add("domain", m.trim());
    return " ⟨X⟩ ";
  });
  out = out.replace(/0\s*[xX]\s*[0-9a-fA-F]{3,}(?:\s*(?:…|\.\.\.)\s*[0-9a-fA-F]*)?/g, (m) => {
    add("address", m);
    return " ⟨X⟩ ";
  });
  return out;
}

/**
 * Known bidders who have no part in this moment (they become ⟨OTHER⟩, so a claim that they lead is
 * also caught), and @mentions of anyone not allowed here.
 */
function checkNames(rest: string, allowed: Allowed, add: Add): string {
  const allowedNames = new Set(allowed.names.map((n) => n.toLowerCase()));
  let out = rest;
  for (const name of [...allowed.roster].sort((a, b) => b.length - a.length)) {
    if (allowedNames.has(name.toLowerCase()) || name.length < 2) continue;
    const re = wordRe(normalizeForGuard(name));
    if (!re.test(out)) continue;
    add("name", `${name} has no part in this moment`);
    out = out.replace(re, "⟨OTHER⟩");
  }
  for (const m of out.matchAll(/@([\p{L}\p{N}_]+)/gu)) add("name", `mentions @${m[1]}`);
  return out;
}

// A number not glued to a word ("b0b" is a name, not 0 billion).
const NUM_BARE = "(?:(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?|\\.\\d+)";
const NUM = `(?<![\\p{L}_])${NUM_BARE}`;

/** Decimals of the units the chain's amounts can be said in (ether and its named denominations). */
const unitDecimals: [RegExp, number][] = [
  [/^(?:eth|ether|ethers|ethereum|Ξ|weth)$/i, 18],
  [/^(?:finney|milliethers?)$/i, 15],
  [/^(?:szabo|microethers?)$/i, 12],
  [/^(?:gwei|shannon|nanoethers?)$/i, 9],
  [/^(?:mwei|lovelace|picoethers?)$/i, 6],
  [/^(?:kwei|babbage|femtoethers?)$/i, 3],
  [/^wei$/i, 0],
];
const chainUnit = "eth|ethereum|ether|ethers|Ξ|weth|finney|milliethers?|szabo|microethers?|gwei|shannon|nanoethers?|mwei|lovelace|picoethers?|kwei|babbage|femtoethers?|wei";

/**
 * The exact wei of "1,234.5", "6e-1" or ".6" in `unit`, or null (unknown unit, or a figure that is not
 * a whole number of wei). Exact on purpose: "0.6000000000000000001 ETH" is not 0.6 ETH.
 */
function toWei(raw: string, unit: string): bigint | null {
  const decimals = unitDecimals.find(([re]) => re.test(unit))?.[1];
  const m = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d{1,3}))?$/i.exec(raw.replace(/,/g, ""));
  if (decimals === undefined || !m || !(m[1] || m[2])) return null;
  const digits = `${m[1] ?? ""}${m[2] ?? ""}`;
  const shift = decimals + Number(m[3] ?? 0) - (m[2] ?? "").length;
  if (shift >= 0) return BigInt(digits || "0") * 10n ** BigInt(shift);
  const cut = digits.length + shift;
  if (/[1-9]/.test(digits.slice(Math.max(0, cut)))) return null;
  return BigInt(digits.slice(0, Math.max(0, cut)) || "0");
}

/**
 * Amounts in any unit. ETH and its denominations are compared with the chain's figures, exactly; fiat,
 * multipliers ("5k"), fractions ("1/2 ETH") and other tokens are never in the facts; percentages
 * neither (the facts carry none).
 */
function checkAmounts(rest: string, allowed: Allowed, add: Add): string {
  const otherUnit =
    "usd[ct]?|dai|dollars?|bucks|cents?|eur|euros?|gbp|pounds?|yen|jpy|btc|bitcoin|sats?|satoshis?|sol|shape|matic|pol|doge|pepe|shib|(?!weth)[a-z]{1,6}eth|eth(?!ers?\\b|ereum\\b)[a-z][a-z0-9]*";
  const multiplier = "k|m|mm|bn|b|thousand|million|billion|grand";
  const NUM_EXP = `${NUM}(?:[eE][+-]?\\d{1,3})?`;
  const check = (raw: string, unit: string, m: string) => {
    const wei = toWei(raw, unit);
    if (wei === null || !allowed.amounts.includes(wei)) add("amount", `${m.trim()} is not on chain`);
    return " ⟨A⟩ ";
  };
  let out = rest.replace(new RegExp(`(${NUM})\\s*(?:%|percent\\b|per\\s*cent\\b|pct\\b|bps\\b|basis\\s+points?\\b)`, "giu"), (m) => {
    add("percent", `${m.trim()} is not in the facts`);
    return " ⟨A⟩ ";
  });
  out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])\\d+\\s*/\\s*\\d+\\s*(?:(?:of\\s+)?(?:an?\\s+)?(?:${chainUnit}|${otherUnit})(?![\\p{L}]))`, "giu"), (m) => {
    add("amount", `${m.trim()}: a fraction is not a chain amount`);
    return " ⟨A⟩ ";
  });
  // "an ETH", "a couple of ETH": a quantity in words, never a chain figure.
  out = out.replace(
    new RegExp(`\\b(?:an?|couple|few|several|many|lots|bunch|handful|whole|full|nought|naught)\\s+(?:of\\s+)?(?:${chainUnit})\\b(?!\\s+(?:wallet|address|account|balance|transfer|transaction|bid|price|amount|value))`, "giu"),
    (m) => {
      add("amount", `"${m.trim()}" is not a chain amount`);
      return " ⟨A⟩ ";
    },
  );
  out = out.replace(new RegExp(`[$€£¥₿₹₽₩₺₫¢₮◎]\\s*(?:${NUM_BARE})|(?:${NUM_BARE})\\s*[$€£¥₿₹₽₩₺₫¢₮◎]|\\b(?:us\\$|usd|eur|gbp)\\s*(?:${NUM_BARE})|(?:${NUM})\\s*(?:${multiplier})?\\s*(?:${otherUnit})\\b|(?:${NUM})\\s*(?:${multiplier})\\b(?:\\s*(?:${chainUnit}|${otherUnit})\\b)?`, "giu"), (m) => {
    add("amount", `${m.trim()} is not a chain amount`);
    return " ⟨A⟩ ";
  });
  out = out.replace(new RegExp(`(${NUM_EXP})\\s*(${chainUnit})(?![\\p{L}\\p{N}])`, "giu"), (m, raw: string, unit: string) => check(raw, unit, m));
  out = out.replace(new RegExp(`(?:Ξ|\\beth\\b)\\s*(${NUM_BARE})`, "gi"), (m, raw: string) => check(raw, "eth", m));
  // "!bid 0.66" and any decimal number are ETH figures.
  out = out.replace(new RegExp(`!bid\\s*(${NUM_BARE})`, "gi"), (m, raw: string) => check(raw, "eth", m));
  out = out.replace(/(?<!\d|\d\.)(\d+\.\d+|\.\d+)(?!\d|\.\d)/g, (m, raw: string) => check(raw, "eth", m));
  return out;
}

/** The seconds in a number-word phrase ("thirty", "forty five", "half a"), or null. */
function wordsToNumber(phrase: string): number | null {
  const p = phrase.toLowerCase().trim().replace(/\s+/g, " ");
  if (p === "a" || p === "an" || p === "one") return 1;
  if (p === "half a" || p === "half an") return 0.5;
  const parts = p.split(/[\s-]+/);
  let total = 0;
  for (const w of parts) {
    const v = tens[w] ?? units[w];
    if (v === undefined) return null;
    total += v;
  }
  return total;
}

/**
 * Times: durations in digits or words must match the clock of this moment; clock times, dates,
 * weekdays and "tomorrow" are never in the facts.
 */
function checkTimes(rest: string, allowed: Allowed, add: Add): string {
  const inTime = (secs: number, tolerance: number) => allowed.seconds.some((s) => Math.abs(s - secs) <= tolerance);
  let out = rest.replace(
    /\b\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?|o'?clock|h(?:rs)?\s+(?:utc|gmt))(?![\p{L}])|\b(?:at|by|until|till|before|after|from|around)\s+\d{1,2}[:.h]\d{2}\b|\b(?:noon|midnight|o'?clock)\b|\b(?:utc|gmt|cet|cest|est|edt|pst|pdt|bst)\b/giu,
    (m) => {
      add("time", `clock time "${m.trim()}"`);
      return " ⟨T⟩ ";
    },
  );
  const months = "january|february|april|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|may|march";
  out = out.replace(
    new RegExp(
      `\\b\\d{4}-\\d{1,2}-\\d{1,2}(?![0-9])(?:t\\d{1,2}(?::\\d{2}){1,2}(?:\\.\\d+)?z?)?|\\b\\d{1,2}/\\d{1,2}(?:/\\d{2,4})?\\b|\\b(?:${months})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?\\b|\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${months})\\b|\\b\\d+(?:st|nd|rd|th)\\b|` +
        "\\b(?:january|february|april|june|july|august|september|october|november|december)\\b|\\b(?:tomorrow|tmrw?|tmw|2mor+ow|tomoz|yesterday|tonight|tonite|2nite|overnight|weekend|next\\s+(?:week|month|year|session|show)|later\\s+today|this\\s+(?:morning|afternoon|evening|weekend)|end\\s+of\\s+(?:the\\s+)?(?:day|week|month))\\b|" +
        "\\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\\b",
      "gi",
    ),
    (m) => {
      add("date", `"${m.trim()}" is not from the facts`);
      return " ⟨T⟩ ";
    },
  );
  // "T-minus 10" is a countdown in seconds; "00:01:10" reads h:mm:ss.
  out = out.replace(/\bt\s*-?\s*minus\s*(\d+)\b/gi, (m, secs: string) => {
    if (!inTime(Number(secs), allowed.secondsTolerance)) add("time", `${m.trim()} does not match the clock`);
    return " ⟨T⟩ ";
  });
  out = out.replace(/\b(\d{1,2}):(\d{2}):(\d{2})\b/g, (m, h: string, mins: string, secs: string) => {
    if (!inTime(Number(h) * 3600 + Number(mins) * 60 + Number(secs), allowed.secondsTolerance)) add("time", `${m} does not match the clock`);
    return " ⟨T⟩ ";
  });
  // "2 minutes 5 seconds", "1:30" (a countdown reads m:ss), "30s", "thirty seconds", "half a minute".
  out = out.replace(/\b(\d+)\s*(?:minutes?|mins?)\s*(?:and\s*)?(\d+)\s*(?:seconds?|secs?)\b/gi, (m, mins: string, secs: string) => {
    if (!inTime(Number(mins) * 60 + Number(secs), allowed.secondsTolerance)) add("time", `${m.trim()} does not match the clock`);
    return " ⟨T⟩ ";
  });
  out = out.replace(/\b(\d{1,2}):(\d{2})\b/g, (m, mins: string, secs: string) => {
    if (!inTime(Number(mins) * 60 + Number(secs), allowed.secondsTolerance)) add("time", `${m} does not match the clock`);
    return " ⟨T⟩ ";
  });
  const unitSeconds = (unit: string) =>
    /^(?:h|hr|hrs|hours?)$/i.test(unit) ? 3600 : /^(?:d|days?)$/i.test(unit) ? 86400 : /^(?:w|wks?|weeks?)$/i.test(unit) ? 604800 : /^fortnights?$/i.test(unit) ? 1209600 : /^m/i.test(unit) ? 60 : 1;
  const durationUnit = "seconds?|secs?|s|minutes?|mins?|hours?|hrs?|hr|h|days?|d|weeks?|wks?|fortnights?";
  const judge = (value: number, unit: string, m: string) => {
    const scale = unitSeconds(unit);
    // Seconds must be exact within the tolerance; a minute or an hour figure may be rounded by a tenth
    // ("2 minutes" for 125 s), never by half ("a minute" is not 30 s).
    const tolerance = scale === 1 ? allowed.secondsTolerance : Math.max(allowed.secondsTolerance, value * scale * 0.1);
    if (!inTime(value * scale, tolerance)) add("time", `${m.trim()} does not match the clock`);
    return " ⟨T⟩ ";
  };
  out = out.replace(new RegExp(`\\b(\\d+)\\s*(${durationUnit})\\b`, "gi"), (m, n: string, unit: string) => judge(Number(n), unit, m));
  // "a second" is a duration only when it ends the phrase ("wait a second"), not in "a second bid".
  out = out.replace(new RegExp(`\\b(${NUMWORD}|half\\s+an?|an?)\\s+((?:seconds?|secs?)(?=\\s*(?:left|to go|remaining|more|on the clock|[.!?,;]|$))|minutes?|mins?|hours?|hrs?|days?|weeks?|fortnights?)\\b`, "gi"), (m, n: string, unit: string) => {
    const value = wordsToNumber(n);
    if (value === null) return m;
    return judge(value, unit, m);
  });
  return out;
}

/** "2 bids so far", "bid count: 2": the number of bids on the lot of this moment. */
function checkCounts(rest: string, allowed: Allowed, add: Add): string {
  const judge = (m: string, n: string) => {
    if (Number(n) !== allowed.bidCount) add("number", `${m.trim()}: the lot has ${allowed.bidCount ?? "an unknown number of"} bids`);
    return " ⟨C⟩ ";
  };
  return rest
    .replace(/\b(\d+)\s+(?:bids?|offers?)\b/gi, judge)
    .replace(/\b(?:bid\s+count|bids\s+so\s+far|number\s+of\s+bids|bids)(?:\s+(?:is|of|at))?\s*[:=]\s*(\d+)\b|\b(?:bid\s+count|number\s+of\s+bids)\s+(?:is\s+|of\s+|at\s+)?(\d+)\b/gi, (m, a?: string, b?: string) =>
      judge(m, a ?? b ?? ""),
    );
}

/**
 * Claims about the reserve ("reserve met", "still below the reserve", "no reserve") must agree with the
 * lot of this moment; a conditional one ("once the reserve is met") claims nothing.
 */
function checkReserve(rest: string, allowed: Allowed, add: Add) {
  const verbs = "met|reached|hit|cleared|passed|beaten|beat|exceeded|crossed|smashed|broken|topped";
  const notMet = new RegExp(
    `\\breserve(?:\\s*[:—–-]\\s*|\\s+)(?:is\\s+|was\\s+|has\\s+|had\\s+|'s\\s+)?(?:still\\s+)?(?:not|n't|never|yet\\s+to\\s+be|un)\\s*(?:yet\\s+)?(?:been\\s+)?(?:${verbs})\\b|` +
      `\\breserve\\s+(?:isn't|wasn't|hasn't|hadn't)\\s+(?:yet\\s+)?(?:been\\s+)?(?:${verbs})\\b|\\bunmet\\s+reserve\\b|` +
      "\\b(?:below|under|beneath|short\\s+of|shy\\s+of|not\\s+(?:yet\\s+)?(?:at|above|over|past))\\s+(?:the\\s+)?reserve\\b|" +
      `\\b(?:haven't|have\\s+not|hasn't|has\\s+not|didn't|did\\s+not|not\\s+yet|yet\\s+to|still\\s+to)\\s+(?:yet\\s+)?(?:${verbs.replace("met|", "meet|met|").replace("reached|", "reach|reached|").replace("hit|", "hit|").replace("cleared|", "clear|cleared|")})\\s+(?:the\\s+)?reserve\\b`,
    "gi",
  );
  const met = new RegExp(
    `\\breserve(?:\\s*[:—–-]\\s*|\\s+)(?:is\\s+|was\\s+|has\\s+(?:been\\s+)?|had\\s+(?:been\\s+)?|'s\\s+(?:been\\s+)?|got\\s+)?(?:now\\s+|already\\s+|officially\\s+|just\\s+|easily\\s+)?(?:${verbs})\\b|` +
      `\\b(?:above|over|past|beyond|(?:${verbs}|meet|reach|clear|cross|beat))\\s+(?:the\\s+)?reserve\\b`,
    "gi",
  );
  const noReserve = /\b(?:no|without\s+(?:a\s+)?|zero)\s+reserve\b|\breserve[\s-]free\b|\breserve\s*(?:is|of|:)?\s*(?:none|nothing)\b/gi;
  const claims: { at: number; end: number; met: boolean | "none" }[] = [];
  for (const m of rest.matchAll(notMet)) claims.push({ at: m.index ?? 0, end: (m.index ?? 0) + m[0].length, met: false });
  for (const m of rest.matchAll(noReserve)) claims.push({ at: m.index ?? 0, end: (m.index ?? 0) + m[0].length, met: "none" });
  for (const m of rest.matchAll(met)) {
    const at = m.index ?? 0;
    if (!claims.some((c) => at < c.end && c.at < at + m[0].length)) claims.push({ at, end: at + m[0].length, met: true });
  }
  for (const c of claims) {
    const clause = rest.slice(0, c.at).split(/[.!?;:,]/).pop() ?? "";
    if (/\b(?:if|once|when|until|till|unless|before|after|whether|to|could|would|will|might|may|can|must|should|need|needs)\b/i.test(clause)) continue;
    const said = rest.slice(c.at, c.end).trim();
    if (c.met === "none") {
      if (allowed.reserve !== undefined && allowed.reserve > 0n) add("reserve", `"${said}", but the reserve is set`);
    } else if (allowed.reserveMet === undefined) add("reserve", `"${said}" cannot be checked here`);
    else if (c.met !== allowed.reserveMet) add("reserve", `"${said}", but the reserve is ${allowed.reserveMet ? "" : "not "}met`);
  }
}

/** "lot 3", "lot #3", "lot number 3", "#3": a lot or token on the block. */
function checkLots(rest: string, allowed: Allowed, add: Add): string {
  return rest.replace(/\b(?:lots?|tokens?|nfts?|pieces?|items?)\s*(?:#|no\.?|number|num\.?)?\s*(\d+)\b|#\s*(\d+)\b/gi, (m, a?: string, b?: string) => {
    const id = a ?? b ?? "";
    if (!allowed.lots.includes(id)) add("lot", `${m.trim()} is not a lot on the block`);
    return " ⟨lot⟩ ";
  });
}

/**
 * Number words of other languages a viewer may ask for ("cero coma seis"), left out where they are
 * also English words ("un", "due", "null", "once", "elf"; "sept" is a month anyway).
 */
const foreignNumberWords = new RegExp(
  `(?<![\\p{L}\\p{N}_])(?:${[
    "cero uno una dos tres cuatro cinco seis siete ocho nueve diez doce veinte treinta cien ciento mil medio coma",
    "zéro deux trois quatre cinq huit neuf dix vingt trente cent mille demi virgule",
    "eins zwei drei vier fünf funf sechs sieben acht neun zehn zwölf zwolf zwanzig hundert tausend halb komma",
    "tre quattro sei sette otto nove dieci venti cento mezzo virgola dois três quatro sete oito dez vinte",
    "ноль один одна два две три четыре пять шесть семь восемь девять десять двадцать сто тысяча половина",
  ]
    .join(" ")
    .split(" ")
    .join("|")})(?![\\p{L}\\p{N}_])`,
  "giu",
);
/** Roman numerals where a lot or an amount goes ("lot IV", "VI ETH"): a figure the guard will not read. */
const ROMAN = "(?=[MDCLXVI]{2}|[MDCLXV])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})";
const romanFigure = new RegExp(
  `(?:\\b(?:[Ll]ots?|LOTS?|[Tt]okens?|TOKENS?|[Nn]umber|NUMBER|[Nn]o\\.)\\s*#?\\s*|#\\s*)${ROMAN}(?![\\p{L}\\p{N}])|(?<![\\p{L}\\p{N}])${ROMAN}\\s*(?:[Ee][Tt][Hh](?:[Ee][Rr])?|Ξ|[Gg]?[Ww][Ee][Ii])(?![\\p{L}])`,
  "gu",
);

/** Any digit left is a figure nobody can trace; any number word left is a figure the guard will not read. */
function checkLeftoverNumbers(rest: string, add: Add) {
  const r = rest.replace(digitTerms, " ");
  for (const m of r.matchAll(/\d+/g)) add("number", `unexplained number ${m[0]}`);
  const words = r.replace(oneIdiom, " ");
  for (const m of words.matchAll(new RegExp(`\\b(?:${quantityWords.join("|")})\\b`, "gi"))) add("number_word", `"${m[0]}"`);
  for (const m of words.matchAll(foreignNumberWords)) add("number_word", `"${m[0]}"`);
  for (const m of words.matchAll(romanFigure)) add("number_word", `Roman numeral in "${m[0].trim()}"`);
}

/** A claim is about the leader, another allowed name, nobody in particular, nobody at all, or someone else. */
type Subject = "leader" | "other_allowed" | "neutral" | "negative" | "someone_else";

function subjectOf(token: string): Subject {
  const t = token.replace(/^[^\p{L}\p{N}@⟨]+|[^\p{L}\p{N}_⟩]+$/gu, "").replace(/'s$/i, "");
  if (t.includes("⟨LEADER⟩")) return "leader";
  if (t.includes("⟨NAME⟩")) return "other_allowed";
  if (t.includes("⟨OTHER⟩")) return "someone_else";
  if (/^⟨[A-Za-z]+⟩$/.test(t)) return "neutral";
  const w = t.toLowerCase();
  if (negativeSubjects.has(w)) return "negative";
  if (!w || neutralSubjects.has(w)) return "neutral";
  return "someone_else";
}

/**
 * A token that reads as a person: an allowed name, an @mention, a handle with digits or underscores,
 * or a capitalized word that does not start a sentence.
 */
function nameLike(token: string, rest: string, index: number): boolean {
  const t = token.trim();
  if (/⟨(?:LEADER|NAME|OTHER)⟩|^@|[_\d]/u.test(t)) return true;
  if (!/^\p{Lu}/u.test(t)) return false;
  const before = rest.slice(0, index).trimEnd();
  return before !== "" && !/[.!?"“]$/.test(before);
}

/** Within the clause before `index`, words that make a sale word conditional ("before the hammer falls"). */
function hedged(rest: string, index: number): boolean {
  const clause = rest.slice(0, index).split(/[.!?;:,]/).pop() ?? "";
  return /\b(?:before|until|till|unless|if|not|never|almost|nearly|about\s+to|could|would|will|might|may|can|soon|yet|when|or|gets?|be)\b|n't\b/i.test(clause);
}

/**
 * Claims of who leads or won, in many phrasings, must name the chain's leader; a sale may be
 * announced only when the lot is closed in this moment.
 */
function checkClaims(text: string, allowed: Allowed, add: Add) {
  // Markdown emphasis is decoration: "**dave** leads" is "dave leads".
  const rest = text.replace(/[*~`]+/g, "");
  // In an answer "you" is the viewer asked ("the leader is... you!").
  const you = allowed.addressee ? (allowed.addressee.toLowerCase() === allowed.leader?.toLowerCase() ? "⟨LEADER⟩" : "⟨NAME⟩") : null;
  const judge = (token: string, win: boolean, negativeClaimsNothing = false) => {
    const subject = subjectOf(you && /^you[!.,?…]*$/i.test(token.trim()) ? you : token);
    if (subject === "neutral") return;
    if (subject === "negative") {
      if (!win && allowed.leader && !negativeClaimsNothing) add("leader", `says nobody leads, but ${allowed.leader} does`);
      return;
    }
    if (subject === "leader" && allowed.leader) {
      if (win && !allowed.closed) add("sale_while_open", `says ${allowed.leader} won while the lot is open`);
      return;
    }
    add("leader", `claims ${subject === "leader" ? "a leader" : token.trim()} ${win ? "won" : "leads"}, but ${allowed.leader ?? "nobody"} does`);
  };
  const skipClause = "(?:\\s*,[^,.!?]{1,60},)?";
  // "bob, who bid early, leads"; "Dave, who is winning"; "bob still leads".
  const before = (verbs: string) => new RegExp(`${SUBJ}${skipClause}(?:,?\\s+(?:who|that|which))?${adverbs}\\s*(?:${verbs})(?![\\p{L}])`, "giu");
  const after = (words: string) => new RegExp(`(?<![\\p{L}])(?:${words})${SEP}${SUBJ}`, "giu");
  const scan = (re: RegExp, win: boolean, namesOnly: boolean, subjectFirst: boolean, negativeClaimsNothing = false) => {
    for (const m of rest.matchAll(re)) {
      const token = m[1] ?? "";
      const at = subjectFirst ? (m.index ?? 0) : (m.index ?? 0) + m[0].length - token.length;
      if (!namesOnly || nameLike(token, rest, at)) judge(token, win, negativeClaimsNothing);
    }
  };
  scan(before(leadAfterStrong), false, false, true);
  scan(before(overtakeAfter), false, false, true, true);
  scan(before(leadAfterNameOnly), false, true, true);
  scan(before(winAfterStrong), true, false, true);
  scan(after(leadBeforeStrong), false, false, false);
  scan(after(leadBeforeNameOnly), false, true, false);
  scan(after(winBeforeStrong), true, false, false);
  scan(after(winBeforeNameOnly), true, true, false);
  // "SOLD! Lot 3 to bob for 1 ETH", "it's off to bob for 1 ETH" (not "thanks to bob for the bid").
  scan(new RegExp(`(?:⟨lot⟩|⟨L⟩|\\bsold|\\bit|\\boff)\\s+to\\s+${SUBJ}\\s+for\\b`, "giu"), true, true, false);
  // "the lot is bob's", "it's bob's now": ownership, a claim to have won.
  for (const m of rest.matchAll(/(?:⟨lot⟩|⟨L⟩|\bit|\bthe\s+lot|\bthe\s+piece|\bthis\s+(?:one|piece))(?:\s+is|'s)\s+(?:now\s+|all\s+)?(@?[\p{L}\p{N}_⟨⟩…-]+)'s?(?![\p{L}])(?!\s+(?:for|if|unless|until|till|at|with|once|when)\b)/giu)) {
    if (/'s?$/.test(m[0]) && !/^(?:it|that|there|here|what|who|he|she)$/i.test(m[1] ?? "")) judge(m[1] ?? "", true);
  }
  // "nobody can beat bob": bob leads.
  for (const m of rest.matchAll(new RegExp(`(?:nobody|no\\s+one|no-one|none)\\s+(?:(?:can|could|will|has|seems\\s+to|is\\s+able\\s+to)\\s+)?(?:beat|beats|top|tops|touch|touches|outbid|outbids|catch|catches|overtake|overtakes|match|matches|stop|stops)\\s+${SUBJ}`, "giu"))) {
    judge(m[1] ?? "", false);
  }
  // "bob, you win!", "bob you're in the lead".
  for (const m of rest.matchAll(new RegExp(`${SUBJ}${SEP}you(?:'re|\\s+are|'ve|\\s+have)?\\s+(?:(win|won|the\\s+winner)|lead|leading|in\\s+the\\s+lead|on\\s+top|ahead)\\b`, "giu"))) {
    judge(m[1] ?? "", !!m[2]);
  }
  const yours = /(?:⟨lot⟩|⟨L⟩|\bit|\bthis\s+one|\bthis\s+piece|\bthe\s+lot|\bthe\s+piece)\s*(?:'s|\s+is)\s+(?:all\s+)?yours\b(?!\s+(?:for|if|once|when|at|with|unless|to)\b)/giu;
  // An answer's "you" is the viewer asked: "you lead", "lot 3 is yours" are claims about them.
  if (you) {
    const youClaim =
      /(?<![\p{L}])you(?:'re|\s+are|'ve|\s+have)?\s+(?:still\s+|now\s+|just\s+)?(?:(win|won|the\s+winner|the\s+new\s+owner)|lead|leading|in\s+the\s+lead|on\s+top|ahead|winning|the\s+(?:leader|top\s+bidder|high(?:est)?\s+bidder))(?![\p{L}])[^.!?]*([.!?]|$)/giu;
    // Not a question ("are you in the lead?") nor the outcome of a bid ("bid 0.66 and you're in the lead").
    const ifBid = (at: number) => /\b(?:bid|bids|type|and|then)\b/i.test(rest.slice(0, at).split(/[.!?;:]/).pop() ?? "");
    for (const m of rest.matchAll(youClaim)) if (m[2] !== "?" && !hedged(rest, m.index ?? 0) && !ifBid(m.index ?? 0)) judge(you, !!m[1]);
    for (const m of rest.matchAll(yours)) if (!hedged(rest, m.index ?? 0)) judge(you, true);
    const yourBid = /\byour\s+bid\s+(?:(?:is\s+|'s\s+)?(?:still\s+|now\s+)?(?:leads|leading|on\s+top|ahead|in\s+front|the\s+(?:top|high(?:est)?|best|leading|winning)\s+(?:one|bid)|the\s+one\s+to\s+beat)|stands|holds|won|wins)\b[^.!?]*([.!?]|$)/gi;
    for (const m of rest.matchAll(yourBid)) if (m[1] !== "?" && !hedged(rest, m.index ?? 0) && !ifBid(m.index ?? 0)) judge(you, /\bw[oi]ns?\b/i.test(m[0]));
  } else if (!allowed.closed) {
    for (const m of rest.matchAll(yours)) if (!hedged(rest, m.index ?? 0)) add("sale_while_open", `"${m[0].trim()}" while the lot is open`);
  }
  // "No bids yet" while someone leads.
  if (allowed.leader && /\b(?:no\s+(?:bids?|offers?|bidders?)|nobody\s+has\s+bid|no\s+one\s+has\s+bid|without\s+a\s+bid)\b/i.test(rest)) add("leader", `says there is no bid, but ${allowed.leader} leads`);
  if (!allowed.closed) {
    const sale =
      /\bsold\b|(?<![\p{L}\p{N}])[$§][o0ø]\s?[l1|]d\b|\bso\s+ld\b|\bgoing\s+(?:once|twice)\b[\s\S]{0,60}?(?<!\bnot\s+)\bgone\b|(?:^\s*|[.!?…]\s*)gone\b|\bgone\s+to(?!\s*⟨A⟩)\s|\bgoing[\s,.!-]+going[\s,.!-]+gone\b|\b(?:hammer|gavel)\s+(?:falls|fell|drops|dropped|is\s+down|comes\s+down|came\s+down|down|bangs|banged)\b|\bknocked\s+down\b|\b(?:that|it)(?:'s|\s+is)\s+a\s+wrap\b|\b(?:final|hammer|sale|winning)\s+price\s*(?::|=|was\b|is\s+⟨A⟩)|\bwe\s+have\s+a\s+winner\b|\bwinning\s+bid\s+(?:is|was)\b|\bdeal\s+(?:is\s+)?done\b|\bsealed\b|(?:⟨lot⟩|⟨L⟩|\blot|\bauction|\bbidding|\bbids|\bit|\bsale)(?:\s+(?:is|has|are|has\s+been)|'s)\s+(?:now\s+|officially\s+|all\s+)?(?:closed|over|ended|finished|done|concluded|complete|completed|final)\b(?!\s+(?:⟨A⟩|the\s+reserve|\d))|\b(?:bidding|auction|lot|sale)\s+(?:has\s+)?(?:closed|ended|concluded|complete|completed)\b|\bdone\s+deal\b|\bno\s+more\s+bids\b|\btime(?:'s|\s+is)\s+up\b|\benjoy\s+your\s+new\s+(?:art|artwork|piece|nft|token)\b/giu;
    const question = (at: number) => /^[^.!?]*\?/.test(rest.slice(at));
    for (const m of rest.matchAll(sale)) if (!hedged(rest, m.index ?? 0) && !question(m.index ?? 0)) add("sale_while_open", `"${m[0]}" while the lot is open`);
  }
}
