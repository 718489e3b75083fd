/**
 * Two relayer instances on the same channel and Redis (scale out / fail over): every chat message gets
 * exactly one outcome and one reply, also when one instance stops in the middle of a burst.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitFor } from "@sothebais/common/testing";
import { formatEther, parseEther } from "viem";
import type { Relayer } from "../src/relayer.ts";
import type { Reply } from "../src/replies.ts";
import { groups, keys } from "../src/store.ts";
import { checkExactlyOnce, type Harness, registerUsers, startHarness, startInProcess } from "./helpers.ts";

describe("behavior: two instances on one channel", () => {
  let h: Harness;
  let a: Relayer | undefined;
  let b: Relayer | undefined;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await h?.stop();
  });

  it("120 commands, one instance stops halfway: one outcome and one reply per message", { timeout: 240_000 }, async () => {
    const users = await registerUsers(h, 10);
    const lotId = await h.stack.mintAndCreateLot({ reserve: parseEther("0.001"), duration: 7200, minIncrementBps: 100 });
    a = await startInProcess(h, { RELAYER_INSTANCE: "relayer-a", CONFIRM_FACTOR: "100000" });
    b = await startInProcess(h, { RELAYER_INSTANCE: "relayer-b", CONFIRM_FACTOR: "100000" });

    const ids: string[] = [];
    const bidIds: string[] = [];
    let amount = parseEther("0.01");
    for (let k = 0; k < 120; k++) {
      const u = users[k % users.length];
      const text = k % 4 === 3 ? "!lot" : `!bid ${formatEther(amount)}`;
      if (k % 4 !== 3) amount = (amount * 1011n) / 1000n;
      const id = h.chat.say({ userId: u.userId, displayName: u.name, text }).id;
      ids.push(id);
      if (text.startsWith("!bid")) bidIds.push(id);
      if (k === 60) {
        await a?.stop(); // its pending work is taken over by b
        a = undefined;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    await waitFor(async () => (await Promise.all(ids.map((id) => h.store.exists(keys.outcome(id))))).every(Boolean), {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: "an outcome for every message",
    });
    const { events, placed } = await checkExactlyOnce(h, bidIds, lotId);
    assert.deepEqual(placed.map((p) => p.txHash).sort(), events.map((e) => e.transactionHash).sort());
    await waitFor(async () => ((await h.store.xpending(keys.outbox, groups.chat)) as [number])[0] === 0 && (await h.store.xlen(keys.outbox)) > 0, { timeoutMs: 60_000, what: "outbox drained" });
    // One reply per placed bid: its tx hash shows up in chat exactly once.
    const botText = h.chat.events().filter((e) => e.type === "message" && e.bot).map((e) => (e.type === "message" ? e.text : "")).join("\n");
    for (const p of placed) {
      const n = botText.split(p.txHash.slice(0, 10)).length - 1;
      assert.equal(n, 1, `reply for ${p.txHash} seen ${n} times`);
    }
    // Every message was handled by exactly one instance: one reply per message id; and each outbid
    // notice (a bidder overtaken by a later bid, no message id) was claimed by one instance only.
    const outbox = ((await h.store.xrange(keys.outbox, "-", "+")) as [string, string[]][]).map(([, f]) => JSON.parse(f[1]) as Reply);
    const replies = outbox.filter((r) => r.msgId);
    assert.equal(replies.length, ids.length);
    assert.equal(new Set(replies.map((r) => r.msgId)).size, ids.length);
    const notices = outbox.filter((r) => !r.msgId).map((r) => `${r.to} ${r.body}`);
    assert.ok(notices.length > 0, "bidders overtaken by later bids were told");
    assert.equal(new Set(notices).size, notices.length, `a notice was posted twice:\n${notices.join("\n")}`);
  });
});
