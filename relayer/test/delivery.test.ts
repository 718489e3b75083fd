/**
 * Replies chat refuses are said again, not lost: the local chat server answers like Twitch (NOTICE
 * msg_ratelimit past the account's limit, msg_duplicate for a line identical to the previous one), and
 * every command still gets its reply in chat. The bot here is not a moderator and the relayer's own
 * limiter allows more than chat does (a bot that lost its badge, or a limit configured too high).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitFor } from "@sothebais/common/testing";
import type { Relayer } from "../src/relayer.ts";
import { groups, keys } from "../src/store.ts";
import { type Harness, repliesTo, startHarness, startInProcess, waitOutcome, waitReply } from "./helpers.ts";

describe("behavior: replies chat refuses are delivered later", () => {
  let h: Harness;
  let relayer: Relayer;

  before(async () => {
    h = await startHarness({ chat: { mods: [], rateLimit: { limit: 3, modLimit: 3, windowMs: 3000 } } });
    relayer = await startInProcess(h, { CHAT_RATE_LIMIT: "100" });
  });
  after(async () => {
    await relayer?.stop();
    await h?.stop();
  });

  it("msg_ratelimit: every reply reaches chat after a back-off, none is lost", { timeout: 120_000 }, async () => {
    const users = Array.from({ length: 8 }, (_, i) => ({ userId: String(7100 + i), name: `fast${i}` }));
    // One at a time, so that each reply is its own line (not packed) and the account's 3 lines per 3 s overflow.
    for (const u of users) await waitOutcome(h.store, h.chat.say({ userId: u.userId, displayName: u.name, text: "!help" }).id);
    for (const u of users) await waitReply(h.chat, u.name, /commands:/, 60_000);
    assert.ok(h.chat.stats().rateLimited > 0, "chat refused some lines");
    await waitFor(async () => ((await h.store.xpending(keys.outbox, groups.chat)) as [number])[0] === 0, { timeoutMs: 30_000, what: "outbox drained" });
  });

  it("msg_duplicate: a reply identical to the previous line is said again, changed", { timeout: 120_000 }, async () => {
    const before = h.chat.stats().duplicates;
    // The second once the first is in chat (two pending at once would be one line with one mention).
    h.chat.say({ userId: "7200", displayName: "twice", text: "!help" });
    await waitReply(h.chat, "twice", /commands:/, 60_000);
    h.chat.say({ userId: "7200", displayName: "twice", text: "!help" });
    await waitFor(() => repliesTo(h.chat, "twice").length === 2, { timeoutMs: 60_000, what: "both replies in chat" });
    assert.ok(h.chat.stats().duplicates > before, "chat refused the identical line once");
    const [first, second] = repliesTo(h.chat, "twice");
    assert.notEqual(first, second);
    assert.equal(second.replace(/[\s\u{E0000}]+$/u, ""), first);
  });
});
