/**
 * @module parse
 * Chat line -> command. A pure function: strict and unambiguous. A bid that could mean two things
 * ("1,5", "1e18", "0x10") is rejected with the syntax, never guessed, because a bid on chain cannot
 * be taken back.
 */
import { parseEther } from "viem";

export type Command =
  | { kind: "bid"; amount: bigint }
  | { kind: "bid_min" }
  | { kind: "max"; amount: bigint }
  | { kind: "max_off" }
  | { kind: "confirm" }
  | { kind: "link"; code: string }
  | { kind: "unlink" }
  | { kind: "balance" }
  | { kind: "mybids" }
  | { kind: "lot" }
  | { kind: "help" }
  /** Moderators only: stop / restart chat bidding (checked by the caller, which knows the badges). */
  | { kind: "pause_bids" }
  | { kind: "resume_bids" };

export type ParseResult =
  | { ok: true; command: Command }
  /** A known command with bad arguments: answered with its syntax. */
  | { ok: false; command: string; syntax: string };

/** The syntax shown when a command is malformed (and by !help). */
export const syntax = {
  bid: "!bid <amount in ETH, e.g. 0.5> or !bid min",
  max: "!max <ceiling in ETH, e.g. 2> or !max off",
  confirm: "!confirm",
  link: "!link <code from the dApp>",
  unlink: "!unlink",
  balance: "!balance",
  mybids: "!mybids",
  lot: "!lot",
  help: "!help",
  pausebids: "!pausebids",
  resumebids: "!resumebids",
} as const;

/**
 * The only characters taken off a line: chat clients append " \u{E0000}" (Chatterino/7TV) or U+034F
 * (DankChat) to repeat a line past Twitch's duplicate filter, so a trailing run of those goes, with
 * the ASCII spaces and tabs around them in any order ("0.5\u{E0000}\t" and "0.5\t\u{E0000}" read
 * alike); then ASCII spaces and tabs at the start. Nothing inside the line is removed or rewritten: a
 * character we would drop silently (zero-width, bidi, a Unicode space, the suffix itself mid-line)
 * could change what the line means (`!bid 1\u200B0` read as 10), so such a line is answered with the
 * syntax instead.
 */
const trailingSuffix = /[ \t\u{E0000}\u034F]+$/u;
const leadingBlanks = /^[ \t]+/;

/** Removes the duplicate-message suffix and the ASCII blanks at the ends; nothing else. */
export function normalize(text: string): string {
  return text.replace(trailingSuffix, "").replace(leadingBlanks, "");
}

/**
 * Decimal ETH with a dot, at most 12 integer digits and 18 decimals, optional "eth" unit. Everything
 * else (commas, exponents, hex, signs, lone or leading or trailing dots: ".5", "5.") is ambiguous or
 * not a price, and the amount placed is always a number written out in the line as typed (the reply
 * "bid 0.5 ETH" quotes text the bidder wrote). `[0-9]`, never `\d` with the u flag: only ASCII digits
 * are amounts.
 */
const amountPattern = /^(?<value>(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,18})?)(?: ?[eE][tT][hH])?$/;

export function parseAmount(text: string): bigint | undefined {
  const value = amountPattern.exec(text)?.groups?.value;
  if (!value) return undefined;
  const wei = parseEther(value);
  return wei > 0n ? wei : undefined;
}

/** The code alphabet of links.ts (no 0/O/1/I): anything else can never be a code we issued. */
const linkCode = /^[A-HJ-NP-Z2-9]{6,10}$/;
/** Printable ASCII only: what a command line may hold once its ends are trimmed. */
const printableAscii = /^[\x20-\x7E]*$/;
/** `!` then the command word: ASCII letters only (no `i` flag: with it, the Kelvin sign matches `k`). */
const commandWord = /^!([A-Za-z]+)/;
/** Twitch caps lines at 500 characters; anything longer is not a line we should act on. */
const maxLength = 600;

const isOurs = (name: string): name is keyof typeof syntax => Object.hasOwn(syntax, name);

/**
 * Parses one chat line. Returns `undefined` for ordinary chat and for commands that are not ours
 * (other bots share the channel). A line is a command only if its first character (after ASCII blanks)
 * is an ASCII `!` followed by an ASCII word we know; any other character outside printable ASCII in
 * such a line makes it malformed, never a bid, link or unlink.
 */
export function parseCommand(raw: string): ParseResult | undefined {
  const text = normalize(raw);
  const word = commandWord.exec(text);
  if (!word) return undefined;
  const name = word[1].toLowerCase();
  if (!isOurs(name)) return undefined;
  const bad = (command: keyof typeof syntax): ParseResult => ({ ok: false, command, syntax: syntax[command] });
  const ok = (command: Command): ParseResult => ({ ok: true, command });
  const after = text.slice(word[0].length);
  // The word must end the line or be followed by a space: "!bid1", "!bid\u200B 1" are not readable.
  if (text.length > maxLength || !printableAscii.test(text) || (after !== "" && !after.startsWith(" "))) return bad(name);
  const arg = after.replace(/^ +/, "").replace(/ +$/, "");
  switch (name) {
    case "bid": {
      if (/^[mM][iI][nN]$/.test(arg)) return ok({ kind: "bid_min" });
      const amount = parseAmount(arg);
      return amount === undefined ? bad("bid") : ok({ kind: "bid", amount });
    }
    case "max": {
      if (/^[oO][fF][fF]$/.test(arg)) return ok({ kind: "max_off" });
      const amount = parseAmount(arg);
      return amount === undefined ? bad("max") : ok({ kind: "max", amount });
    }
    case "link": {
      const code = arg.toUpperCase();
      return linkCode.test(code) ? ok({ kind: "link", code }) : bad("link");
    }
    case "pausebids":
      return arg === "" ? ok({ kind: "pause_bids" }) : bad(name);
    case "resumebids":
      return arg === "" ? ok({ kind: "resume_bids" }) : bad(name);
    case "confirm":
    case "unlink":
    case "balance":
    case "mybids":
    case "lot":
    case "help":
      return arg === "" ? ok({ kind: name }) : bad(name);
  }
}
