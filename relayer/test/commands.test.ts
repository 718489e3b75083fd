import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitFor } from "@sothebais/common/testing";
import { formatEther, parseEther } from "viem";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { chatIdHash } from "../src/chain.ts";
import { wrongChatAccount } from "../src/links.ts";
import type { Relayer } from "../src/relayer.ts";
import { keys } from "../src/store.ts";
import { type Harness, linkUser, outcomeOf, repliesTo, startHarness, startInProcess, waitOutcome, waitReply } from "./helpers.ts";

describe("relayer commands (real node, Redis, tmi.js over the local chat)", () => {
  let h: Harness;
  let relayer: Relayer;
  let lotId: bigint;
  const request = (req: Request) => relayer.app.request(req) as Promise<Response>;
  /** The relayer caches the live lot briefly: ask !lot until it names the new one. */
  const waitForLiveLot = (id: bigint) =>
    waitFor(async () => {
      const o = await waitOutcome(h.store, say("999", "watcher", "!lot").id);
      return o.kind === "answer" && o.text.startsWith(`lot #${id}:`);
    }, { what: `lot #${id} live for the relayer`, intervalMs: 200 });
  const say = (userId: string, name: string, text: string) => h.chat.say({ userId, displayName: name, text });

  before(async () => {
    h = await startHarness();
    relayer = await startInProcess(h);
  });
  after(async () => {
    await relayer?.stop();
    await h?.stop();
  });

  it("answers !help and !lot with no lot live", async () => {
    const help = say("100", "viewer", "!help");
    assert.equal((await waitOutcome(h.store, help.id)).kind, "answer");
    await waitReply(h.chat, "viewer", /commands: !bid/);
    const lot = say("100", "viewer", "!LOT");
    await waitOutcome(h.store, lot.id);
    await waitReply(h.chat, "viewer", /no lot is live/);
  });

  it("tells an unlinked user how to link", async () => {
    const m = say("101", "stranger", "!bid 0.1");
    assert.deepEqual(await waitOutcome(h.store, m.id), { kind: "not_linked" });
    await waitReply(h.chat, "stranger", /not linked yet.*!link CODE/);
  });

  it("POST /link rejects a wrong relayer, a bad signature and an expired authorization", async () => {
    const expiry = BigInt((await h.stack.now()) + 3600);
    const post = (body: unknown) => request(new Request("http://r/link", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
    const asJson = (s: Awaited<ReturnType<typeof h.stack.signChatAuthorization>>) => ({ authorization: Object.fromEntries(Object.entries(s.authorization).map(([k, v]) => [k, String(v)])), signature: s.signature });
    const wrong = await h.stack.signChatAuthorization(5, { maxBid: 1n, totalCap: 2n, expiry, relayer: h.stack.address(9) });
    let res = await post(asJson(wrong));
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /wrong relayer/);
    const good = await h.stack.signChatAuthorization(5, { maxBid: 1n, totalCap: 2n, expiry });
    const forged = asJson(good);
    forged.authorization.maxBid = "2";
    res = await post(forged);
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /bad signature/);
    const old = await h.stack.signChatAuthorization(5, { maxBid: 1n, totalCap: 2n, expiry: 1000n });
    res = await post(asJson(old));
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /expired/);
    res = await post({ nope: 1 });
    assert.equal(res.status, 400);
  });

  it("!link with an unknown code is refused, and guessing is rate-limited", async () => {
    const m = say("102", "guesser", "!link ABCDEFGH");
    assert.equal((await waitOutcome(h.store, m.id)).kind, "bad_code");
    for (let i = 0; i < 5; i++) await waitOutcome(h.store, say("102", "guesser", `!link ABCDEFG${"JKLMN"[i]}`).id);
    const last = say("102", "guesser", "!link ABCDEFGZ");
    assert.equal((await waitOutcome(h.store, last.id)).kind, "rate_limited");
  });

  it("links a user end to end: code from /link, !link in chat, authorization registered on chain, code single-use", async () => {
    const bidder = await linkUser(h, request, 4, "200", "alice");
    await waitReply(h.chat, "alice", /linked ✔/);
    const auth = await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "authorizationOf", args: [bidder] });
    assert.equal((auth as { chatIdHash: string }).chatIdHash, chatIdHash("200"));
    assert.equal(await h.store.hget(keys.users, chatIdHash("200")), bidder);
    assert.equal(await h.store.hget("sothebais:chat:names", chatIdHash("200")), "alice");
    await linkUser(h, request, 5, "201", "bob");
    await linkUser(h, request, 6, "202", "carol", { maxBid: parseEther("0.5"), totalCap: parseEther("0.6") });
    await linkUser(h, request, 7, "203", "dave", { deposit: parseEther("0.05") });
  });

  it("refuses a leaked link (signed for another chat account), registers nothing, and the code is dead after that first try", async () => {
    // Account 15 signs for chat user 300; the code (or the signed body) leaks and user 301 types it first.
    await h.stack.deposit(15, parseEther("1"));
    const expiry = BigInt((await h.stack.now()) + 3600);
    const signed = await h.stack.signChatAuthorization(15, { maxBid: parseEther("0.5"), totalCap: parseEther("1"), expiry, chatId: "twitch:300" });
    const body = JSON.stringify({ authorization: Object.fromEntries(Object.entries(signed.authorization).map(([k, v]) => [k, String(v)])), signature: signed.signature });
    const res = await request(new Request("http://r/link", { method: "POST", headers: { "content-type": "application/json" }, body }));
    assert.equal(res.status, 200);
    const { code } = (await res.json()) as { code: string };
    const thief = say("301", "mallory", `!link ${code}`);
    assert.deepEqual(await waitOutcome(h.store, thief.id), { kind: "link_failed", reason: wrongChatAccount });
    await waitReply(h.chat, "mallory", /this link was signed for another chat account/);
    // Nothing on chain: no authorization, the nonce unused; nothing in the relayer's maps.
    const bidder = h.stack.address(15);
    const auth = (await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "authorizationOf", args: [bidder] })) as { relayer: string; chatIdHash: string };
    assert.equal(auth.chatIdHash, `0x${"0".repeat(64)}`);
    assert.equal(await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "nonces", args: [bidder] }), 0n);
    assert.equal(await h.store.hget(keys.users, chatIdHash("301")), null);
    assert.equal(await h.store.hget(keys.chatBidders, bidder.toLowerCase()), null);
    const registered = await h.stack.publicClient.getContractEvents({ address: h.stack.auctionHouse, abi: auctionHouseAbi, eventName: "ChatAuthorizationRegistered", args: { bidder }, fromBlock: 0n });
    assert.equal(registered.length, 0);
    // The code was used up by that first (failed) try: the rightful user 300 gets "unknown code" too.
    const late = say("300", "rightful", `!link ${code}`);
    assert.equal((await waitOutcome(h.store, late.id)).kind, "bad_code");
    assert.equal(await h.store.hget(keys.users, chatIdHash("300")), null);
  });

  it("re-linking a wallet from another chat account removes the previous chat account", async () => {
    const bidder = await linkUser(h, request, 16, "310", "oldacct");
    assert.equal(await h.store.hget(keys.users, chatIdHash("310")), bidder);
    await linkUser(h, request, 16, "311", "newacct");
    assert.equal(await h.store.hget(keys.users, chatIdHash("310")), null);
    assert.equal(await h.store.hget(keys.users, chatIdHash("311")), bidder);
    assert.equal(JSON.parse((await h.store.hget(keys.chatBidders, bidder.toLowerCase())) as string).chatIdHash, chatIdHash("311"));
    const auth = (await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "authorizationOf", args: [bidder] })) as { chatIdHash: string };
    assert.equal(auth.chatIdHash, chatIdHash("311"));
    const stale = say("310", "oldacct", "!bid 0.1");
    assert.deepEqual(await waitOutcome(h.store, stale.id), { kind: "not_linked" });
  });

  it("answers not live before a lot starts", async () => {
    const m = say("200", "alice", "!bid 0.1");
    assert.deepEqual(await waitOutcome(h.store, m.id), { kind: "not_live" });
  });

  it("places a bid and replies with the tx", async () => {
    lotId = await h.stack.mintAndCreateLot({ reserve: parseEther("0.05"), duration: 3600 });
    const m = say("200", "alice", "!bid 0.1");
    const o = await waitOutcome(h.store, m.id);
    assert.equal(o.kind, "placed");
    const lot = (await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "lot", args: [lotId] })) as { amount: bigint; bidder: string };
    assert.equal(lot.amount, parseEther("0.1"));
    assert.equal(lot.bidder, h.stack.address(4));
    await waitReply(h.chat, "alice", /bid of 0\.1 ETH on lot #\d+ placed/);
  });

  it("rejects a bid below the minimum with the minimum", async () => {
    const m = say("201", "bob", "!bid 0.101");
    const o = await waitOutcome(h.store, m.id);
    assert.deepEqual(o, { kind: "too_low", lotId: String(lotId), minimum: String(parseEther("0.105")) });
    await waitReply(h.chat, "bob", /minimum next bid on lot #\d+ is 0\.105 ETH/);
  });

  it("!bid min bids the minimum rounded up to an amount people can say, twice in a row with the invisible character chat clients append", async () => {
    const a = say("201", "bob", "!bid min");
    assert.equal((await waitOutcome(h.store, a.id)).kind, "placed");
    const b = say("200", "alice", "!bid min \u{E0000}");
    const o = await waitOutcome(h.store, b.id);
    assert.equal(o.kind, "placed");
    // 0.105 ETH plus 5% is 0.11025 on chain: chat bids 0.111.
    assert.equal(o.kind === "placed" && o.amount, String(parseEther("0.111")));
    // The bidding war: at 0.3362625 the chain's minimum is 0.353075625, and !bid min bids 0.354.
    await h.stack.bid(8, lotId, parseEther("0.3362625"));
    await waitFor(async () => {
      const lot = await waitOutcome(h.store, say("999", "watcher", "!lot").id);
      return lot.kind === "answer" && lot.text.includes("minimum next bid 0.353075625 ETH");
    }, { what: "the relayer sees the wallet bid", intervalMs: 200 });
    const c = say("201", "bob", "!bid min");
    const placed = await waitOutcome(h.store, c.id);
    assert.equal(placed.kind === "placed" && placed.amount, String(parseEther("0.354")));
  });

  it("rejects malformed amounts with the syntax and places nothing", async () => {
    for (const text of ["!bid 1,5", "!bid 1e18", "!bid 0x10", "!bid -1", "!bid .", "!bid 0.5 0.6"]) {
      const m = say("200", "alice", text);
      assert.equal((await waitOutcome(h.store, m.id)).kind, "malformed", text);
    }
    await waitReply(h.chat, "alice", /usage: !bid <amount in ETH/);
  });

  it("asks for !confirm far above the price, and places it on !confirm", async () => {
    const m = say("201", "bob", "!bid 4");
    assert.equal((await waitOutcome(h.store, m.id)).kind, "confirm_needed");
    await waitReply(h.chat, "bob", /type !confirm within 30 s/);
    const c = say("201", "bob", "!confirm");
    const o = await waitOutcome(h.store, c.id);
    assert.equal(o.kind, "placed");
    const again = say("201", "bob", "!confirm");
    assert.equal((await waitOutcome(h.store, again.id)).kind, "nothing_to_confirm");
  });

  it("maps caps and escrow reverts to replies", async () => {
    // carol: per-bid cap 0.5; dave: escrow 0.05.
    const over = say("202", "carol", "!bid 4.3");
    assert.deepEqual(await waitOutcome(h.store, over.id), { kind: "over_max_bid", maximum: String(parseEther("0.5")) });
    await waitReply(h.chat, "carol", /per-bid cap of 0\.5 ETH/);
    const poor = say("203", "dave", "!bid 4.3");
    const o = await waitOutcome(h.store, poor.id);
    assert.equal(o.kind, "insufficient_escrow");
    await waitReply(h.chat, "dave", /not enough escrow/);
  });

  it("answers !balance from the chain, and !mybids (an indexer read) says it needs the indexer", async () => {
    const b = say("201", "bob", "!balance");
    await waitOutcome(h.store, b.id);
    await waitReply(h.chat, "bob", /escrow .* ETH .*per-bid cap 5\.0? ?ETH|escrow .*per-bid cap 5 ETH/);
    // This suite runs without an indexer; indexer.test.ts reads a real one.
    const m = say("200", "alice", "!mybids");
    await waitOutcome(h.store, m.id);
    await waitReply(h.chat, "alice", /!mybids is not available on this relayer \(no indexer\)/);
  });

  it("ignores bids from banned users and deleted messages", async () => {
    h.chat.ban({ userId: "202", duration: 600 });
    await waitFor(() => h.store.exists(keys.banned("202")), { what: "ban recorded" });
    const m = say("202", "carol", "!bid 4.5");
    assert.deepEqual(await waitOutcome(h.store, m.id), { kind: "ignored", reason: "banned" });
    await h.store.set(keys.deleted("deleted-1"), "1");
    h.chat.say({ userId: "200", displayName: "alice", text: "!bid 4.6", id: "deleted-1" });
    assert.deepEqual(await waitOutcome(h.store, "deleted-1"), { kind: "ignored", reason: "deleted" });
  });

  it("rate-limits a user who floods commands", async () => {
    await h.store.set(keys.rateUser("204"), "5000", "EX", 10);
    const m = say("204", "flooder", "!lot");
    assert.equal((await waitOutcome(h.store, m.id)).kind, "rate_limited");
    await waitReply(h.chat, "flooder", /slow down/);
  });

  it("coalesces a burst on one lot: only the highest lands, the others are told who outbid them", async () => {
    const lot = await h.stack.mintAndCreateLot({ reserve: parseEther("0.05"), duration: 1700 });
    await waitForLiveLot(lot);
    const names = ["alice", "bob"] as const;
    const ids = ["200", "201"];
    // Each 6 % above the last: every bid is valid on its own, so the last (highest) must end on top.
    const amounts = Array.from({ length: 8 }, (_, i) => (0.1 * 1.06 ** i).toFixed(4));
    const sent = amounts.map((a, i) => say(ids[i % 2], names[i % 2], `!bid ${a}`));
    const outcomes = await Promise.all(sent.map((m) => waitOutcome(h.store, m.id)));
    assert.ok(outcomes.every((o) => ["placed", "outbid"].includes(o.kind)), JSON.stringify(outcomes));
    const placed = outcomes.filter((o) => o.kind === "placed");
    assert.ok(placed.length < 8, "some bids were coalesced");
    assert.equal(outcomes.at(-1)?.kind, "placed");
    const onChain = (await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "lot", args: [lot] })) as { amount: bigint };
    assert.equal(onChain.amount, parseEther(amounts.at(-1) as string));
    const events = await h.stack.publicClient.getContractEvents({ address: h.stack.auctionHouse, abi: auctionHouseAbi, eventName: "BidPlaced", args: { lotId: lot }, fromBlock: 0n });
    assert.equal(events.length, placed.length, "one bid on chain per placed outcome");
    const loser = outcomes.findIndex((o) => o.kind === "outbid");
    await waitReply(h.chat, names[loser % 2], /outbid on lot #\d+ by @(alice|bob) at/);
  });

  it("tells a chat bidder once in chat when a wallet outbids them", async () => {
    const lot = await h.stack.mintAndCreateLot({ reserve: parseEther("0.05"), duration: 1600 });
    await waitForLiveLot(lot);
    assert.equal((await waitOutcome(h.store, say("200", "alice", "!bid 0.1").id)).kind, "placed");
    const wallet = h.stack.address(12);
    await h.stack.bid(12, lot, parseEther("0.3"));
    const notice = new RegExp(`@alice outbid on lot #${lot} by ${wallet.slice(0, 6)}…${wallet.slice(-4)} at 0\\.3 ETH`);
    await waitReply(h.chat, "alice", notice);
    // The watcher polls every 250 ms: several polls later there is still exactly one notice.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(repliesTo(h.chat, "alice").filter((t) => notice.test(t)).length, 1);
  });

  it("is paused with the contract", async () => {
    await h.stack.wallet(0).writeContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "pause", args: [] }).then((hash) => h.stack.publicClient.waitForTransactionReceipt({ hash }));
    const m = say("200", "alice", "!bid min");
    assert.deepEqual(await waitOutcome(h.store, m.id), { kind: "paused" });
    await waitReply(h.chat, "alice", /bidding is paused/);
    await h.stack.wallet(0).writeContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "unpause", args: [] }).then((hash) => h.stack.publicClient.waitForTransactionReceipt({ hash }));
  });

  it("!max defends the lead against several rivals and stops exactly at its ceiling", async () => {
    const lot2 = await h.stack.mintAndCreateLot({ reserve: parseEther("0.01"), duration: 1200 });
    await waitForLiveLot(lot2);
    void lot2;
    // The new lot ends first, so it is the live one chat bids go to.
    const ceiling = parseEther("0.9999");
    const set = say("201", "bob", "!max 0.9999");
    // 100x the 0.01 reserve: a !max that far above the price waits for !confirm, like !bid.
    assert.equal((await waitOutcome(h.store, set.id)).kind, "confirm_needed");
    assert.equal((await waitOutcome(h.store, say("201", "bob", "!confirm").id)).kind, "max_set");
    const read = async () => (await h.stack.publicClient.readContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "lot", args: [lot2] })) as { amount: bigint; bidder: string };
    const bob = h.stack.address(5);
    await waitFor(async () => (await read()).bidder === bob, { what: "proxy opening bid" });
    // The least needed to lead, rounded up to an amount the host can say: 0.5123 needs 0.537915, bid 0.538;
    // 0.952 needs 0.9996, which rounds to 1, past the ceiling: the ceiling the bidder typed, 0.9999.
    for (const [rival, amount, answer] of [[8, "0.2", "0.21"], [9, "0.5123", "0.538"], [10, "0.86", "0.903"], [12, "0.952", "0.9999"]] as const) {
      await h.stack.bid(rival, lot2, parseEther(amount));
      await waitFor(async () => (await read()).bidder === bob, { what: `proxy defends against ${amount}` });
      assert.equal(formatEther((await read()).amount), answer);
    }
    assert.ok(!repliesTo(h.chat, "bob").some((t) => t.includes(`outbid on lot #${lot2}`)), "no outbid notice while the !max defends");
    // 0.9999 standing; a rival at 1.05 needs 1.1025 to beat: above the ceiling, the proxy stops.
    await h.stack.bid(11, lot2, parseEther("1.05"));
    await waitReply(h.chat, "bob", /your !max of 0\.9999 ETH on lot #\d+ was passed/);
    const l = await read();
    assert.equal(l.bidder, h.stack.address(11));
    assert.ok(l.amount <= ceiling || l.bidder !== bob);
    assert.equal(await h.store.hget(keys.proxies, "201"), null);
    const bids = await h.stack.publicClient.getContractEvents({ address: h.stack.auctionHouse, abi: auctionHouseAbi, eventName: "BidPlaced", args: { lotId: lot2, bidder: bob }, fromBlock: 0n });
    assert.equal(bids.length, 5);
    assert.ok(bids.every((b) => (b.args as { amount: bigint }).amount <= ceiling));
  });

  it("a line replayed with the same message id is handled once", async () => {
    const first = h.chat.say({ userId: "999", displayName: "watcher", text: "!help", id: "replayed-1" });
    await waitOutcome(h.store, first.id);
    h.chat.say({ userId: "999", displayName: "watcher", text: "!help", id: "replayed-1" });
    const helpLines = () => h.chat.events().filter((e) => e.type === "message" && e.bot && e.text.includes("@watcher commands:")).length;
    await relayer.intake.handle({ id: "replayed-1", channel: "sothebais", userId: "999", displayName: "watcher", text: "!help", sentAt: Date.now(), isMod: false, receivedAt: Date.now() });
    // Replies go out in order: once a later command is answered, a duplicate would have shown up.
    const later = say("999", "watcher", "!max off");
    await waitOutcome(h.store, later.id);
    await waitReply(h.chat, "watcher", /!max off: no more/);
    assert.equal(helpLines(), 1, "one reply for the replayed line");
  });

  it("publishes chat lines once and posts host lines marked for chat, dropping expired ones", async () => {
    const { createStore } = await import("../src/store.ts");
    const sub = createStore(h.redis.url);
    const lines: string[] = [];
    await sub.subscribe("sothebais:chat:lines");
    sub.on("message", (_c: string, json: string) => lines.push(json));
    const m = say("300", "chatter", "what a piece");
    await waitFor(() => lines.some((l) => l.includes(m.id)), { what: "chat line published" });
    assert.equal(lines.filter((l) => l.includes(m.id)).length, 1);
    const now = Date.now();
    await h.store.publish("sothebais:agent:lines", JSON.stringify({ id: "host-1", kind: "answer", text: "Going once at 1 ETH!", priority: 1, createdAt: now, expiresAt: now + 30_000, speak: true, chat: true }));
    await h.store.publish("sothebais:agent:lines", JSON.stringify({ id: "host-2", kind: "filler", text: "stale line", priority: 1, createdAt: now - 60_000, expiresAt: now - 1000, speak: true, chat: true }));
    await h.store.publish("sothebais:agent:lines", JSON.stringify({ id: "host-3", kind: "filler", text: "speak only", priority: 1, createdAt: now, expiresAt: now + 30_000, speak: true, chat: false }));
    await waitFor(() => h.chat.events().some((e) => e.type === "message" && e.bot && e.text.includes("Going once at 1 ETH!")), { what: "host line in chat" });
    assert.ok(!h.chat.events().some((e) => e.type === "message" && e.bot && /stale line|speak only/.test(e.text)));
    sub.disconnect();
  });

  it("repairs a nonce gap left by a crash between nonce allocation and signing", { timeout: 60_000 }, async () => {
    const relayerAddress = relayer.address;
    const floor = await h.stack.publicClient.getTransactionCount({ address: relayerAddress });
    // A job that got a nonce and died before signing: the next tx would wait behind the hole forever.
    const ghost = await h.store.allocNonce(keys.tx("ghost-job"), keys.nonce(relayerAddress), keys.nonceOwners(relayerAddress), "ghost-job", floor, Date.now());
    const m = say("200", "alice", "!bid min");
    const o = await waitOutcome(h.store, m.id, 45_000);
    assert.equal(o.kind, "placed");
    assert.equal(await h.store.hget(keys.tx("ghost-job"), "state"), "burned");
    const filler = await h.stack.publicClient.getBlock({ blockTag: "latest", includeTransactions: true });
    void filler;
    assert.ok((await h.stack.publicClient.getTransactionCount({ address: relayerAddress })) > ghost + 1);
  });

  it("pauses chat bids when the relayer is low on gas: /health, a chat notice, relayer_paused", { timeout: 60_000 }, async () => {
    const { rpc } = await import("@sothebais/common/testing");
    const balance = await h.stack.publicClient.getBalance({ address: relayer.address });
    await rpc(h.stack.rpcUrl, "hardhat_setBalance", [relayer.address, "0x2386F26FC1000"]); // 0.000625 ETH
    await waitFor(async () => (await relayer.health()).relayer.low, { what: "low balance seen", timeoutMs: 15_000 });
    const res = await relayer.app.request("/health");
    assert.equal(res.status, 503);
    await waitFor(() => h.chat.events().some((e) => e.type === "message" && e.bot && /relayer is low on gas/.test(e.text)), { what: "gas notice" });
    const m = say("200", "alice", "!bid min");
    assert.deepEqual(await waitOutcome(h.store, m.id), { kind: "relayer_paused" });
    await rpc(h.stack.rpcUrl, "hardhat_setBalance", [relayer.address, `0x${balance.toString(16)}`]);
    await waitFor(async () => !(await relayer.health()).relayer.low, { what: "balance ok", timeoutMs: 15_000 });
  });

  it("serves Prometheus metrics", async () => {
    const text = await (await relayer.app.request("/metrics")).text();
    assert.match(text, /sothebais_relayer_bids_placed_total\S* [1-9]/);
    assert.match(text, /sothebais_relayer_chat_to_receipt_seconds_bucket/);
    assert.match(text, /sothebais_relayer_outcomes_total\{[^}]*kind="too_low"/);
  });

  it("every message above got exactly one outcome", async () => {
    const msgs = h.chat.events().filter((e) => e.type === "message" && !e.bot && e.text.startsWith("!"));
    for (const m of msgs) if (m.type === "message") assert.ok(await outcomeOf(h.store, m.id), `no outcome for ${m.text}`);
  });
});
