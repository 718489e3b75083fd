/**
 * AuctionHouse paths the other suites leave out, found by the coverage gate (scripts/src/coverage-gate.ts) and the
 * mutation bench (bench/mutations.bench.ts). Each test is written to pass with and without `--coverage`: the
 * instrumented contracts use more gas, so nothing here depends on an exact gas figure.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEther, zeroAddress } from "viem";
import { createStackFixture, LotStatus } from "./helpers/stack.ts";

const { viem, A, load } = await createStackFixture();

const ONE = parseEther("1");
const Hostile = { Honest: 0, Revert: 1, RevertTo: 2, BurnGas: 3, NoOp: 4, Redirect: 5 } as const;

describe("AuctionHouse (coverage)", () => {
  it("createCampaign refuses an intermission above a day with AuctionHouseInvalidIntermission", async () => {
    const s = await load();
    const tooLong = 86_401;
    await A.revertWithCustomErrorWithArgs(s.house.write.createCampaign(["c", "ipfs://c", tooLong]), s.house, "AuctionHouseInvalidIntermission", [
      tooLong,
    ]);
    // The maximum itself is fine.
    await s.house.write.createCampaign(["c", "ipfs://c", 86_400]);
    assert.equal((await s.house.read.campaign([1n])).intermission, 86_400);
  });

  it("cancelLot of a lot that does not exist reverts with AuctionHouseLotNotFound", async () => {
    const s = await load();
    await A.revertWithCustomErrorWithArgs(s.house.write.cancelLot([999n]), s.house, "AuctionHouseLotNotFound", [999n]);
    await A.revertWithCustomErrorWithArgs(s.house.write.cancelLot([0n]), s.house, "AuctionHouseLotNotFound", [0n]);
  });

  it("setCollectionAllowed refuses the zero address with AuctionHouseZeroAddress", async () => {
    const s = await load();
    await A.revertWithCustomError(s.house.write.setCollectionAllowed([zeroAddress, true]), s.house, "AuctionHouseZeroAddress");
  });

  it("settling a gas-burning collection's lot short of a fair attempt reverts with AuctionHouseInsufficientGas", async () => {
    const s = await load();
    const nft = await viem.deployContract("HostileNFT");
    const { lotId } = await s.createTestLot(nft.address);
    const [winner] = await s.bidders(1);
    await s.house.write.bid([lotId], { account: winner.account, value: ONE });
    await nft.write.setMode([Hostile.BurnGas, zeroAddress]);
    await s.endLot(lotId);
    // Anything that reaches the transfer with less than NFT_TRANSFER_GAS (300,000) for it: the transfer burns what
    // it gets, and the 1/64 left is under 300,000 / 63. Several limits, so instrumentation overhead cannot dodge them all.
    let insufficient = 0;
    for (const gas of [150_000n, 200_000n, 250_000n]) {
      try {
        await s.house.write.settle([lotId], { account: s.other.account, gas });
      } catch (error) {
        if (String(error).includes("AuctionHouseInsufficientGas")) insufficient++;
      }
      assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Ended, `gas ${gas}: the lot must stay Ended`);
    }
    assert.ok(insufficient > 0, "no gas limit reverted with AuctionHouseInsufficientGas");
    await s.house.write.settle([lotId], { account: s.other.account, gas: 2_000_000n });
    assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Undeliverable);
    assert.equal(await s.house.read.escrowOf([winner.account.address]), ONE);
  });
});
