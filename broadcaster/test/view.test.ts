import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LiveSnapshot } from "@sothebais/common/live";
import { markerFlags } from "../src/scene/marker.ts";
import { bidderLabel, buildView, formatDuration, formatEth, type SceneInputs } from "../src/scene/view.ts";
import { sampleBid, sampleSnapshot } from "./helpers/snapshot.ts";

const NOW = 1_800_000_000_000;
const inputs = (snapshot: LiveSnapshot | null, o: Partial<SceneInputs> = {}): SceneInputs => ({
  snapshot,
  receivedAt: NOW - 100,
  chat: [],
  caption: null,
  names: new Map(),
  artwork: () => undefined,
  firstSeen: new Map(),
  now: NOW,
  frame: 7,
  staleAfterMs: 5000,
  ...o,
});

describe("buildView()", () => {
  it("marks the highest bid pending while its block is above the finalized block", () => {
    const snap = sampleSnapshot({ now: NOW, bids: [sampleBid({ n: 5, blockNumber: 125, final: false })], finalized: 120 });
    const v = buildView(inputs(snap));
    assert.equal(v.phase, "live");
    assert.equal(v.lot?.pending, true);
    assert.equal(v.bids[0].pending, true);
    assert.ok(v.marker.flags & markerFlags.pending);
    assert.equal(v.marker.blockNumber, 125);
    assert.equal(v.marker.amountGwei, 500_000_000n);
  });

  it("marks the highest bid final once the finalized block reaches it", () => {
    const snap = sampleSnapshot({ now: NOW, bids: [sampleBid({ n: 5, blockNumber: 125, final: true })], finalized: 125 });
    const v = buildView(inputs(snap));
    assert.equal(v.lot?.pending, false);
    assert.equal(v.marker.flags & markerFlags.pending, 0);
  });

  it("behavior: does not call SOLD while the winning bid is pending, shows closing instead", () => {
    const snap = sampleSnapshot({ now: NOW, endIn: -3, status: "ended", bids: [sampleBid({ n: 5, blockNumber: 125, final: false })], finalized: 120 });
    const v = buildView(inputs(snap));
    assert.equal(v.phase, "closing");
    assert.equal(v.result, undefined);
    assert.equal(v.marker.flags & markerFlags.sold, 0);
  });

  it("behavior: calls SOLD once the lot ended and the winning bid is final", () => {
    const snap = sampleSnapshot({ now: NOW, endIn: -3, status: "ended", bids: [sampleBid({ n: 5, blockNumber: 118 })], finalized: 120 });
    const v = buildView(inputs(snap));
    assert.equal(v.phase, "sold");
    assert.equal(v.result?.label, "SOLD");
    assert.equal(v.result?.amount, "0.5 ETH");
    assert.ok(v.marker.flags & markerFlags.sold);
  });

  it("behavior: no bid by the end is a no sale", () => {
    const snap = sampleSnapshot({ now: NOW, endIn: -10, status: "ended" });
    const v = buildView(inputs(snap));
    assert.equal(v.phase, "no_sale");
    assert.equal(v.result?.label, "NO SALE");
    assert.ok(v.marker.flags & markerFlags.noSale);
  });

  it("behavior: a snapshot older than staleAfterMs shows reconnecting (stale flag)", () => {
    const snap = sampleSnapshot({ now: NOW, bids: [sampleBid({ n: 5 })] });
    const fresh = buildView(inputs(snap, { receivedAt: NOW - 4000 }));
    const stale = buildView(inputs(snap, { receivedAt: NOW - 6000 }));
    assert.equal(fresh.stale, false);
    assert.equal(stale.stale, true);
    assert.ok(stale.marker.flags & markerFlags.stale);
    assert.equal(stale.dataAgeMs, 6000);
  });

  it("behavior: no snapshot yet is the connecting screen", () => {
    const v = buildView(inputs(null, { receivedAt: 0 }));
    assert.equal(v.phase, "connecting");
    assert.equal(v.stale, true);
  });

  it("behavior: no lot shows the between-lots screen with the next lot and the last result", () => {
    const snap = sampleSnapshot({ now: NOW });
    snap.lot = null;
    snap.lastSettled = { lotId: "2", campaignId: "1", nft: snap.upcoming[0].nft, tokenId: "6", tokenUri: "", winner: `0x${"1".repeat(40)}`, amount: "2000000000000000000", royalty: "0", protocolFee: "0", sellerProceeds: "0", settledAt: 0, blockNumber: 99, txHash: `0x${"2".repeat(64)}` };
    const v = buildView(inputs(snap));
    assert.equal(v.phase, "between");
    assert.equal(v.next?.lotId, "4");
    assert.equal(v.next?.startsIn, "5:00");
    assert.equal(v.result?.label, "SOLD");
    assert.equal(v.result?.amount, "2 ETH");
    assert.ok(v.marker.flags & markerFlags.between);
  });

  it("behavior: a lot settled before its last bid was final is called SOLD on the result card once the settlement is final", () => {
    const snap = sampleSnapshot({ now: NOW });
    snap.lot = null;
    snap.lastSettled = { lotId: "2", campaignId: "1", nft: snap.upcoming[0].nft, tokenId: "6", tokenUri: "", winner: `0x${"1".repeat(40)}`, amount: "2000000000000000000", royalty: "0", protocolFee: "0", sellerProceeds: "0", settledAt: 0, blockNumber: 99, txHash: `0x${"2".repeat(64)}` };
    snap.finalizedBlockNumber = 98;
    assert.equal(buildView(inputs(snap)).marker.flags & markerFlags.sold, 0, "not while the settlement block can still be reorged");
    snap.finalizedBlockNumber = 99;
    const sold = buildView(inputs(snap)).marker;
    assert.ok(sold.flags & markerFlags.sold);
    assert.equal(sold.lotId, 2, "the marker names the lot sold");
    assert.equal(sold.amountGwei, 2_000_000_000n);
    snap.lastSettled.winner = `0x${"0".repeat(40)}`;
    assert.equal(buildView(inputs(snap)).marker.flags & markerFlags.sold, 0, "a lot nobody won is no sale");
  });

  it("behavior: shows an extension and highlights a new bid for two seconds", () => {
    const snap = sampleSnapshot({ now: NOW, bids: [sampleBid({ n: 5 })] });
    snap.lot!.extended = 1;
    const seen = new Map([["bid:bid-5", NOW - 500], ["ext:3:1", NOW - 1000]]);
    const v = buildView(inputs(snap, { firstSeen: seen }));
    assert.ok(v.lot!.bidFlash > 0.7 && v.lot!.bidFlash < 0.8);
    assert.ok(v.lot!.extendedFlash > 0.4 && v.lot!.extendedFlash < 0.6);
    const later = buildView(inputs(snap, { firstSeen: seen, now: NOW + 3000 }));
    assert.equal(later.lot!.bidFlash, 0);
  });
});

describe("bidderLabel()", () => {
  it("shows a chat bidder by chat name and a wallet bidder by short address", () => {
    const hash = `0x${"ab".repeat(32)}`;
    assert.deepEqual(bidderLabel(`0x${"12".repeat(20)}`, hash, new Map([[hash, "alice"]])), { text: "@alice", chat: true });
    assert.deepEqual(bidderLabel(`0x${"12".repeat(20)}`, `0x${"0".repeat(64)}`, new Map()), { text: "0x1212…1212", chat: false });
  });
});

describe("formatEth() and formatDuration()", () => {
  it("formats wei with at most four decimals and times as m:ss / h:mm:ss", () => {
    assert.equal(formatEth(1_250_000_000_000_000_000n), "1.25 ETH");
    assert.equal(formatEth("123456789000000000"), "0.1234 ETH");
    assert.equal(formatEth(0n), "0 ETH");
    assert.equal(formatDuration(95), "1:35");
    assert.equal(formatDuration(3725), "1:02:05");
    assert.equal(formatDuration(-4), "0:00");
  });
});
