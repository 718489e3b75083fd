import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEther } from "viem";
import { normalize, parseAmount, parseCommand } from "../src/parse.ts";
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
      ["!bid .25", parseEther("0.25")],
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

  it("strips the invisible characters chat clients append to repeated messages", () => {
    for (const tail of [" \u{E0000}", "\u034F", " \u2800", "\u200B", "\uFEFF", "\u00A0"]) {
      assert.equal(bid(`!bid min${tail}`), "bid_min", JSON.stringify(tail));
      assert.equal(bid(`!bid 0.5${tail}`), parseEther("0.5"), JSON.stringify(tail));
    }
    assert.equal(normalize("!bid\u200B 0.5"), "!bid 0.5");
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
    const strict = /^!bid (?:(?:0|[1-9]\d{0,11})(?:\.\d{1,18})?|\.\d{1,18})(?: ?eth)?$/i;
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
