// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {AuctionHouse} from "../src/AuctionHouse.sol";
import {IAuctionHouse} from "../src/interfaces/IAuctionHouse.sol";
import {IAuctionHouseTypes} from "../src/interfaces/IAuctionHouseTypes.sol";
import {SothebaisCollection} from "../src/SothebaisCollection.sol";
import {Actor} from "./helpers/Actor.sol";
import {ERC1271Wallet} from "./helpers/ERC1271Wallet.sol";
import {HostileNFT} from "./helpers/HostileNFT.sol";
import {MockRoyaltyNFT} from "./helpers/MockRoyaltyNFT.sol";
import {TestBase} from "./helpers/Vm.sol";

/// @notice Drives the auction house with random sequences of lots (plain, scheduled, campaign/queued, hostile NFT,
/// hostile royalty, big token ids), deposits, wallet / escrow / relayer / treasury bids, registrations, revocations,
/// withdrawals, time jumps, settlements, cancels, returns of undeliverable tokens, pauses, fee / royalty / treasury
/// changes and a relayer losing its role, by honest and hostile actors: bidders and payees that revert, burn gas or
/// reenter; an ERC-1271 chat bidder whose `isValidSignature` burns gas, return-bombs or reverts; a collection whose
/// transfers fail; a collection whose `royaltyInfo` claims more than 100 %, reverts, burns gas, return-bombs or
/// answers malformed.
/// @dev Runs with `invariant.failOnRevert = true`: every action either succeeds or reverts with the error the
/// handler predicted from the house's state before the call ({_expectRevert}); anything else (a reverting settle,
/// a wrong error, a failed assertion) fails the run. Ghost totals feed the invariants; counters prove each action
/// ran ({AuctionHouseInvariantTest.afterInvariant}). The handler keeps its own clock (`now_`): under via-IR a
/// `block.timestamp` read after `vm.warp` in the same call can be stale.
contract Handler is TestBase {
    enum Action {
        CreateLot,
        Deposit,
        Withdraw,
        Bid,
        BidWithEscrow,
        RelayBid,
        Register,
        Revoke,
        Warp,
        Settle,
        Cancel,
        ReturnUndeliverable,
        PayeeModes,
        HostileMode,
        Pause,
        Unpause,
        SetFee,
        SetMaxRoyalty,
        SetRoyalty,
        SetTreasury,
        TreasuryBid,
        RelayerRole,
        WalletMode
    }

    uint256 public constant ACTIONS = 23;

    struct LotInfo {
        address nft;
        uint256 tokenId;
        bool hostile;
        bool escrowBid; // the standing bid used escrow (its refund goes back to escrow)
        uint16 feeBps; // the fee when it was created
        uint16 maxRoyaltyBps; // the royalty cap when it was created
        uint256 pauseEpoch; // the pause that caught it before its end (0 = none)
    }

    struct Before {
        uint256 seller;
        uint256 royalty;
        uint256 treasury;
        uint256 winner;
        uint256 royaltyDue; // the royalty settlement must pay, predicted from the collection's state
    }

    error UnexpectedRevert(string action, bytes4 expected, bytes reason);
    error UnexpectedSuccess(string action, bytes4 expected);
    /// @notice A lot caught by the pause ended before its time buffer after the unpause.
    error EndedWithinTheBufferAfterUnpause(uint256 lotId, uint256 now_, uint256 unpausedAt, uint256 timeBuffer, uint256 endTime);

    IAuctionHouse public immutable house;
    AuctionHouse internal immutable _house;
    SothebaisCollection public immutable nft;
    HostileNFT public immutable hostile;
    MockRoyaltyNFT public immutable royaltyMock;
    ERC1271Wallet public immutable wallet;
    address public immutable admin;
    Actor public immutable seller;
    Actor public immutable royaltyReceiver;
    Actor public immutable reenterer;

    address[2] public relayers = [address(0x5E1A7), address(0x5E1A8)];
    bool[2] public relayerHasRole = [true, true];
    address[3] public treasuries = [address(0x7EA5), address(0x7EA6), address(0x7EA7)];

    uint256[] internal _keys; // signing keys of the chat bidders (the ERC-1271 wallet's owner for the last one)
    address[] internal _chatBidders; // 4 EOAs and an ERC-1271 wallet that rejects ether
    address[] internal _bidders; // the chat bidders plus a reverting, a gas-burning and a reentering actor
    address[] internal _accounts; // everyone who can hold escrow or ether
    mapping(address => bool) internal _isActor;
    uint256[] internal _open; // lots not closed
    uint256[] internal _undeliverable; // lots whose token waits in custody
    mapping(uint256 => LotInfo) public lots;
    uint64[] internal _campaigns;

    uint256 public now_;
    uint256 public dealt; // all ether ever given to the accounts
    mapping(address => uint256) public wonViaRelayer;
    uint256 public calls;
    uint256[23] public called; // per action: calls by the fuzzer
    uint256[23] public ran; // per action: calls that reached the house (not early returns)
    uint256 public bidsPlaced;
    uint256 public relayBidsPlaced;
    uint256 public bidsRejected;
    uint256 public settledWithWinner;
    uint256 public settledWithoutBid;
    uint256 public undeliverable;
    uint256 public tokensReturned;
    uint256 public cancelled;
    uint256 public earlySettlesRejected;
    uint256 public campaignLots;
    uint256 public pauseEpoch;
    uint256 public lastUnpause;
    /// @notice Per MockRoyaltyNFT.RoyaltyMode: royalty-mock lots settled with a winner in that mode.
    uint256[7] public settledByRoyaltyMode;
    /// @notice Per HostileNFT.Mode: lots that became undeliverable in that mode.
    uint256[6] public undeliverableByNftMode;
    /// @notice Per ERC1271Wallet.SigMode: the wallet's registrations that reached the signature check.
    uint256[4] public walletRegistrations;
    uint256 internal _nextHostileId = 1;
    uint256 internal _nextMockId = 1;

    constructor(
        AuctionHouse house_,
        SothebaisCollection nft_,
        HostileNFT hostile_,
        MockRoyaltyNFT royaltyMock_,
        address admin_,
        uint256 now__
    ) {
        _house = house_;
        house = IAuctionHouse(address(house_));
        nft = nft_;
        hostile = hostile_;
        royaltyMock = royaltyMock_;
        admin = admin_;
        now_ = now__;
        seller = new Actor();
        royaltyReceiver = new Actor();
        for (uint256 i = 0; i < 4; ++i) {
            uint256 key = uint256(keccak256(abi.encode("bidder", i)));
            _keys.push(key);
            _chatBidders.push(vm.addr(key));
        }
        uint256 walletKey = uint256(keccak256("wallet owner"));
        ERC1271Wallet wallet_ = new ERC1271Wallet(vm.addr(walletKey));
        wallet = wallet_;
        wallet_.setMode(Actor.Mode.Revert); // a chat bidder whose every ether push fails
        _keys.push(walletKey);
        _chatBidders.push(address(wallet_));
        _isActor[address(wallet_)] = true;
        for (uint256 i = 0; i < _chatBidders.length; ++i) {
            _bidders.push(_chatBidders[i]);
        }
        Actor reverting = new Actor();
        reverting.setMode(Actor.Mode.Revert);
        Actor burner = new Actor();
        burner.setMode(Actor.Mode.BurnGas);
        reenterer = new Actor();
        reenterer.setReentry(address(house_), abi.encodeWithSignature("withdrawAll()"));
        _bidders.push(address(reverting));
        _bidders.push(address(burner));
        _bidders.push(address(reenterer));
        for (uint256 i = 0; i < _bidders.length; ++i) {
            _accounts.push(_bidders[i]);
        }
        _isActor[address(reverting)] = true;
        _isActor[address(burner)] = true;
        _isActor[address(reenterer)] = true;
        _isActor[address(seller)] = true;
        _isActor[address(royaltyReceiver)] = true;
        _accounts.push(address(seller));
        _accounts.push(address(royaltyReceiver));
        for (uint256 i = 0; i < 3; ++i) {
            _accounts.push(treasuries[i]);
        }
        vm.prank(address(seller));
        nft.setApprovalForAll(address(house_), true);
        vm.prank(address(seller));
        hostile.setApprovalForAll(address(house_), true);
        vm.prank(address(seller));
        royaltyMock_.setApprovalForAll(address(house_), true);
        royaltyMock_.setRoyalty(MockRoyaltyNFT.RoyaltyMode.Bps, address(royaltyReceiver), 1_000);
    }

    // ------------------------------------------------------------------ actions: lots

    /// @dev kind 0-1: the project collection; 2: a campaign lot (queued behind an open one); 3: a HostileNFT lot
    /// (honest at creation, switched hostile later by {setHostileMode}), half of them with a big token id; 4: a
    /// MockRoyaltyNFT lot (its `royaltyInfo` switched by {setRoyalty}, also after bidding closed).
    function createLot(uint256 kind, uint256 durationSeed, uint256 bufferSeed, uint256 reserveSeed, uint256 incSeed)
        external
    {
        _tick(Action.CreateLot);
        if (_open.length >= 8) return;
        _ran(Action.CreateLot);
        kind %= 5;
        IAuctionHouseTypes.LotParams memory p = IAuctionHouseTypes.LotParams({
            campaignId: 0,
            nft: address(nft),
            tokenId: 0,
            seller: payable(address(seller)),
            reserve: uint96(bound(reserveSeed, 0, 2 ether)),
            startTime: reserveSeed % 5 == 0 ? uint40(now_ + bound(durationSeed >> 128, 1, 1 hours)) : 0,
            duration: uint32(bound(durationSeed, 60, 2 days)),
            minIncrementBps: uint16(bound(incSeed, 0, 2_000)),
            minIncrementFloor: incSeed % 3 == 0 ? 1 gwei : uint96(bound(incSeed >> 128, 1 gwei, 0.05 ether)),
            timeBuffer: uint32(bound(bufferSeed, 0, 600))
        });
        HostileNFT.Mode mode = hostile.mode();
        if (kind == 3) {
            p.nft = address(hostile);
            p.tokenId = bufferSeed % 2 == 0 ? _nextHostileId : uint256(type(uint32).max) + _nextHostileId;
            ++_nextHostileId;
            hostile.mint(address(seller), p.tokenId);
            hostile.setMode(HostileNFT.Mode.Honest, address(0));
        } else if (kind == 4) {
            p.nft = address(royaltyMock);
            p.tokenId = _nextMockId++;
            royaltyMock.mint(address(seller), p.tokenId);
        } else {
            p.tokenId = nft.mint(address(seller), "ipfs://lot");
        }
        if (kind == 2) {
            if (_campaigns.length == 0 || (incSeed >> 200) % 4 == 0 && _campaigns.length < 3) {
                _campaigns.push(_house.createCampaign("c", "ipfs://c", uint32(bound(bufferSeed >> 64, 0, 600))));
            }
            p.campaignId = _campaigns[(incSeed >> 100) % _campaigns.length];
        }
        if (house.paused()) {
            try _house.createLot(p) {
                revert UnexpectedSuccess("createLot while paused", IAuctionHouseTypes.AuctionHousePaused.selector);
            } catch (bytes memory err) {
                _expectRevert(err, IAuctionHouseTypes.AuctionHousePaused.selector, "createLot while paused");
            }
        } else {
            uint256 lotId = _house.createLot(p);
            IAuctionHouseTypes.LotView memory lot = house.lot(lotId);
            assertEq(lot.protocolFeeBps, house.protocolFeeBps(), "lot fee = the fee at creation");
            assertEq(lot.maxRoyaltyBps, house.maxRoyaltyBps(), "lot royalty cap = the cap at creation");
            assertEq(lot.tokenId, p.tokenId, "token id");
            _owner(p.nft, p.tokenId, address(_house), "house holds the token");
            lots[lotId] = LotInfo({
                nft: p.nft,
                tokenId: p.tokenId,
                hostile: kind == 3,
                escrowBid: false,
                feeBps: lot.protocolFeeBps,
                maxRoyaltyBps: lot.maxRoyaltyBps,
                pauseEpoch: 0
            });
            _open.push(lotId);
            if (kind == 2) ++campaignLots;
        }
        if (kind == 3) hostile.setMode(mode, address(0));
        _checkStage();
    }

    /// @dev Half the time the settler first waits for the lot's (effective) end; before it, settle must revert
    /// AuctionHouseLotNotEnded. After it: delivered (winner owns the NFT, money split fee + royalty + proceeds, the
    /// royalty exactly as predicted by {_royaltyDue}, fee + royalty within the lot's fixed terms) or Undeliverable
    /// (hostile NFT only: the winner's bid back in their escrow, nobody paid). Never reverts, whatever the NFT's
    /// transfer or `royaltyInfo` does.
    function settle(uint256 lotSeed, uint256 waitSeed) external {
        _tick(Action.Settle);
        if (_open.length == 0) return;
        _ran(Action.Settle);
        uint256 index = lotSeed % _open.length;
        uint256 lotId = _open[index];
        IAuctionHouseTypes.LotView memory lot = house.lot(lotId);
        if (
            waitSeed % 2 == 0 && !house.paused() && lot.endTime > now_
                && (lot.status == IAuctionHouseTypes.LotStatus.Live || lot.status == IAuctionHouseTypes.LotStatus.Scheduled)
        ) {
            _warpTo(lot.endTime);
            lot = house.lot(lotId);
        }
        if (lot.status != IAuctionHouseTypes.LotStatus.Ended) {
            try _house.settle(lotId) {
                revert UnexpectedSuccess("settled before the end", IAuctionHouseTypes.AuctionHouseLotNotEnded.selector);
            } catch (bytes memory err) {
                _expectRevert(err, IAuctionHouseTypes.AuctionHouseLotNotEnded.selector, "settle before the end");
            }
            ++earlySettlesRejected;
            return;
        }
        assertTrue(now_ >= lot.endTime, "no settle before the effective end");
        LotInfo memory info = lots[lotId];
        if (info.pauseEpoch != 0 && info.pauseEpoch == pauseEpoch) {
            assertTrue(!house.paused(), "a lot caught by the pause ended while paused");
            if (now_ < lastUnpause + lot.timeBuffer) {
                revert EndedWithinTheBufferAfterUnpause(lotId, now_, lastUnpause, lot.timeBuffer, lot.endTime);
            }
        }
        address treasury = house.treasury();
        Before memory b = Before({
            seller: _worth(address(seller)),
            royalty: _worth(address(royaltyReceiver)),
            treasury: house.escrowOf(treasury),
            winner: lot.bidder == address(0) ? 0 : house.escrowOf(lot.bidder),
            royaltyDue: _royaltyDue(info, lot.amount)
        });
        _house.settle(lotId); // must never revert once ended
        _removeOpen(index);
        IAuctionHouseTypes.LotStatus status = house.lotStatus(lotId);
        if (status == IAuctionHouseTypes.LotStatus.Undeliverable) {
            assertTrue(info.hostile && hostile.mode() != HostileNFT.Mode.Honest, "Undeliverable only for a failing NFT");
            if (lot.bidder != address(0)) {
                assertEq(house.escrowOf(lot.bidder), b.winner + lot.amount, "Undeliverable: winner credited");
            }
            assertEq(_worth(address(seller)), b.seller, "Undeliverable: seller not paid");
            assertEq(_worth(address(royaltyReceiver)), b.royalty, "Undeliverable: no royalty");
            if (treasury != lot.bidder) assertEq(house.escrowOf(treasury), b.treasury, "Undeliverable: no fee");
            _undeliverable.push(lotId);
            ++undeliverable;
            ++undeliverableByNftMode[uint256(hostile.mode())];
        } else {
            assertEq(uint256(status), uint256(IAuctionHouseTypes.LotStatus.Settled), "settled");
            assertTrue(!info.hostile || hostile.mode() == HostileNFT.Mode.Honest, "delivered by a failing NFT");
            if (lot.bidder == address(0)) {
                _owner(info.nft, info.tokenId, address(seller), "NFT back to seller");
                ++settledWithoutBid;
            } else {
                _owner(info.nft, info.tokenId, lot.bidder, "winner owns the NFT");
                if (lot.viaRelayer) wonViaRelayer[lot.bidder] += lot.amount;
                uint256 fee = lot.amount * info.feeBps / 10_000 / 1 gwei * 1 gwei;
                uint256 feeGot = house.escrowOf(treasury) - (treasury == lot.bidder ? b.winner : b.treasury);
                assertEq(feeGot, fee, "fee as fixed at creation");
                uint256 royalty = _worth(address(royaltyReceiver)) - b.royalty;
                assertEq(royalty, b.royaltyDue, "royalty as predicted");
                assertTrue(royalty <= lot.amount * info.maxRoyaltyBps / 10_000, "royalty within the lot's cap");
                assertTrue(
                    feeGot + royalty <= lot.amount * (uint256(info.feeBps) + info.maxRoyaltyBps) / 10_000,
                    "fee + royalty within the lot's terms"
                );
                assertEq(_worth(address(seller)) - b.seller, lot.amount - fee - royalty, "seller gets the rest");
                ++settledWithWinner;
                if (info.nft == address(royaltyMock)) ++settledByRoyaltyMode[uint256(royaltyMock.mode())];
            }
        }
        _checkStage();
    }

    function cancel(uint256 lotSeed) external {
        _tick(Action.Cancel);
        if (_open.length == 0) return;
        _ran(Action.Cancel);
        uint256 index = lotSeed % _open.length;
        uint256 lotId = _open[index];
        IAuctionHouseTypes.LotView memory lot = house.lot(lotId);
        bytes4 expected;
        if (lot.bidder != address(0)) {
            expected = IAuctionHouseTypes.AuctionHouseLotHasBids.selector;
        } else if (lot.campaignPosition != 0) {
            IAuctionHouseTypes.CampaignView memory c = house.campaign(lot.campaignId);
            if (c.lotsClosed + 1 != lot.campaignPosition && c.lotsCreated != lot.campaignPosition) {
                expected = IAuctionHouseTypes.AuctionHouseLotOutOfTurn.selector;
            }
        }
        if (expected != 0) {
            try _house.cancelLot(lotId) {
                revert UnexpectedSuccess("cancelLot", expected);
            } catch (bytes memory err) {
                _expectRevert(err, expected, "cancelLot");
            }
            return;
        }
        _house.cancelLot(lotId);
        _removeOpen(index);
        LotInfo memory info = lots[lotId];
        if (house.lotStatus(lotId) == IAuctionHouseTypes.LotStatus.Undeliverable) {
            assertTrue(info.hostile && hostile.mode() != HostileNFT.Mode.Honest, "cancel: Undeliverable only for a failing NFT");
            _undeliverable.push(lotId);
        } else {
            assertEq(uint256(house.lotStatus(lotId)), uint256(IAuctionHouseTypes.LotStatus.Cancelled), "cancelled");
            _owner(info.nft, info.tokenId, address(seller), "cancel: NFT back to seller");
        }
        ++cancelled;
        _checkStage();
    }

    /// @dev Succeeds once the hostile collection is honest again; before, reverts with the collection's reason.
    function returnUndeliverable(uint256 lotSeed) external {
        _tick(Action.ReturnUndeliverable);
        if (_undeliverable.length == 0) return;
        _ran(Action.ReturnUndeliverable);
        uint256 index = lotSeed % _undeliverable.length;
        uint256 lotId = _undeliverable[index];
        LotInfo memory info = lots[lotId];
        HostileNFT.Mode mode = hostile.mode();
        if (mode == HostileNFT.Mode.Honest) {
            _house.returnUndeliverable(lotId);
            _owner(info.nft, info.tokenId, address(seller), "returned to the seller");
            _undeliverable[index] = _undeliverable[_undeliverable.length - 1];
            _undeliverable.pop();
            ++tokensReturned;
            return;
        }
        bytes4 expected = mode == HostileNFT.Mode.Revert
            ? bytes4(0x08c379a0) // Error(string)
            : mode == HostileNFT.Mode.NoOp ? IAuctionHouseTypes.AuctionHouseNotInCustody.selector : bytes4(0); // gas burnt
        try _house.returnUndeliverable(lotId) {
            revert UnexpectedSuccess("returnUndeliverable", expected);
        } catch (bytes memory err) {
            _expectRevert(err, expected, "returnUndeliverable");
        }
    }

    // ------------------------------------------------------------------ actions: money

    function deposit(uint256 who, uint256 amount) external {
        _tick(Action.Deposit);
        _ran(Action.Deposit);
        address a = _bidders[who % _bidders.length];
        amount = bound(amount, 1, 5 ether);
        uint256 before = house.escrowOf(a);
        _fund(a, amount);
        vm.prank(a);
        _house.deposit{value: amount}();
        assertEq(house.escrowOf(a), before + amount, "deposit credited");
    }

    function withdraw(uint256 who, uint256 amount) external {
        _tick(Action.Withdraw);
        address a = _accounts[who % _accounts.length];
        uint256 balance = house.escrowOf(a);
        if (balance == 0) return;
        _ran(Action.Withdraw);
        amount = bound(amount, 1, balance);
        bool rejects = _isActor[a] && (Actor(payable(a)).mode() == Actor.Mode.Revert || Actor(payable(a)).mode() == Actor.Mode.BurnGas);
        vm.prank(a);
        try _house.withdraw(amount) {
            assertTrue(!rejects, "withdraw to a rejecting account succeeded");
            assertEq(house.escrowOf(a), balance - amount, "withdraw debited");
        } catch (bytes memory err) {
            if (!rejects) revert UnexpectedRevert("withdraw", 0, err);
            _expectRevert(err, IAuctionHouseTypes.AuctionHouseWithdrawFailed.selector, "withdraw");
        }
    }

    function bid(uint256 who, uint256 lotSeed, uint256 extra) external {
        _tick(Action.Bid);
        if (_open.length == 0) return;
        _ran(Action.Bid);
        address a = _bidders[who % _bidders.length];
        (uint256 lotId, uint256 amount) = _bidFor(lotSeed, extra);
        bytes4 expected = _predictBid(lotId, a, amount, 0);
        IAuctionHouseTypes.LotView memory before = _lotIfLive(lotId);
        _fund(a, amount);
        vm.prank(a);
        try _house.bid{value: amount}(lotId) {
            _bidPlaced("bid", expected, lotId, a, amount, before, false);
        } catch (bytes memory err) {
            _expectRevert(err, expected, "bid");
            ++bidsRejected;
        }
    }

    function bidWithEscrow(uint256 who, uint256 lotSeed, uint256 extra, uint256 valueSeed) external {
        _tick(Action.BidWithEscrow);
        if (_open.length == 0) return;
        _ran(Action.BidWithEscrow);
        _escrowBid(_bidders[who % _bidders.length], lotSeed, extra, valueSeed, "bidWithEscrow");
    }

    /// @dev The current treasury spends its escrow, accrued protocol fees included.
    function treasuryBid(uint256 lotSeed, uint256 extra, uint256 valueSeed) external {
        _tick(Action.TreasuryBid);
        if (_open.length == 0) return;
        _ran(Action.TreasuryBid);
        _escrowBid(house.treasury(), lotSeed, extra, valueSeed, "treasury bid");
    }

    function relayBid(uint256 who, uint256 lotSeed, uint256 extra, uint256 relayerSeed) external {
        _tick(Action.RelayBid);
        if (_open.length == 0) return;
        _ran(Action.RelayBid);
        address bidder = _chatBidders[who % _chatBidders.length];
        (uint256 lotId, uint256 amount) = _bidFor(lotSeed, extra);
        IAuctionHouseTypes.AuthorizationView memory auth = house.authorizationOf(bidder);
        // Mostly a chat bidder who linked and funded: else relayer bids would hardly ever stand.
        if (relayerSeed % 4 != 3) {
            if (auth.expiry <= now_ || auth.revoked || auth.maxBid < amount || auth.totalCap < auth.exposure + amount) {
                // caps are stored in whole gwei, rounded down
                _register(who, amount + 1 gwei, auth.exposure + amount + 2 gwei + extra % 1 ether, relayerSeed >> 8);
                auth = house.authorizationOf(bidder);
            }
            uint256 escrow = house.escrowOf(bidder);
            if (escrow < amount) {
                _fund(bidder, amount - escrow);
                vm.prank(bidder);
                _house.deposit{value: amount - escrow}();
            }
        }
        uint256 r = relayerSeed % 4 == 0 || auth.relayer == address(0) ? relayerSeed % 2 : (auth.relayer == relayers[0] ? 0 : 1);
        if (relayerSeed % 8 == 1 && auth.maxBid != 0) amount = auth.maxBid + 1; // above the signed maximum
        bytes4 expected = _predictRelayBid(lotId, bidder, amount, r, auth);
        IAuctionHouseTypes.LotView memory before = _lotIfLive(lotId);
        vm.prank(relayers[r]);
        try _house.relayBid(lotId, bidder, amount) {
            _bidPlaced("relayBid", expected, lotId, bidder, amount, before, true);
            ++relayBidsPlaced;
        } catch (bytes memory err) {
            _expectRevert(err, expected, "relayBid");
            ++bidsRejected;
        }
    }

    function register(uint256 who, uint256 maxSeed, uint256 capSeed, uint256 expirySeed) external {
        _tick(Action.Register);
        _ran(Action.Register);
        _register(who, maxSeed, capSeed, expirySeed);
    }

    function _register(uint256 who, uint256 maxSeed, uint256 capSeed, uint256 expirySeed) internal {
        uint256 i = who % _chatBidders.length;
        address bidder = _chatBidders[i];
        uint256 r = expirySeed % 3 == 0 ? 1 : 0;
        uint256 maxBid = bound(maxSeed, 1 gwei, 3 ether);
        IAuctionHouseTypes.ChatAuthorization memory auth = IAuctionHouseTypes.ChatAuthorization({
            bidder: bidder,
            relayer: relayers[r],
            chatIdHash: keccak256(abi.encode("twitch", i)),
            maxBid: maxBid,
            totalCap: bound(capSeed, maxBid, 10 ether),
            expiry: now_ + bound(expirySeed, 1 hours, 3 days),
            nonce: house.nonces(bidder)
        });
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(_keys[i], _house.hashChatAuthorization(auth));
        // The role is checked first; then the ERC-1271 wallet's own signature is refused when its isValidSignature
        // burns the gas or reverts (bomb or not), and accepted when it answers honestly (a return bomb after the
        // answer included).
        bytes4 expected;
        if (!relayerHasRole[r]) {
            expected = IAccessControl.AccessControlUnauthorizedAccount.selector;
        } else if (bidder == address(wallet)) {
            ERC1271Wallet.SigMode m = wallet.sigMode();
            ++walletRegistrations[uint256(m)];
            if (m == ERC1271Wallet.SigMode.BurnGas || m == ERC1271Wallet.SigMode.HugeRevert) {
                expected = IAuctionHouseTypes.ChatAuthorizationInvalidSignature.selector;
            }
        }
        vm.prank(relayers[r]);
        if (expected == 0) {
            _house.registerChatAuthorization(auth, abi.encodePacked(rr, s, v));
            IAuctionHouseTypes.AuthorizationView memory stored = house.authorizationOf(bidder);
            assertTrue(stored.relayer == relayers[r] && stored.expiry == auth.expiry, "registered");
            assertEq(house.nonces(bidder), auth.nonce + 1, "registration consumed the nonce");
        } else {
            try _house.registerChatAuthorization(auth, abi.encodePacked(rr, s, v)) {
                revert UnexpectedSuccess("registerChatAuthorization", expected);
            } catch (bytes memory err) {
                _expectRevert(err, expected, "registerChatAuthorization");
            }
            assertEq(house.nonces(bidder), auth.nonce, "a refused registration keeps the nonce");
        }
    }

    function revoke(uint256 who) external {
        _tick(Action.Revoke);
        _ran(Action.Revoke);
        address bidder = _chatBidders[who % _chatBidders.length];
        vm.prank(bidder);
        _house.revokeChatAuthorization();
        assertEq(house.authorizationOf(bidder).expiry, 0, "revoked");
    }

    // ------------------------------------------------------------------ actions: time, admin, hostile switches

    function warp(uint256 seconds_) external {
        _tick(Action.Warp);
        _ran(Action.Warp);
        _warpTo(now_ + (seconds_ % 2 == 0 ? bound(seconds_, 1, 600) : bound(seconds_, 1, 1 days)));
        _checkStage();
    }

    /// @dev Seller and royalty receiver switch between accepting, reverting and burning all gas.
    function setPayeeModes(uint8 sellerMode, uint8 receiverMode) external {
        _tick(Action.PayeeModes);
        _ran(Action.PayeeModes);
        seller.setMode(Actor.Mode(sellerMode % 3));
        royaltyReceiver.setMode(Actor.Mode(receiverMode % 3));
    }

    /// @dev The hostile collection turns honest, reverting, gas-burning or no-op (for lots already bid on too).
    function setHostileMode(uint8 mode) external {
        _tick(Action.HostileMode);
        _ran(Action.HostileMode);
        uint8 m = mode % 4;
        hostile.setMode(m == 0 ? HostileNFT.Mode.Honest : m == 1 ? HostileNFT.Mode.Revert : m == 2 ? HostileNFT.Mode.BurnGas : HostileNFT.Mode.NoOp, address(0));
    }

    function pause(uint256 seed) external {
        _tick(Action.Pause);
        _ran(Action.Pause);
        bool wasPaused = house.paused();
        // Paused about a fifth of the time: a pause then mostly ends here too, else bids would rarely stand.
        if (wasPaused ? seed % 4 != 0 : seed % 2 != 0) {
            _unpause();
            return;
        }
        if (wasPaused) {
            vm.prank(admin);
            try _house.pause() {
                revert UnexpectedSuccess("pause twice", IAuctionHouseTypes.AuctionHousePaused.selector);
            } catch (bytes memory err) {
                _expectRevert(err, IAuctionHouseTypes.AuctionHousePaused.selector, "pause twice");
            }
            return;
        }
        vm.prank(admin);
        _house.pause();
        ++pauseEpoch;
        for (uint256 i = 0; i < _open.length; ++i) {
            if (house.lotStatus(_open[i]) != IAuctionHouseTypes.LotStatus.Ended) lots[_open[i]].pauseEpoch = pauseEpoch;
        }
    }

    function unpause() external {
        _tick(Action.Unpause);
        _ran(Action.Unpause);
        _unpause();
    }

    function _unpause() internal {
        bool wasPaused = house.paused();
        if (!wasPaused) {
            vm.prank(admin);
            try _house.unpause() {
                revert UnexpectedSuccess("unpause", IAuctionHouseTypes.AuctionHouseNotPaused.selector);
            } catch (bytes memory err) {
                _expectRevert(err, IAuctionHouseTypes.AuctionHouseNotPaused.selector, "unpause");
            }
            return;
        }
        vm.prank(admin);
        _house.unpause();
        lastUnpause = now_;
        // A pause stretches only lots open during it (started before the unpause, not ended when it began).
        for (uint256 i = 0; i < _open.length; ++i) {
            LotInfo storage info = lots[_open[i]];
            if (info.pauseEpoch != pauseEpoch) continue;
            IAuctionHouseTypes.LotView memory lot = house.lot(_open[i]);
            if (lot.status == IAuctionHouseTypes.LotStatus.Queued || lot.startTime >= now_) info.pauseEpoch = 0;
        }
    }

    function setProtocolFee(uint256 seed) external {
        _tick(Action.SetFee);
        _ran(Action.SetFee);
        uint16 fee = uint16(bound(seed, 0, 1_100));
        vm.prank(admin);
        if (fee > 1_000) {
            try _house.setProtocolFee(fee) {
                revert UnexpectedSuccess("setProtocolFee", IAuctionHouseTypes.AuctionHouseFeeTooHigh.selector);
            } catch (bytes memory err) {
                _expectRevert(err, IAuctionHouseTypes.AuctionHouseFeeTooHigh.selector, "setProtocolFee");
            }
        } else {
            _house.setProtocolFee(fee);
        }
    }

    function setMaxRoyalty(uint256 seed) external {
        _tick(Action.SetMaxRoyalty);
        _ran(Action.SetMaxRoyalty);
        uint16 cap = uint16(bound(seed, 0, 2_600));
        vm.prank(admin);
        if (cap > 2_500) {
            try _house.setMaxRoyalty(cap) {
                revert UnexpectedSuccess("setMaxRoyalty", IAuctionHouseTypes.AuctionHouseRoyaltyCapTooHigh.selector);
            } catch (bytes memory err) {
                _expectRevert(err, IAuctionHouseTypes.AuctionHouseRoyaltyCapTooHigh.selector, "setMaxRoyalty");
            }
        } else {
            _house.setMaxRoyalty(cap);
        }
    }

    /// @dev The collections change their royalty at any time, even after bidding closed: the project collection's
    /// admin up to 100 %; the royalty mock to any mode (half the time above 100 %, an eighth of the time naming the
    /// house as receiver). Settlement pays what {_royaltyDue} predicts, never above the lot's cap.
    function setRoyalty(uint256 bps, uint256 mockSeed) external {
        _tick(Action.SetRoyalty);
        _ran(Action.SetRoyalty);
        vm.prank(admin);
        nft.setDefaultRoyalty(address(royaltyReceiver), uint96(bound(bps, 0, 10_000)));
        uint256 mockBps = (mockSeed >> 16) % 2 == 0 ? bound(mockSeed >> 24, 0, 3_000) : bound(mockSeed >> 24, 10_001, 1_000_000);
        royaltyMock.setRoyalty(
            MockRoyaltyNFT.RoyaltyMode(uint8(mockSeed) % 7),
            (mockSeed >> 8) % 8 == 0 ? address(_house) : address(royaltyReceiver),
            mockBps
        );
    }

    /// @dev Fees accrued so far move into the old treasury's escrow; the house itself is refused.
    function setTreasury(uint256 seed) external {
        _tick(Action.SetTreasury);
        _ran(Action.SetTreasury);
        if (seed % 8 == 0) {
            vm.prank(admin);
            try _house.setTreasury(address(_house)) {
                revert UnexpectedSuccess("setTreasury(house)", IAuctionHouseTypes.AuctionHouseInvalidTreasury.selector);
            } catch (bytes memory err) {
                _expectRevert(err, IAuctionHouseTypes.AuctionHouseInvalidTreasury.selector, "setTreasury(house)");
            }
            return;
        }
        address old = house.treasury();
        uint256 oldEscrow = house.escrowOf(old);
        address next = treasuries[seed % 3];
        vm.prank(admin);
        _house.setTreasury(next);
        assertEq(house.escrowOf(old), oldEscrow, "old treasury keeps its fees");
    }

    /// @dev A relayer loses its role (mid-auction, with standing chat bids) or gets it back.
    function toggleRelayerRole(uint256 seed) external {
        _tick(Action.RelayerRole);
        _ran(Action.RelayerRole);
        uint256 r = seed % 2;
        bytes32 role = _house.RELAYER_ROLE();
        vm.prank(admin);
        if (relayerHasRole[r]) _house.revokeRole(role, relayers[r]);
        else _house.grantRole(role, relayers[r]);
        relayerHasRole[r] = !relayerHasRole[r];
    }

    /// @dev The ERC-1271 chat bidder's `isValidSignature` turns honest, gas-burning, return-bombing or reverting
    /// (for its next registrations; its standing bids and escrow must not care).
    function setWalletMode(uint8 mode) external {
        _tick(Action.WalletMode);
        _ran(Action.WalletMode);
        wallet.setSigMode(ERC1271Wallet.SigMode(mode % 4));
    }

    /// @notice End of a run (called by afterInvariant, not by the fuzzer): unpause, let every lot end, settle them
    /// all (campaign lots in their running order), make the hostile collection honest and return every
    /// undeliverable token, then let every account that accepts ether withdraw its escrow. Everything must close
    /// and the house must end up holding only the escrow of accounts that refuse ether.
    function finish() external {
        if (house.paused()) {
            vm.prank(admin);
            _house.unpause();
            lastUnpause = now_;
        }
        seller.setMode(Actor.Mode.Accept);
        royaltyReceiver.setMode(Actor.Mode.Accept);
        for (uint256 round = 0; round < 12 && _open.length != 0; ++round) {
            _warpTo(now_ + 3 days);
            for (uint256 i = _open.length; i > 0; --i) {
                if (house.lotStatus(_open[i - 1]) == IAuctionHouseTypes.LotStatus.Ended) this.settle(i - 1, 1);
            }
        }
        assertEq(_open.length, 0, "finish: every lot closes");
        hostile.setMode(HostileNFT.Mode.Honest, address(0));
        while (_undeliverable.length != 0) {
            this.returnUndeliverable(0);
        }
        for (uint256 i = 0; i < _accounts.length; ++i) {
            address a = _accounts[i];
            uint256 balance = house.escrowOf(a);
            if (balance == 0) continue;
            this.withdraw(i, balance);
        }
    }

    // ------------------------------------------------------------------ views for the invariants

    function accounts() external view returns (address[] memory) {
        return _accounts;
    }

    function chatBidders() external view returns (address[] memory) {
        return _chatBidders;
    }

    function openLots() external view returns (uint256[] memory) {
        return _open;
    }

    /// @notice The actions the fuzzer calls (not the views).
    function actionSelectors() external pure returns (bytes4[] memory s) {
        s = new bytes4[](23);
        s[0] = this.createLot.selector;
        s[1] = this.deposit.selector;
        s[2] = this.withdraw.selector;
        s[3] = this.bid.selector;
        s[4] = this.bidWithEscrow.selector;
        s[5] = this.relayBid.selector;
        s[6] = this.register.selector;
        s[7] = this.revoke.selector;
        s[8] = this.warp.selector;
        s[9] = this.settle.selector;
        s[10] = this.cancel.selector;
        s[11] = this.returnUndeliverable.selector;
        s[12] = this.setPayeeModes.selector;
        s[13] = this.setHostileMode.selector;
        s[14] = this.pause.selector;
        s[15] = this.unpause.selector;
        s[16] = this.setProtocolFee.selector;
        s[17] = this.setMaxRoyalty.selector;
        s[18] = this.setRoyalty.selector;
        s[19] = this.setTreasury.selector;
        s[20] = this.treasuryBid.selector;
        s[21] = this.toggleRelayerRole.selector;
        s[22] = this.setWalletMode.selector;
    }

    // ------------------------------------------------------------------ internal

    /// @dev Counts the call and checks the runner kept the handler's clock (warps persist between calls).
    function _tick(Action a) internal {
        ++calls;
        ++called[uint256(a)];
        assertEq(block.timestamp, now_, "block.timestamp != the handler's clock");
    }

    function _ran(Action a) internal {
        ++ran[uint256(a)];
    }

    function _escrowBid(address a, uint256 lotSeed, uint256 extra, uint256 valueSeed, string memory what) internal {
        (uint256 lotId, uint256 amount) = _bidFor(lotSeed, extra);
        uint256 value = bound(valueSeed, 0, amount);
        uint256 escrow = house.escrowOf(a);
        if (valueSeed % 8 != 0 && amount - value > escrow) value = amount - escrow; // else: short of escrow
        bytes4 expected = _predictBid(lotId, a, amount, amount - value);
        IAuctionHouseTypes.LotView memory before = _lotIfLive(lotId);
        _fund(a, value);
        vm.prank(a);
        try _house.bidWithEscrow{value: value}(lotId, amount) {
            _bidPlaced(what, expected, lotId, a, amount, before, false);
            lots[lotId].escrowBid = amount != value;
        } catch (bytes memory err) {
            _expectRevert(err, expected, what);
            ++bidsRejected;
        }
    }

    /// @dev The royalty a delivered settlement of `info`'s token at `price` must pay: what the collection claims,
    /// capped by the lot's royalty cap and by what the fee leaves. None from a collection without ERC-2981
    /// (HostileNFT), or from the royalty mock when it reverts, burns gas, answers short or malformed, or names the
    /// house as receiver; its return bomb after a well-formed answer pays the answer.
    function _royaltyDue(LotInfo memory info, uint256 price) internal view returns (uint256 due) {
        if (info.nft == address(nft)) {
            (, due) = nft.royaltyInfo(info.tokenId, price);
        } else if (info.nft == address(royaltyMock)) {
            MockRoyaltyNFT.RoyaltyMode m = royaltyMock.mode();
            if (
                (m == MockRoyaltyNFT.RoyaltyMode.Bps || m == MockRoyaltyNFT.RoyaltyMode.HugeReturn)
                    && royaltyMock.receiver() != address(_house)
            ) due = price * royaltyMock.bps() / 10_000;
        }
        uint256 fee = price * info.feeBps / 10_000 / 1 gwei * 1 gwei;
        uint256 cap = price * info.maxRoyaltyBps / 10_000;
        if (due > cap) due = cap;
        if (due > price - fee) due = price - fee;
    }

    /// @dev What {_acceptBid} will say, from the state before the call (0 = the bid stands).
    function _predictBid(uint256 lotId, address bidder, uint256 amount, uint256 escrowUsed) internal view returns (bytes4) {
        if (house.paused()) return IAuctionHouseTypes.AuctionHousePaused.selector;
        if (house.lotStatus(lotId) != IAuctionHouseTypes.LotStatus.Live) {
            return IAuctionHouseTypes.AuctionHouseLotNotLive.selector;
        }
        if (amount < house.minimumNextBid(lotId)) return IAuctionHouseTypes.AuctionHouseBidTooLow.selector;
        if (escrowUsed != 0) {
            uint256 available = house.escrowOf(bidder);
            IAuctionHouseTypes.LotView memory lot = house.lot(lotId);
            if (lot.bidder == bidder && lots[lotId].escrowBid) available += lot.amount;
            if (escrowUsed > available) return IAuctionHouseTypes.AuctionHouseInsufficientEscrow.selector;
        }
        return 0;
    }

    function _predictRelayBid(
        uint256 lotId,
        address bidder,
        uint256 amount,
        uint256 r,
        IAuctionHouseTypes.AuthorizationView memory auth
    ) internal view returns (bytes4) {
        if (!relayerHasRole[r]) return IAccessControl.AccessControlUnauthorizedAccount.selector;
        if (auth.relayer == address(0) || auth.expiry == 0) {
            return IAuctionHouseTypes.ChatAuthorizationRevokedOrMissing.selector;
        }
        if (auth.relayer != relayers[r]) return IAuctionHouseTypes.ChatAuthorizationWrongRelayer.selector;
        if (now_ > auth.expiry) return IAuctionHouseTypes.ChatAuthorizationExpired.selector;
        if (amount > auth.maxBid) return IAuctionHouseTypes.AuctionHouseBidTooHigh.selector;
        bytes4 expected = _predictBid(lotId, bidder, amount, amount);
        if (expected != 0) return expected;
        IAuctionHouseTypes.LotView memory lot = house.lot(lotId);
        uint256 exposure = auth.exposure + amount - (lot.bidder == bidder && lot.viaRelayer ? lot.amount : 0);
        if (exposure > auth.totalCap) return IAuctionHouseTypes.ChatAuthorizationCapExceeded.selector;
        return 0;
    }

    /// @dev A bid stood: it was predicted to, it is the lot's highest bid, and the end moved only as the rules say
    /// (a bid within the buffer by anyone but the leader moves it to now + buffer).
    function _bidPlaced(
        string memory what,
        bytes4 expected,
        uint256 lotId,
        address bidder,
        uint256 amount,
        IAuctionHouseTypes.LotView memory before,
        bool viaRelayer
    ) internal {
        if (expected != 0) revert UnexpectedSuccess(what, expected);
        IAuctionHouseTypes.LotView memory lot = house.lot(lotId);
        assertTrue(lot.bidder == bidder && lot.amount == amount && lot.viaRelayer == viaRelayer, "the bid stands");
        uint256 end = before.endTime;
        if (before.bidder != bidder && end - now_ < before.timeBuffer) end = now_ + before.timeBuffer;
        assertEq(lot.endTime, end, "end after the bid (leader does not extend; others within the buffer do)");
        lots[lotId].escrowBid = viaRelayer;
        ++bidsPlaced;
    }

    function _lotIfLive(uint256 lotId) internal view returns (IAuctionHouseTypes.LotView memory lot) {
        lot = house.lot(lotId);
    }

    /// @dev A bid of at least the minimum (sometimes just below, to exercise the rejection) on an open lot.
    function _bidFor(uint256 lotSeed, uint256 extra) internal view returns (uint256 lotId, uint256 amount) {
        lotId = _open[lotSeed % _open.length];
        if (lotSeed % 4 != 0) {
            // Mostly a live lot (else most bids would only exercise the rejections).
            for (uint256 i = 0; i < _open.length; ++i) {
                uint256 id = _open[(lotSeed % _open.length + i) % _open.length];
                if (house.lotStatus(id) == IAuctionHouseTypes.LotStatus.Live) {
                    lotId = id;
                    break;
                }
            }
        }
        if (house.lotStatus(lotId) != IAuctionHouseTypes.LotStatus.Live) return (lotId, bound(extra, 1, 1 ether));
        uint256 minimum = house.minimumNextBid(lotId);
        amount = extra % 16 == 0 ? minimum - 1 : minimum + bound(extra, 0, 1 ether);
        if (amount == 0) amount = 1;
    }

    function _expectRevert(bytes memory err, bytes4 expected, string memory what) internal pure {
        bytes4 got;
        if (err.length >= 4) got = bytes4(err[0]) | (bytes4(err[1]) >> 8) | (bytes4(err[2]) >> 16) | (bytes4(err[3]) >> 24);
        if (got != expected || (expected == 0 && err.length != 0)) revert UnexpectedRevert(what, expected, err);
    }

    /// @dev Every lot of a campaign but the one on stage is Queued: one lot on stage at a time.
    function _checkStage() internal view {
        uint256 n = _campaigns.length;
        for (uint256 c = 0; c < n; ++c) {
            uint256 onStage;
            for (uint256 i = 0; i < _open.length; ++i) {
                IAuctionHouseTypes.LotView memory lot = house.lot(_open[i]);
                if (lot.campaignId == _campaigns[c] && lot.status != IAuctionHouseTypes.LotStatus.Queued) ++onStage;
            }
            assertTrue(onStage <= 1, "one lot of a campaign on stage at a time");
        }
    }

    function _owner(address collection, uint256 tokenId, address expected, string memory what) internal view {
        assertEq(uint256(uint160(IERC721(collection).ownerOf(tokenId))), uint256(uint160(expected)), what);
    }

    function _worth(address a) internal view returns (uint256) {
        return a.balance + house.escrowOf(a);
    }

    function _warpTo(uint256 t) internal {
        now_ = t;
        vm.warp(t);
    }

    function _fund(address a, uint256 amount) internal {
        vm.deal(a, a.balance + amount);
        dealt += amount;
    }

    function _removeOpen(uint256 index) internal {
        _open[index] = _open[_open.length - 1];
        _open.pop();
    }
}

/// @notice The house, its collections and the {Handler} as every handler test deploys them, and the checks both the
/// random campaign ({AuctionHouseInvariantTest}) and the fixed sequence ({HandlerPathsTest}) apply.
abstract contract HandlerFixture is TestBase {
    AuctionHouse internal house;
    IAuctionHouse internal views; // the house's address, with its reads (served by the views extension)
    SothebaisCollection internal nft;
    HostileNFT internal hostile;
    MockRoyaltyNFT internal royaltyMock;
    Handler internal handler;
    address internal constant TREASURY = address(0x7EA5);

    /// @dev A realistic clock: the runner starts near 0, where `now - intermission` style arithmetic underflows.
    uint256 internal constant START = 1_750_000_000;

    function _deploy() internal {
        vm.warp(START);
        house = new AuctionHouse(address(this), TREASURY, 500);
        views = IAuctionHouse(address(house));
        nft = new SothebaisCollection("S", "S", "", address(this), address(0), 0);
        hostile = new HostileNFT();
        royaltyMock = new MockRoyaltyNFT();
        handler = new Handler(house, nft, hostile, royaltyMock, address(this), START);
        nft.setDefaultRoyalty(address(handler.royaltyReceiver()), 1_000);
        house.setCollectionAllowed(address(nft), true);
        house.setCollectionAllowed(address(hostile), true);
        house.setCollectionAllowed(address(royaltyMock), true);
        house.grantRole(house.RELAYER_ROLE(), handler.relayers(0));
        house.grantRole(house.RELAYER_ROLE(), handler.relayers(1));
        house.grantRole(house.AUCTIONEER_ROLE(), address(handler));
        nft.grantRole(nft.MINTER_ROLE(), address(handler));
    }

    function _checkBalanceCoversEscrowAndBids() internal view {
        assertEq(address(house).balance, _escrowSum() + _standingBids(), "house balance != escrow + standing bids");
    }

    function _checkNoWeiCreatedOrLost() internal view {
        address[] memory accounts = handler.accounts();
        uint256 total = address(house).balance;
        for (uint256 i = 0; i < accounts.length; ++i) {
            total += accounts[i].balance;
        }
        assertEq(total, handler.dealt(), "ether of all parties != ether dealt");
        assertTrue(!handler.reenterer().reentered(), "a receive hook reentered the house");
    }

    function _checkExposure() internal view {
        address[] memory bidders = handler.chatBidders();
        uint256[] memory open = handler.openLots();
        for (uint256 i = 0; i < bidders.length; ++i) {
            uint256 expected = handler.wonViaRelayer(bidders[i]);
            for (uint256 j = 0; j < open.length; ++j) {
                IAuctionHouseTypes.LotView memory lot = views.lot(open[j]);
                if (lot.viaRelayer && lot.bidder == bidders[i]) expected += lot.amount;
            }
            assertEq(views.authorizationOf(bidders[i]).exposure, expected, "exposure != chat bids + chat wins");
        }
    }

    function _checkInvariants() internal view {
        _checkBalanceCoversEscrowAndBids();
        _checkNoWeiCreatedOrLost();
        _checkExposure();
    }

    /// @dev Closes the run ({Handler.finish}: every lot settles, every token returns, everyone who accepts ether
    /// gets all of it out) and checks the house then holds only the escrow of accounts that refuse ether.
    function _closeRun() internal {
        handler.finish();
        assertEq(address(house).balance, _escrowSum(), "finish: the house holds only escrow");
        uint256 refused;
        address[] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) {
            if (accounts[i].code.length != 0 && Actor(payable(accounts[i])).mode() != Actor.Mode.Accept
                && Actor(payable(accounts[i])).mode() != Actor.Mode.Reenter) {
                refused += views.escrowOf(accounts[i]);
            }
        }
        assertEq(address(house).balance, refused, "finish: everyone who accepts ether got all of it out");
    }

    function _escrowSum() internal view returns (uint256 sum) {
        address[] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) {
            sum += views.escrowOf(accounts[i]);
        }
    }

    function _standingBids() internal view returns (uint256 sum) {
        uint256[] memory open = handler.openLots();
        for (uint256 i = 0; i < open.length; ++i) {
            sum += views.lot(open[i]).amount;
        }
    }

    function _num(uint256 v) internal pure returns (string memory) {
        if (v == 0) return "0";
        bytes memory b;
        while (v != 0) {
            b = abi.encodePacked(bytes1(uint8(48 + (v % 10))), b);
            v /= 10;
        }
        return string(b);
    }
}

/// @notice Invariants over random sequences (see {Handler}). Effort (runs x depth) and `failOnRevert = true` are in
/// hardhat.config.ts. That the handler's sequences reach bids, settlements and every hostile mode at all is proved
/// by {HandlerPathsTest}, deterministically: a random run of a few hundred calls may miss any of them by chance.
contract AuctionHouseInvariantTest is HandlerFixture {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    /// @dev Below this many calls a run is too short to demand that every action was called (fuzz-effort.test.ts
    /// asserts that CI's depth is at least this).
    uint256 internal constant MIN_CHECKED_DEPTH = 400;

    function setUp() public {
        _deploy();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector({addr: address(handler), selectors: handler.actionSelectors()});
    }

    function invariant_balanceCoversEscrowAndBids() public view {
        _checkBalanceCoversEscrowAndBids();
    }

    function invariant_noWeiCreatedOrLost() public view {
        _checkNoWeiCreatedOrLost();
    }

    function invariant_exposureIsChatBidsPlusChatWins() public view {
        _checkExposure();
    }

    /// @dev Closes the run ({_closeRun}), then checks every action was called. Which outcomes a run reached (bids
    /// standing or rejected, lots settled, hostile modes) is not demanded per run: at 400 random calls some would be
    /// missing by chance; {HandlerPathsTest} demands them of a fixed sequence through the same handler.
    function afterInvariant() public {
        uint256 depth = handler.calls();
        _closeRun();
        if (depth < MIN_CHECKED_DEPTH) return;
        for (uint256 i = 0; i < handler.ACTIONS(); ++i) {
            assertTrue(handler.called(i) > 0, string.concat("action never called: #", _num(i)));
        }
    }
}

/// @notice The handler's paths, proved reachable: one fixed sequence through the same {Handler} the invariant
/// campaign fuzzes (create, bid, relay bid, outbid, warp, pause across an end, settle with each hostile NFT and
/// royalty mode, undeliverable, return, cancel, the ERC-1271 bidder in each signature mode, admin changes). Each
/// step must move exactly the handler's outcome counter it aims at (so a handler that stopped reaching bids or
/// settlements fails here), the handler's own assertions check each outcome, and the invariants must hold after
/// every step and after the run closes.
contract HandlerPathsTest is HandlerFixture {
    /// @dev The handler's outcome counters, by index into {_expected}.
    enum Path {
        None,
        BidStood,
        BidRejected,
        Sold,
        Unsold,
        Undeliverable,
        SettleTooEarly,
        Returned,
        Cancelled
    }

    uint256 internal constant PATHS = 9;
    uint256 internal constant PRICE = 0.5 ether + 1; // `extra` of a bid: the minimum plus this (not a multiple of 16)
    uint256 internal constant RAISE = 0.1 ether + 1;
    uint256 internal constant EXPIRY_SEED = 172_801; // 2 days and a second: relayer 0 (seed % 3 != 0)

    uint256[9] internal _expected;
    uint256 internal _steps;

    function setUp() public {
        _deploy();
    }

    function test_handlerSequenceReachesEveryPath() public {
        _chatLinks();
        _bidsAndSettle();
        _pauseAcrossTheEnd();
        _undeliverableAndReturned();
        _royaltyModes();
        _termsFixedPerLot();
        _campaignHostileBiddersAndCancels();
        _adminAndMoney();
        _closeRun();
        _checkInvariants();
        for (uint256 i = 0; i < handler.ACTIONS(); ++i) {
            assertTrue(handler.ran(i) > 0, string.concat("action never reached the house: #", _num(i)));
        }
        assertTrue(handler.relayBidsPlaced() >= 2 && handler.campaignLots() == 2, "relay bids and campaign lots");
        for (uint256 m = 0; m < 7; ++m) {
            assertTrue(handler.settledByRoyaltyMode(m) > 0, string.concat("no sale in royalty mode #", _num(m)));
        }
        for (uint256 m = 0; m < 4; ++m) {
            assertTrue(handler.walletRegistrations(m) > 0, string.concat("no registration in wallet mode #", _num(m)));
        }
    }

    /// @dev The ERC-1271 chat bidder (chat bidder 4) registers in every signature mode: refused when its
    /// isValidSignature burns the gas or reverts with a bomb, accepted when it answers (bomb after the answer too).
    function _chatLinks() internal {
        address wallet = address(handler.wallet());
        uint8[4] memory modes = [
            uint8(ERC1271Wallet.SigMode.BurnGas),
            uint8(ERC1271Wallet.SigMode.HugeRevert),
            uint8(ERC1271Wallet.SigMode.HugeReturn),
            uint8(ERC1271Wallet.SigMode.Honest)
        ];
        uint256[4] memory noncesAfter = [uint256(0), 0, 1, 2];
        for (uint256 i = 0; i < 4; ++i) {
            handler.setWalletMode(modes[i]);
            _then(Path.None);
            handler.register(4, 1 ether, 5 ether, EXPIRY_SEED);
            _then(Path.None);
            assertEq(views.nonces(wallet), noncesAfter[i], "the wallet's registration accepted only when it answers");
        }
        handler.register(0, 1 ether, 5 ether, EXPIRY_SEED);
        _then(Path.None);
        assertEq(views.authorizationOf(handler.chatBidders()[0]).maxBid, 1 ether, "chat bidder 0 linked");
    }

    /// @dev A plain lot: a bid below the minimum, a wallet bid, a relay bid by the ERC-1271 bidder while its
    /// signing burns gas, a relay outbid, an escrow bid, a treasury bid refused for want of escrow, a settle before
    /// the end refused, then the sale.
    function _bidsAndSettle() internal {
        uint256 lotId = _lot(0, 60);
        handler.bid(0, _index(lotId), 16); // the minimum - 1
        _then(Path.BidRejected);
        handler.bid(1, _index(lotId), PRICE);
        _then(Path.BidStood);
        handler.setWalletMode(uint8(ERC1271Wallet.SigMode.BurnGas));
        _then(Path.None);
        handler.relayBid(4, _index(lotId), RAISE, 2);
        _then(Path.BidStood);
        address wallet = address(handler.wallet());
        uint256 walletBid = views.lot(lotId).amount;
        assertTrue(views.lot(lotId).bidder == wallet && views.authorizationOf(wallet).exposure == walletBid, "wallet leads");
        handler.relayBid(0, _index(lotId), RAISE, 2);
        _then(Path.BidStood);
        assertEq(views.authorizationOf(wallet).exposure, 0, "outbid: the wallet's exposure released");
        assertTrue(views.escrowOf(wallet) >= walletBid, "outbid: the wallet's relay bid back in its escrow");
        handler.deposit(2, 5 ether);
        _then(Path.None);
        handler.bidWithEscrow(2, _index(lotId), RAISE, 1);
        _then(Path.BidStood);
        handler.treasuryBid(_index(lotId), RAISE, 0); // no fee accrued yet
        _then(Path.BidRejected);
        handler.settle(_index(lotId), 1); // does not wait for the end
        _then(Path.SettleTooEarly);
        handler.settle(_index(lotId), 0);
        _then(Path.Sold);
    }

    /// @dev Paused while bid on, past its end while paused: no settle and no bid during the pause; after the unpause
    /// a higher bid stands within the time buffer and wins.
    function _pauseAcrossTheEnd() internal {
        uint256 lotId = _lot(0, 60);
        handler.bid(3, _index(lotId), PRICE);
        _then(Path.BidStood);
        handler.pause(0);
        _then(Path.None);
        assertTrue(views.paused(), "paused");
        handler.bid(0, _index(lotId), PRICE);
        _then(Path.BidRejected);
        handler.warp(86_399);
        _then(Path.None);
        handler.settle(_index(lotId), 1);
        _then(Path.SettleTooEarly);
        handler.unpause();
        _then(Path.None);
        handler.bid(0, _index(lotId), PRICE);
        _then(Path.BidStood);
        IAuctionHouseTypes.LotView memory lot = views.lot(lotId);
        handler.settle(_index(lotId), 0);
        _then(Path.Sold);
        assertEq(uint256(uint160(nft.ownerOf(lot.tokenId))), uint256(uint160(lot.bidder)), "the bid after the unpause won");
    }

    /// @dev A hostile collection in each failing mode (reverting, gas-burning with a big token id, no-op) after the
    /// bid: undeliverable, the winner credited; the tokens go back once it is honest, not before.
    function _undeliverableAndReturned() internal {
        // {Handler.setHostileMode}'s seeds: 0 honest, 1 reverting, 2 gas-burning, 3 no-op.
        HostileNFT.Mode[3] memory modes = [HostileNFT.Mode.Revert, HostileNFT.Mode.BurnGas, HostileNFT.Mode.NoOp];
        for (uint256 i = 0; i < 3; ++i) {
            uint256 lotId = _lot(3, i == 1 ? 61 : 60); // an odd buffer seed: a token id above 32 bits
            handler.bid(0, _index(lotId), PRICE);
            _then(Path.BidStood);
            handler.setHostileMode(uint8(i + 1));
            _then(Path.None);
            assertEq(uint256(hostile.mode()), uint256(modes[i]), "hostile mode");
            handler.settle(_index(lotId), 0);
            _then(Path.Undeliverable);
            assertEq(handler.undeliverableByNftMode(uint256(modes[i])), 1, "undeliverable in this NFT mode");
        }
        handler.returnUndeliverable(0); // no-op transfer: not in the seller's hands
        _then(Path.None);
        handler.setHostileMode(1);
        _then(Path.None);
        handler.returnUndeliverable(1);
        _then(Path.None);
        handler.setHostileMode(0);
        _then(Path.None);
        for (uint256 i = 0; i < 3; ++i) {
            handler.returnUndeliverable(0);
            _then(Path.Returned);
        }
    }

    /// @dev The royalty mock in every mode, changed after bidding closed: the royalty receiver gets exactly the
    /// claimed royalty capped at the lot's 10 %, or nothing. Payees that burn gas and revert on the return bomb.
    function _royaltyModes() internal {
        _sellMockLot(MockRoyaltyNFT.RoyaltyMode.Bps, false, 50_000, 1_000); // 500 % claimed
        _sellMockLot(MockRoyaltyNFT.RoyaltyMode.Bps, false, 300, 300);
        _sellMockLot(MockRoyaltyNFT.RoyaltyMode.Bps, true, 500, 0); // the house named as receiver
        _sellMockLot(MockRoyaltyNFT.RoyaltyMode.Revert, false, 500, 0);
        _sellMockLot(MockRoyaltyNFT.RoyaltyMode.BurnGas, false, 500, 0);
        _sellMockLot(MockRoyaltyNFT.RoyaltyMode.ShortReturn, false, 500, 0);
        _sellMockLot(MockRoyaltyNFT.RoyaltyMode.DirtyAddress, false, 500, 0);
        _sellMockLot(MockRoyaltyNFT.RoyaltyMode.None, false, 500, 0);
        handler.setPayeeModes(uint8(Actor.Mode.BurnGas), uint8(Actor.Mode.Revert)); // pushes fail: credited
        _then(Path.None);
        _sellMockLot(MockRoyaltyNFT.RoyaltyMode.HugeReturn, false, 20_000, 1_000); // 200 % and a return bomb
        handler.setPayeeModes(uint8(Actor.Mode.Accept), uint8(Actor.Mode.Accept));
        _then(Path.None);
    }

    /// @dev Fee and royalty cap raised after a lot was created: it settles on its own terms (5 %, cap 10 %); a lot
    /// created afterwards on the new ones (10 %, cap 20 %). Out-of-range changes are refused.
    function _termsFixedPerLot() internal {
        uint256 early = _lot(4, 60);
        handler.bid(1, _index(early), PRICE);
        _then(Path.BidStood);
        handler.setMaxRoyalty(2_000);
        _then(Path.None);
        handler.setProtocolFee(1_000);
        _then(Path.None);
        handler.setMaxRoyalty(2_550);
        _then(Path.None);
        handler.setProtocolFee(1_050);
        _then(Path.None);
        assertTrue(views.maxRoyaltyBps() == 2_000 && views.protocolFeeBps() == 1_000, "refused changes left the terms");
        _settleMockLot(early, MockRoyaltyNFT.RoyaltyMode.Bps, false, 50_000, 1_000);
        uint256 late = _lot(4, 60);
        assertTrue(views.lot(late).protocolFeeBps == 1_000 && views.lot(late).maxRoyaltyBps == 2_000, "new terms");
        handler.bid(1, _index(late), PRICE);
        _then(Path.BidStood);
        _settleMockLot(late, MockRoyaltyNFT.RoyaltyMode.Bps, false, 50_000, 2_000);
    }

    /// @dev A campaign's second lot opens after the first is settled plus the intermission; bidders that revert,
    /// burn gas and reenter on refund are outbid; a lot without bids is cancelled, one with a bid is not, one
    /// without bids settles back to the seller.
    function _campaignHostileBiddersAndCancels() internal {
        handler.createLot(2, 3_600, 60, 1, 1); // a new campaign
        uint256 first = views.lotCount();
        _then(Path.None);
        handler.createLot(2, 3_600, 60, 1, 1 | (1 << 200)); // its second lot
        uint256 second = views.lotCount();
        _then(Path.None);
        assertEq(uint256(views.lotStatus(second)), uint256(IAuctionHouseTypes.LotStatus.Queued), "second lot queued");
        handler.bid(2, _index(first), PRICE);
        _then(Path.BidStood);
        handler.settle(_index(first), 0);
        _then(Path.Sold);
        handler.warp(30);
        _then(Path.None);
        handler.bid(3, _index(second), PRICE);
        _then(Path.BidStood);
        for (uint256 who = 5; who < 8; ++who) {
            handler.bid(who, _index(second), RAISE); // the reverting, the gas-burning, the reentering actor
            _then(Path.BidStood);
        }
        handler.bid(0, _index(second), RAISE);
        _then(Path.BidStood);
        handler.settle(_index(second), 0);
        _then(Path.Sold);

        uint256 lotId = _lot(0, 60);
        handler.cancel(_index(lotId));
        _then(Path.Cancelled);
        lotId = _lot(0, 60);
        handler.bid(0, _index(lotId), PRICE);
        _then(Path.BidStood);
        handler.cancel(_index(lotId));
        _then(Path.None);
        handler.settle(_index(lotId), 0);
        _then(Path.Sold);
        lotId = _lot(0, 60);
        handler.settle(_index(lotId), 0);
        _then(Path.Unsold);
    }

    /// @dev The treasury bids with its accrued fees; treasury changes (the house refused); a relayer loses its role
    /// (its registration and bids refused) and gets it back; a relay bid above the signed maximum; revocation;
    /// withdrawals (one to a wallet that refuses ether); an unpause while not paused.
    function _adminAndMoney() internal {
        uint256 lotId = _lot(0, 60);
        handler.treasuryBid(_index(lotId), RAISE, 0);
        _then(Path.BidStood);
        handler.setTreasury(1);
        _then(Path.None);
        handler.setTreasury(8);
        _then(Path.None);
        assertEq(uint256(uint160(views.treasury())), uint256(uint160(handler.treasuries(1))), "treasury changed once");
        handler.toggleRelayerRole(1);
        _then(Path.None);
        handler.register(1, 1 ether, 5 ether, 0); // relayer 1
        _then(Path.None);
        handler.relayBid(1, _index(lotId), RAISE, 5); // registers through relayer 1, then bids through it
        _then(Path.BidRejected);
        handler.relayBid(0, _index(lotId), RAISE, 1); // above the signed maximum
        _then(Path.BidRejected);
        handler.toggleRelayerRole(1);
        _then(Path.None);
        handler.revoke(0);
        _then(Path.None);
        handler.relayBid(0, _index(lotId), RAISE, 3); // revoked, and not re-linked (seed % 4 == 3)
        _then(Path.BidRejected);
        handler.settle(_index(lotId), 0);
        _then(Path.Sold);
        handler.withdraw(2, 1 ether); // chat bidder 2's escrow
        _then(Path.None);
        handler.withdraw(4, 1); // the wallet refuses ether
        _then(Path.None);
        handler.unpause();
        _then(Path.None);
    }

    function _sellMockLot(MockRoyaltyNFT.RoyaltyMode mode, bool toHouse, uint256 claimedBps, uint256 paidBps) internal {
        uint256 lotId = _lot(4, 60);
        handler.bid(1, _index(lotId), PRICE);
        _then(Path.BidStood);
        _settleMockLot(lotId, mode, toHouse, claimedBps, paidBps);
    }

    /// @dev The mock switches to `mode` claiming `claimedBps` (after bidding closed), then the lot settles paying the
    /// royalty receiver exactly `paidBps` of the price.
    function _settleMockLot(uint256 lotId, MockRoyaltyNFT.RoyaltyMode mode, bool toHouse, uint256 claimedBps, uint256 paidBps)
        internal
    {
        require(claimedBps <= 3_000 || claimedBps > 10_000, "the handler's seed encodes 0-3,000 or above 10,000");
        uint256 seed = uint256(mode) | uint256(toHouse ? 0 : 1) << 8 | uint256(claimedBps > 3_000 ? 1 : 0) << 16
            | claimedBps << 24;
        handler.setRoyalty(1_000, seed);
        _then(Path.None);
        uint256 price = views.lot(lotId).amount;
        address receiver = address(handler.royaltyReceiver());
        uint256 before = receiver.balance + views.escrowOf(receiver);
        uint256 sold = handler.settledByRoyaltyMode(uint256(mode));
        handler.settle(_index(lotId), 0);
        _then(Path.Sold);
        assertEq(receiver.balance + views.escrowOf(receiver) - before, price * paidBps / 10_000, "royalty paid");
        assertEq(handler.settledByRoyaltyMode(uint256(mode)), sold + 1, "sold in this royalty mode");
    }

    /// @dev A lot of `kind` ({Handler.createLot}) with fixed terms: reserve 1 gwei, starting now, 1 hour, increment
    /// max(1 bps, 1 gwei); `bufferSeed` is its time buffer (odd: a hostile lot's token id above 32 bits).
    function _lot(uint256 kind, uint256 bufferSeed) internal returns (uint256 lotId) {
        uint256 count = views.lotCount();
        handler.createLot(kind, 3_600, bufferSeed, 1, 1);
        lotId = views.lotCount();
        assertEq(lotId, count + 1, "lot created");
        _then(Path.None);
    }

    /// @dev The lot's place among the handler's open lots: a `lotSeed` that picks it (it is live, or picked
    /// directly by the actions that take any open lot).
    function _index(uint256 lotId) internal view returns (uint256) {
        uint256[] memory open = handler.openLots();
        for (uint256 i = 0; i < open.length; ++i) {
            if (open[i] == lotId) return i;
        }
        revert(string.concat("lot not open: ", _num(lotId)));
    }

    /// @dev The step moved exactly the counter of `p` (none for Path.None), and the invariants hold.
    function _then(Path p) internal {
        if (p != Path.None) ++_expected[uint256(p)];
        uint256[9] memory got = [
            uint256(0),
            handler.bidsPlaced(),
            handler.bidsRejected(),
            handler.settledWithWinner(),
            handler.settledWithoutBid(),
            handler.undeliverable(),
            handler.earlySettlesRejected(),
            handler.tokensReturned(),
            handler.cancelled()
        ];
        for (uint256 i = 1; i < PATHS; ++i) {
            assertEq(got[i], _expected[i], string.concat("step ", _num(_steps), ": count of path #", _num(i)));
        }
        ++_steps;
        _checkInvariants();
    }
}

/// @notice Property tests with fuzzed, bounded inputs: one scenario per contract, as in Nouns' tests.
contract AuctionHouseFuzzTest is TestBase {
    AuctionHouse internal house;
    MockRoyaltyNFT internal mock;
    address internal constant TREASURY = address(0x7EA5);
    address internal constant SELLER = address(0x5E11E4);
    address internal constant RECEIVER = address(0xEC1E);
    address internal constant BIDDER = address(0xB1D1);
    address internal constant BIDDER2 = address(0xB1D2);

    function setUp() public {
        house = new AuctionHouse(address(this), TREASURY, 500);
        mock = new MockRoyaltyNFT();
        house.setCollectionAllowed(address(mock), true);
        vm.prank(SELLER);
        mock.setApprovalForAll(address(house), true);
    }

    function _lot(uint256 tokenId, uint16 bps, uint96 floor, uint32 buffer) internal returns (uint256) {
        mock.mint(SELLER, tokenId);
        return house.createLot(
            IAuctionHouseTypes.LotParams({
                campaignId: 0,
                nft: address(mock),
                tokenId: tokenId,
                seller: payable(SELLER),
                reserve: 0,
                startTime: 0,
                duration: 1 days,
                minIncrementBps: bps,
                minIncrementFloor: floor,
                timeBuffer: buffer
            })
        );
    }

    /// @dev Settlement splits the price exactly: fee (whole gwei, rounded down) + royalty (at most the lot's cap,
    /// whatever the collection claims, even far above 100 %) + proceeds == price, and the house keeps only the fee
    /// (as the treasury's escrow).
    function testFuzz_settle_splitsThePriceExactly(uint256 price, uint256 royaltyBps, uint16 feeBps, uint16 capBps)
        public
    {
        price = bound(price, 1, 1_000_000 ether);
        royaltyBps = bound(royaltyBps, 0, 1_000_000);
        feeBps = uint16(bound(feeBps, 0, 1_000));
        capBps = uint16(bound(capBps, 0, 2_500));
        house.setProtocolFee(feeBps);
        house.setMaxRoyalty(capBps);
        mock.setRoyalty(MockRoyaltyNFT.RoyaltyMode.Bps, RECEIVER, royaltyBps);
        uint256 lotId = _lot(1, 0, 1 gwei, 0);
        vm.deal(BIDDER, price);
        vm.prank(BIDDER);
        house.bid{value: price}(lotId);
        vm.warp(block.timestamp + 2 days);
        house.settle(lotId);
        uint256 fee = price * feeBps / 10_000 / 1 gwei * 1 gwei;
        uint256 royalty = price * royaltyBps / 10_000;
        uint256 cap = price * capBps / 10_000;
        if (royalty > cap) royalty = cap;
        if (royalty > price - fee) royalty = price - fee;
        assertEq(IAuctionHouse(address(house)).escrowOf(TREASURY), fee, "fee");
        assertEq(RECEIVER.balance, royalty, "royalty");
        assertEq(SELLER.balance, price - fee - royalty, "proceeds");
        assertEq(address(house).balance, fee, "house keeps the fee only");
    }

    /// @dev A bid below the minimum increment reverts with AuctionHouseBidTooLow; at the minimum it stands.
    function testFuzz_bid_enforcesTheMinimumIncrement(uint256 first, uint16 bps, uint96 floor, uint256 below) public {
        first = bound(first, 1, 1_000 ether);
        bps = uint16(bound(bps, 0, 10_000));
        floor = uint96(bound(floor, 1, 10 ether));
        uint256 lotId = _lot(1, bps, floor, 0);
        vm.deal(BIDDER, first);
        vm.prank(BIDDER);
        house.bid{value: first}(lotId);
        uint256 increment = first * bps / 10_000;
        if (increment < floor) increment = floor;
        uint256 minimum = first + increment;
        assertEq(IAuctionHouse(address(house)).minimumNextBid(lotId), minimum, "minimumNextBid");
        uint256 low = bound(below, 1, minimum - 1);
        vm.deal(BIDDER2, minimum + low);
        vm.prank(BIDDER2);
        vm.expectRevert(abi.encodeWithSelector(IAuctionHouseTypes.AuctionHouseBidTooLow.selector, lotId, low, minimum));
        house.bid{value: low}(lotId);
        vm.prank(BIDDER2);
        house.bid{value: minimum}(lotId);
        assertEq(BIDDER.balance, first, "outbid bidder refunded");
        assertEq(address(house).balance, minimum, "house holds the standing bid");
    }

    /// @dev A bid within the buffer moves the end to now + buffer; outside it, the end stays. The time is computed,
    /// not read back after vm.warp (under via-IR `block.timestamp` may be stale there).
    function testFuzz_bid_extendsWithinTheTimeBuffer(uint32 buffer, uint256 elapsed) public {
        buffer = uint32(bound(buffer, 1, 3_600));
        uint256 lotId = _lot(1, 0, 1 gwei, buffer);
        IAuctionHouseTypes.LotView memory lot = IAuctionHouse(address(house)).lot(lotId);
        elapsed = bound(elapsed, 0, 1 days - 1);
        uint256 now_ = lot.startTime + elapsed;
        vm.warp(now_);
        vm.deal(BIDDER, 1 ether);
        vm.prank(BIDDER);
        house.bid{value: 1 ether}(lotId);
        uint256 expected = lot.endTime - now_ < buffer ? now_ + buffer : lot.endTime;
        assertEq(IAuctionHouse(address(house)).lot(lotId).endTime, expected, "end time");
    }

    /// @dev Deposits and withdrawals in any amounts leave escrow and balance in step.
    function testFuzz_escrow_depositThenWithdraw(uint256 a, uint256 b, uint256 w) public {
        a = bound(a, 1, 1_000_000 ether);
        b = bound(b, 1, 1_000_000 ether);
        vm.deal(BIDDER, a + b);
        vm.prank(BIDDER);
        house.deposit{value: a}();
        vm.prank(BIDDER);
        house.deposit{value: b}();
        w = bound(w, 1, a + b);
        vm.prank(BIDDER);
        house.withdraw(w);
        assertEq(IAuctionHouse(address(house)).escrowOf(BIDDER), a + b - w, "escrow");
        assertEq(address(house).balance, a + b - w, "balance");
        assertEq(BIDDER.balance, w, "bidder got it");
    }

    /// @dev Fees accrue in 32 bits of gwei; a settlement that would overflow them moves everything to the
    /// treasury's account.
    function test_settle_movesAccruedFeesToTheTreasuryAccountBeyond32BitsOfGwei() public {
        house.setProtocolFee(1_000);
        mock.setRoyalty(MockRoyaltyNFT.RoyaltyMode.Bps, RECEIVER, 0);
        uint256 price = 13_000_000 ether; // fee 1.3M ether > 2**32 gwei
        uint256 lotId = _lot(1, 0, 1 gwei, 0);
        vm.deal(BIDDER, price);
        vm.prank(BIDDER);
        house.bid{value: price}(lotId);
        vm.warp(block.timestamp + 2 days);
        house.settle(lotId);
        assertEq(IAuctionHouse(address(house)).escrowOf(TREASURY), price / 10, "treasury escrow");
        vm.prank(TREASURY);
        house.withdrawAll();
        assertEq(TREASURY.balance, price / 10, "treasury withdrew it all");
        assertEq(address(house).balance, 0, "nothing left");
    }

    function test_relayBid_revertsGivenExpiredAuthorization() public {
        uint256 key = 0xB0B;
        address bob = vm.addr(key);
        house.grantRole(house.RELAYER_ROLE(), address(this));
        vm.deal(bob, 2 ether);
        vm.prank(bob);
        house.deposit{value: 2 ether}();
        IAuctionHouseTypes.ChatAuthorization memory auth = IAuctionHouseTypes.ChatAuthorization({
            bidder: bob,
            relayer: address(this),
            chatIdHash: keccak256("twitch:7"),
            maxBid: 1 ether,
            totalCap: 2 ether,
            expiry: block.timestamp + 1 hours,
            nonce: 0
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, house.hashChatAuthorization(auth));
        house.registerChatAuthorization(auth, abi.encodePacked(r, s, v));
        uint256 lotId = _lot(1, 0, 1 gwei, 0);
        vm.warp(auth.expiry + 1);
        vm.expectRevert(abi.encodeWithSelector(IAuctionHouseTypes.ChatAuthorizationExpired.selector, auth.expiry));
        house.relayBid(lotId, bob, 1 ether);
    }
}

