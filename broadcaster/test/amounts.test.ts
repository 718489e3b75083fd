import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildView, type SceneInputs } from "../src/scene/view.ts";
import { sampleSnapshot } from "./helpers/snapshot.ts";

const NOW = 1_800_000_000_000;

describe("the overlay's next bid", () => {
  it("is the minimum rounded up to an amount people can say, never cut below it", () => {
    // 0.3362625 ETH plus 5% is 0.353075625 on chain. Cut to 4 decimals it read 0.353, which chat cannot bid.
    const snapshot = sampleSnapshot({ now: NOW });
    snapshot.lot = { ...snapshot.lot!, minimumNextBid: "353075625000000000" };
    const inputs: SceneInputs = { snapshot, receivedAt: NOW - 100, chat: [], caption: null, names: new Map(), artwork: () => undefined, firstSeen: new Map(), now: NOW, frame: 7, staleAfterMs: 5000 };
    assert.equal(buildView(inputs).lot?.minNext, "0.354 ETH");
  });
});
