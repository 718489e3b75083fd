/**
 * The `!confirm` window across a kill -9: a far-above bid waits in Redis (with its expiry), so a
 * `!confirm` typed while the relayer is down, or one it was handling when it was killed, places the bid
 * exactly once after the restart; a second `!confirm` finds nothing; a late one is told it expired.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { waitFor } from "@sothebais/common/testing";
import { parseEther } from "viem";
import { type Harness, registerUsers, startAsProcess, startHarness, waitOutcome, waitReply } from "./helpers.ts";

describe("behavior: !confirm survives kill -9", () => {
  let h: Harness;
  let proc: Awaited<ReturnType<typeof startAsProcess>> | undefined;
  const env = { CONFIRM_FACTOR: "2", CONFIRM_TTL_S: "600", RELAYER_INSTANCE: "relayer-confirm" };

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await proc?.kill();
    await h?.stop();
  });

  const bidsOf = async (lotId: bigint, amount: bigint) => {
    const events = await h.stack.publicClient.getContractEvents({ address: h.stack.auctionHouse, abi: auctionHouseAbi, eventName: "BidPlaced", args: { lotId }, fromBlock: 0n });
    return events.filter((e) => (e.args as { amount: bigint }).amount === amount);
  };

  it("places a confirmed bid exactly once after restarts, and explains a late !confirm", { timeout: 300_000 }, async () => {
    const [alice, bob] = await registerUsers(h, 2);
    const lotId = await h.stack.mintAndCreateLot({ reserve: parseEther("0.01"), duration: 7200, minIncrementBps: 100 });
    proc = await startAsProcess(h, env);

    // 1. Asked to confirm, killed, then !confirm twice while the relayer is down: read from the chat
    // history after the restart, one places the bid and the other finds nothing to confirm.
    const ask = h.chat.say({ userId: alice.userId, displayName: alice.name, text: "!bid 1" });
    assert.equal((await waitOutcome(h.store, ask.id)).kind, "confirm_needed");
    await proc.kill();
    const c1 = h.chat.say({ userId: alice.userId, displayName: alice.name, text: "!confirm" });
    const c2 = h.chat.say({ userId: alice.userId, displayName: alice.name, text: "!confirm" });
    proc = await startAsProcess(h, env);
    const kinds = [(await waitOutcome(h.store, c1.id, 60_000)).kind, (await waitOutcome(h.store, c2.id, 60_000)).kind].sort();
    assert.deepEqual(kinds, ["nothing_to_confirm", "placed"]);
    assert.equal((await bidsOf(lotId, parseEther("1"))).length, 1);

    // 2. Killed while handling the !confirm (right after it arrives, or a little later): after the
    // restart the bid is placed once, whatever step the kill interrupted.
    // Each bid at least twice the last (CONFIRM_FACTOR 2), alternating bidders.
    for (const [i, [who, eth, delayMs]] of ([[bob, "3", 0], [alice, "7", 40], [bob, "15", 150]] as const).entries()) {
      const amount = parseEther(eth);
      const ask2 = h.chat.say({ userId: who.userId, displayName: who.name, text: `!bid ${eth}` });
      assert.equal((await waitOutcome(h.store, ask2.id)).kind, "confirm_needed");
      const c = h.chat.say({ userId: who.userId, displayName: who.name, text: "!confirm" });
      await new Promise((r) => setTimeout(r, delayMs));
      await proc.kill();
      proc = await startAsProcess(h, env);
      const outcome = await waitOutcome(h.store, c.id, 60_000);
      assert.equal(outcome.kind, "placed", JSON.stringify(outcome));
      await waitFor(async () => (await bidsOf(lotId, amount)).length > 0, { what: "bid on chain", timeoutMs: 30_000 });
      assert.equal((await bidsOf(lotId, amount)).length, 1, `bid ${i} placed once`);
    }

    // 3. A !confirm after the bid's window closed (1 s here), across a restart: answered with why.
    await proc.kill();
    proc = await startAsProcess(h, { ...env, CONFIRM_TTL_S: "1" });
    const late = h.chat.say({ userId: alice.userId, displayName: alice.name, text: "!bid 3000" });
    assert.equal((await waitOutcome(h.store, late.id)).kind, "confirm_needed");
    const askedAt = Date.now();
    await proc.kill();
    await waitFor(() => Date.now() > askedAt + 1200, { what: "the window to close", intervalMs: 100 });
    const tooLate = h.chat.say({ userId: alice.userId, displayName: alice.name, text: "!confirm" });
    proc = await startAsProcess(h, env);
    const expired = await waitOutcome(h.store, tooLate.id, 60_000);
    assert.equal(expired.kind, "confirm_expired");
    await waitReply(h.chat, alice.name, /too late: your bid of 3000 ETH waited more than 1 s for !confirm/, 30_000);
    assert.equal((await bidsOf(lotId, parseEther("3000"))).length, 0);
  });
});
