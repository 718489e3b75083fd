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
  | { kind: "help" };

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
} as const;

/**
 * Invisible characters that chat clients add or users paste: Chatterino/7TV append " \u{E0000}" (a tag
 * character) to repeat a message past Twitch's duplicate filter, DankChat uses U+034F, others U+2800 or
 * zero-width spaces. Without stripping them a second `!bid min` in a row would fail.
 */
const invisible = /[\u{E0000}-\u{E007F}\u034F\u2800\u200B-\u200F\u2060-\u2064\uFEFF\u180E\u00AD\u061C]/gu;
const spaces = /[\s\u00A0\u2000-\u200A\u202F\u205F\u3000]+/gu;

/** Strips invisible characters and collapses whitespace. */
export function normalize(text: string): string {
  return text.replace(invisible, "").replace(spaces, " ").trim();
}

/**
 * Decimal ETH with a dot, at most 12 integer digits and 18 decimals, optional "eth" unit. Everything
 * else (commas, exponents, hex, signs, lone dots) is ambiguous or not a price.
 */
const amountPattern = /^(?<value>(?:0|[1-9]\d{0,11})(?:\.\d{1,18})?|\.\d{1,18})(?:\s?eth)?$/i;

export function parseAmount(text: string): bigint | undefined {
  const match = amountPattern.exec(text);
  const value = match?.groups?.value;
  if (!value) return undefined;
  const wei = parseEther(value.startsWith(".") ? `0${value}` : value);
  return wei > 0n ? wei : undefined;
}

const linkCode = /^[A-Z2-9]{6,10}$/;

/**
 * Parses one chat line. Returns `undefined` for ordinary chat and for commands that are not ours
 * (other bots share the channel).
 */
export function parseCommand(raw: string): ParseResult | undefined {
  if (raw.length > 600) return raw.trimStart().startsWith("!") ? malformedIfOurs(raw) : undefined;
  const text = normalize(raw);
  if (!text.startsWith("!")) return undefined;
  const [head, ...rest] = text.split(" ");
  const name = head.slice(1).toLowerCase();
  const arg = rest.join(" ");
  const bad = (command: keyof typeof syntax): ParseResult => ({ ok: false, command, syntax: syntax[command] });
  const ok = (command: Command): ParseResult => ({ ok: true, command });
  switch (name) {
    case "bid": {
      if (/^min$/i.test(arg)) return ok({ kind: "bid_min" });
      const amount = parseAmount(arg);
      return amount === undefined ? bad("bid") : ok({ kind: "bid", amount });
    }
    case "max": {
      if (/^off$/i.test(arg)) return ok({ kind: "max_off" });
      const amount = parseAmount(arg);
      return amount === undefined ? bad("max") : ok({ kind: "max", amount });
    }
    case "link": {
      const code = arg.toUpperCase();
      return linkCode.test(code) ? ok({ kind: "link", code }) : bad("link");
    }
    case "confirm":
    case "unlink":
    case "balance":
    case "mybids":
    case "lot":
    case "help":
      return arg === "" ? ok({ kind: name }) : bad(name);
    default:
      return undefined;
  }
}

function malformedIfOurs(raw: string): ParseResult | undefined {
  const name = normalize(raw.slice(0, 40)).split(" ")[0].slice(1).toLowerCase();
  return name in syntax ? { ok: false, command: name, syntax: syntax[name as keyof typeof syntax] } : undefined;
}
