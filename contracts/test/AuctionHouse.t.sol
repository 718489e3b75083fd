// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AuctionHouse} from "../src/AuctionHouse.sol";
import {IAuctionHouse} from "../src/interfaces/IAuctionHouse.sol";
import {IAuctionHouseTypes} from "../src/interfaces/IAuctionHouseTypes.sol";
import {SothebaisCollection} from "../src/SothebaisCollection.sol";
import {Actor} from "./helpers/Actor.sol";
import {MockRoyaltyNFT} from "./helpers/MockRoyaltyNFT.sol";
import {TestBase} from "./helpers/Vm.sol";

/// @notice Drives the auction house with random sequences of deposits, wallet bids, escrow bids, relayer bids,
/// registrations, revocations, withdrawals, time jumps, settlements and cancels, by honest and hostile actors.
/// Keeps ghost totals that the invariants compare with the contract.
contract Handler is TestBase {
    AuctionHouse public immutable house;
    SothebaisCollection public immutable nft;
    address public immutable relayer = address(0x5E1A7);
    address public immutable treasury;
    Actor public immutable seller;
    Actor public immutable royaltyReceiver;

    uint256[] internal _keys; // chat-capable EOAs
    address[] internal _eoas;
    Actor[] internal _hostile; // a bidder that reverts on receive and one that burns all gas
    address[] internal _accounts; // everyone who can hold escrow or ether
    uint256[] internal _open; // lots not settled or cancelled

    uint256 public dealt; // all ether ever given to the accounts
    mapping(address => uint256) public wonViaRelayer;
    uint256 public calls;

    constructor(AuctionHouse house_, SothebaisCollection nft_, address treasury_) {
        house = house_;
        nft = nft_;
        treasury = treasury_;
        seller = new Actor();
        royaltyReceiver = new Actor();
        for (uint256 i = 0; i < 4; ++i) {
            uint256 key = uint256(keccak256(abi.encode("bidder", i)));
            _keys.push(key);
            _eoas.push(vm.addr(key));
            _accounts.push(vm.addr(key));
        }
        Actor reverting = new Actor();
        reverting.setMode(Actor.Mode.Revert);
        Actor burner = new Actor();
        burner.setMode(Actor.Mode.BurnGas);
        _hostile.push(reverting);
        _hostile.push(burner);
        _accounts.push(address(reverting));
        _accounts.push(address(burner));
        _accounts.push(address(seller));
        _accounts.push(address(royaltyReceiver));
        _accounts.push(treasury_);
        vm.prank(address(seller));
        nft.setApprovalForAll(address(house), true);
    }

    // ------------------------------------------------------------------ actions

    function createLot(uint256 durationSeed, uint256 bufferSeed, uint256 reserveSeed, uint256 incrementSeed) external {
        ++calls;
        if (_open.length >= 6) return;
        uint256 tokenId = nft.mint(address(seller), "ipfs://lot");
        uint256 lotId = house.createLot(
            IAuctionHouseTypes.LotParams({
                campaignId: 0,
                nft: address(nft),
                tokenId: tokenId,
                seller: payable(address(seller)),
                reserve: uint96(bound(reserveSeed, 0, 2 ether)),
                startTime: 0,
                duration: uint32(bound(durationSeed, 60, 2 days)),
                minIncrementBps: uint16(bound(incrementSeed, 0, 2_000)),
                minIncrementFloor: incrementSeed % 3 == 0 ? 1 gwei : 0.01 ether,
                timeBuffer: uint32(bound(bufferSeed, 0, 600))
            })
        );
        _open.push(lotId);
    }

    function deposit(uint256 who, uint256 amount) external {
        ++calls;
        address a = _bidder(who);
        amount = bound(amount, 1, 5 ether);
        _fund(a, amount);
        vm.prank(a);
        house.deposit{value: amount}();
    }

    function withdraw(uint256 who, uint256 amount) external {
        ++calls;
        address a = _accounts[who % _accounts.length];
        uint256 balance = IAuctionHouse(address(house)).escrowOf(a);
        if (balance == 0) return;
        vm.prank(a);
        try house.withdraw(bound(amount, 1, balance)) {} catch {} // hostile receivers fail: fine
    }

    function bid(uint256 who, uint256 lotSeed, uint256 extra) external {
        ++calls;
        (uint256 lotId, uint256 amount) = _bidFor(lotSeed, extra);
        if (lotId == 0) return;
        address a = _bidder(who);
        _fund(a, amount);
        vm.prank(a);
        try house.bid{value: amount}(lotId) {} catch {}
    }

    function bidWithEscrow(uint256 who, uint256 lotSeed, uint256 extra, uint256 valueSeed) external {
        ++calls;
        (uint256 lotId, uint256 amount) = _bidFor(lotSeed, extra);
        if (lotId == 0) return;
        address a = _bidder(who);
        uint256 value = bound(valueSeed, 0, amount);
        uint256 escrow = IAuctionHouse(address(house)).escrowOf(a);
        if (amount - value > escrow) value = amount - escrow;
        _fund(a, value);
        vm.prank(a);
        try house.bidWithEscrow{value: value}(lotId, amount) {} catch {}
    }

    function relayBid(uint256 who, uint256 lotSeed, uint256 extra) external {
        ++calls;
        (uint256 lotId, uint256 amount) = _bidFor(lotSeed, extra);
        if (lotId == 0) return;
        vm.prank(relayer);
        try house.relayBid(lotId, _eoas[who % _eoas.length], amount) {} catch {}
    }

    function register(uint256 who, uint256 maxSeed, uint256 capSeed, uint256 expirySeed) external {
        ++calls;
        uint256 i = who % _eoas.length;
        address bidder = _eoas[i];
        uint256 maxBid = bound(maxSeed, 1 gwei, 3 ether);
        IAuctionHouseTypes.ChatAuthorization memory auth = IAuctionHouseTypes.ChatAuthorization({
            bidder: bidder,
            relayer: relayer,
            chatIdHash: keccak256(abi.encode("twitch", i)),
            maxBid: maxBid,
            totalCap: bound(capSeed, maxBid, 10 ether),
            expiry: block.timestamp + bound(expirySeed, 1 hours, 3 days),
            nonce: IAuctionHouse(address(house)).nonces(bidder)
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_keys[i], house.hashChatAuthorization(auth));
        vm.prank(relayer);
        house.registerChatAuthorization(auth, abi.encodePacked(r, s, v));
    }

    function revoke(uint256 who) external {
        ++calls;
        vm.prank(_eoas[who % _eoas.length]);
        house.revokeChatAuthorization();
    }

    function warp(uint256 seconds_) external {
        ++calls;
        vm.warp(block.timestamp + bound(seconds_, 1, 1 days));
    }

    function settle(uint256 lotSeed) external {
        ++calls;
        if (_open.length == 0) return;
        uint256 index = lotSeed % _open.length;
        uint256 lotId = _open[index];
        IAuctionHouseTypes.LotView memory lot = IAuctionHouse(address(house)).lot(lotId);
        if (lot.status != IAuctionHouseTypes.LotStatus.Ended) {
            try house.settle(lotId) {
                revert("settled before the end");
            } catch {}
            return;
        }
        house.settle(lotId);
        if (lot.bidder != address(0)) {
            assertEq(uint256(uint160(nft.ownerOf(lot.tokenId))), uint256(uint160(lot.bidder)), "winner owns the NFT");
            if (lot.viaRelayer) wonViaRelayer[lot.bidder] += lot.amount;
        } else {
            assertEq(uint256(uint160(nft.ownerOf(lot.tokenId))), uint256(uint160(address(seller))), "NFT back to seller");
        }
        _removeOpen(index);
    }

    function cancel(uint256 lotSeed) external {
        ++calls;
        if (_open.length == 0) return;
        uint256 index = lotSeed % _open.length;
        try house.cancelLot(_open[index]) {
            _removeOpen(index);
        } catch {}
    }

    /// @notice Seller and royalty receiver switch between accepting, reverting and burning all gas.
    function setPayeeModes(uint8 sellerMode, uint8 receiverMode) external {
        ++calls;
        seller.setMode(Actor.Mode(sellerMode % 3));
        royaltyReceiver.setMode(Actor.Mode(receiverMode % 3));
    }

    // ------------------------------------------------------------------ views for the invariants

    function accounts() external view returns (address[] memory) {
        return _accounts;
    }

    function eoas() external view returns (address[] memory) {
        return _eoas;
    }

    function openLots() external view returns (uint256[] memory) {
        return _open;
    }

    // ------------------------------------------------------------------ internal

    function _bidder(uint256 seed) internal view returns (address) {
        uint256 i = seed % (_eoas.length + _hostile.length);
        return i < _eoas.length ? _eoas[i] : address(_hostile[i - _eoas.length]);
    }

    /// @dev A bid of at least the minimum (sometimes just below, to exercise the rejection) on an open lot.
    function _bidFor(uint256 lotSeed, uint256 extra) internal view returns (uint256 lotId, uint256 amount) {
        if (_open.length == 0) return (0, 0);
        lotId = _open[lotSeed % _open.length];
        uint256 minimum = IAuctionHouse(address(house)).minimumNextBid(lotId);
        amount = extra % 16 == 0 ? minimum - 1 : minimum + bound(extra, 0, 1 ether);
        if (amount == 0) amount = 1;
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

/// @notice Invariants over random sequences (see {Handler}).
/// hardhat-config is in hardhat.config.ts (quick and full modes).
contract AuctionHouseInvariantTest is TestBase {
    AuctionHouse internal house;
    SothebaisCollection internal nft;
    Handler internal handler;
    address internal constant TREASURY = address(0x7EA5);

    function setUp() public {
        house = new AuctionHouse(address(this), TREASURY, 500);
        nft = new SothebaisCollection("S", "S", "", address(this), address(0), 0);
        handler = new Handler(house, nft, TREASURY);
        nft.setDefaultRoyalty(address(handler.royaltyReceiver()), 1_000);
        house.grantRole(house.RELAYER_ROLE(), handler.relayer());
        house.grantRole(house.AUCTIONEER_ROLE(), address(handler));
        nft.grantRole(nft.MINTER_ROLE(), address(handler));
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_balanceCoversEscrowAndBids() public view {
        assertEq(address(house).balance, _escrowSum() + _standingBids(), "house balance != escrow + standing bids");
    }

    function invariant_noWeiCreatedOrLost() public view {
        address[] memory accounts = handler.accounts();
        uint256 total = address(house).balance;
        for (uint256 i = 0; i < accounts.length; ++i) {
            total += accounts[i].balance;
        }
        assertEq(total, handler.dealt(), "ether of all parties != ether dealt");
    }

    function invariant_exposureIsChatBidsPlusChatWins() public view {
        address[] memory eoas = handler.eoas();
        uint256[] memory open = handler.openLots();
        for (uint256 i = 0; i < eoas.length; ++i) {
            uint256 expected = handler.wonViaRelayer(eoas[i]);
            for (uint256 j = 0; j < open.length; ++j) {
                IAuctionHouseTypes.LotView memory lot = IAuctionHouse(address(house)).lot(open[j]);
                if (lot.viaRelayer && lot.bidder == eoas[i]) expected += lot.amount;
            }
            assertEq(IAuctionHouse(address(house)).authorizationOf(eoas[i]).exposure, expected, "exposure != chat bids + chat wins");
        }
    }

    function _escrowSum() internal view returns (uint256 sum) {
        address[] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) {
            sum += IAuctionHouse(address(house)).escrowOf(accounts[i]);
        }
    }

    function _standingBids() internal view returns (uint256 sum) {
        uint256[] memory open = handler.openLots();
        for (uint256 i = 0; i < open.length; ++i) {
            sum += IAuctionHouse(address(house)).lot(open[i]).amount;
        }
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

    /// @dev Settlement splits the price exactly: fee + royalty + proceeds == price, whatever the royalty (even far
    /// above 100 %) and the fee, and the house keeps only the fee (as the treasury's escrow).
    function testFuzz_settle_splitsThePriceExactly(uint256 price, uint256 royaltyBps, uint16 feeBps) public {
        price = bound(price, 1, 1_000_000 ether);
        royaltyBps = bound(royaltyBps, 0, 1_000_000);
        feeBps = uint16(bound(feeBps, 0, 1_000));
        house.setProtocolFee(feeBps);
        mock.setRoyalty(MockRoyaltyNFT.RoyaltyMode.Bps, RECEIVER, royaltyBps);
        uint256 lotId = _lot(1, 0, 0, 0);
        vm.deal(BIDDER, price);
        vm.prank(BIDDER);
        house.bid{value: price}(lotId);
        vm.warp(block.timestamp + 2 days);
        house.settle(lotId);
        uint256 fee = price * feeBps / 10_000;
        uint256 royalty = price * royaltyBps / 10_000;
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
        floor = uint96(bound(floor, 0, 10 ether));
        uint256 lotId = _lot(1, bps, floor, 0);
        vm.deal(BIDDER, first);
        vm.prank(BIDDER);
        house.bid{value: first}(lotId);
        uint256 increment = first * bps / 10_000;
        if (increment < floor) increment = floor;
        if (increment == 0) increment = 1;
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

    /// @dev A bid within the buffer moves the end to now + buffer; outside it, the end stays.
    function testFuzz_bid_extendsWithinTheTimeBuffer(uint32 buffer, uint256 elapsed) public {
        buffer = uint32(bound(buffer, 1, 3_600));
        uint256 lotId = _lot(1, 0, 0, buffer);
        uint40 end = IAuctionHouse(address(house)).lot(lotId).endTime;
        elapsed = bound(elapsed, 0, 1 days - 1);
        vm.warp(IAuctionHouse(address(house)).lot(lotId).startTime + elapsed);
        vm.deal(BIDDER, 1 ether);
        vm.prank(BIDDER);
        house.bid{value: 1 ether}(lotId);
        uint256 expected = end - block.timestamp < buffer ? block.timestamp + buffer : end;
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

    /// @dev Fees accrue in 80 bits; a settlement that would overflow them moves everything to the treasury's account.
    function test_settle_movesAccruedFeesToTheTreasuryAccountBeyond80Bits() public {
        house.setProtocolFee(1_000);
        mock.setRoyalty(MockRoyaltyNFT.RoyaltyMode.Bps, RECEIVER, 0);
        uint256 price = 13_000_000 ether; // fee 1.3M ether > 2**80 wei
        uint256 lotId = _lot(1, 0, 0, 0);
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
        uint256 lotId = _lot(1, 0, 0, 0);
        vm.warp(auth.expiry + 1);
        vm.expectRevert(abi.encodeWithSelector(IAuctionHouseTypes.ChatAuthorizationExpired.selector, auth.expiry));
        house.relayBid(lotId, bob, 1 ether);
    }
}
