import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseEther } from "viem";
import { lotDefaults, validateCampaign } from "../src/lib/campaign.ts";

const now = 1_800_000_000;

describe("validateCampaign()", () => {
  it("accepts the example file and applies defaults, overrides and the schedule", () => {
    const file = JSON.parse(readFileSync(new URL("../src/demo/campaign.example.json", import.meta.url), "utf8"));
    const { plan, problems } = validateCampaign(file, now);
    assert.deepEqual(problems, []);
    assert.ok(plan);
    assert.equal(plan.name, "Procedural Evenings II");
    assert.equal(plan.start, now + 600);
    assert.equal(plan.gap, 30);
    assert.equal(plan.lots.length, 3);
    assert.equal(plan.lots[0].reserve, parseEther("0.05"));
    assert.equal(plan.lots[1].reserve, parseEther("0.2"));
    assert.equal(plan.lots[2].duration, 600);
    assert.equal(plan.lots[2].timeBuffer, 180);
    assert.equal(plan.lots[0].minIncrementFloor, parseEther("0.001"));
  });

  it("intermission: default 20 s, a duration up to 1 day; a zero increment floor is refused", () => {
    assert.equal(validateCampaign({ name: "x", lots: [{ tokenId: 3 }] }, now).plan?.intermission, 20);
    assert.equal(validateCampaign({ name: "x", lots: [{ tokenId: 3 }] }, now).plan?.lots[0].minIncrementFloor, parseEther("0.001"));
    assert.equal(validateCampaign({ name: "x", intermission: "2m", lots: [{ tokenId: 3 }] }, now).plan?.intermission, 120);
    assert.deepEqual(validateCampaign({ name: "x", intermission: "2d", lots: [{ tokenId: 3 }] }, now).problems, ["intermission: at most 1 day, got 172800 s"]);
    assert.deepEqual(validateCampaign({ name: "x", lots: [{ tokenId: 3, minIncrementFloor: "0" }] }, now).problems, ['lots[0].minIncrementFloor: must be above 0 (e.g. "0.001")']);
  });

  it("uses the built-in defaults when the file gives none", () => {
    const { plan } = validateCampaign({ name: "x", lots: [{ tokenId: 3 }] }, now);
    assert.ok(plan);
    assert.equal(plan.start, 0);
    assert.deepEqual(plan.lots[0].token, { tokenId: 3n });
    assert.equal(plan.lots[0].duration, 300);
    assert.equal(plan.lots[0].minIncrementBps, lotDefaults.minIncrementBps);
  });

  it("names every bad entry at once, each bad default once", () => {
    const { plan, problems } = validateCampaign(
      {
        name: " ",
        seller: "0x12",
        start: now - 10,
        defaults: { duration: "forever", tokenId: 1 },
        lots: [{ tokenURI: "ftp://x" }, { tokenId: 1 }, { tokenId: 1 }, { tokenId: 2, reserve: "-1", start: now + 400 * 86_400, timeBuffer: "2h" }, "nope"],
      },
      now,
    );
    assert.equal(plan, undefined);
    assert.deepEqual(problems, [
      "name: expected a non-empty string",
      'seller: expected a 0x-prefixed 20-byte address, got "0x12"',
      "defaults.tokenId: unknown field",
      'lots[0].tokenURI: expected a token URI starting with ipfs://, ar://, https:// or data:, got "ftp://x"',
      'defaults.duration: expected a duration like 300, "90s", "5m" or "1h", got "forever"',
      "lots[2].tokenId: token 1 is already lots[1]",
      'lots[3].reserve: expected an ETH amount like "0.5", got "-1"',
      "lots[3].timeBuffer: at most 1 hour, got 7200 s",
      "lots[3].start: more than a year ahead",
      "lots[4]: expected an object with tokenURI or tokenId",
      `start: ${now - 10} is in the past (chain time ${now})`,
    ]);
  });

  it("rejects files that are not a campaign", () => {
    assert.deepEqual(validateCampaign([], now).problems, ["the file must hold a JSON object with name and lots"]);
    assert.deepEqual(validateCampaign({ name: "x", lots: [] }, now).problems, ["lots: expected a non-empty array"]);
    assert.deepEqual(validateCampaign({ campaignId: 0, lots: [{ tokenId: 1 }] }, now).problems, ["campaignId: 0 means no campaign; omit it to create one"]);
  });
});
