/**
 * Issue 19 §1, §3 (!max) and §5 (moderation), against a real node, Redis, the local chat server and
 * tmi.js: a chat bid lands only on the lot the bidder was watching (send time less the stream delay,
 * against the lots' real open/close times, extensions included), old lines never execute, a reconnect's
 * history skips deleted lines and lines of banned users, a far-above !max needs !confirm, and moderators
 * pause chat bidding.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { waitFor } from "@sothebais/common/testing";
import { parseEther } from "viem";
import { fromTags, readHistory } from "../src/chat.ts";
import type { Relayer } from "../src/relayer.ts";
import { keys } from "../src/store.ts";
import { type Harness, outcomeOf, registerUsers, startHarness, startInProcess, waitOutcome, waitReply } from "./helpers.ts";

const STREAM_DELAY_S = 20;
const MAX_LINE_AGE_S = 30;

describe("chat bids go to the lot on the bidder's screen (stream delay, age limit, history, moderation)", () => {
  let h: Harness;
  let relayer: Relayer;
  let users: Awaited<ReturnType<typeof registerUsers>>;
  const env = { STREAM_DELAY_S: String(STREAM_DELAY_S), MAX_LINE_AGE_S: String(MAX_LINE_AGE_S), CONFIRM_FACTOR: "10", RELAYER_INSTANCE: "relayer-stream-time" };
  const say = (i: number, text: string, extra: { sentAt?: number; mod?: boolean; id?: string } = {}) =>
    h.chat.say({ userId: users[i].userId, displayName: users[i].name, text, ...extra });
  const bidsOn = async (lotId: bigint) =>
    h.stack.publicClient.getContractEvents({ address: h.stack.auctionHouse, abi: auctionHouseAbi, eventName: "BidPlaced", args: { lotId }, fromBlock: 0n });
  const lotView = async (lotId: bigint) =>
    (await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "lot", args: [lotId] })) as { startTime: number; endTime: number };
  /** Chain time now (ms) less wall time now: the local node runs ahead after bursts and time jumps. */
  const chainOffsetMs = async () => (await h.stack.now()) * 1000 - Date.now();
  /** The wall-clock send time whose moment on screen (less the stream delay) is chain time `chainS`. */
  const sentAtFor = async (chainS: number) => chainS * 1000 - (await chainOffsetMs()) + STREAM_DELAY_S * 1000;
  /** The relayer reads the live lot in the background: ask !lot until it names this one. */
  const waitForLiveLot = (id: bigint) =>
    waitFor(async () => {
      const o = await waitOutcome(h.store, h.chat.say({ userId: "999", displayName: "watcher", text: "!lot" }).id);
      return o.kind === "answer" && o.text.startsWith(`lot #${id}:`);
    }, { what: `lot #${id} live for the relayer`, intervalMs: 200 });

  before(async () => {
    h = await startHarness();
    users = await registerUsers(h, 3, 20, { maxBid: parseEther("50"), totalCap: parseEther("500"), deposit: parseEther("100") });
    relayer = await startInProcess(h, env);
  });
  after(async () => {
    await relayer?.stop();
    await h?.stop();
  });

  it("a bid typed while lot A was on screen and handled after A closed is answered, never placed on the next lot", { timeout: 120_000 }, async () => {
    const lotA = await h.stack.mintAndCreateLot({ reserve: parseEther("0.1"), duration: 60 });
    const a = await lotView(lotA);
    await h.stack.increaseTime(61); // A closes...
    const lotB = await h.stack.mintAndCreateLot({ reserve: parseEther("0.1"), duration: 100 }); // ...and B opens
    await waitForLiveLot(lotB);
    // Sent 5 s ago in wall time: with the 20 s delay, the bidder was watching A, 35 s into it.
    const sentAt = await sentAtFor(a.startTime + 35);
    assert.ok(Date.now() - sentAt < MAX_LINE_AGE_S * 1000, "inside the age limit: only the lot decides");
    const m = say(0, "!bid 0.5", { sentAt });
    assert.deepEqual(await waitOutcome(h.store, m.id), { kind: "lot_closed", lotId: String(lotA), live: String(lotB) });
    await waitReply(h.chat, users[0].name, new RegExp(`lot #${lotA} closed before your bid arrived; lot #${lotB} is open: say !bid again`));
    assert.equal((await bidsOn(lotB)).length, 0, "nothing placed on B");
    assert.equal((await bidsOn(lotA)).length, 0, "nor on A");

    // 30 s into B on the bidder's screen: the bid is B's.
    await h.stack.increaseTime(30);
    const b = await lotView(lotB);
    const onB = say(0, "!bid 0.5", { sentAt: await sentAtFor(b.startTime + 10) });
    const placed = await waitOutcome(h.store, onB.id);
    assert.equal(placed.kind, "placed", JSON.stringify(placed));
    assert.equal(placed.kind === "placed" && placed.lotId, String(lotB));
  });

  it("a bid typed before the live lot opened on the bidder's stream (between lots) is answered, not placed", { timeout: 120_000 }, async () => {
    await h.stack.increaseTime(101); // B closes
    await h.stack.increaseTime(60); // a pause between lots
    const lotC = await h.stack.mintAndCreateLot({ reserve: parseEther("0.1"), duration: 300 });
    await waitForLiveLot(lotC);
    // Typed just now: 20 s ago on the bidder's screen, C had not opened.
    const m = say(1, "!bid 0.5");
    assert.deepEqual(await waitOutcome(h.store, m.id), { kind: "not_open_yet", lotId: String(lotC) });
    await waitReply(h.chat, users[1].name, new RegExp(`lot #${lotC} was not open yet on your stream`));
    assert.equal((await bidsOn(lotC)).length, 0);
    // Once C has been on screen for a while, the same line is a bid on C.
    await h.stack.increaseTime(STREAM_DELAY_S + 5);
    const later = say(1, "!bid 0.5");
    const o = await waitOutcome(h.store, later.id);
    assert.equal(o.kind === "placed" && o.lotId, String(lotC), JSON.stringify(o));
  });

  it("uses the lot's end time with extensions: a bid seen during a late-bid extension is placed on that lot", { timeout: 120_000 }, async () => {
    await h.stack.increaseTime(301); // C closes
    // A long time buffer keeps E open for the next tests too.
    const lotE = await h.stack.mintAndCreateLot({ reserve: parseEther("0.01"), duration: 100, timeBuffer: 600 });
    await h.stack.increaseTime(90);
    await h.stack.bid(12, lotE, parseEther("0.2")); // within the buffer: the end moves
    const e = await lotView(lotE);
    assert.ok(e.endTime > e.startTime + 100, "extended");
    await h.stack.increaseTime(40);
    await waitForLiveLot(lotE);
    // On screen 105 s into E: past its original end, inside the extension.
    const m = say(2, "!bid 0.5", { sentAt: await sentAtFor(e.startTime + 105) });
    const o = await waitOutcome(h.store, m.id);
    assert.equal(o.kind === "placed" && o.lotId, String(lotE), JSON.stringify(o));
  });

  it("a far-above !max asks for !confirm like !bid does, and is set once confirmed", { timeout: 60_000 }, async () => {
    const set = say(2, "!max 40");
    const asked = await waitOutcome(h.store, set.id);
    assert.equal(asked.kind, "confirm_needed");
    assert.equal(asked.kind === "confirm_needed" && asked.max, true);
    await waitReply(h.chat, users[2].name, /a !max of 40 ETH is 10x the current price or more: type !confirm within 30 s to set it/);
    assert.equal(await h.store.hget(keys.proxies, users[2].userId), null, "not set before !confirm");
    const c = say(2, "!confirm");
    const o = await waitOutcome(h.store, c.id);
    assert.equal(o.kind, "max_set");
    const record = JSON.parse((await h.store.hget(keys.proxies, users[2].userId)) ?? "{}") as { ceiling?: string };
    assert.equal(record.ceiling, String(parseEther("40")));
    const off = say(2, "!max off");
    assert.equal((await waitOutcome(h.store, off.id)).kind, "max_off");
    // A ceiling near the price is set at once.
    const near = say(2, "!max 1");
    assert.equal((await waitOutcome(h.store, near.id)).kind, "max_set");
    await waitOutcome(h.store, say(2, "!max off").id);
  });

  it("moderators pause and resume chat bidding; non-moderators are refused; /health shows it", { timeout: 60_000 }, async () => {
    const nope = say(1, "!pausebids");
    assert.deepEqual(await waitOutcome(h.store, nope.id), { kind: "not_moderator" });
    await waitReply(h.chat, users[1].name, /only moderators can pause/);
    assert.equal((await relayer.health()).chatBidding?.paused, false);

    const pause = say(0, "!pausebids", { mod: true });
    assert.deepEqual(await waitOutcome(h.store, pause.id), { kind: "bids_pause_set", paused: true });
    await waitReply(h.chat, users[0].name, /chat bidding paused/);
    const health = (await (await relayer.app.request("/health")).json()) as { chatBidding: { paused: boolean; by: string } };
    assert.equal(health.chatBidding.paused, true);
    assert.equal(health.chatBidding.by, users[0].name);

    const lot = (await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "lotCount" })) as bigint;
    const before = (await bidsOn(lot)).length;
    const bid = say(1, "!bid min");
    assert.deepEqual(await waitOutcome(h.store, bid.id), { kind: "bids_paused" });
    await waitReply(h.chat, users[1].name, /chat bidding is paused by the moderators/);
    const max = say(1, "!max 2");
    assert.deepEqual(await waitOutcome(h.store, max.id), { kind: "bids_paused" });
    assert.equal((await bidsOn(lot)).length, before, "nothing placed while paused");

    const resume = say(0, "!resumebids", { mod: true });
    assert.deepEqual(await waitOutcome(h.store, resume.id), { kind: "bids_pause_set", paused: false });
    assert.equal((await relayer.health()).chatBidding?.paused, false);
    const again = say(1, "!bid min");
    assert.equal((await waitOutcome(h.store, again.id)).kind, "placed");
  });

  it("broadcaster and moderator badges make a moderator; a plain viewer is not one", () => {
    const tags = (badges: Record<string, string> | string | null, mod?: boolean) => ({ id: "x", "user-id": "1", badges, mod, "tmi-sent-ts": "1000" });
    assert.equal(fromTags("#c", tags({ broadcaster: "1" }), "!pausebids")?.isMod, true);
    assert.equal(fromTags("#c", tags({ moderator: "1" }), "!pausebids")?.isMod, true);
    assert.equal(fromTags("#c", tags({ subscriber: "12" }), "!pausebids")?.isMod, false);
    assert.equal(fromTags("#c", tags(null), "!pausebids")?.isMod, false);
  });

  it("lines older than the age limit never execute, live or from history; deleted lines and banned users' lines are skipped after a reconnect", { timeout: 180_000 }, async () => {
    await h.stack.increaseTime(700); // E closes
    // Reserve 1: the bids below stay under CONFIRM_FACTOR x the price.
    const lot = await h.stack.mintAndCreateLot({ reserve: parseEther("1"), duration: 3600 });
    await h.stack.increaseTime(STREAM_DELAY_S + 30);
    await waitForLiveLot(lot);
    // Live: a line whose send time is past the limit (a backlog) is answered, not placed.
    const stale = say(0, "!bid 1", { sentAt: Date.now() - (MAX_LINE_AGE_S + 5) * 1000 });
    assert.deepEqual(await waitOutcome(h.store, stale.id), { kind: "too_old", maxAgeS: MAX_LINE_AGE_S });
    await waitReply(h.chat, users[0].name, /more than 30 s after you sent it, so nothing was done/);

    // While the relayer is away: an old line, a line deleted by a moderator, a line of a user then timed
    // out, and one good line. Each is in the chat's recent-messages history.
    await relayer.stop();
    const old = say(0, "!bid 2", { sentAt: Date.now() - (MAX_LINE_AGE_S + 20) * 1000 });
    const deleted = say(1, "!bid 3");
    h.chat.deleteMessage({ id: deleted.id });
    const banned = say(2, "!bid 4");
    h.chat.ban({ userId: users[2].userId, duration: 600 });
    const good = say(0, "!bid 5");
    relayer = await startInProcess(h, env);

    const placed = await waitOutcome(h.store, good.id, 60_000);
    assert.equal(placed.kind === "placed" && placed.amount, String(parseEther("5")), JSON.stringify(placed));
    assert.deepEqual(await waitOutcome(h.store, old.id), { kind: "too_old", maxAgeS: MAX_LINE_AGE_S });
    // The good line is handled after the others (history order): they would have an outcome by now.
    assert.equal(await outcomeOf(h.store, deleted.id), undefined, "deleted line never handled");
    assert.equal(await outcomeOf(h.store, banned.id), undefined, "banned user's line never handled");
    assert.equal(await h.store.exists(keys.banned(users[2].userId)), 1, "the timeout from history is recorded");
    const amounts = (await bidsOn(lot)).map((e) => (e.args as { amount: bigint }).amount);
    assert.deepEqual(amounts, [parseEther("5")], "only the good line was placed");
  });

  it("a replay after Redis lost its state places nothing twice (the chain is the record that survives)", { timeout: 120_000 }, async () => {
    const lot = (await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "lotCount" })) as bigint;
    const bid = say(1, "!bid min");
    const placed = await waitOutcome(h.store, bid.id);
    assert.equal(placed.kind, "placed", JSON.stringify(placed));
    const mine = async () => (await bidsOn(lot)).filter((e) => (e.args as { bidder: string }).bidder === users[1].address);
    assert.equal((await mine()).length, 1);
    // Redis loses everything (no persistence, a new instance): seen-keys, outcomes, streams.
    await relayer.stop();
    await h.store.flushall();
    relayer = await startInProcess(h, env);
    // The history replays the line (it is inside the age limit); a fresh !bid min would bid again.
    const again = await waitOutcome(h.store, bid.id, 60_000);
    assert.deepEqual(again, { kind: "maybe_placed", lotId: String(lot) });
    await waitReply(h.chat, users[1].name, /may have been placed already/);
    assert.equal((await mine()).length, 1, "placed once");
    // A new line is a bid as usual.
    const fresh = say(1, "!bid min");
    assert.equal((await waitOutcome(h.store, fresh.id)).kind, "placed");
  });

  it("readHistory(): CLEARMSG, rm-deleted and CLEARCHAT (user or whole chat) remove lines sent before them", () => {
    const now = 1_000_000;
    const msg = (id: string, user: string, at: number, extra = "") => `@id=${id};user-id=${user};tmi-sent-ts=${at}${extra} :u${user}!u${user}@u${user}.tmi.twitch.tv PRIVMSG #c :!bid 1`;
    const h2 = readHistory([
      msg("a", "1", now - 9000),
      msg("b", "2", now - 8000),
      msg("c", "3", now - 7000, ";rm-deleted=1"),
      `@target-msg-id=b;tmi-sent-ts=${now - 7500} :tmi.twitch.tv CLEARMSG #c :!bid 1`,
      `@target-user-id=1;ban-duration=60;tmi-sent-ts=${now - 6000} :tmi.twitch.tv CLEARCHAT #c :u1`,
      msg("d", "1", now - 5000),
      msg("e", "4", now - 4000),
      `@target-user-id=5;ban-duration=1;tmi-sent-ts=${now - 3500} :tmi.twitch.tv CLEARCHAT #c :u5`,
      msg("f", "bot", now - 3000).replace(":ubot!", ":sothebais_bot!"),
      `@tmi-sent-ts=${now - 2000} :tmi.twitch.tv CLEARCHAT #c`,
      msg("g", "6", now - 1000),
    ], "c", "sothebais_bot", now);
    assert.deepEqual(h2.messages.map((m) => m.id), ["g"]);
    assert.deepEqual(h2.deleted, ["b"]);
    assert.deepEqual(h2.bans, [{ userId: "1", durationS: 54 }], "the expired 1 s timeout is not re-applied");
    assert.equal(h2.skipped, 5, "a, b, c, d, e (the bot's own line is not counted)");
  });
});
