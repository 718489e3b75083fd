/**
 * Service controls from the operator API against the real relayer (in-process, on the local chat
 * server and a real Hardhat node) and a real Redis: pausing chat bidding makes the relayer refuse chat
 * bids and say so in chat; every change is audited (Redis list and a log line) with the signed-in
 * address; an on-chain pause from the wallet is audited from its event. The agent's mute and the
 * broadcaster's "be right back" are tested in their own workspaces (agent/test/mute.test.ts,
 * broadcaster/test/brb.test.ts) against the same keys (common/src/controls.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { CONTROLS_CHANNEL, CONTROLS_HASH } from "@sothebais/common/controls";
import { waitFor } from "@sothebais/common/testing";
import { Redis } from "ioredis";
import { parseEther } from "viem";
import type { Relayer } from "../../relayer/src/relayer.ts";
import { type Harness as RelayerHarness, registerUsers, startHarness as startRelayerHarness, startInProcess, waitOutcome } from "../../relayer/test/helpers.ts";
import type { AuditEntry } from "../src/controls/store.ts";
import { account, type Harness, startHarness } from "./helpers.ts";

let rh: RelayerHarness;
let relayer: Relayer;
let h: Harness;
let cookie: string;
let users: Awaited<ReturnType<typeof registerUsers>>;
let sub: Redis;
const announced: string[] = [];

before(async () => {
  rh = await startRelayerHarness();
  users = await registerUsers(rh, 1, 20);
  relayer = await startInProcess(rh, { RELAYER_INSTANCE: "relayer-operator-test" });
  h = await startHarness({}, { stack: rh.stack, redis: rh.redis });
  sub = new Redis(rh.redis.url);
  await sub.subscribe(CONTROLS_CHANNEL);
  sub.on("message", (_c, m) => announced.push(m));
  const signed = await h.signIn(account(0));
  assert.equal(signed.res.status, 200);
  cookie = signed.cookie ?? "";
});
after(async () => {
  sub?.disconnect();
  await h?.stop();
  await relayer?.stop();
  await rh?.stop();
});

const set = (name: string, on: boolean, as = cookie) => h.call(`/controls/${name}`, { method: "POST", body: { on }, cookie: as });
const audit = async () => ((await (await h.call("/controls/audit", { cookie })).json()) as { entries: AuditEntry[] }).entries;
const botSaid = (pattern: RegExp) => rh.chat.events().some((e) => e.type === "message" && e.bot && pattern.test(e.text));

describe("service controls", () => {
  it("refuses a caller without a session (401), and a change without the console's Origin (403)", async () => {
    assert.equal((await h.call("/controls")).status, 401);
    assert.equal((await h.call("/controls/audit")).status, 401);
    assert.equal((await h.call("/controls/bidsPaused", { method: "POST", body: { on: true } })).status, 401);
    assert.equal((await h.call("/controls/bidsPaused", { method: "POST", body: { on: true }, cookie, origin: "https://evil.example" })).status, 403);
    assert.equal((await h.call("/controls/bidsPaused", { method: "POST", body: { on: true }, cookie, origin: null })).status, 403);
    assert.equal((await h.call("/controls/nope", { method: "POST", body: { on: true }, cookie })).status, 404);
    assert.equal((await h.call("/controls/brb", { method: "POST", body: { on: "yes" }, cookie })).status, 400);
    assert.deepEqual(await audit(), [], "nothing refused was audited");
  });

  it("pausing chat bidding: the relayer refuses chat bids (bids_paused), says so in chat, and takes them again once resumed", { timeout: 120_000 }, async () => {
    const lotId = await rh.stack.mintAndCreateLot({ reserve: parseEther("0.1"), duration: 3600 });
    const say = (text: string) => rh.chat.say({ userId: users[0].userId, displayName: users[0].name, text });
    // The relayer reads the live lot in the background: ask !lot until it names this one.
    await waitFor(async () => {
      const o = await waitOutcome(rh.store, rh.chat.say({ userId: "999", displayName: "watcher", text: "!lot" }).id);
      return o.kind === "answer" && o.text.startsWith(`lot #${lotId}:`);
    }, { what: `lot #${lotId} live for the relayer`, intervalMs: 200, timeoutMs: 30_000 });
    const res = await set("bidsPaused", true);
    assert.equal(res.status, 200);
    const after = (await res.json()) as { controls: { bidsPaused: { by: string } | null } };
    assert.equal(after.controls.bidsPaused?.by, account(0).address);
    await waitFor(() => botSaid(/chat bidding is paused by the operators/), { timeoutMs: 10_000, what: "the pause said in chat" });
    assert.equal((await relayer.health()).chatBidding?.paused, true, "relayer /health (the stream's banner reads it)");
    const refused = say(`!bid 0.2`);
    assert.deepEqual(await waitOutcome(rh.store, refused.id), { kind: "bids_paused" });

    assert.equal((await set("bidsPaused", false)).status, 200);
    await waitFor(() => botSaid(/chat bidding is open again/), { timeoutMs: 10_000, what: "the resume said in chat" });
    const placed = say(`!bid 0.2`);
    const outcome = await waitOutcome(rh.store, placed.id, 30_000);
    assert.equal(outcome.kind, "placed", JSON.stringify(outcome));
    assert.equal(outcome.kind === "placed" && outcome.lotId, String(lotId));
  });

  it("mute and be-right-back are written to the shared hash and announced", async () => {
    announced.length = 0;
    assert.equal((await set("hostMuted", true)).status, 200);
    assert.equal((await set("brb", true)).status, 200);
    const hash = await rh.store.hgetall(CONTROLS_HASH);
    assert.equal(JSON.parse(hash.hostMuted ?? "{}").by, account(0).address);
    assert.equal(JSON.parse(hash.brb ?? "{}").by, account(0).address);
    await waitFor(() => announced.length >= 2, { timeoutMs: 2000, what: "two announcements" });
    assert.deepEqual(announced.map((m) => (({ control, on }) => ({ control, on }))(JSON.parse(m))), [
      { control: "hostMuted", on: true },
      { control: "brb", on: true },
    ]);
    const state = (await (await h.call("/controls", { cookie })).json()) as { controls: Record<string, unknown>; chainPaused: boolean };
    assert.ok(state.controls.hostMuted && state.controls.brb && state.controls.bidsPaused === null);
    assert.equal(state.chainPaused, false);
    assert.equal((await set("hostMuted", false)).status, 200);
    assert.equal((await set("brb", false)).status, 200);
    assert.deepEqual(await rh.store.hgetall(CONTROLS_HASH), {});
  });

  it("every change is audited, newest first, with who, what, before and after, in Redis and in a log line", async () => {
    const entries = await audit();
    assert.deepEqual(
      entries.map((e) => [e.action, e.before, e.after, e.who]),
      [
        ["brb", true, false, account(0).address],
        ["hostMuted", true, false, account(0).address],
        ["brb", false, true, account(0).address],
        ["hostMuted", false, true, account(0).address],
        ["bidsPaused", true, false, account(0).address],
        ["bidsPaused", false, true, account(0).address],
      ],
    );
    assert.ok(entries.every((e, i) => i === 0 || entries[i - 1].at >= e.at));
    const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "operator control");
    assert.equal(lines.length, 6);
    assert.deepEqual(
      (({ level, service, who, action, before, after }) => ({ level, service, who, action, before, after }))(lines[0]),
      { level: "info", service: "operator", who: account(0).address, action: "bidsPaused", before: false, after: true },
    );
  });

  it("an on-chain pause and unpause from the wallet are audited from their events, with the account and the transaction", { timeout: 60_000 }, async () => {
    const wallet = rh.stack.wallet(0);
    const pause = await wallet.writeContract({ address: rh.stack.auctionHouse, abi: auctionHouseAbi, functionName: "pause" });
    await rh.stack.publicClient.waitForTransactionReceipt({ hash: pause });
    const paused = await waitFor(async () => (await audit()).find((e) => e.action === "chainPause" && e.tx === pause), { timeoutMs: 5000, what: "the pause audited" });
    assert.deepEqual([paused.who, paused.before, paused.after], [account(0).address, false, true]);
    assert.equal(((await (await h.call("/controls", { cookie })).json()) as { chainPaused: boolean }).chainPaused, true);
    const unpause = await wallet.writeContract({ address: rh.stack.auctionHouse, abi: auctionHouseAbi, functionName: "unpause" });
    await rh.stack.publicClient.waitForTransactionReceipt({ hash: unpause });
    const resumed = await waitFor(async () => (await audit()).find((e) => e.action === "chainPause" && e.tx === unpause), { timeoutMs: 5000, what: "the unpause audited" });
    assert.deepEqual([resumed.before, resumed.after], [true, false]);
  });
});
