// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAuctionHouseTypes} from "./interfaces/IAuctionHouseTypes.sol";

/// @title AuctionHouseStorage
/// @author SothebAIs
/// @notice The auction house's storage layout and the reads that both {AuctionHouse} and {AuctionHouseViews} need.
/// @dev {AuctionHouse} lists this contract first among its bases, so its state starts at slot 0 there as it does in
/// {AuctionHouseViews}, which the house runs by delegatecall: the two read the same slots. Anything added here is
/// added to both; never declare state in either contract itself before this base.
abstract contract AuctionHouseStorage is IAuctionHouseTypes {
    uint256 internal constant _BPS = 10_000;
    uint256 internal constant _GWEI = 1 gwei;

    // Bid.flags bits. `_EXISTS` is set at creation, so the first bid rewrites a non-zero slot (2,900 gas, not 20,000).
    uint8 internal constant _EXISTS = 1;
    uint8 internal constant _ESCROW_BID = 2; // the standing bid used escrow: its refund goes back to escrow
    uint8 internal constant _VIA_RELAYER = 4; // the standing bid was placed by a relayer (counts in the exposure)
    uint8 internal constant _CANCELLED = 8;
    uint8 internal constant _BIG_TOKEN_ID = 16; // token id above uint32: kept in `_bigTokenIds`
    uint8 internal constant _QUEUED = 32; // campaign lot created behind another: its times wait for its turn
    uint8 internal constant _UNDELIVERABLE = 64; // the NFT could not be moved: waits for {returnUndeliverable}

    // ------------------------------------------------------------------ storage types

    /// @dev Slot A of a lot: the standing highest bid. uint88 holds 309 million ether, far above any bid.
    struct Bid {
        address bidder;
        uint88 amount;
        uint8 flags;
    }

    /// @dev Slot B of a lot: everything a bid needs besides the increments. The reserve is kept in gwei, rounded up
    /// (never below what the auctioneer asked); 48 bits of gwei hold 281,000 ether.
    struct Schedule {
        uint40 startTime;
        uint40 endTime;
        uint48 reserveGwei;
        uint24 timeBuffer;
        uint32 templateId;
        uint32 tokenId; // the token id when it fits 32 bits (flag `_BIG_TOKEN_ID` otherwise)
        uint32 position; // 1-based place in its campaign's running order (0 = no campaign)
    }

    /// @dev What lots of a campaign share, stored once and referenced by id from each lot's {Schedule}. The fee and
    /// royalty cap are part of it, so a lot keeps the terms it was created with.
    struct Template {
        address nft;
        uint48 campaignId;
        uint16 feeBps;
        uint16 maxRoyaltyBps;
        address seller;
        uint16 minIncrementBps;
        uint64 minIncrementFloor; // 18 ether: more than enough for an increment floor
    }

    /// @dev One slot of global settings read by every createLot and bid: counters, the terms of new lots, the pause.
    struct Counters {
        uint48 lotCount;
        uint48 campaignCount;
        uint32 templateCount;
        uint16 feeBps; // of new lots
        uint16 maxRoyaltyBps; // of new lots
        bool paused;
        uint32 prevPausedAt; // the pause window before the one in {FeeConfig} (0 = none)
        uint32 prevUnpausedAt;
    }

    /// @dev One slot, the one settlement reads anyway: where protocol fees go, the fees accrued for it but not yet
    /// moved into its {Account} (part of its escrow: see {escrowOf}), and the pause window the lazy time model
    /// needs, so settling costs no read of {Counters}. Fees accrue in whole gwei (the fee is rounded down to gwei,
    /// the rest stays with the seller) and move to the treasury's account before 32 bits of gwei (4.29 ether) fill.
    /// Times are 32-bit unix seconds (good until 2106).
    struct FeeConfig {
        address treasury;
        uint32 accruedFeesGwei;
        uint32 pausedAt; // start of the current or last pause window (0 = never paused)
        uint32 unpausedAt; // end of that window (0 while paused)
    }

    /// @dev A campaign's running order, one slot.
    struct Campaign {
        uint32 intermission;
        uint32 lotsCreated;
        uint32 lotsClosed;
        uint40 releaseTime;
    }

    /// @dev Every address's escrow plus its chat bookkeeping, in one slot. uint88 holds 309 million ether.
    /// The total cap is kept in gwei, rounded down (stricter for the bidder, never looser); 56 bits of gwei hold
    /// 72 million ether, and larger caps are clamped to that, which changes nothing in practice.
    struct Account {
        uint88 balance; // escrow, in wei
        uint88 exposure; // standing chat bids plus lots won through chat, in wei; carries over to a new authorization
        uint56 totalCapGwei; // of the registered authorization
        uint24 nonce; // next nonce the bidder signs; registration and revocation each consume one
    }

    /// @dev A bidder's registered chat authorization: one slot (the chat identity hash is kept apart).
    /// `expiry == 0` with a relayer set means revoked. The per-bid cap is kept in gwei, rounded down, as above.
    struct Authorization {
        address relayer;
        uint56 maxBidGwei;
        uint40 expiry;
    }

    // ------------------------------------------------------------------ state

    Counters internal _counters;
    FeeConfig internal _fees;
    mapping(uint256 lotId => Bid) internal _bids;
    mapping(uint256 lotId => Schedule) internal _schedules;
    mapping(uint256 lotId => uint256) internal _bigTokenIds;
    mapping(uint256 templateId => Template) internal _templates;
    mapping(bytes32 templateKey => uint32) internal _templateIds;
    mapping(uint256 campaignId => Campaign) internal _campaigns;
    mapping(address nft => bool) internal _allowedCollections;
    mapping(address account => Account) internal _accounts;
    mapping(address bidder => Authorization) internal _auths;
    mapping(address bidder => bytes32) internal _chatIds;

    // ------------------------------------------------------------------ shared reads

    function _minimumNextBid(Bid memory b, Schedule memory s) internal view returns (uint256) {
        if (b.bidder == address(0)) return s.reserveGwei == 0 ? 1 : uint256(s.reserveGwei) * _GWEI;
        Template storage t = _templates[s.templateId];
        uint256 increment = uint256(b.amount) * t.minIncrementBps / _BPS;
        uint256 floor = t.minIncrementFloor; // never zero (see _validateLotParams)
        if (increment < floor) increment = floor;
        return b.amount + increment;
    }

    function _escrowOf(address account) internal view returns (uint256) {
        FeeConfig memory fees = _fees;
        return _accounts[account].balance + (account == fees.treasury ? uint256(fees.accruedFeesGwei) * _GWEI : 0);
    }

    /// @dev A lot's status with its start and end as they apply now (see the time model in {AuctionHouse}'s notes).
    /// Storage of a delivered lot is cleared, so an id up to {lotCount} without a stored lot is settled; the counter
    /// is read only then. The pause window is read only for a lot within its time buffer of the end: further out, a
    /// pause cannot change its status, and the stored end is the one that applies once the pause is over.
    function _timesOf(uint256 lotId, Bid memory b, Schedule memory s)
        internal
        view
        returns (LotStatus status, uint40 start, uint40 end)
    {
        start = s.startTime;
        end = s.endTime;
        if (b.flags & _EXISTS == 0) {
            // Ids run from 1 to lotCount inclusive.
            // solhint-disable-next-line gas-strict-inequalities
            return (lotId != 0 && lotId <= _counters.lotCount ? LotStatus.Settled : LotStatus.None, start, end);
        }
        if (b.flags & _UNDELIVERABLE != 0) return (LotStatus.Undeliverable, start, end);
        if (b.flags & _CANCELLED != 0) return (LotStatus.Cancelled, start, end);
        if (b.flags & _QUEUED != 0) {
            Campaign memory camp = _campaigns[_templates[s.templateId].campaignId];
            if (camp.lotsClosed + 1 != s.position) return (LotStatus.Queued, start, end);
            if (camp.releaseTime > start) {
                end = camp.releaseTime + (end - start); // no bid yet, so end - start is the duration
                start = camp.releaseTime;
            }
        }
        // Inclusive: a lot exactly one buffer from its end is within reach of an extension.
        // solhint-disable-next-line gas-strict-inequalities
        if (end <= block.timestamp + s.timeBuffer) end = _pauseAdjustedEnd(start, end, s.timeBuffer);
        if (block.timestamp < start) return (LotStatus.Scheduled, start, end);
        if (block.timestamp < end) return (LotStatus.Live, start, end);
        return (LotStatus.Ended, start, end);
    }

    /// @dev A pause stops the clock of every lot that was open (started, not ended) while it lasted: such a lot ends
    /// no earlier than its time buffer after the unpause, and not at all while paused. The last two pause windows
    /// are kept (the current one in {FeeConfig}, which settlement reads anyway; the one before in {Counters}, read
    /// only once a pause ever happened), so a lot still in its grace from one pause when the next begins stays
    /// protected, and a lot that ended between two pauses stays ended.
    function _pauseAdjustedEnd(uint40 start, uint40 end, uint24 timeBuffer) internal view returns (uint40) {
        FeeConfig memory window = _fees;
        if (window.pausedAt == 0) return end;
        Counters memory c = _counters;
        if (c.prevPausedAt != 0) end = _stretch(start, end, timeBuffer, c.prevPausedAt, c.prevUnpausedAt);
        return _stretch(start, end, timeBuffer, window.pausedAt, window.unpausedAt);
    }

    /// @dev `end` after the pause window [`pausedAt`, `unpausedAt`] (`unpausedAt` 0: still paused).
    function _stretch(uint40 start, uint40 end, uint24 timeBuffer, uint32 pausedAt, uint32 unpausedAt)
        private
        pure
        returns (uint40)
    {
        // The contract's boundaries: a lot whose end is the pause's first second ended before it, a lot opened in
        // the unpause's second was never paused.
        // solhint-disable-next-line gas-strict-inequalities
        if (end <= pausedAt) return end; // ended before the pause began
        if (unpausedAt == 0) return type(uint40).max;
        // solhint-disable-next-line gas-strict-inequalities
        if (start >= unpausedAt) return end; // opened after the pause
        uint256 resume = uint256(unpausedAt) + timeBuffer;
        return resume > end ? uint40(resume) : end;
    }

    function _statusOf(uint256 lotId, Bid memory b, Schedule memory s) internal view returns (LotStatus status) {
        (status,,) = _timesOf(lotId, b, s);
    }

    function _revertNotLive(uint256 lotId, LotStatus status) internal pure {
        if (status == LotStatus.None) revert AuctionHouseLotNotFound(lotId);
        revert AuctionHouseLotNotLive(lotId, status);
    }

    function _tokenIdOf(uint256 lotId, uint8 flags, Schedule memory s) internal view returns (uint256) {
        return flags & _BIG_TOKEN_ID != 0 ? _bigTokenIds[lotId] : s.tokenId;
    }
}
