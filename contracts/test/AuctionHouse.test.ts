/**
 * AuctionHouse: every path, every custom error (name and arguments), events with their arguments, and a negative
 * twin for each permission. Runs on Hardhat's in-process network; each test starts from the same snapshot.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Address, encodeAbiParameters, getAddress, hashTypedData, keccak256, parseEther, parseEventLogs, toBytes, zeroAddress } from "viem";
import { chatIdHashOf } from "@sothebais/common/chat-auth";
import { chatAuthorizationTypes, chatId, createStackFixture, DAY, LotStatus, roles, type Stack } from "./helpers/stack.ts";

const { viem, networkHelpers, A, load } = await createStackFixture();

const ONE = parseEther("1");
const MAX_UINT88 = (1n << 88n) - 1n;
// Solidity enum values (IAuctionHouse.CreditReason, Actor.Mode; LotStatus is the stack's).
const Credit = { OutbidRefund: 0, PushFailed: 1, ProtocolFee: 2, DeliveryFailed: 3 } as const;
const Mode = { Accept: 0, Revert: 1, BurnGas: 2, Reenter: 3 } as const;

async function balance(s: Stack, address: Address) {
  return s.publicClient.getBalance({ address });
}

/** A lot of a MockRoyaltyNFT token owned by `owner` (default: the seller), with the given royalty behaviour. */
async function mockLot(s: Stack, mode: number, receiver: Address, bps: bigint, tokenId = 7n) {
  const nft = await viem.deployContract("MockRoyaltyNFT");
  await nft.write.setRoyalty([mode, receiver, bps]);
  const { lotId } = await s.createTestLot(nft.address, tokenId);
  return { nft, lotId };
}

describe("AuctionHouse", () => {
  describe("constructor", () => {
    it("grants the admin the default admin, auctioneer and pauser roles and sets fee and treasury", async () => {
      const s = await load();
      const admin = s.admin.account.address;
      assert.equal(await s.house.read.owner(), getAddress(admin));
      assert.equal(await s.house.read.hasRole([roles.DEFAULT_ADMIN_ROLE, admin]), true);
      assert.equal(await s.house.read.hasRole([roles.AUCTIONEER_ROLE, admin]), true);
      assert.equal(await s.house.read.hasRole([roles.PAUSER_ROLE, admin]), true);
      assert.equal(await s.house.read.hasRole([roles.RELAYER_ROLE, admin]), false);
      assert.equal(await s.house.read.protocolFeeBps(), 500);
      assert.equal(await s.house.read.treasury(), getAddress(s.treasury.account.address));
      assert.equal(await s.house.read.AUCTIONEER_ROLE(), roles.AUCTIONEER_ROLE);
      assert.equal(await s.house.read.RELAYER_ROLE(), roles.RELAYER_ROLE);
      assert.equal(await s.house.read.PAUSER_ROLE(), roles.PAUSER_ROLE);
      assert.equal(await s.house.read.MAX_PROTOCOL_FEE_BPS(), 1000);
      assert.equal(await s.house.read.DEFAULT_TIME_BUFFER(), 60);
      assert.equal(await s.house.read.paused(), false);
    });

    it("emits the initial fee and treasury", async () => {
      const s = await load();
      const events = await s.publicClient.getContractEvents({ address: s.house.address, abi: s.house.abi, fromBlock: 0n });
      const fee = events.find((e) => e.eventName === "ProtocolFeeUpdated");
      const treasury = events.find((e) => e.eventName === "TreasuryUpdated");
      assert.deepEqual(fee?.args, { oldFeeBps: 0, newFeeBps: 500 });
      assert.deepEqual(treasury?.args, { oldTreasury: zeroAddress, newTreasury: getAddress(s.treasury.account.address) });
    });

    it("reverts with AuctionHouseZeroAddress for a zero treasury", async () => {
      const s = await load();
      await A.revertWithCustomError(
        viem.deployContract("AuctionHouse", [s.admin.account.address, zeroAddress, 0]),
        s.house,
        "AuctionHouseZeroAddress",
      );
    });

    it("reverts with AuctionHouseFeeTooHigh above the cap", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(
        viem.deployContract("AuctionHouse", [s.admin.account.address, s.treasury.account.address, 1001]),
        s.house,
        "AuctionHouseFeeTooHigh",
        [1001, 1000],
      );
    });

    it("reverts with AccessControlInvalidDefaultAdmin for a zero admin", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(
        viem.deployContract("AuctionHouse", [zeroAddress, s.treasury.account.address, 0]),
        s.house,
        "AccessControlInvalidDefaultAdmin",
        [zeroAddress],
      );
    });
  });

  describe("createCampaign", () => {
    it("numbers campaigns from 1 and emits CampaignCreated", async () => {
      const s = await load();
      await A.emitWithArgs(s.house.write.createCampaign(["Spring", "ipfs://spring", 0]), s.house, "CampaignCreated", [
        1n,
        getAddress(s.admin.account.address),
        "Spring",
        "ipfs://spring",
        20,
      ]);
      await s.house.write.createCampaign(["Summer", "ipfs://summer", 90]);
      assert.equal((await s.house.read.campaign([2n])).intermission, 90);
      assert.equal(await s.house.read.campaignCount(), 2n);
    });

    it("reverts with AccessControlUnauthorizedAccount for a non-auctioneer", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.createCampaign(["x", "y", 0], { account: s.other.account }),
        s.house,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.AUCTIONEER_ROLE],
      );
    });
  });

  describe("createLot", () => {
    it("takes the NFT into custody, numbers lots from 1 and emits LotCreated", async () => {
      const s = await load();
      const tokenId = await s.mint();
      const now = BigInt(await networkHelpers.time.latest());
      const hash = s.house.write.createLot([
        {
          campaignId: 0n,
          nft: s.collection.address,
          tokenId,
          seller: s.seller.account.address,
          reserve: ONE,
          startTime: 0,
          duration: 3600,
          minIncrementBps: 500,
          minIncrementFloor: 10n,
          timeBuffer: 120,
        },
      ]);
      await A.emitWithArgs(hash, s.house, "LotCreated", [
        1n,
        0n,
        getAddress(s.collection.address),
        tokenId,
        getAddress(s.seller.account.address),
        ONE,
        Number(now + 1n),
        Number(now + 1n + 3600n),
        500,
        10n,
        120,
        500,
        1000,
        0,
        false,
      ]);
      assert.equal(await s.collection.read.ownerOf([tokenId]), getAddress(s.house.address));
      const lot = await s.house.read.lot([1n]);
      assert.equal(lot.tokenId, tokenId);
      assert.equal(lot.seller, getAddress(s.seller.account.address));
      assert.equal(lot.reserve, ONE);
      assert.equal(lot.status, LotStatus.Live);
      assert.equal(lot.bidder, zeroAddress);
      assert.equal(await s.house.read.lotCount(), 1n);
    });

    it("uses DEFAULT_TIME_BUFFER when timeBuffer is 0 and schedules a future start", async () => {
      const s = await load();
      const start = BigInt(await networkHelpers.time.latest()) + DAY;
      const { lotId } = await s.createLot({ timeBuffer: 0, startTime: Number(start) });
      const lot = await s.house.read.lot([lotId]);
      assert.equal(lot.timeBuffer, 60);
      assert.equal(lot.startTime, Number(start));
      assert.equal(lot.endTime, Number(start + DAY));
      assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Scheduled);
    });

    it("reuses the shared lot template and keeps each lot's own values", async () => {
      const s = await load();
      await s.house.write.createCampaign(["c", "ipfs://c", 0]);
      const a = await s.createLot({ campaignId: 1n, reserve: 5n });
      const b = await s.createLot({ campaignId: 1n, reserve: 9n, minIncrementBps: 100 });
      const la = await s.house.read.lot([a.lotId]);
      const lb = await s.house.read.lot([b.lotId]);
      assert.equal(la.campaignId, 1n);
      // The reserve is kept in whole gwei, rounded up.
      assert.equal(la.reserve, 10n ** 9n);
      assert.equal(la.minIncrementBps, 500);
      assert.equal(la.campaignPosition, 1);
      assert.equal(lb.reserve, 10n ** 9n);
      assert.equal(lb.campaignPosition, 2);
      assert.equal(lb.minIncrementBps, 100);
      assert.equal(lb.tokenId, b.tokenId);
    });

    it("keeps token ids above 32 bits", async () => {
      const s = await load();
      const { nft, lotId } = await mockLot(s, 0, s.royalty.account.address, 0n, 2n ** 200n + 5n);
      const lot = await s.house.read.lot([lotId]);
      assert.equal(lot.tokenId, 2n ** 200n + 5n);
      const cancelled = await mockLot(s, 0, s.royalty.account.address, 0n, 2n ** 100n);
      await s.house.write.cancelLot([cancelled.lotId]);
      assert.equal(await cancelled.nft.read.ownerOf([2n ** 100n]), getAddress(s.seller.account.address));
      const [bidder] = await s.bidders();
      await s.house.write.bid([lotId], { account: bidder.account, value: ONE });
      await s.endLot(lotId);
      await s.house.write.settle([lotId]);
      assert.equal(await nft.read.ownerOf([2n ** 200n + 5n]), getAddress(bidder.account.address));
    });

    it("reverts with AccessControlUnauthorizedAccount for a non-auctioneer", async () => {
      const s = await load();
      const tokenId = await s.mint();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.createLot(
          [
            {
              campaignId: 0n,
              nft: s.collection.address,
              tokenId,
              seller: s.seller.account.address,
              reserve: 0n,
              startTime: 0,
              duration: 100,
              minIncrementBps: 0,
              minIncrementFloor: 0n,
              timeBuffer: 0,
            },
          ],
          { account: s.other.account },
        ),
        s.house,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.AUCTIONEER_ROLE],
      );
    });

    it("reverts with AuctionHousePaused while paused", async () => {
      const s = await load();
      await s.house.write.pause();
      await A.revertWithCustomError(s.createLot(), s.house, "AuctionHousePaused");
    });

    it("reverts with AuctionHouseCampaignNotFound for an unknown campaign", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(s.createLot({ campaignId: 1n }), s.house, "AuctionHouseCampaignNotFound", [1n]);
    });

    const bad: Array<[string, Record<string, unknown>]> = [
      ["nft", { nft: zeroAddress }],
      ["seller", { seller: zeroAddress }],
      ["seller", { seller: "HOUSE" }],
      ["duration", { duration: 0 }],
      ["duration", { duration: 30 * 86400 + 1 }],
      ["timeBuffer", { timeBuffer: 3601 }],
      ["minIncrementBps", { minIncrementBps: 10_001 }],
      ["minIncrementFloor", { minIncrementFloor: 1n << 80n }],
      ["minIncrementFloor", { minIncrementFloor: 0n }],
      ["minIncrementFloor", { minIncrementFloor: 1n << 64n }],
      ["reserve", { reserve: 1n << 88n }],
      ["startTime", { startTime: 2 ** 39 }],
    ];
    for (const [reason, params] of bad) {
      it(`reverts with AuctionHouseInvalidLotParams("${reason}") for ${JSON.stringify(params, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`, async () => {
        const s = await load();
        const tokenId = await s.mint();
        const resolved = params.seller === "HOUSE" ? { seller: s.house.address } : params;
        await A.revertWithCustomErrorWithArgs(
          s.createLot({ tokenId, ...(resolved as object) }),
          s.house,
          "AuctionHouseInvalidLotParams",
          [reason],
        );
      });
    }

    it("reverts when the seller did not approve the house (ERC-721 error bubbles up)", async () => {
      const s = await load();
      const tokenId = await s.mint(s.other.account.address);
      await A.revertWithCustomErrorWithArgs(
        s.createLot({ tokenId, seller: s.other.account.address }),
        s.collection,
        "ERC721InsufficientApproval",
        [getAddress(s.house.address), tokenId],
      );
    });
  });

  describe("bid", () => {
    it("places the first bid at the reserve and emits BidPlaced", async () => {
      const s = await load();
      const { lotId } = await s.createLot({ reserve: ONE });
      const [b1] = await s.bidders();
      const lot = await s.house.read.lot([lotId]);
      await A.emitWithArgs(s.house.write.bid([lotId], { account: b1.account, value: ONE }), s.house, "BidPlaced", [
        lotId,
        getAddress(b1.account.address),
        ONE,
        0n,
        lot.endTime,
        false,
        `0x${"0".repeat(64)}`,
      ]);
      const after = await s.house.read.lot([lotId]);
      assert.equal(after.bidder, getAddress(b1.account.address));
      assert.equal(after.amount, ONE);
      assert.equal(after.viaRelayer, false);
    });

    it("reverts with AuctionHouseBidTooLow below the reserve", async () => {
      const s = await load();
      const { lotId } = await s.createLot({ reserve: ONE });
      const [b1] = await s.bidders();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.bid([lotId], { account: b1.account, value: ONE - 1n }),
        s.house,
        "AuctionHouseBidTooLow",
        [lotId, ONE - 1n, ONE],
      );
    });

    it("reverts with AuctionHouseBidTooLow for a zero bid on a lot without reserve", async () => {
      const s = await load();
      const { lotId } = await s.createLot({ reserve: 0n });
      const [b1] = await s.bidders();
      assert.equal(await s.house.read.minimumNextBid([lotId]), 1n);
      await A.revertWithCustomErrorWithArgs(
        s.house.write.bid([lotId], { account: b1.account, value: 0n }),
        s.house,
        "AuctionHouseBidTooLow",
        [lotId, 0n, 1n],
      );
    });

    it("reverts with AuctionHouseBidTooLow below the minimum increment (bps of the standing bid)", async () => {
      const s = await load();
      const { lotId } = await s.createLot({ minIncrementBps: 500, minIncrementFloor: 1n });
      const [b1, b2] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: ONE });
      const minimum = ONE + ONE / 20n;
      assert.equal(await s.house.read.minimumNextBid([lotId]), minimum);
      await A.revertWithCustomErrorWithArgs(
        s.house.write.bid([lotId], { account: b2.account, value: minimum - 1n }),
        s.house,
        "AuctionHouseBidTooLow",
        [lotId, minimum - 1n, minimum],
      );
      await s.house.write.bid([lotId], { account: b2.account, value: minimum });
    });

    it("applies the absolute floor when it exceeds the bps increment", async () => {
      const s = await load();
      const floorLot = await s.createLot({ minIncrementBps: 100, minIncrementFloor: parseEther("0.5") });
      const zeroLot = await s.createLot({ minIncrementBps: 0, minIncrementFloor: 1n });
      const [b1] = await s.bidders();
      await s.house.write.bid([floorLot.lotId], { account: b1.account, value: ONE });
      await s.house.write.bid([zeroLot.lotId], { account: b1.account, value: ONE });
      assert.equal(await s.house.read.minimumNextBid([floorLot.lotId]), ONE + parseEther("0.5"));
      assert.equal(await s.house.read.minimumNextBid([zeroLot.lotId]), ONE + 1n);
    });

    it("pushes the outbid wallet bid back to the wallet and emits BidRefunded(toEscrow=false)", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const [b1, b2] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: ONE });
      const before = await balance(s, b1.account.address);
      const hash = s.house.write.bid([lotId], { account: b2.account, value: parseEther("1.1") });
      await A.emitWithArgs(hash, s.house, "BidRefunded", [lotId, getAddress(b1.account.address), ONE, false]);
      assert.equal(await balance(s, b1.account.address), before + ONE);
      assert.equal(await s.house.read.escrowOf([b1.account.address]), 0n);
    });

    it("credits escrow (PushFailed) when the outbid bidder reverts on receive, and the higher bid still lands", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const actor = await viem.deployContract("Actor");
      await actor.write.setMode([Mode.Revert]);
      const data = encodeBid(s, lotId);
      await actor.write.execute([s.house.address, ONE, data], { value: ONE });
      const [b2] = await s.bidders();
      const hash = s.house.write.bid([lotId], { account: b2.account, value: parseEther("1.1") });
      await A.emitWithArgs(hash, s.house, "EscrowCredited", [getAddress(actor.address), ONE, Credit.PushFailed]);
      await A.emitWithArgs(hash, s.house, "BidRefunded", [lotId, getAddress(actor.address), ONE, true]);
      assert.equal(await s.house.read.escrowOf([actor.address]), ONE);
      assert.equal((await s.house.read.lot([lotId])).bidder, getAddress(b2.account.address));
    });

    it("bounds the gas a gas-burning outbid bidder can take (stipend), then credits escrow", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const [b2, b3, b4] = await s.bidders(3);
      // Baseline: outbidding an EOA.
      await s.house.write.bid([lotId], { account: b3.account, value: ONE });
      const plain = await s.publicClient.waitForTransactionReceipt({
        hash: await s.house.write.bid([lotId], { account: b4.account, value: parseEther("1.1") }),
      });
      const lot2 = await s.createLot();
      const actor = await viem.deployContract("Actor");
      await actor.write.setMode([Mode.BurnGas]);
      await actor.write.execute([s.house.address, ONE, encodeBid(s, lot2.lotId)], { value: ONE });
      const griefed = await s.publicClient.waitForTransactionReceipt({
        hash: await s.house.write.bid([lot2.lotId], { account: b2.account, value: parseEther("1.1") }),
      });
      assert.equal(griefed.status, "success");
      assert.equal(await s.house.read.escrowOf([actor.address]), ONE);
      // The griefer costs the new bidder at most the stipend plus the escrow credit (a fresh slot and its event).
      const extra = griefed.gasUsed - plain.gasUsed;
      const limit = await s.house.read.PUSH_GAS_LIMIT();
      assert.ok(extra > limit, `griefing added ${extra} gas: the stipend was not used up`);
      assert.ok(extra < limit + 30_000n, `griefing added ${extra} gas`);
    });

    it("extends the end within the time buffer and emits LotExtended", async () => {
      const s = await load();
      const { lotId } = await s.createLot({ timeBuffer: 300, duration: 3600 });
      const [b1] = await s.bidders();
      const lot = await s.house.read.lot([lotId]);
      await networkHelpers.time.setNextBlockTimestamp(lot.endTime - 10);
      const newEnd = lot.endTime - 10 + 300;
      const hash = s.house.write.bid([lotId], { account: b1.account, value: ONE });
      await A.emitWithArgs(hash, s.house, "LotExtended", [lotId, newEnd]);
      assert.equal((await s.house.read.lot([lotId])).endTime, newEnd);
    });

    it("does not extend outside the time buffer", async () => {
      const s = await load();
      const { lotId } = await s.createLot({ timeBuffer: 300, duration: 3600 });
      const [b1] = await s.bidders();
      const lot = await s.house.read.lot([lotId]);
      await networkHelpers.time.setNextBlockTimestamp(lot.endTime - 300);
      const receipt = await s.publicClient.waitForTransactionReceipt({
        hash: await s.house.write.bid([lotId], { account: b1.account, value: ONE }),
      });
      const extended = await s.house.getEvents.LotExtended({}, { blockHash: receipt.blockHash });
      assert.equal(extended.length, 0);
      assert.equal((await s.house.read.lot([lotId])).endTime, lot.endTime);
    });

    it("reverts with AuctionHouseLotNotLive before the start and after the end", async () => {
      const s = await load();
      const start = BigInt(await networkHelpers.time.latest()) + DAY;
      const { lotId } = await s.createLot({ startTime: Number(start), duration: 100 });
      const [b1] = await s.bidders();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.bid([lotId], { account: b1.account, value: ONE }),
        s.house,
        "AuctionHouseLotNotLive",
        [lotId, LotStatus.Scheduled],
      );
      await networkHelpers.time.increaseTo(start + 100n);
      await A.revertWithCustomErrorWithArgs(
        s.house.write.bid([lotId], { account: b1.account, value: ONE }),
        s.house,
        "AuctionHouseLotNotLive",
        [lotId, LotStatus.Ended],
      );
    });

    it("reverts with AuctionHouseLotNotFound for an unknown lot", async () => {
      const s = await load();
      const [b1] = await s.bidders();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.bid([42n], { account: b1.account, value: ONE }),
        s.house,
        "AuctionHouseLotNotFound",
        [42n],
      );
    });

    it("reverts with AuctionHousePaused while paused", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      await s.house.write.pause();
      const [b1] = await s.bidders();
      await A.revertWithCustomError(s.house.write.bid([lotId], { account: b1.account, value: ONE }), s.house, "AuctionHousePaused");
    });

    it("reverts with AuctionHouseBidTooHigh above 2^88-1 wei", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const [b1] = await s.bidders();
      await networkHelpers.setBalance(b1.account.address, 1n << 100n);
      await A.revertWithCustomErrorWithArgs(
        s.house.write.bid([lotId], { account: b1.account, value: 1n << 88n }),
        s.house,
        "AuctionHouseBidTooHigh",
        [1n << 88n, MAX_UINT88],
      );
    });
  });

  describe("bidWithEscrow", () => {
    it("pays from msg.value plus escrow and reports escrowUsed", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const [b1] = await s.bidders();
      await s.house.write.deposit({ account: b1.account, value: ONE });
      const lot = await s.house.read.lot([lotId]);
      const hash = s.house.write.bidWithEscrow([lotId, parseEther("1.5")], { account: b1.account, value: parseEther("0.7") });
      await A.emitWithArgs(hash, s.house, "BidPlaced", [
        lotId,
        getAddress(b1.account.address),
        parseEther("1.5"),
        parseEther("0.8"),
        lot.endTime,
        false,
        `0x${"0".repeat(64)}`,
      ]);
      assert.equal(await s.house.read.escrowOf([b1.account.address]), parseEther("0.2"));
    });

    it("returns an outbid escrow bid to escrow (OutbidRefund)", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const [b1, b2] = await s.bidders();
      await s.house.write.deposit({ account: b1.account, value: ONE });
      await s.house.write.bidWithEscrow([lotId, ONE], { account: b1.account });
      const hash = s.house.write.bid([lotId], { account: b2.account, value: parseEther("1.1") });
      await A.emitWithArgs(hash, s.house, "EscrowCredited", [getAddress(b1.account.address), ONE, Credit.OutbidRefund]);
      await A.emitWithArgs(hash, s.house, "BidRefunded", [lotId, getAddress(b1.account.address), ONE, true]);
      assert.equal(await s.house.read.escrowOf([b1.account.address]), ONE);
    });

    it("lets a bidder raise their own escrow bid with the refund of it", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const [b1] = await s.bidders();
      await s.house.write.deposit({ account: b1.account, value: parseEther("1.2") });
      await s.house.write.bidWithEscrow([lotId, ONE], { account: b1.account });
      await s.house.write.bidWithEscrow([lotId, parseEther("1.1")], { account: b1.account });
      assert.equal(await s.house.read.escrowOf([b1.account.address]), parseEther("0.1"));
      assert.equal((await s.house.read.lot([lotId])).amount, parseEther("1.1"));
    });

    it("treats a bid with no escrow used as a wallet bid (refund pushed)", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const [b1, b2] = await s.bidders();
      await s.house.write.bidWithEscrow([lotId, ONE], { account: b1.account, value: ONE });
      await A.emitWithArgs(
        s.house.write.bid([lotId], { account: b2.account, value: parseEther("1.1") }),
        s.house,
        "BidRefunded",
        [lotId, getAddress(b1.account.address), ONE, false],
      );
    });

    it("reverts with AuctionHouseValueAboveAmount when msg.value exceeds the amount", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const [b1] = await s.bidders();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.bidWithEscrow([lotId, ONE], { account: b1.account, value: ONE + 1n }),
        s.house,
        "AuctionHouseValueAboveAmount",
        [ONE + 1n, ONE],
      );
    });

    it("reverts with AuctionHouseInsufficientEscrow when escrow does not cover the rest", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const [b1] = await s.bidders();
      await s.house.write.deposit({ account: b1.account, value: parseEther("0.1") });
      await A.revertWithCustomErrorWithArgs(
        s.house.write.bidWithEscrow([lotId, ONE], { account: b1.account, value: parseEther("0.5") }),
        s.house,
        "AuctionHouseInsufficientEscrow",
        [getAddress(b1.account.address), parseEther("0.1"), parseEther("0.5")],
      );
    });
  });

  describe("escrow", () => {
    it("deposit credits escrow and emits EscrowDeposited", async () => {
      const s = await load();
      const [b1] = await s.bidders();
      await A.emitWithArgs(s.house.write.deposit({ account: b1.account, value: ONE }), s.house, "EscrowDeposited", [
        getAddress(b1.account.address),
        ONE,
      ]);
      assert.equal(await s.house.read.escrowOf([b1.account.address]), ONE);
    });

    it("deposit reverts with AuctionHouseZeroAmount for 0", async () => {
      const s = await load();
      await A.revertWithCustomError(s.house.write.deposit({ value: 0n }), s.house, "AuctionHouseZeroAmount");
    });

    it("withdraw sends the amount and emits Withdrawn, also while paused", async () => {
      const s = await load();
      const [b1] = await s.bidders();
      await s.house.write.deposit({ account: b1.account, value: ONE });
      await s.house.write.pause();
      const hash = s.house.write.withdraw([parseEther("0.4")], { account: b1.account });
      await A.emitWithArgs(hash, s.house, "Withdrawn", [getAddress(b1.account.address), parseEther("0.4")]);
      assert.equal(await s.house.read.escrowOf([b1.account.address]), parseEther("0.6"));
      assert.equal(await balance(s, s.house.address), parseEther("0.6"));
    });

    it("withdrawAll sends the whole balance", async () => {
      const s = await load();
      const [b1] = await s.bidders();
      await s.house.write.deposit({ account: b1.account, value: ONE });
      await A.balancesHaveChanged(s.house.write.withdrawAll({ account: b1.account }), [
        { address: s.house.address, amount: -ONE },
      ]);
      assert.equal(await s.house.read.escrowOf([b1.account.address]), 0n);
    });

    it("withdraw reverts with AuctionHouseInsufficientEscrow above the balance", async () => {
      const s = await load();
      const [b1] = await s.bidders();
      await s.house.write.deposit({ account: b1.account, value: ONE });
      await A.revertWithCustomErrorWithArgs(
        s.house.write.withdraw([ONE + 1n], { account: b1.account }),
        s.house,
        "AuctionHouseInsufficientEscrow",
        [getAddress(b1.account.address), ONE, ONE + 1n],
      );
    });

    it("withdraw and withdrawAll revert with AuctionHouseZeroAmount for nothing", async () => {
      const s = await load();
      await A.revertWithCustomError(s.house.write.withdraw([0n]), s.house, "AuctionHouseZeroAmount");
      await A.revertWithCustomError(s.house.write.withdrawAll(), s.house, "AuctionHouseZeroAmount");
    });

    it("withdraw reverts with AuctionHouseWithdrawFailed when the caller rejects ether", async () => {
      const s = await load();
      const actor = await viem.deployContract("Actor");
      await actor.write.execute([s.house.address, ONE, depositData(s)], { value: ONE });
      await actor.write.setMode([Mode.Revert]);
      await A.revertWithCustomErrorWithArgs(
        actor.write.execute([s.house.address, 0n, withdrawData(s, ONE)]),
        s.house,
        "AuctionHouseWithdrawFailed",
        [getAddress(actor.address), ONE],
      );
    });

    it("a refund push to a receiver that tries to reenter lands in escrow when the hook cannot finish", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const actor = await viem.deployContract("Actor");
      await actor.write.execute([s.house.address, ONE, encodeBid(s, lotId)], { value: ONE });
      await actor.write.setReentry([s.house.address, withdrawData(s, ONE)]);
      const [b2] = await s.bidders();
      await s.house.write.bid([lotId], { account: b2.account, value: parseEther("1.1") });
      assert.equal(await s.house.read.escrowOf([actor.address]), ONE);
      assert.equal(await balance(s, s.house.address), ONE + parseEther("1.1"));
    });

    it("a withdraw reentered from the receiver's hook is blocked by the reentrancy guard", async () => {
      const s = await load();
      const actor = await viem.deployContract("Actor");
      await actor.write.execute([s.house.address, parseEther("2"), depositData(s)], { value: parseEther("2") });
      await actor.write.setReentry([s.house.address, withdrawData(s, ONE)]);
      await actor.write.execute([s.house.address, 0n, withdrawData(s, ONE)]);
      assert.equal(await actor.read.reentered(), false);
      const result = (await actor.read.reenterResult()) as string;
      assert.equal(result.slice(0, 10), keccak256(toBytes("ReentrancyGuardReentrantCall()")).slice(0, 10));
      assert.equal(await s.house.read.escrowOf([actor.address]), ONE);
      assert.equal(await balance(s, s.house.address), ONE);
    });
  });

  describe("chat authorizations", () => {
    /** Signs for chat account "twitch:1" unless told otherwise: the chat id hash is part of the signed struct. */
    const sign = (
      s: Stack,
      signer: Parameters<Stack["signAuthorization"]>[0],
      over: Parameters<Stack["signAuthorization"]>[1] = {},
      domain: Parameters<Stack["signAuthorization"]>[2] = {},
    ) => s.signAuthorization(signer, { chatIdHash: chatId("twitch:1"), ...over }, domain);

    async function register(s: Stack, f: Awaited<ReturnType<Stack["chatBidder"]>>, over = {}) {
      const { auth, signature } = await sign(s, f.account, over);
      await s.house.write.registerChatAuthorization([auth, signature], { account: s.relayer.account });
      return auth;
    }

    it("registers, emits ChatAuthorizationRegistered and reports it", async () => {
      const s = await load();
      const f = await s.chatBidder();
      const { auth, signature } = await sign(s, f.account, { maxBid: parseEther("2"), totalCap: parseEther("5") });
      const hash = s.house.write.registerChatAuthorization([auth, signature], { account: s.relayer.account });
      await A.emitWithArgs(hash, s.house, "ChatAuthorizationRegistered", [
        getAddress(f.address),
        getAddress(s.relayer.account.address),
        chatId("twitch:1"),
        parseEther("2"),
        parseEther("5"),
        auth.expiry,
        0n,
      ]);
      const view = await s.house.read.authorizationOf([f.address]);
      assert.deepEqual(view, {
        relayer: getAddress(s.relayer.account.address),
        chatIdHash: chatId("twitch:1"),
        maxBid: parseEther("2"),
        totalCap: parseEther("5"),
        expiry: auth.expiry,
        nonce: 0n,
        exposure: 0n,
        revoked: false,
      });
      assert.equal(await s.house.read.nonces([f.address]), 1n);
    });

    it("hashChatAuthorization matches the EIP-712 digest the bidder signs", async () => {
      const s = await load();
      const auth = {
        bidder: s.other.account.address,
        relayer: s.relayer.account.address,
        chatIdHash: chatId("twitch:42"),
        maxBid: 1n,
        totalCap: 2n,
        expiry: 3n,
        nonce: 4n,
      };
      const digest = hashTypedData({
        domain: { name: "SothebAIs AuctionHouse", version: "1", chainId: s.chainId, verifyingContract: s.house.address },
        types: chatAuthorizationTypes,
        primaryType: "ChatAuthorization",
        message: auth,
      });
      assert.equal(await s.house.read.hashChatAuthorization([auth]), digest);
    });

    it("accepts an ERC-1271 smart wallet bidder and rejects a signature its owner did not make", async () => {
      const s = await load();
      const owner = await s.freshAccount();
      const stranger = await s.freshAccount();
      const wallet = await viem.deployContract("ERC1271Wallet", [owner.address]);
      await wallet.write.execute([s.house.address, parseEther("2"), depositData(s)], { value: parseEther("2") });
      const bad = await sign(s, stranger.account, { bidder: wallet.address });
      await A.revertWithCustomErrorWithArgs(
        s.house.write.registerChatAuthorization([bad.auth, bad.signature], { account: s.relayer.account }),
        s.house,
        "ChatAuthorizationInvalidSignature",
        [getAddress(wallet.address)],
      );
      const good = await sign(s, owner.account, { bidder: wallet.address });
      await s.house.write.registerChatAuthorization([good.auth, good.signature], { account: s.relayer.account });
      const { lotId } = await s.createLot();
      await s.house.write.relayBid([lotId, wallet.address, ONE], { account: s.relayer.account });
      assert.equal((await s.house.read.lot([lotId])).bidder, getAddress(wallet.address));
    });

    it("reverts with ChatAuthorizationWrongRelayer when another relayer registers it", async () => {
      const s = await load();
      const f = await s.chatBidder();
      await s.house.write.grantRole([roles.RELAYER_ROLE, s.other.account.address]);
      const { auth, signature } = await sign(s, f.account);
      await A.revertWithCustomErrorWithArgs(
        s.house.write.registerChatAuthorization([auth, signature], { account: s.other.account }),
        s.house,
        "ChatAuthorizationWrongRelayer",
        [getAddress(s.relayer.account.address), getAddress(s.other.account.address)],
      );
    });

    it("reverts with AccessControlUnauthorizedAccount when the named relayer lacks RELAYER_ROLE", async () => {
      const s = await load();
      const f = await s.chatBidder();
      const { auth, signature } = await sign(s, f.account, { relayer: s.other.account.address });
      await A.revertWithCustomErrorWithArgs(
        s.house.write.registerChatAuthorization([auth, signature], { account: s.other.account }),
        s.house,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.RELAYER_ROLE],
      );
    });

    it("reverts with AuctionHouseZeroAddress for a zero bidder and ChatAuthorizationZeroChatId for a zero chat id", async () => {
      const s = await load();
      const f = await s.chatBidder();
      const { auth, signature } = await sign(s, f.account);
      await A.revertWithCustomError(
        s.house.write.registerChatAuthorization([{ ...auth, bidder: zeroAddress }, signature], { account: s.relayer.account }),
        s.house,
        "AuctionHouseZeroAddress",
      );
      await A.revertWithCustomError(
        s.house.write.registerChatAuthorization([{ ...auth, chatIdHash: `0x${"0".repeat(64)}` }, signature], { account: s.relayer.account }),
        s.house,
        "ChatAuthorizationZeroChatId",
      );
    });

    it("reverts with ChatAuthorizationExpired for an expiry in the past", async () => {
      const s = await load();
      const f = await s.chatBidder();
      const expiry = BigInt(await networkHelpers.time.latest()) - 1n;
      const { auth, signature } = await sign(s, f.account, { expiry });
      await A.revertWithCustomErrorWithArgs(
        s.house.write.registerChatAuthorization([auth, signature], { account: s.relayer.account }),
        s.house,
        "ChatAuthorizationExpired",
        [expiry],
      );
    });

    for (const [maxBid, totalCap] of [
      [0n, ONE],
      [parseEther("2"), ONE],
      [999_999_999n, ONE],
    ] as const) {
      it(`reverts with ChatAuthorizationInvalidCaps for maxBid ${maxBid}, totalCap ${totalCap}`, async () => {
        const s = await load();
        const f = await s.chatBidder();
        const { auth, signature } = await sign(s, f.account, { maxBid, totalCap });
        await A.revertWithCustomErrorWithArgs(
          s.house.write.registerChatAuthorization([auth, signature], { account: s.relayer.account }),
          s.house,
          "ChatAuthorizationInvalidCaps",
          [maxBid, totalCap],
        );
      });
    }

    it("reverts with ChatAuthorizationInvalidNonce on replay", async () => {
      const s = await load();
      const f = await s.chatBidder();
      const { auth, signature } = await sign(s, f.account);
      await s.house.write.registerChatAuthorization([auth, signature], { account: s.relayer.account });
      await A.revertWithCustomErrorWithArgs(
        s.house.write.registerChatAuthorization([auth, signature], { account: s.relayer.account }),
        s.house,
        "ChatAuthorizationInvalidNonce",
        [getAddress(f.address), 1n, 0n],
      );
    });

    it("reverts with ChatAuthorizationInvalidSignature for another signer, another chain or another contract", async () => {
      const s = await load();
      const f = await s.chatBidder();
      const stranger = await s.freshAccount();
      const cases = [
        await sign(s, stranger.account, { bidder: f.address }),
        await sign(s, f.account, {}, { chainId: 11011 }),
        await sign(s, f.account, {}, { verifyingContract: s.collection.address }),
      ];
      for (const { auth, signature } of cases) {
        await A.revertWithCustomErrorWithArgs(
          s.house.write.registerChatAuthorization([auth, signature], { account: s.relayer.account }),
          s.house,
          "ChatAuthorizationInvalidSignature",
          [getAddress(f.address)],
        );
      }
    });

    it("reverts with ChatAuthorizationMalformedSignature for a signature of the wrong length", async () => {
      const s = await load();
      const f = await s.chatBidder();
      const { auth, signature } = await sign(s, f.account);
      await A.revertWithCustomErrorWithArgs(
        s.house.write.registerChatAuthorization([auth, signature.slice(0, 100) as `0x${string}`], {
          account: s.relayer.account,
        }),
        s.house,
        "ChatAuthorizationMalformedSignature",
        [getAddress(f.address)],
      );
    });

    it("relayBid bids from escrow, emits BidPlaced with viaRelayer and the chat id, and counts the exposure", async () => {
      const s = await load();
      const f = await s.chatBidder();
      await register(s, f);
      const { lotId } = await s.createLot();
      const lot = await s.house.read.lot([lotId]);
      const hash = s.house.write.relayBid([lotId, f.address, ONE], { account: s.relayer.account });
      await A.emitWithArgs(hash, s.house, "BidPlaced", [lotId, getAddress(f.address), ONE, ONE, lot.endTime, true, chatId("twitch:1")]);
      assert.equal(await s.house.read.escrowOf([f.address]), parseEther("2"));
      assert.equal((await s.house.read.authorizationOf([f.address])).exposure, ONE);
      assert.equal((await s.house.read.lot([lotId])).viaRelayer, true);
    });

    it("an outbid chat bid returns to escrow and leaves the exposure; a self-raise counts only the new bid", async () => {
      const s = await load();
      const f = await s.chatBidder();
      await register(s, f);
      const { lotId } = await s.createLot();
      await s.house.write.relayBid([lotId, f.address, ONE], { account: s.relayer.account });
      await s.house.write.relayBid([lotId, f.address, parseEther("1.5")], { account: s.relayer.account });
      assert.equal((await s.house.read.authorizationOf([f.address])).exposure, parseEther("1.5"));
      assert.equal(await s.house.read.escrowOf([f.address]), parseEther("1.5"));
      const [b2] = await s.bidders();
      const hash = s.house.write.bid([lotId], { account: b2.account, value: parseEther("2") });
      await A.emitWithArgs(hash, s.house, "EscrowCredited", [getAddress(f.address), parseEther("1.5"), Credit.OutbidRefund]);
      assert.equal((await s.house.read.authorizationOf([f.address])).exposure, 0n);
      assert.equal(await s.house.read.escrowOf([f.address]), parseEther("3"));
    });

    it("a lot won through chat stays in the exposure, also after a new authorization", async () => {
      const s = await load();
      const f = await s.chatBidder();
      await register(s, f, { totalCap: parseEther("2"), maxBid: parseEther("2") });
      const { lotId } = await s.createLot();
      await s.house.write.relayBid([lotId, f.address, ONE], { account: s.relayer.account });
      await s.endLot(lotId);
      await s.house.write.settle([lotId]);
      await register(s, f, { totalCap: parseEther("2"), maxBid: parseEther("2") });
      assert.equal((await s.house.read.authorizationOf([f.address])).exposure, ONE);
      const next = await s.createLot();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.relayBid([next.lotId, f.address, parseEther("1.5")], { account: s.relayer.account }),
        s.house,
        "ChatAuthorizationCapExceeded",
        [getAddress(f.address), parseEther("2.5"), parseEther("2")],
      );
    });

    it("relayBid reverts with AuctionHouseBidTooHigh above maxBid", async () => {
      const s = await load();
      const f = await s.chatBidder();
      await register(s, f, { maxBid: ONE });
      const { lotId } = await s.createLot();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.relayBid([lotId, f.address, ONE + 1n], { account: s.relayer.account }),
        s.house,
        "AuctionHouseBidTooHigh",
        [ONE + 1n, ONE],
      );
    });

    it("relayBid reverts with AuctionHouseInsufficientEscrow when escrow does not cover the bid", async () => {
      const s = await load();
      const f = await s.chatBidder(parseEther("0.5"));
      await register(s, f);
      const { lotId } = await s.createLot();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.relayBid([lotId, f.address, ONE], { account: s.relayer.account }),
        s.house,
        "AuctionHouseInsufficientEscrow",
        [getAddress(f.address), parseEther("0.5"), ONE],
      );
    });

    it("relayBid reverts with ChatAuthorizationRevokedOrMissing without an authorization and after revocation", async () => {
      const s = await load();
      const f = await s.chatBidder();
      const { lotId } = await s.createLot();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.relayBid([lotId, f.address, ONE], { account: s.relayer.account }),
        s.house,
        "ChatAuthorizationRevokedOrMissing",
        [getAddress(f.address)],
      );
      await register(s, f);
      const hash = f.wallet.writeContract({ address: s.house.address, abi: s.house.abi, functionName: "revokeChatAuthorization" });
      await A.emitWithArgs(hash, s.house, "ChatAuthorizationRevoked", [getAddress(f.address), 1n]);
      const view = await s.house.read.authorizationOf([f.address]);
      assert.equal(view.revoked, true);
      assert.equal(view.nonce, 1n);
      await A.revertWithCustomErrorWithArgs(
        s.house.write.relayBid([lotId, f.address, ONE], { account: s.relayer.account }),
        s.house,
        "ChatAuthorizationRevokedOrMissing",
        [getAddress(f.address)],
      );
    });

    it("revocation also kills a signed but unregistered authorization", async () => {
      const s = await load();
      const f = await s.chatBidder();
      const { auth, signature } = await sign(s, f.account);
      await f.wallet.writeContract({ address: s.house.address, abi: s.house.abi, functionName: "revokeChatAuthorization" });
      await A.revertWithCustomErrorWithArgs(
        s.house.write.registerChatAuthorization([auth, signature], { account: s.relayer.account }),
        s.house,
        "ChatAuthorizationInvalidNonce",
        [getAddress(f.address), 1n, 0n],
      );
    });

    it("relayBid reverts with ChatAuthorizationWrongRelayer for another relayer", async () => {
      const s = await load();
      const f = await s.chatBidder();
      await register(s, f);
      await s.house.write.grantRole([roles.RELAYER_ROLE, s.other.account.address]);
      const { lotId } = await s.createLot();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.relayBid([lotId, f.address, ONE], { account: s.other.account }),
        s.house,
        "ChatAuthorizationWrongRelayer",
        [getAddress(s.relayer.account.address), getAddress(s.other.account.address)],
      );
    });

    it("relayBid reverts with AccessControlUnauthorizedAccount once the relayer's role is revoked", async () => {
      const s = await load();
      const f = await s.chatBidder();
      await register(s, f);
      await s.house.write.revokeRole([roles.RELAYER_ROLE, s.relayer.account.address]);
      const { lotId } = await s.createLot();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.relayBid([lotId, f.address, ONE], { account: s.relayer.account }),
        s.house,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.relayer.account.address), roles.RELAYER_ROLE],
      );
    });

    it("relayBid reverts with ChatAuthorizationExpired after the expiry", async () => {
      const s = await load();
      const f = await s.chatBidder();
      const auth = await register(s, f);
      const { lotId } = await s.createLot({ duration: 3 * 86400 });
      await networkHelpers.time.increaseTo(auth.expiry + 1n);
      await A.revertWithCustomErrorWithArgs(
        s.house.write.relayBid([lotId, f.address, ONE], { account: s.relayer.account }),
        s.house,
        "ChatAuthorizationExpired",
        [auth.expiry],
      );
    });

    it("stores caps in whole gwei, rounded down, and clamps huge ones", async () => {
      const s = await load();
      const f = await s.chatBidder();
      const { auth, signature } = await sign(s, f.account, { maxBid: ONE + 123n, totalCap: 2n ** 255n, expiry: 2n ** 100n });
      // The event carries the caps and expiry as stored, not as signed.
      await A.emitWithArgs(
        s.house.write.registerChatAuthorization([auth, signature], { account: s.relayer.account }),
        s.house,
        "ChatAuthorizationRegistered",
        [getAddress(f.address), getAddress(s.relayer.account.address), chatId("twitch:1"), ONE, (2n ** 56n - 1n) * 10n ** 9n, 2n ** 40n - 1n, 0n],
      );
      const view = await s.house.read.authorizationOf([f.address]);
      assert.equal(view.maxBid, ONE);
      assert.equal(view.totalCap, (2n ** 56n - 1n) * 10n ** 9n);
      assert.equal(view.expiry, 2n ** 40n - 1n);
    });
  });

  describe("settle", () => {
    async function wonLot(s: Stack, price = ONE) {
      const { lotId, tokenId } = await s.createLot();
      const [b1] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: price });
      await s.endLot(lotId);
      return { lotId, tokenId, winner: b1 };
    }

    it("sends the NFT to the winner, accrues the fee to the treasury, pushes royalty and proceeds", async () => {
      const s = await load();
      const { lotId, tokenId, winner } = await wonLot(s, parseEther("2"));
      const fee = parseEther("0.1"); // 5 %
      const royalty = parseEther("0.19"); // 10 % of what is left after the fee? no: 10 % of the price, clamped
      const royaltyAmount = parseEther("0.2");
      const proceeds = parseEther("2") - fee - royaltyAmount;
      void royalty;
      const hash = s.house.write.settle([lotId], { account: s.other.account });
      await A.emitWithArgs(hash, s.house, "LotSettled", [
        lotId,
        getAddress(winner.account.address),
        parseEther("2"),
        getAddress(s.royalty.account.address),
        royaltyAmount,
        fee,
        proceeds,
      ]);
      await A.emitWithArgs(hash, s.house, "EscrowCredited", [getAddress(s.treasury.account.address), fee, Credit.ProtocolFee]);
      assert.equal(await s.collection.read.ownerOf([tokenId]), getAddress(winner.account.address));
      assert.equal(await s.house.read.escrowOf([s.treasury.account.address]), fee);
      assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Settled);
      assert.equal(await balance(s, s.house.address), fee);
    });

    it("pays seller and royalty receiver exactly", async () => {
      const s = await load();
      const { lotId } = await wonLot(s, parseEther("2"));
      await A.balancesHaveChanged(s.house.write.settle([lotId], { account: s.other.account }), [
        { address: s.seller.account.address, amount: parseEther("1.7") },
        { address: s.royalty.account.address, amount: parseEther("0.2") },
        { address: s.house.address, amount: -parseEther("1.9") },
      ]);
    });

    it("the treasury withdraws its accrued fees, and setTreasury moves them to the old treasury's account", async () => {
      const s = await load();
      const first = await wonLot(s, parseEther("2"));
      await s.house.write.settle([first.lotId]);
      await A.emitWithArgs(s.house.write.withdraw([parseEther("0.04")], { account: s.treasury.account }), s.house, "Withdrawn", [
        getAddress(s.treasury.account.address),
        parseEther("0.04"),
      ]);
      assert.equal(await s.house.read.escrowOf([s.treasury.account.address]), parseEther("0.06"));
      const second = await wonLot(s, parseEther("2"));
      await s.house.write.settle([second.lotId]);
      await s.house.write.setTreasury([s.other.account.address]);
      assert.equal(await s.house.read.escrowOf([s.treasury.account.address]), parseEther("0.16"));
      assert.equal(await s.house.read.escrowOf([s.other.account.address]), 0n);
      await s.house.write.withdrawAll({ account: s.treasury.account });
      assert.equal(await balance(s, s.house.address), 0n);
    });

    it("with no bid, returns the NFT to the seller and emits LotSettled with zeros", async () => {
      const s = await load();
      const { lotId, tokenId } = await s.createLot();
      await s.endLot(lotId);
      await A.emitWithArgs(s.house.write.settle([lotId]), s.house, "LotSettled", [lotId, zeroAddress, 0n, zeroAddress, 0n, 0n, 0n]);
      assert.equal(await s.collection.read.ownerOf([tokenId]), getAddress(s.seller.account.address));
    });

    it("works while paused", async () => {
      const s = await load();
      const { lotId } = await wonLot(s);
      await s.house.write.pause();
      await s.house.write.settle([lotId]);
      assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Settled);
    });

    it("reverts with AuctionHouseLotNotEnded before the end", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const lot = await s.house.read.lot([lotId]);
      await A.revertWithCustomErrorWithArgs(s.house.write.settle([lotId]), s.house, "AuctionHouseLotNotEnded", [lotId, lot.endTime]);
    });

    it("reverts with AuctionHouseLotAlreadyClosed the second time and AuctionHouseLotNotFound for an unknown lot", async () => {
      const s = await load();
      const { lotId } = await wonLot(s);
      await s.house.write.settle([lotId]);
      await A.revertWithCustomErrorWithArgs(s.house.write.settle([lotId]), s.house, "AuctionHouseLotAlreadyClosed", [
        lotId,
        LotStatus.Settled,
      ]);
      await A.revertWithCustomErrorWithArgs(s.house.write.settle([99n]), s.house, "AuctionHouseLotNotFound", [99n]);
    });

    it("caps a royalty above 100 % at the lot's royalty cap (10 %)", async () => {
      const s = await load();
      const { lotId } = await mockLot(s, 0, s.royalty.account.address, 20_000n);
      const [b1] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: ONE });
      await s.endLot(lotId);
      const hash = s.house.write.settle([lotId]);
      await A.emitWithArgs(hash, s.house, "LotSettled", [
        lotId,
        getAddress(b1.account.address),
        ONE,
        getAddress(s.royalty.account.address),
        parseEther("0.1"),
        parseEther("0.05"),
        parseEther("0.85"),
      ]);
      assert.equal(await balance(s, s.house.address), parseEther("0.05"));
    });

    for (const [name, mode] of [
      ["reverts", 1],
      ["burns all gas", 2],
      ["returns short data", 3],
      ["returns a dirty address", 4],
      ["does not implement ERC-2981", 5],
    ] as const) {
      it(`pays no royalty when royaltyInfo ${name}`, async () => {
        const s = await load();
        const { lotId } = await mockLot(s, mode, s.royalty.account.address, 1000n);
        const [b1] = await s.bidders();
        await s.house.write.bid([lotId], { account: b1.account, value: ONE });
        await s.endLot(lotId);
        await A.emitWithArgs(s.house.write.settle([lotId]), s.house, "LotSettled", [
          lotId,
          getAddress(b1.account.address),
          ONE,
          zeroAddress,
          0n,
          parseEther("0.05"),
          parseEther("0.95"),
        ]);
      });
    }

    it("pays no royalty to a zero receiver or to the house itself", async () => {
      const s = await load();
      for (const receiver of [zeroAddress, s.house.address]) {
        const { lotId } = await mockLot(s, 0, receiver, 1000n, receiver === zeroAddress ? 1n : 2n);
        const [b1] = await s.bidders();
        await s.house.write.bid([lotId], { account: b1.account, value: ONE });
        await s.endLot(lotId);
        await A.emitWithArgs(s.house.write.settle([lotId]), s.house, "LotSettled", [
          lotId,
          getAddress(b1.account.address),
          ONE,
          zeroAddress,
          0n,
          parseEther("0.05"),
          parseEther("0.95"),
        ]);
      }
    });

    for (const [name, mode] of [
      ["reverts", Mode.Revert],
      ["burns all gas", Mode.BurnGas],
      ["reenters", Mode.Reenter],
    ] as const) {
      it(`credits escrow (PushFailed) when the seller and the royalty receiver ${name}`, async () => {
        const s = await load();
        const seller = await viem.deployContract("Actor");
        const receiver = await viem.deployContract("Actor");
        for (const actor of [seller, receiver]) {
          if (mode === Mode.Reenter) await actor.write.setReentry([s.house.address, withdrawData(s, 1n)]);
          else await actor.write.setMode([mode]);
        }
        const nft = await viem.deployContract("MockRoyaltyNFT");
        await nft.write.mint([seller.address, 1n]);
        await seller.write.execute([nft.address, 0n, approveAllData(s, nft.address)]);
        await nft.write.setRoyalty([0, receiver.address, 1000n]);
        await s.house.write.setCollectionAllowed([nft.address, true]);
        const { lotId } = await s.createLot({ nft: nft.address, tokenId: 1n, seller: seller.address });
        const [b1] = await s.bidders();
        await s.house.write.bid([lotId], { account: b1.account, value: ONE });
        await s.endLot(lotId);
        const hash = s.house.write.settle([lotId]);
        if (mode === Mode.Reenter) {
          // The reentrant withdraw fails inside the 30k stipend (guarded), the receive hook then reverts on
          // nothing: a reentering receiver that survives gets paid; one that does not is credited.
          await hash;
          const credited = (await s.house.read.escrowOf([seller.address])) + (await balance(s, seller.address));
          assert.equal(credited, parseEther("0.85"));
          return;
        }
        await A.emitWithArgs(hash, s.house, "EscrowCredited", [getAddress(seller.address), parseEther("0.85"), Credit.PushFailed]);
        assert.equal(await s.house.read.escrowOf([seller.address]), parseEther("0.85"));
        assert.equal(await s.house.read.escrowOf([receiver.address]), parseEther("0.1"));
        assert.equal(await nft.read.ownerOf([1n]), getAddress(b1.account.address));
      });
    }

    it("delivers to a winner contract without an ERC-721 receiver (transferFrom)", async () => {
      const s = await load();
      const { lotId, tokenId } = await s.createLot();
      const winner = await viem.deployContract("ERC1271Wallet", [s.other.account.address]);
      await winner.write.execute([s.house.address, ONE, encodeBid(s, lotId)], { value: ONE });
      await s.endLot(lotId);
      await s.house.write.settle([lotId]);
      assert.equal(await s.collection.read.ownerOf([tokenId]), getAddress(winner.address));
    });
  });

  describe("cancelLot", () => {
    it("returns the NFT and emits LotCancelled, also while paused", async () => {
      const s = await load();
      const { lotId, tokenId } = await s.createLot();
      await s.house.write.pause();
      await A.emitWithArgs(s.house.write.cancelLot([lotId]), s.house, "LotCancelled", [lotId]);
      assert.equal(await s.collection.read.ownerOf([tokenId]), getAddress(s.seller.account.address));
      assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Cancelled);
      assert.equal((await s.house.read.lot([lotId])).status, LotStatus.Cancelled);
    });

    it("reverts with AuctionHouseLotHasBids after the first bid", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const [b1] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: ONE });
      await A.revertWithCustomErrorWithArgs(s.house.write.cancelLot([lotId]), s.house, "AuctionHouseLotHasBids", [lotId]);
    });

    it("reverts with AuctionHouseLotAlreadyClosed for a cancelled lot, and a cancelled lot takes no bid", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      await s.house.write.cancelLot([lotId]);
      await A.revertWithCustomErrorWithArgs(s.house.write.cancelLot([lotId]), s.house, "AuctionHouseLotAlreadyClosed", [
        lotId,
        LotStatus.Cancelled,
      ]);
      const [b1] = await s.bidders();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.bid([lotId], { account: b1.account, value: ONE }),
        s.house,
        "AuctionHouseLotNotLive",
        [lotId, LotStatus.Cancelled],
      );
      await A.revertWithCustomErrorWithArgs(s.house.read.minimumNextBid([lotId]), s.house, "AuctionHouseLotNotLive", [
        lotId,
        LotStatus.Cancelled,
      ]);
    });

    it("reverts with AccessControlUnauthorizedAccount for a non-auctioneer", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.cancelLot([lotId], { account: s.other.account }),
        s.house,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.AUCTIONEER_ROLE],
      );
    });
  });

  describe("admin", () => {
    it("setProtocolFee updates the fee and emits ProtocolFeeUpdated", async () => {
      const s = await load();
      await A.emitWithArgs(s.house.write.setProtocolFee([250]), s.house, "ProtocolFeeUpdated", [500, 250]);
      assert.equal(await s.house.read.protocolFeeBps(), 250);
    });

    it("setProtocolFee reverts with AuctionHouseFeeTooHigh above the cap", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(s.house.write.setProtocolFee([1001]), s.house, "AuctionHouseFeeTooHigh", [1001, 1000]);
    });

    it("setProtocolFee reverts with AccessControlUnauthorizedAccount for a non-admin (even the pauser)", async () => {
      const s = await load();
      await s.house.write.grantRole([roles.PAUSER_ROLE, s.other.account.address]);
      await A.revertWithCustomErrorWithArgs(
        s.house.write.setProtocolFee([1], { account: s.other.account }),
        s.house,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.DEFAULT_ADMIN_ROLE],
      );
    });

    it("setTreasury updates the treasury and emits TreasuryUpdated", async () => {
      const s = await load();
      await A.emitWithArgs(s.house.write.setTreasury([s.other.account.address]), s.house, "TreasuryUpdated", [
        getAddress(s.treasury.account.address),
        getAddress(s.other.account.address),
      ]);
      assert.equal(await s.house.read.treasury(), getAddress(s.other.account.address));
    });

    it("setTreasury reverts with AuctionHouseZeroAddress and for a non-admin", async () => {
      const s = await load();
      await A.revertWithCustomError(s.house.write.setTreasury([zeroAddress]), s.house, "AuctionHouseZeroAddress");
      await A.revertWithCustomErrorWithArgs(
        s.house.write.setTreasury([s.other.account.address], { account: s.other.account }),
        s.house,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.DEFAULT_ADMIN_ROLE],
      );
    });

    it("pause and unpause emit Paused/Unpaused; repeating them reverts", async () => {
      const s = await load();
      await A.emitWithArgs(s.house.write.pause(), s.house, "Paused", [getAddress(s.admin.account.address)]);
      assert.equal(await s.house.read.paused(), true);
      await A.revertWithCustomError(s.house.write.pause(), s.house, "AuctionHousePaused");
      await A.emitWithArgs(s.house.write.unpause(), s.house, "Unpaused", [getAddress(s.admin.account.address)]);
      await A.revertWithCustomError(s.house.write.unpause(), s.house, "AuctionHouseNotPaused");
    });

    it("pause and unpause revert with AccessControlUnauthorizedAccount for a non-pauser; a granted pauser can", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.pause({ account: s.other.account }),
        s.house,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.PAUSER_ROLE],
      );
      await s.house.write.pause();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.unpause({ account: s.other.account }),
        s.house,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.PAUSER_ROLE],
      );
      await s.house.write.grantRole([roles.PAUSER_ROLE, s.other.account.address]);
      await s.house.write.unpause({ account: s.other.account });
      assert.equal(await s.house.read.paused(), false);
    });

    it("only the admin grants roles", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.grantRole([roles.RELAYER_ROLE, s.other.account.address], { account: s.other.account }),
        s.house,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.DEFAULT_ADMIN_ROLE],
      );
    });
  });

  describe("views", () => {
    it("lot, minimumNextBid revert with AuctionHouseLotNotFound and lotStatus is None for an unknown lot", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(s.house.read.lot([1n]), s.house, "AuctionHouseLotNotFound", [1n]);
      await A.revertWithCustomErrorWithArgs(s.house.read.minimumNextBid([1n]), s.house, "AuctionHouseLotNotFound", [1n]);
      assert.equal(await s.house.read.lotStatus([1n]), LotStatus.None);
      assert.equal(await s.house.read.lotStatus([0n]), LotStatus.None);
    });

    it("a settled lot reports Settled with its storage cleared; the winner owns the NFT", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const [b1] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: ONE });
      await s.endLot(lotId);
      assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Ended);
      await s.house.write.settle([lotId]);
      const lot = await s.house.read.lot([lotId]);
      assert.equal(lot.status, LotStatus.Settled);
      assert.equal(lot.bidder, zeroAddress);
      assert.equal(lot.amount, 0n);
      assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Settled);
      assert.equal(await s.collection.read.ownerOf([(await s.house.getEvents.LotCreated({ lotId }, { fromBlock: 0n }))[0].args.tokenId!]), getAddress(b1.account.address));
      await A.revertWithCustomErrorWithArgs(s.house.read.minimumNextBid([lotId]), s.house, "AuctionHouseLotNotLive", [lotId, LotStatus.Settled]);
    });

    it("supports the AccessControl and ERC-165 interfaces", async () => {
      const s = await load();
      assert.equal(await s.house.read.supportsInterface(["0x01ffc9a7"]), true);
      assert.equal(await s.house.read.supportsInterface(["0x7965db0b"]), true);
      assert.equal(await s.house.read.supportsInterface(["0xffffffff"]), false);
    });
  });
  // ------------------------------------------------------------------ issue 18: each test fails on the v1 contract

  describe("issue 18 (v2 guarantees)", () => {
    const Hostile = { Honest: 0, Revert: 1, RevertTo: 2, BurnGas: 3, NoOp: 4, Redirect: 5 } as const;

    /** A lot of a HostileNFT token (honest while the lot is created), from an allowed collection. */
    async function hostileLot(s: Stack, tokenId = 1n) {
      const nft = await viem.deployContract("HostileNFT");
      const { lotId } = await s.createTestLot(nft.address, tokenId);
      return { nft, lotId, tokenId };
    }

    async function eventNames(s: Stack, hash: `0x${string}`) {
      const receipt = await s.publicClient.waitForTransactionReceipt({ hash });
      return parseEventLogs({ abi: s.house.abi, logs: receipt.logs }).map((e) => e.eventName);
    }

    for (const [name, mode] of [
      ["reverts every transfer", Hostile.Revert],
      ["blocks transfers to the winner", Hostile.RevertTo],
      ["burns all gas", Hostile.BurnGas],
      ["does nothing on transfer", Hostile.NoOp],
      ["moves the token to someone else", Hostile.Redirect],
    ] as const) {
      it(`settle of a lot whose collection ${name} never reverts: Undeliverable, the winner's bid back in escrow, nobody paid`, async () => {
        const s = await load();
        const { nft, lotId, tokenId } = await hostileLot(s);
        const [winner] = await s.bidders();
        await s.house.write.bid([lotId], { account: winner.account, value: ONE });
        await nft.write.setMode([mode, mode === Hostile.Redirect ? s.other.account.address : winner.account.address]);
        await s.endLot(lotId);
        const sellerBefore = await balance(s, s.seller.account.address);
        const hash = await s.house.write.settle([lotId], { account: s.other.account });
        const names = await eventNames(s, hash);
        assert.ok(!names.includes("LotSettled"), `events: ${names}`);
        await A.emitWithArgs(Promise.resolve(hash), s.house, "LotUndeliverable", [lotId, getAddress(winner.account.address), ONE]);
        await A.emitWithArgs(Promise.resolve(hash), s.house, "EscrowCredited", [getAddress(winner.account.address), ONE, Credit.DeliveryFailed]);
        assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Undeliverable);
        assert.equal(await s.house.read.escrowOf([winner.account.address]), ONE);
        assert.equal(await s.house.read.escrowOf([s.treasury.account.address]), 0n);
        assert.equal(await s.house.read.escrowOf([s.seller.account.address]), 0n);
        assert.equal(await balance(s, s.seller.account.address), sellerBefore);
        assert.equal(await balance(s, s.house.address), ONE);
        await A.revertWithCustomErrorWithArgs(s.house.write.settle([lotId]), s.house, "AuctionHouseLotAlreadyClosed", [
          lotId,
          LotStatus.Undeliverable,
        ]);
        // The winner takes the bid back.
        await s.house.write.withdrawAll({ account: winner.account });
        assert.equal(await balance(s, s.house.address), 0n);
        await nft.write.setMode([Hostile.Honest, zeroAddress]);
        if (mode === Hostile.Redirect) {
          // The collection gave the token away: it is not in custody, so there is nothing to return.
          assert.equal(await nft.read.ownerOf([tokenId]), getAddress(s.other.account.address));
          await A.revertWithCustomError(s.house.write.returnUndeliverable([lotId]), nft, "ERC721InsufficientApproval");
          return;
        }
        // Once transfers work again anyone sends the token back to the seller.
        await A.emitWithArgs(s.house.write.returnUndeliverable([lotId], { account: s.other.account }), s.house, "LotTokenReturned", [
          lotId,
          getAddress(s.seller.account.address),
        ]);
        assert.equal(await nft.read.ownerOf([tokenId]), getAddress(s.seller.account.address));
        await A.revertWithCustomError(s.house.write.returnUndeliverable([lotId]), s.house, "AuctionHouseLotNotUndeliverable");
      });
    }

    it("a chat winner's undeliverable lot releases the exposure", async () => {
      const s = await load();
      const { nft, lotId } = await hostileLot(s);
      const f = await s.freshAccount();
      await f.wallet.writeContract({ address: s.house.address, abi: s.house.abi, functionName: "deposit", value: parseEther("2") });
      const { auth, signature } = await s.signAuthorization(f.account, { chatIdHash: chatId("twitch:77") });
      await s.house.write.registerChatAuthorization([auth, signature], { account: s.relayer.account });
      await s.house.write.relayBid([lotId, f.address, ONE], { account: s.relayer.account });
      await nft.write.setMode([Hostile.Revert, zeroAddress]);
      await s.endLot(lotId);
      await s.house.write.settle([lotId]);
      assert.equal((await s.house.read.authorizationOf([f.address])).exposure, 0n);
      assert.equal(await s.house.read.escrowOf([f.address]), parseEther("2"));
    });

    it("createLot of a collection whose transfer does nothing reverts with AuctionHouseNotInCustody", async () => {
      const s = await load();
      const nft = await viem.deployContract("HostileNFT");
      await s.allowTestCollection(nft.address);
      await nft.write.setMode([Hostile.NoOp, zeroAddress]);
      await A.revertWithCustomErrorWithArgs(s.createLot({ nft: nft.address, tokenId: 1n }), s.house, "AuctionHouseNotInCustody", [
        getAddress(nft.address),
        1n,
      ]);
    });

    it("createLot of a collection that is not allowed reverts with AuctionHouseCollectionNotAllowed", async () => {
      const s = await load();
      const nft = await viem.deployContract("HostileNFT");
      await nft.write.mint([s.seller.account.address, 1n]);
      await nft.write.setApprovalForAll([s.house.address, true], { account: s.seller.account });
      await A.revertWithCustomErrorWithArgs(s.createLot({ nft: nft.address, tokenId: 1n }), s.house, "AuctionHouseCollectionNotAllowed", [
        getAddress(nft.address),
      ]);
      await A.emitWithArgs(s.house.write.setCollectionAllowed([nft.address, true]), s.house, "CollectionAllowed", [getAddress(nft.address), true]);
      assert.equal(await s.house.read.isCollectionAllowed([nft.address]), true);
      await s.createLot({ nft: nft.address, tokenId: 1n });
      // Disallowing stops new lots of the project collection too; only the admin may change the list.
      await s.house.write.setCollectionAllowed([s.collection.address, false]);
      await A.revertWithCustomErrorWithArgs(s.createLot(), s.house, "AuctionHouseCollectionNotAllowed", [getAddress(s.collection.address)]);
      await A.revertWithCustomErrorWithArgs(
        s.house.write.setCollectionAllowed([nft.address, false], { account: s.other.account }),
        s.house,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.DEFAULT_ADMIN_ROLE],
      );
    });

    it("settling with too little gas for the NFT transfer reverts with AuctionHouseInsufficientGas, never Undeliverable", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      const [winner] = await s.bidders();
      await s.house.write.bid([lotId], { account: winner.account, value: ONE });
      await s.endLot(lotId);
      const needed = await s.publicClient.estimateContractGas({
        address: s.house.address,
        abi: s.house.abi,
        functionName: "settle",
        args: [lotId],
        account: s.other.account,
      });
      let insufficient = 0;
      let settled = 0;
      for (let gas = 60_000n; gas <= needed + 2_000n; gas += 1_500n) {
        const snapshot = await networkHelpers.takeSnapshot();
        try {
          await s.house.write.settle([lotId], { account: s.other.account, gas });
          settled++;
        } catch (error) {
          if (String(error).includes("AuctionHouseInsufficientGas")) insufficient++;
        }
        // Whatever gas the settler sends, an honest collection's lot is either delivered or untouched.
        const status = await s.house.read.lotStatus([lotId]);
        assert.ok(status === LotStatus.Settled || status === LotStatus.Ended, `gas ${gas}: status ${status}`);
        await snapshot.restore();
      }
      // Which limits hit AuctionHouseInsufficientGas (not a plain out-of-gas) depends on the code's own gas use
      // (coverage instrumentation moves it), so the scan only requires that none made the lot undeliverable; the
      // gas-burning collection below pins the custom error down.
      assert.ok(insufficient + settled > 0, "no gas limit got past the checks");
      assert.ok(settled > 0, "no gas limit settled");
      // The same for a gas-burning collection: short of a fair attempt the settle reverts instead of failing it.
      const hostile = await hostileLot(s);
      await s.house.write.bid([hostile.lotId], { account: winner.account, value: ONE });
      await hostile.nft.write.setMode([Hostile.BurnGas, zeroAddress]);
      await s.endLot(hostile.lotId);
      await A.revertWithCustomError(s.house.write.settle([hostile.lotId], { gas: 250_000n }), s.house, "AuctionHouseInsufficientGas");
      assert.equal(await s.house.read.lotStatus([hostile.lotId]), LotStatus.Ended);
      await s.house.write.settle([hostile.lotId], { gas: 1_000_000n });
      assert.equal(await s.house.read.lotStatus([hostile.lotId]), LotStatus.Undeliverable);
    });

    it("pause stops the clock: paused 30 s before the end, unpaused 10 minutes later, a higher bid after unpause wins", async () => {
      const s = await load();
      const { lotId, tokenId } = await s.createLot({ duration: 3600, timeBuffer: 300 });
      const [b1, b2] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: ONE });
      const { endTime } = await s.house.read.lot([lotId]);
      await networkHelpers.time.setNextBlockTimestamp(endTime - 30);
      await s.house.write.pause();
      // Past the original end while paused: not ended, cannot be settled, takes no bid.
      await networkHelpers.time.increaseTo(endTime + 60);
      assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Live);
      await A.revertWithCustomError(s.house.write.settle([lotId]), s.house, "AuctionHouseLotNotEnded");
      await A.revertWithCustomError(s.house.write.bid([lotId], { account: b2.account, value: parseEther("2") }), s.house, "AuctionHousePaused");
      const unpausedAt = endTime - 30 + 600;
      await networkHelpers.time.setNextBlockTimestamp(unpausedAt);
      await s.house.write.unpause();
      assert.equal((await s.house.read.lot([lotId])).endTime, unpausedAt + 300);
      await A.revertWithCustomErrorWithArgs(s.house.write.settle([lotId]), s.house, "AuctionHouseLotNotEnded", [lotId, unpausedAt + 300]);
      await s.house.write.bid([lotId], { account: b2.account, value: parseEther("2") });
      await s.endLot(lotId);
      await s.house.write.settle([lotId]);
      assert.equal(await s.collection.read.ownerOf([tokenId]), getAddress(b2.account.address));
    });

    it("a pause does not stretch a lot opened after it", async () => {
      const s = await load();
      await s.house.write.pause();
      await networkHelpers.time.increase(100n);
      await s.house.write.unpause();
      const unpausedAt = await networkHelpers.time.latest();
      const { lotId } = await s.createLot({ duration: 30, timeBuffer: 300 });
      const { startTime, endTime } = await s.house.read.lot([lotId]);
      assert.equal(endTime - startTime, 30);
      assert.ok(startTime > unpausedAt - 1);
      await networkHelpers.time.increaseTo(endTime);
      assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Ended);
    });

    it("a second pause does not reopen a lot that ended after the first pause's grace", async () => {
      const s = await load();
      const { lotId } = await s.createLot({ duration: 3600, timeBuffer: 120 });
      const [b1, b2] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: ONE });
      const { endTime } = await s.house.read.lot([lotId]);
      await networkHelpers.time.setNextBlockTimestamp(endTime - 30);
      await s.house.write.pause();
      await s.house.write.unpause(); // at endTime - 29: the lot now ends at endTime - 29 + 120
      const graceEnd = endTime - 29 + 120;
      assert.equal((await s.house.read.lot([lotId])).endTime, graceEnd);
      await networkHelpers.time.increaseTo(graceEnd + 60);
      assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Ended);
      await s.house.write.pause();
      await networkHelpers.time.increase(600n);
      await s.house.write.unpause();
      assert.equal(await s.house.read.lotStatus([lotId]), LotStatus.Ended);
      await A.revertWithCustomError(s.house.write.bid([lotId], { account: b2.account, value: parseEther("2") }), s.house, "AuctionHouseLotNotLive");
      await s.house.write.settle([lotId]);
    });

    it("a second pause protects a lot still in its grace from the first", async () => {
      const s = await load();
      const { lotId } = await s.createLot({ duration: 3600, timeBuffer: 300 });
      const [b1, b2] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: ONE });
      const { endTime } = await s.house.read.lot([lotId]);
      await networkHelpers.time.setNextBlockTimestamp(endTime - 30);
      await s.house.write.pause();
      await networkHelpers.time.setNextBlockTimestamp(endTime + 100);
      await s.house.write.unpause(); // grace until endTime + 400
      await networkHelpers.time.setNextBlockTimestamp(endTime + 200);
      await s.house.write.pause();
      await networkHelpers.time.setNextBlockTimestamp(endTime + 2000);
      await s.house.write.unpause();
      assert.equal((await s.house.read.lot([lotId])).endTime, endTime + 2300);
      await s.house.write.bid([lotId], { account: b2.account, value: parseEther("2") });
      assert.equal((await s.house.read.lot([lotId])).bidder, getAddress(b2.account.address));
    });

    it("a fee changed after a lot's creation does not change that lot's fee", async () => {
      const s = await load();
      const { lotId } = await s.createLot();
      await s.house.write.setProtocolFee([1000]);
      assert.equal((await s.house.read.lot([lotId])).protocolFeeBps, 500);
      const later = await s.createLot();
      assert.equal((await s.house.read.lot([later.lotId])).protocolFeeBps, 1000);
      const [b1] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: ONE });
      await s.endLot(lotId);
      await A.emitWithArgs(s.house.write.settle([lotId]), s.house, "LotSettled", [
        lotId,
        getAddress(b1.account.address),
        ONE,
        getAddress(s.royalty.account.address),
        parseEther("0.1"),
        parseEther("0.05"),
        parseEther("0.85"),
      ]);
    });

    it("a 100 % royalty pays at most the lot's cap (10 %), also when the cap is raised after creation", async () => {
      const s = await load();
      const { lotId } = await mockLot(s, 0, s.royalty.account.address, 10_000n);
      assert.equal((await s.house.read.lot([lotId])).maxRoyaltyBps, 1000);
      await A.emitWithArgs(s.house.write.setMaxRoyalty([2500]), s.house, "MaxRoyaltyUpdated", [1000, 2500]);
      await A.revertWithCustomError(s.house.write.setMaxRoyalty([2501]), s.house, "AuctionHouseRoyaltyCapTooHigh");
      const [b1] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: ONE });
      await s.endLot(lotId);
      await A.balancesHaveChanged(s.house.write.settle([lotId]), [
        { address: s.royalty.account.address, amount: parseEther("0.1") },
        { address: s.seller.account.address, amount: parseEther("0.85") },
      ]);
    });

    it("the fee is rounded down to whole gwei, the rest stays with the seller", async () => {
      const s = await load();
      const price = ONE + 3_000_000_000n; // 5 % = 0.05 ether + 0.15 gwei
      const { lotId } = await s.createLot();
      const [b1] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: price });
      await s.endLot(lotId);
      const royalty = price / 10n;
      await A.emitWithArgs(s.house.write.settle([lotId]), s.house, "LotSettled", [
        lotId,
        getAddress(b1.account.address),
        price,
        getAddress(s.royalty.account.address),
        royalty,
        parseEther("0.05"),
        price - parseEther("0.05") - royalty,
      ]);
      assert.equal(await s.house.read.escrowOf([s.treasury.account.address]), parseEther("0.05"));
    });

    it("the leader raising its own bid inside the time buffer does not extend; a new bidder does", async () => {
      const s = await load();
      const { lotId } = await s.createLot({ duration: 3600, timeBuffer: 300 });
      const [b1, b2] = await s.bidders();
      const { endTime } = await s.house.read.lot([lotId]);
      await s.house.write.bid([lotId], { account: b1.account, value: ONE });
      await networkHelpers.time.setNextBlockTimestamp(endTime - 10);
      const raise = await s.house.write.bid([lotId], { account: b1.account, value: parseEther("2") });
      assert.deepEqual(await eventNames(s, raise), ["BidPlaced", "BidRefunded"]);
      assert.equal((await s.house.read.lot([lotId])).endTime, endTime);
      await networkHelpers.time.setNextBlockTimestamp(endTime - 5);
      await A.emitWithArgs(s.house.write.bid([lotId], { account: b2.account, value: parseEther("3") }), s.house, "LotExtended", [
        lotId,
        endTime - 5 + 300,
      ]);
    });

    it("events come in one order: BidPlaced, LotExtended, then the refund's EscrowCredited/BidRefunded", async () => {
      const s = await load();
      const { lotId } = await s.createLot({ duration: 3600, timeBuffer: 300 });
      const [b1, b2, b3] = await s.bidders();
      const { endTime } = await s.house.read.lot([lotId]);
      await s.house.write.deposit({ account: b1.account, value: ONE });
      await s.house.write.bidWithEscrow([lotId, ONE], { account: b1.account });
      await networkHelpers.time.setNextBlockTimestamp(endTime - 10);
      const escrowRefund = await s.house.write.bid([lotId], { account: b2.account, value: parseEther("2") });
      assert.deepEqual(await eventNames(s, escrowRefund), ["BidPlaced", "LotExtended", "EscrowCredited", "BidRefunded"]);
      const walletRefund = await s.house.write.bid([lotId], { account: b3.account, value: parseEther("3") });
      assert.deepEqual(await eventNames(s, walletRefund), ["BidPlaced", "LotExtended", "BidRefunded"]);
    });

    it("minimumNextBid reverts with AuctionHouseLotNotLive for a scheduled or ended lot", async () => {
      const s = await load();
      const start = BigInt(await networkHelpers.time.latest()) + DAY;
      const { lotId } = await s.createLot({ startTime: Number(start), duration: 100 });
      await A.revertWithCustomErrorWithArgs(s.house.read.minimumNextBid([lotId]), s.house, "AuctionHouseLotNotLive", [lotId, LotStatus.Scheduled]);
      await networkHelpers.time.increaseTo(start + 100n);
      await A.revertWithCustomErrorWithArgs(s.house.read.minimumNextBid([lotId]), s.house, "AuctionHouseLotNotLive", [lotId, LotStatus.Ended]);
    });

    it("a signature binds the chat account: a relayer cannot register it for another one", async () => {
      const s = await load();
      const f = await s.freshAccount();
      await f.wallet.writeContract({ address: s.house.address, abi: s.house.abi, functionName: "deposit", value: parseEther("2") });
      const victim = chatIdHashOf({ platform: "twitch", userId: "1001" });
      const attacker = chatIdHashOf({ platform: "twitch", userId: "6666" });
      const { auth, signature } = await s.signAuthorization(f.account, { chatIdHash: victim });
      await A.revertWithCustomErrorWithArgs(
        s.house.write.registerChatAuthorization([{ ...auth, chatIdHash: attacker }, signature], { account: s.relayer.account }),
        s.house,
        "ChatAuthorizationInvalidSignature",
        [getAddress(f.address)],
      );
      await s.house.write.registerChatAuthorization([auth, signature], { account: s.relayer.account });
      assert.equal((await s.house.read.authorizationOf([f.address])).chatIdHash, victim);
      const { lotId } = await s.createLot();
      const lot = await s.house.read.lot([lotId]);
      await A.emitWithArgs(s.house.write.relayBid([lotId, f.address, ONE], { account: s.relayer.account }), s.house, "BidPlaced", [
        lotId,
        getAddress(f.address),
        ONE,
        ONE,
        lot.endTime,
        true,
        victim,
      ]);
    });

    it("a campaign runs one lot at a time: the next opens at the previous end plus the intermission, keeping its duration", async () => {
      const s = await load();
      await A.emitWithArgs(s.house.write.createCampaign(["Show", "ipfs://show", 30]), s.house, "CampaignCreated", [
        1n,
        getAddress(s.admin.account.address),
        "Show",
        "ipfs://show",
        30,
      ]);
      const first = await s.createLot({ campaignId: 1n, duration: 600, timeBuffer: 60 });
      const second = await s.createLot({ campaignId: 1n, duration: 300, timeBuffer: 60 });
      const created = await s.house.getEvents.LotCreated({ lotId: second.lotId }, { fromBlock: 0n });
      assert.equal(created[0].args.queued, true);
      assert.equal(created[0].args.campaignPosition, 2);
      assert.equal(await s.house.read.lotStatus([second.lotId]), LotStatus.Queued);
      const [b1, b2] = await s.bidders();
      await A.revertWithCustomErrorWithArgs(
        s.house.write.bid([second.lotId], { account: b2.account, value: ONE }),
        s.house,
        "AuctionHouseLotNotLive",
        [second.lotId, LotStatus.Queued],
      );
      await s.house.write.bid([first.lotId], { account: b1.account, value: ONE });
      const end1 = (await s.house.read.lot([first.lotId])).endTime;
      await s.endLot(first.lotId);
      assert.equal(await s.house.read.lotStatus([second.lotId]), LotStatus.Queued);
      await A.emitWithArgs(s.house.write.settle([first.lotId]), s.house, "CampaignAdvanced", [1n, 1, end1 + 30]);
      const opened = await s.house.read.lot([second.lotId]);
      assert.equal(opened.startTime, end1 + 30);
      assert.equal(opened.endTime, end1 + 30 + 300);
      assert.equal(opened.status, LotStatus.Scheduled);
      assert.deepEqual(await s.house.read.campaign([1n]), { intermission: 30, lotsCreated: 2, lotsClosed: 1, releaseTime: end1 + 30 });
      // Just before the opening the bid is refused, at the opening it lands.
      await networkHelpers.time.increaseTo(end1 + 28);
      await A.revertWithCustomErrorWithArgs(
        s.house.write.bid([second.lotId], { account: b2.account, value: ONE }),
        s.house,
        "AuctionHouseLotNotLive",
        [second.lotId, LotStatus.Scheduled],
      );
      await networkHelpers.time.increaseTo(end1 + 29);
      await s.house.write.bid([second.lotId], { account: b2.account, value: ONE });
      const live = await s.house.read.lot([second.lotId]);
      assert.equal(live.status, LotStatus.Live);
      assert.equal(live.startTime, end1 + 30);
      assert.equal(live.endTime, end1 + 30 + 300);
    });

    it("a campaign lot can be cancelled on its turn or as the last lot, else AuctionHouseLotOutOfTurn", async () => {
      const s = await load();
      await s.house.write.createCampaign(["Show", "ipfs://show", 0]);
      const lots = [];
      for (let i = 0; i < 3; i++) lots.push((await s.createLot({ campaignId: 1n, duration: 600 })).lotId);
      await A.revertWithCustomErrorWithArgs(s.house.write.cancelLot([lots[1]]), s.house, "AuctionHouseLotOutOfTurn", [lots[1]]);
      await s.house.write.cancelLot([lots[2]]);
      assert.equal((await s.house.read.campaign([1n])).lotsCreated, 2);
      const hash = s.house.write.cancelLot([lots[0]]);
      await A.emitWithArgs(hash, s.house, "LotCancelled", [lots[0]]);
      const now = BigInt(await networkHelpers.time.latest());
      const advanced = await s.house.getEvents.CampaignAdvanced({ campaignId: 1n }, { fromBlock: 0n });
      assert.equal(advanced.length, 1);
      assert.equal(advanced[0].args.lotsClosed, 1);
      assert.equal(BigInt(advanced[0].args.releaseTime!), now);
      assert.equal(await s.house.read.lotStatus([lots[1]]), LotStatus.Live);
    });

    it("setTreasury refuses the house itself (AuctionHouseInvalidTreasury)", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(s.house.write.setTreasury([s.house.address]), s.house, "AuctionHouseInvalidTreasury", [
        getAddress(s.house.address),
      ]);
    });

    it("a lot with a token id above 32 bits settles and its big token id slot is cleared", async () => {
      const s = await load();
      const tokenId = 2n ** 200n + 5n;
      const { nft, lotId } = await mockLot(s, 0, s.royalty.account.address, 0n, tokenId);
      // _bigTokenIds is the mapping at slot 4 of AuctionHouseStorage (which the house lays out first).
      const slot = keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [lotId, 4n]));
      const read = async () => BigInt((await s.publicClient.getStorageAt({ address: s.house.address, slot })) ?? "0x0");
      assert.equal(await read(), tokenId);
      const [b1] = await s.bidders();
      await s.house.write.bid([lotId], { account: b1.account, value: ONE });
      await s.endLot(lotId);
      await s.house.write.settle([lotId]);
      assert.equal(await nft.read.ownerOf([tokenId]), getAddress(b1.account.address));
      assert.equal(await read(), 0n);
    });
  });

});

// ------------------------------------------------------------------ calldata for actor contracts

import { encodeFunctionData } from "viem";

function encodeBid(s: Stack, lotId: bigint) {
  return encodeFunctionData({ abi: s.house.abi, functionName: "bid", args: [lotId] });
}
function depositData(s: Stack) {
  return encodeFunctionData({ abi: s.house.abi, functionName: "deposit" });
}
function withdrawData(s: Stack, amount: bigint) {
  return encodeFunctionData({ abi: s.house.abi, functionName: "withdraw", args: [amount] });
}
function approveAllData(s: Stack, _nft: Address) {
  return encodeFunctionData({ abi: s.collection.abi, functionName: "setApprovalForAll", args: [s.house.address, true] });
}
