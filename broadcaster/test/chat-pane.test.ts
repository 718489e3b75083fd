import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChatLine } from "@sothebais/common/channels";
import { moderationEvent, parseIrcLine } from "../src/chat-moderation.ts";
import { carriesLinkCode, createChatPane } from "../src/chat-pane.ts";
import { chatBidsPausedIn } from "../src/relayer-status.ts";

const T = 1_700_000_000_000;
const line = (id: string, userId: string, text: string, sentAt = T): ChatLine => ({ id, userId, displayName: `u${userId}`, text, sentAt, isMod: false, fromBot: false });

describe("chat pane model", () => {
  it("drops deleted lines, and a line whose deletion arrived first", () => {
    const pane = createChatPane({ now: () => T });
    pane.add(line("a", "1", "hi"));
    pane.deleteMessage("a");
    pane.deleteMessage("b");
    assert.equal(pane.add(line("b", "1", "late")), false);
    assert.deepEqual(pane.rows(), []);
  });

  it("a ban removes the user's lines up to the ban; lines sent after it (unbanned, timeout over) show", () => {
    const pane = createChatPane({ now: () => T + 10_000 });
    pane.add(line("a", "1", "one", T));
    pane.add(line("b", "2", "other", T));
    pane.banUser("1", T + 5000);
    assert.deepEqual(pane.lines().map((l) => l.id), ["b"]);
    assert.equal(pane.add(line("c", "1", "in flight", T + 4000)), false);
    assert.equal(pane.add(line("d", "1", "after", T + 6000)), true);
    pane.clear(T + 7000);
    assert.deepEqual(pane.rows(), []);
  });

  it("keeps the rows array while nothing changes (the renderer keys on it)", () => {
    const pane = createChatPane({ now: () => T });
    pane.add(line("a", "1", "hi"));
    const rows = pane.rows();
    pane.deleteMessage("zzz");
    assert.equal(pane.rows(), rows);
  });

  it("never shows a line older than its tombstones are kept, nor more than its capacity", () => {
    const pane = createChatPane({ now: () => T, retentionMs: 60_000, capacity: 2 });
    assert.equal(pane.add(line("old", "1", "replayed", T - 61_000)), false);
    for (const id of ["a", "b", "c"]) pane.add(line(id, "1", id));
    assert.deepEqual(pane.lines().map((l) => l.id), ["b", "c"]);
  });

  it("carriesLinkCode() sees !link with a code through case, fullwidth, Kelvin sign and invisible characters", () => {
    for (const t of ["!link AB12", "!LINK AB12", "\u200b!link AB12", "！ｌｉｎｋ AB12", "!lin\u212a AB12", "code !link AB12", "! link AB12"]) assert.ok(carriesLinkCode(t), t);
    for (const t of ["!link", "how do I link?", "!bid 0.5", "!unlink"]) assert.ok(!carriesLinkCode(t), t);
  });
});

describe("chat moderation lines (IRC)", () => {
  it("reads CLEARMSG, CLEARCHAT with and without a user, and a timeout's duration", () => {
    const ev = (raw: string) => {
      const m = parseIrcLine(raw);
      return m && moderationEvent(m, 5);
    };
    assert.deepEqual(ev("@login=bob;room-id=;target-msg-id=abc-123;tmi-sent-ts=42 :tmi.twitch.tv CLEARMSG #chan :hello"), { kind: "delete", msgId: "abc-123" });
    assert.deepEqual(ev("@room-id=1;target-user-id=99;tmi-sent-ts=42 :tmi.twitch.tv CLEARCHAT #chan :bob"), { kind: "ban", userId: "99", at: 42 });
    assert.deepEqual(ev("@ban-duration=600;room-id=1;target-user-id=99;tmi-sent-ts=42 :tmi.twitch.tv CLEARCHAT #chan :bob"), { kind: "ban", userId: "99", at: 42, durationS: 600 });
    assert.deepEqual(ev("@room-id=1;tmi-sent-ts=42 :tmi.twitch.tv CLEARCHAT #chan"), { kind: "clear", at: 42 });
    assert.equal(ev("@id=x :bob!bob@bob.tmi.twitch.tv PRIVMSG #chan :hi"), null);
  });
});

describe("relayer health", () => {
  it("chat bids are paused by a moderator's !pausebids or by the relayer's low balance", () => {
    assert.equal(chatBidsPausedIn({ chatBidding: { paused: true } }), true);
    assert.equal(chatBidsPausedIn({ relayer: { bidsPaused: true }, chatBidding: null }), true);
    assert.equal(chatBidsPausedIn({ relayer: { bidsPaused: false }, chatBidding: { paused: false } }), false);
    assert.equal(chatBidsPausedIn("nope"), false);
  });
});
