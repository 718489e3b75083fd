import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildFacts } from "../src/facts.ts";
import { diffSnapshot, emptyMemory, type ShowEvent } from "../src/show.ts";
import { ALICE, BOB, BOB_CHAT, lot, snapshot, withBid } from "./helpers/snapshots.ts";
import type { LiveSnapshot } from "@sothebais/common/live";

const names = { chatName: (h: string) => (h === BOB_CHAT ? "bob_bids" : undefined) };
const step = (mem: ReturnType<typeof emptyMemory>, s: LiveSnapshot) => diffSnapshot(mem, s, buildFacts(s, names, s.blockTimestamp * 1000), names);
const kinds = (es: ShowEvent[]) => es.map((e) => (e.type === "bid" ? `bid${e.extended ? "+ext" : ""}${e.previous ? "+outbid" : ""}` : e.type));

describe("diffSnapshot()", () => {
  it("opens a new lot, then calls the first bid and the outbid with the previous leader", () => {
    const mem = emptyMemory();
    assert.deepEqual(kinds(step(mem, snapshot({ lot: null }))), []);
    const s0 = snapshot();
    assert.deepEqual(kinds(step(mem, s0)), ["open"]);
    const s1 = withBid(s0, "b1", ALICE, 10n ** 17n);
    assert.deepEqual(kinds(step(mem, s1)), ["bid", "new_bidder"]);
    const s2 = withBid(s1, "b2", BOB, 2n * 10n ** 17n, {}, { chatIdHash: BOB_CHAT, viaRelayer: true, txHash: `0x${"b2".repeat(32)}` });
    const e = step(mem, s2);
    assert.deepEqual(kinds(e), ["bid+outbid", "new_bidder"]);
    const b = e[0] as Extract<ShowEvent, { type: "bid" }>;
    assert.equal(b.bidder.name, "bob_bids");
    assert.equal(b.previous?.address, ALICE);
    assert.equal(b.txHash, `0x${"b2".repeat(32)}`, "the bid's tx hash, logged by the agent as one hop of the bid's trail");
  });
  it("calls only the standing bid when several land between two reads", () => {
    const mem = emptyMemory();
    const s0 = snapshot();
    step(mem, s0);
    const s2 = withBid(withBid(s0, "b1", ALICE, 10n ** 17n), "b2", BOB, 2n * 10n ** 17n);
    const bids = step(mem, s2).filter((e) => e.type === "bid");
    assert.equal(bids.length, 1);
    assert.equal((bids[0] as Extract<ShowEvent, { type: "bid" }>).amount, 2n * 10n ** 17n);
  });
  it("marks a bid that moved the end as an extension, even before the extension count is indexed", () => {
    const mem = emptyMemory();
    const s1 = withBid(snapshot(), "b1", ALICE, 10n ** 17n);
    step(mem, snapshot());
    step(mem, s1);
    const s2 = withBid(s1, "b2", BOB, 2n * 10n ** 17n, { endTime: 1_090 });
    assert.deepEqual(kinds(step(mem, s2)).slice(0, 1), ["bid+ext+outbid"]);
    // The extension count arriving a read later does not call it twice.
    assert.deepEqual(kinds(step(mem, { ...s2, lot: { ...s2.lot!, extended: 1 } })), []);
  });
  it("calls an extension that is indexed after its bid was called", () => {
    const mem = emptyMemory();
    step(mem, snapshot());
    const s1 = withBid(snapshot(), "b1", ALICE, 10n ** 17n);
    step(mem, s1);
    assert.deepEqual(kinds(step(mem, { ...s1, lot: { ...s1.lot!, extended: 1 } })), ["bid+ext"]);
  });
  it("does not re-announce old bids when joining mid-lot, and closes a lot once when it leaves the block", () => {
    const mem = emptyMemory();
    const s1 = withBid(snapshot(), "b1", ALICE, 10n ** 17n);
    assert.deepEqual(kinds(step(mem, s1)), []);
    const gone = snapshot({ lot: null, lastSettled: { lotId: "3", campaignId: "1", nft: lot().nft, tokenId: "7", tokenUri: "", winner: ALICE, amount: "100000000000000000", royalty: "0", protocolFee: "0", sellerProceeds: "0", settledAt: 1, blockNumber: 20, txHash: `0x${"2".repeat(64)}` } });
    const e = step(mem, gone);
    assert.deepEqual(kinds(e), ["closed"]);
    assert.equal((e[0] as Extract<ShowEvent, { type: "closed" }>).winner?.address, ALICE);
    assert.deepEqual(kinds(step(mem, gone)), []);
  });
  it("closes with no winner when the lot ended without a bid", () => {
    const mem = emptyMemory();
    step(mem, snapshot());
    const e = step(mem, snapshot({ lot: lot({ status: "ended" }) }));
    assert.deepEqual(kinds(e), ["closed"]);
    assert.equal((e[0] as Extract<ShowEvent, { type: "closed" }>).winner, null);
  });
});
