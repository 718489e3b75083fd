import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatEther, parseEther } from "viem";
import { type Command, normalize, parseAmount, parseCommand } from "../src/parse.ts";
import { batchReplies } from "../src/outbox.ts";

describe("parseCommand()", () => {
  const bid = (text: string) => {
    const r = parseCommand(text);
    return r?.ok && r.command.kind === "bid" ? r.command.amount : r?.ok ? r.command.kind : r ? "malformed" : "ignored";
  };

  it("parses bids in ETH, case-insensitive, extra spaces tolerated", () => {
    const table: [string, bigint | string][] = [
      ["!bid 0.5", parseEther("0.5")],
      ["!BID 0.5", parseEther("0.5")],
      ["  !bid    2  ", parseEther("2")],
      ["!bid 0.25", parseEther("0.25")],
      ["!bid 1.000000000000000001", 1_000_000_000_000_000_001n],
      ["!bid 0.5 eth", parseEther("0.5")],
      ["!bid 0.5ETH", parseEther("0.5")],
      ["!bid min", "bid_min"],
      ["!Bid MIN", "bid_min"],
    ];
    for (const [text, want] of table) assert.equal(bid(text), want, text);
  });

  it("rejects ambiguous or non-decimal amounts with the syntax", () => {
    for (const text of ["!bid 1,5", "!bid 1e18", "!bid 0x10", "!bid -1", "!bid .", "!bid", "!bid 0", "!bid 0.0", "!bid 1.5.2", "!bid 01", "!bid 1 000", "!bid 1.0000000000000000001", "!bid 9999999999999", "!bid ½", "!bid ١", "!bid 0.5 0.6", "!bid Infinity", "!bid NaN", "!bid 1_000"]) {
      const r = parseCommand(text);
      assert.equal(r?.ok, false, text);
      assert.match(r && !r.ok ? r.syntax : "", /!bid <amount in ETH/, text);
    }
  });

  it("removes only the duplicate-message suffix chat clients append (space, U+E0000, U+034F) and ASCII blanks at the ends", () => {
    for (const tail of [" \u{E0000}", "\u034F", " \u034F", " \u{E0000} \u{E0000}", "\t", " \t "]) {
      assert.equal(bid(`!bid min${tail}`), "bid_min", JSON.stringify(tail));
      assert.equal(bid(`!bid 0.5${tail}`), parseEther("0.5"), JSON.stringify(tail));
    }
    assert.equal(normalize("\t !bid 0.5 \u{E0000}"), "!bid 0.5");
    // Nothing inside a line is removed.
    assert.equal(normalize("!bid\u200B 0.5"), "!bid\u200B 0.5");
  });

  it("hostile lines: only a line that is unambiguous printable ASCII is a command", () => {
    type Want = "ignored" | `malformed:${string}` | Command;
    const malformed = (c: string): Want => `malformed:${c}`;
    const half = { kind: "bid", amount: parseEther("0.5") } as const;
    const table: [string, Want][] = [];
    // Every Unicode space class (Zs) and the line/paragraph separators, as the separator after !bid,
    // inside the amount, and before the `!`.
    const unicodeSpaces = ["\u00A0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200A", "\u2028", "\u2029", "\u202F", "\u205F", "\u3000", "\u180E", "\u2800"];
    for (const sp of unicodeSpaces) {
      table.push([`!bid${sp}0.5`, malformed("bid")]);
      table.push([`!bid 0${sp}.5`, malformed("bid")]);
      table.push([`${sp}!bid 0.5`, "ignored"]);
    }
    // Zero-width and format characters, bidi controls: inside the amount (1<ZW>0 is never 10), after the
    // word, before the `!`, and at the end (only U+E0000 / U+034F are a removable suffix).
    const invisibles = ["\u200B", "\u200C", "\u200D", "\u200E", "\u200F", "\u2060", "\u2061", "\u2062", "\u2063", "\u2064", "\uFEFF", "\u00AD", "\u061C",
      "\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u{E0001}", "\u{E0020}"];
    for (const z of invisibles) {
      table.push([`!bid 1${z}0`, malformed("bid")]);
      table.push([`!bid${z} 1`, malformed("bid")]);
      table.push([`${z}!bid 1`, "ignored"]);
      table.push([`!bid 0.5${z}`, malformed("bid")]);
      table.push([`!unlink${z}`, malformed("unlink")]);
    }
    table.push(
      // Control characters, CR/LF/VT/FF injection (a second command hidden on a "new line").
      ["!bid 0.5\r\n!bid 5", malformed("bid")],
      ["!bid 0.5\n", malformed("bid")],
      ["!bid\n0.5", malformed("bid")],
      ["!bid\r0.5", malformed("bid")],
      ["!bid\v0.5", malformed("bid")],
      ["!bid\f0.5", malformed("bid")],
      ["!bid 0.5\u0000", malformed("bid")],
      ["!bid 0.5\u0007", malformed("bid")],
      ["!bid 0.5\u001B[2J", malformed("bid")],
      ["!bid\u007F 0.5", malformed("bid")],
      ["!bid 0.5\u0085", malformed("bid")],
      ["!bid\t0.5", malformed("bid")],
      ["!link ABCD2345\r\n!unlink", malformed("link")],
      ["\n!bid 0.5", "ignored"],
      ["\r!unlink", "ignored"],
      // Fullwidth and other non-ASCII digits, fullwidth `！`, superscripts, fractions.
      ["!bid １", malformed("bid")],
      ["!bid ０.５", malformed("bid")],
      ["!bid 1０", malformed("bid")],
      ["！bid 0.5", "ignored"],
      ["！ｂｉｄ 0.5", "ignored"],
      ["!ｂｉｄ 0.5", "ignored"],
      ["!bid ١", malformed("bid")],
      ["!bid ٠.٥", malformed("bid")],
      ["!bid ۵", malformed("bid")],
      ["!bid ५", malformed("bid")],
      ["!bid ๕", malformed("bid")],
      ["!bid 𝟓", malformed("bid")],
      ["!bid ²", malformed("bid")],
      ["!bid ½", malformed("bid")],
      ["!bid 0٫5", malformed("bid")],
      ["!bid 0․5", malformed("bid")],
      // Combining marks on the word or the digits.
      ["!bid 5\u0301", malformed("bid")],
      ["!bi\u0301d 5", "ignored"],
      ["!bid\u0301 5", malformed("bid")],
      ["!bid 0.5\u20E3", malformed("bid")],
      // Homoglyph command words: Kelvin sign, Cyrillic, Greek, dotless i, long s, ligatures.
      ["!unlin\u212A", "ignored"],
      ["!UNLIN\u212A", "ignored"],
      ["!lin\u212A ABCD2345", "ignored"],
      ["!b\u0456d 0.5", "ignored"],
      ["!bіd 0.5", "ignored"],
      ["!\u0432id 0.5", "ignored"],
      ["!bid\u0131 0.5", malformed("bid")],
      ["!B\u0130D 0.5", "ignored"],
      ["!ma\u0445 5", "ignored"],
      ["!ﬂ 5", "ignored"],
      ["!confirm\u017F", malformed("confirm")],
      ["!unlin\u212A\u200B", "ignored"],
      // Leading invisible characters and Unicode spaces: not a command at all.
      ["\u{E0000}!bid 0.5", "ignored"],
      ["\u034F!bid 0.5", "ignored"],
      ["\u00A0!unlink", "ignored"],
      ["\u3000!link ABCD2345", "ignored"],
      ["\uFEFF!unlink", "ignored"],
      // Words glued to junk, arguments where there are none, the link code and !max.
      ["!bid1", malformed("bid")],
      ["!bid!", malformed("bid")],
      ["!unlink now", malformed("unlink")],
      ["!link ABCD\u200B2345", malformed("link")],
      ["!link ＡＢＣＤ2345", malformed("link")],
      ["!max 1\u200B0", malformed("max")],
      ["!max ５", malformed("max")],
      ["!max off\u200B", malformed("max")],
      ["!pausebids\u200B", malformed("pausebids")],
      ["!bids 0.5", "ignored"],
      ["!bidder", "ignored"],
      // Very long lines: never a command we act on.
      [`!bid 0.5${" ".repeat(700)}`, half],
      [`!bid 0.5 ${"x".repeat(700)}`, malformed("bid")],
      [`!bid ${"1".repeat(700)}`, malformed("bid")],
      [`!bid ${"\u200B".repeat(700)}1`, malformed("bid")],
      [`${"\u200B".repeat(700)}!bid 1`, "ignored"],
      [`!unlink${"\u{E0000}".repeat(300)}`, { kind: "unlink" }],
      [`hello ${"!bid 1 ".repeat(200)}`, "ignored"],
      // What still works: ASCII, case-insensitive in ASCII, the duplicate suffix, blanks at the ends.
      ["!bid 0.5", half],
      ["!BiD 0.5 ETH", half],
      ["\t!bid 0.5\t", half],
      ["  !bid    0.5  ", half],
      ["!bid 0.5 \u{E0000}", half],
      ["!bid 0.5\u034F", half],
      ["!UNLINK", { kind: "unlink" }],
      ["!pausebids", { kind: "pause_bids" }],
      ["!ResumeBids", { kind: "resume_bids" }],
    );
    const got = (text: string): Want => {
      const r = parseCommand(text);
      if (!r) return "ignored";
      return r.ok ? r.command : malformed(r.command);
    };
    assert.ok(table.length >= 60, `${table.length} cases`);
    for (const [text, want] of table) assert.deepEqual(got(text), want, JSON.stringify(text));
  });

  it("a bid amount is only ever the ASCII digits typed", () => {
    // Whatever invisible character is spliced into "!bid 10", the result is 10 or no bid at all.
    const chars = [...Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(i)), "\u00A0", "\u200B", "\u200D", "\u2060", "\uFEFF", "\u202E", "\u2066", "\u{E0000}", "\u034F", "\u0660", "\uFF10", "\u2028"];
    const line = "!bid 10";
    for (let at = 0; at <= line.length; at++) {
      for (const c of chars) {
        const text = line.slice(0, at) + c + line.slice(at);
        const r = parseCommand(text);
        if (r?.ok && r.command.kind === "bid") {
          const digits = text.replace(/[^0-9.]/g, "");
          assert.equal(r.command.amount, parseEther(digits), JSON.stringify(text));
          // ...and nothing but printable ASCII was read: no character was dropped to get there.
          assert.match(text, /^[ \t]*[\x20-\x7E]*[ \t\u{E0000}\u034F]*$/u, JSON.stringify(text));
        }
      }
    }
  });

  it("parses the other commands and their arguments", () => {
    const kinds = (t: string) => {
      const r = parseCommand(t);
      return r?.ok ? r.command : r;
    };
    assert.deepEqual(kinds("!max 2"), { kind: "max", amount: parseEther("2") });
    assert.deepEqual(kinds("!max off"), { kind: "max_off" });
    assert.deepEqual(kinds("!link abcd2345"), { kind: "link", code: "ABCD2345" });
    for (const k of ["confirm", "unlink", "balance", "mybids", "lot", "help"]) assert.deepEqual(kinds(`!${k.toUpperCase()}`), { kind: k });
    assert.deepEqual(kinds("!lot 3"), { ok: false, command: "lot", syntax: "!lot" });
        assert.equal(parseCommand("!link O0O0")?.ok, false);
    assert.equal(parseCommand("hello !bid 1"), undefined, "commands start the line");
    assert.equal(parseCommand("!so @someone"), undefined, "other bots' commands are ignored");
  });

  it("fuzz: random lines never throw and never yield a bid unless the line clearly asks for one", () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
    const pieces = ["!bid", "0.", "2", "12.5", ".7", "!BID", "!max", " ", "  ", "0", "1", "5", ".", ",", "e", "E", "x", "-", "+", "eth", "min", "\u200B", "\u{E0000}", "\u034F", "💸", "１", "٣", "\u202E", "\n", "\t", "0x10", "1e18", "9".repeat(40), "ａ", "%", "'", '"', "\\"];
    const strict = /^!bid +(?:(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,18})?|\.[0-9]{1,18})(?: ?eth)?$/i;
    let bids = 0;
    for (let i = 0; i < 20_000; i++) {
      const n = 1 + Math.floor(rnd() * 8);
      let line = rnd() < 0.5 ? "!bid " : "";
      for (let j = 0; j < n; j++) line += pieces[Math.floor(rnd() * pieces.length)];
      if (rnd() < 0.05) line = line.repeat(60).slice(0, 500);
      if (rnd() < 0.2) line += String.fromCodePoint(Math.floor(rnd() * 0x2ffff));
      const r = parseCommand(line);
      if (r?.ok && r.command.kind === "bid") {
        bids++;
        assert.match(normalize(line), strict, JSON.stringify(line));
        assert.ok(r.command.amount > 0n && r.command.amount < parseEther("1000000000000"));
      }
    }
    assert.ok(bids > 0, "the fuzz also produced some valid bids");
  });

  it("attack table: every line is a bid for exactly the ASCII digits typed, the syntax reply, or not a command", () => {
    type Want = "ignored" | `malformed:${string}` | Command;
    const m = (c: string): Want => `malformed:${c}`;
    const bidOf = (eth: string): Want => ({ kind: "bid", amount: parseEther(eth) });
    const table: [string, Want][] = [
      // Number formats: only a plain ASCII decimal with a dot, written out in full, is an amount.
      ["!bid 0,5", m("bid")],
      ["!bid .5", m("bid")],
      ["!bid 5.", m("bid")],
      ["!bid 1.", m("bid")],
      ["!bid ..5", m("bid")],
      ["!bid 0.5e1", m("bid")],
      ["!bid 1e-1", m("bid")],
      ["!bid 0x1", m("bid")],
      ["!bid 0X1", m("bid")],
      ["!bid 0b1", m("bid")],
      ["!bid 0o1", m("bid")],
      ["!bid 1_000", m("bid")],
      ["!bid +1", m("bid")],
      ["!bid -1", m("bid")],
      ["!bid -0.5", m("bid")],
      ["!bid 0.0", m("bid")],
      ["!bid 000", m("bid")],
      ["!bid 00.5", m("bid")],
      ["!bid 0.1234567890123456789", m("bid")],
      ["!bid 0.0000000000000000001", m("bid")],
      ["!bid 0.000000000000000001", { kind: "bid", amount: 1n }],
      ["!bid 999999999999.999999999999999999", bidOf("999999999999.999999999999999999")],
      ["!bid 1000000000000", m("bid")],
      [`!bid ${"9".repeat(80)}`, m("bid")],
      ["!bid NaN", m("bid")],
      ["!bid Infinity", m("bid")],
      ["!bid -Infinity", m("bid")],
      ["!bid 5%", m("bid")],
      ["!bid $5", m("bid")],
      ["!bid 5$", m("bid")],
      ["!bid 1/2", m("bid")],
      ["!bid 0.5,", m("bid")],
      ["!bid 0.5.", m("bid")],
      ["!bid 0.5!", m("bid")],
      ["!bid 2.50", bidOf("2.5")],
      ["!bid 10", bidOf("10")],
      // Two amounts, units, and words after the amount.
      ["!bid 0.5 0.6", m("bid")],
      ["!bid 0.5 !bid 5", m("bid")],
      ["!bid 0.5 #1", m("bid")],
      ["!bid 5 eth 5", m("bid")],
      ["!bid 0.5eth", bidOf("0.5")],
      ["!bid 0.5 ETH", bidOf("0.5")],
      ["!bid 0.5 Eth", bidOf("0.5")],
      ["!bid 0.5  ETH", m("bid")],
      ["!bid 0.5 eth.", m("bid")],
      ["!bid 0.5eth eth", m("bid")],
      ["!bid eth", m("bid")],
      ["!bid 0.5 e", m("bid")],
      ["!bid 0.5 et", m("bid")],
      ["!bid 0.5 wei", m("bid")],
      ["!bid 0.5 gwei", m("bid")],
      ["!bid 0.5ΕΤΗ", m("bid")],
      ["!bid 0.5 еth", m("bid")],
      // Non-ASCII digits and separators: fullwidth dot, Arabic decimal separator, keycaps, combining marks.
      ["!bid 0\uFF0E5", m("bid")],
      ["!bid 0\u066B5", m("bid")],
      ["!bid 0\u00B75", m("bid")],
      ["!bid 1\uFE0F\u20E3", m("bid")],
      ["!bid 0.5\u0301", m("bid")],
      ["!bid 0.5\u0335", m("bid")],
      ["!bid \u0665", m("bid")],
      ["!bid \u09EB", m("bid")],
      ["!bid \u0F25", m("bid")],
      ["!bid \u1045", m("bid")],
      ["!bid \uFF15", m("bid")],
      ["!bid 0.5\u2028", m("bid")],
      ["!bid 0.5\u3000", m("bid")],
      // Control characters anywhere in the line.
      ["!bid\t0.5", m("bid")],
      ["!bid 0.5\r", m("bid")],
      ["!bid 0.5\n!bid 9", m("bid")],
      ["!bid 0.5\u0000", m("bid")],
      ["!bid\u00000.5", m("bid")],
      ["\u0001ACTION !bid 0.5\u0001", "ignored"],
      // The duplicate-message suffix is removed only as a trailing run (with ASCII blanks, any order).
      ["!bid 0.\u{E0000}5", m("bid")],
      ["!bid 0.\u034F5", m("bid")],
      ["!bid\u{E0000} 0.5", m("bid")],
      ["!bid \u034F0.5", m("bid")],
      ["!bid 0.5\u{E0000}\t", bidOf("0.5")],
      ["!bid 0.5\t\u{E0000}", bidOf("0.5")],
      ["!bid 0.5 \u034F\t \u{E0000}", bidOf("0.5")],
      ["!bid 0.5\u{E0000}\u{E0000}\u034F", bidOf("0.5")],
      ["!bid 0.5\u{E0001}", m("bid")],
      ["!bid\u{E0000}", m("bid")],
      // The command word: ASCII `!`, ASCII letters, nothing glued to it.
      ["!BID", m("bid")],
      ["!bid", m("bid")],
      ["!bid ", m("bid")],
      ["!bidmin", "ignored"],
      ["!bid0.5", m("bid")],
      ["!bid  min", { kind: "bid_min" }],
      ["!bid MiN", { kind: "bid_min" }],
      ["!bid min 0.5", m("bid")],
      ["!bid mín", m("bid")],
      ["!bid m\u0456n", m("bid")],
      ["! bid 0.5", "ignored"],
      ["!!bid 0.5", "ignored"],
      ["\uFF01bid 0.5", "ignored"],
      ["\uFE57bid 0.5", "ignored"],
      ["!\u0432id 0.5", "ignored"],
      ["!b\u03B9d 0.5", "ignored"],
      ["!bi\u0501 0.5", "ignored"],
      ["bid 0.5", "ignored"],
      ["/bid 0.5", "ignored"],
      // Link codes: only the dApp's alphabet (no 0/O/1/I), 6 to 10 characters, one word.
      ["!link abcd2345", { kind: "link", code: "ABCD2345" }],
      ["!link ABCDEFGHJK", { kind: "link", code: "ABCDEFGHJK" }],
      ["!link ABCDEFGHJKL", m("link")],
      ["!link ABCDE", m("link")],
      ["!link ABCDIO23", m("link")],
      ["!link abcd1234", m("link")],
      ["!link abc-2345", m("link")],
      ["!link ABCD 2345", m("link")],
      ["!link abcd2345!", m("link")],
      ["!link ABCD2345 ABCD2345", m("link")],
      ["!link", m("link")],
      ["!link \u0410BCD2345", m("link")],
      ["!link ABCD2345\u200B", m("link")],
      ["!link <script>", m("link")],
      ["!link ../../etc", m("link")],
      ["!link ABCD2345\u{E0000}", { kind: "link", code: "ABCD2345" }],
      // The other commands take no argument (or exactly theirs).
      ["!max 2", { kind: "max", amount: parseEther("2") }],
      ["!max 0", m("max")],
      ["!max .5", m("max")],
      ["!max -1", m("max")],
      ["!max 1e3", m("max")],
      ["!max  OFF", { kind: "max_off" }],
      ["!max off now", m("max")],
      ["!max of", m("max")],
      ["!max", m("max")],
      ["!maximum 2", "ignored"],
      ["!confirm", { kind: "confirm" }],
      ["!confirm now", m("confirm")],
      ["!confirm 0.5", m("confirm")],
      ["!CONFIRM\u{E0000}", { kind: "confirm" }],
      ["!unlink", { kind: "unlink" }],
      ["!unlink me", m("unlink")],
      ["!unlink\u00A0", m("unlink")],
      ["!un link", "ignored"],
      ["!mybids", { kind: "mybids" }],
      ["!MyBids", { kind: "mybids" }],
      ["!mybids all", m("mybids")],
      ["!my bids", "ignored"],
      ["!pausebids", { kind: "pause_bids" }],
      ["!pausebids now", m("pausebids")],
      ["!pause bids", "ignored"],
      ["!pause_bids", "ignored"],
      ["!resumebids\t", { kind: "resume_bids" }],
      ["!resumebids\u200B", m("resumebids")],
      ["!balance please", m("balance")],
      ["!lot\u200F", m("lot")],
      ["!help me", m("help")],
      // Long lines.
      [`!bid 0.5${"\u{E0000}".repeat(400)}`, bidOf("0.5")],
      [`!bid 0.5 ${"\t".repeat(400)}`, bidOf("0.5")],
      [`!bid ${"0".repeat(598)}1`, m("bid")],
      [`!link ${"A".repeat(600)}`, m("link")],
    ];
    const got = (text: string): Want => {
      const r = parseCommand(text);
      if (!r) return "ignored";
      return r.ok ? r.command : m(r.command);
    };
    assert.ok(table.length >= 150, `${table.length} cases`);
    for (const [text, want] of table) assert.deepEqual(got(text), want, JSON.stringify(text));
  });

  it("property: for random lines no parse throws, and a parsed amount is ASCII text written out in the line", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
    const heads = ["!bid ", "!max ", "!bid", "!BID ", " !bid ", "\t!max  ", "!link ", "!confirm", "!unlink", ""];
    const pieces = ["0", "1", "5", "9", ".", "..", ",", "e", "E", "x", "-", "+", "_", "eth", "ETH", " ", "  ", "\t", "min", "off", "0.5", "12.25", ".5", ".25", "00", "\u200B", "\u{E0000}", "\u034F", "\u00A0", "\uFF0E", "\u066B", "\uFF15", "\u0665", "\u0301", "\uFE0F\u20E3", "\r", "\n", "\u0000", "\uD800", "\uDC00"];
    let amounts = 0;
    for (let i = 0; i < 30_000; i++) {
      let line = pick(heads);
      const n = Math.floor(rnd() * 7);
      for (let j = 0; j < n; j++) line += rnd() < 0.15 ? String.fromCodePoint(Math.floor(rnd() * 0x10ffff) % 0xd800) : pick(pieces);
      let r: ReturnType<typeof parseCommand>;
      assert.doesNotThrow(() => {
        r = parseCommand(line);
      }, JSON.stringify(line));
      r = parseCommand(line);
      if (r?.ok && (r.command.kind === "bid" || r.command.kind === "max")) {
        amounts++;
        const text = formatEther(r.command.amount);
        assert.ok(line.includes(text), `${JSON.stringify(line)} -> ${text}`);
        // The amount is the one ASCII number in the line's argument, read exactly.
        const typed = normalize(line).split(" ").filter(Boolean)[1] ?? "";
        assert.equal(r.command.amount, parseEther(typed.replace(/eth$/i, "")), JSON.stringify(line));
        assert.match(normalize(line), /^[\x20-\x7E]+$/, JSON.stringify(line));
      }
    }
    assert.ok(amounts > 100, `${amounts} amounts parsed`);
  });

  it("parseAmount() rejects zero and out-of-range values", () => {
    assert.equal(parseAmount("0"), undefined);
    assert.equal(parseAmount("999999999999"), parseEther("999999999999"));
    assert.equal(parseAmount("1000000000000"), undefined);
  });
});

describe("batchReplies()", () => {
  const r = (id: string, to: string, body: string) => ({ id, reply: { channel: "c", to, body } });

  it("merges replies with the same text into one line with every mention once", () => {
    const lines = batchReplies([r("1", "a", "outbid by @c at 0.6 ETH"), r("2", "b", "outbid by @c at 0.6 ETH"), r("3", "a", "outbid by @c at 0.6 ETH")], { maxLength: 500, pack: false });
    assert.deepEqual(lines, [{ channel: "c", text: "@a @b outbid by @c at 0.6 ETH", ids: ["1", "2", "3"] }]);
  });

  it("packs different texts into lines of at most maxLength when busy", () => {
    const items = Array.from({ length: 30 }, (_, i) => r(String(i), `user${i}`, `reply number ${i} with some words`));
    const lines = batchReplies(items, { maxLength: 120, pack: true });
    assert.ok(lines.length < 30);
    assert.ok(lines.every((l) => l.text.length <= 120));
    assert.deepEqual(lines.flatMap((l) => l.ids).sort(), items.map((i) => i.id).sort(), "every reply is in exactly one line");
  });

  it("splits a long mention list over several lines", () => {
    const items = Array.from({ length: 60 }, (_, i) => r(String(i), `someone_long_name_${i}`, "outbid on lot #1 by @x at 1 ETH"));
    const lines = batchReplies(items, { maxLength: 200, pack: false });
    assert.ok(lines.length > 1);
    assert.ok(lines.every((l) => l.text.length <= 200));
    const mentioned = lines.flatMap((l) => l.text.match(/@someone_long_name_\d+/g) ?? []);
    assert.equal(mentioned.length, 60);
  });
});
