// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AuctionHouseStorage} from "./AuctionHouseStorage.sol";
import {IAuctionHouseViews} from "./interfaces/IAuctionHouse.sol";

/// @title AuctionHouseViews
/// @author SothebAIs
/// @notice The read functions of {AuctionHouse}. The house deploys one of these and runs it by delegatecall from its
/// fallback, so clients call every read on the house's address; the house's own code stays within the EVM's
/// 24 KiB limit while its bid and settle paths keep their gas-optimised inlining.
/// @dev Only view functions: run by delegatecall they can read the house's storage and change nothing.
contract AuctionHouseViews is AuctionHouseStorage, IAuctionHouseViews {
    /// @inheritdoc IAuctionHouseViews
    /// @dev Reverts with {AuctionHouseLotNotFound} for an unknown lot. Times are as they apply now: a queued lot's
    /// start is its earliest opening; a pause moves the end of a lot it caught.
    ///
    /// NOTE: settlement clears a lot's storage for the gas refunds: a settled lot reports status `Settled` and zeros
    /// for the rest, which its {LotCreated} and {LotSettled} events keep (the winner also owns the NFT).
    function lot(uint256 lotId) external view returns (LotView memory v) {
        Bid memory b = _bids[lotId];
        Schedule memory s = _schedules[lotId];
        (LotStatus status, uint40 start, uint40 end) = _timesOf(lotId, b, s);
        if (status == LotStatus.None) revert AuctionHouseLotNotFound(lotId);
        Template memory t = _templates[s.templateId];
        v = LotView({
            campaignId: t.campaignId,
            nft: t.nft,
            tokenId: _tokenIdOf(lotId, b.flags, s),
            seller: t.seller,
            reserve: uint96(uint256(s.reserveGwei) * _GWEI),
            startTime: start,
            endTime: end,
            minIncrementBps: t.minIncrementBps,
            minIncrementFloor: t.minIncrementFloor,
            timeBuffer: s.timeBuffer,
            bidder: b.bidder,
            amount: b.amount,
            viaRelayer: b.flags & _VIA_RELAYER != 0,
            status: status,
            protocolFeeBps: t.feeBps,
            maxRoyaltyBps: t.maxRoyaltyBps,
            campaignPosition: s.position
        });
    }

    /// @inheritdoc IAuctionHouseViews
    /// @dev `None` for an unknown lot.
    function lotStatus(uint256 lotId) external view returns (LotStatus) {
        return _statusOf(lotId, _bids[lotId], _schedules[lotId]);
    }

    /// @inheritdoc IAuctionHouseViews
    /// @dev The reserve (at least 1 wei) before the first bid, else the standing bid plus the increment.
    /// Reverts with {AuctionHouseLotNotFound} for an unknown lot and {AuctionHouseLotNotLive} for any other lot that
    /// is not taking bids now (scheduled, queued, ended, closed): there is no next bid to quote.
    function minimumNextBid(uint256 lotId) external view returns (uint256) {
        Bid memory b = _bids[lotId];
        Schedule memory s = _schedules[lotId];
        LotStatus status = _statusOf(lotId, b, s);
        if (status != LotStatus.Live) _revertNotLive(lotId, status);
        return _minimumNextBid(b, s);
    }

    /// @inheritdoc IAuctionHouseViews
    /// @dev Lot ids run from 1 to `lotCount()`.
    function lotCount() external view returns (uint256) {
        return _counters.lotCount;
    }

    /// @inheritdoc IAuctionHouseViews
    /// @dev Campaign ids run from 1 to `campaignCount()`.
    function campaignCount() external view returns (uint64) {
        return _counters.campaignCount;
    }

    /// @inheritdoc IAuctionHouseViews
    /// @dev All zero for an unknown campaign.
    function campaign(uint64 campaignId) external view returns (CampaignView memory) {
        Campaign memory camp = _campaigns[campaignId];
        return CampaignView({
            intermission: camp.intermission,
            lotsCreated: camp.lotsCreated,
            lotsClosed: camp.lotsClosed,
            releaseTime: camp.releaseTime
        });
    }

    /// @inheritdoc IAuctionHouseViews
    function isCollectionAllowed(address nft) external view returns (bool) {
        return _allowedCollections[nft];
    }

    /// @inheritdoc IAuctionHouseViews
    function maxRoyaltyBps() external view returns (uint16) {
        return _counters.maxRoyaltyBps;
    }

    /// @inheritdoc IAuctionHouseViews
    /// @dev For the treasury this includes the protocol fees accrued since they were last moved to its account.
    function escrowOf(address account) external view returns (uint256) {
        return _escrowOf(account);
    }

    /// @inheritdoc IAuctionHouseViews
    /// @dev `nonce` is the nonce last consumed (by registration or revocation); all zero when never registered.
    /// Caps are reported as stored: in whole gwei, rounded down. After a revocation `expiry` reads 0.
    function authorizationOf(address bidder) external view returns (AuthorizationView memory) {
        Authorization memory a = _auths[bidder];
        Account memory account = _accounts[bidder];
        return AuthorizationView({
            relayer: a.relayer,
            chatIdHash: _chatIds[bidder],
            maxBid: uint256(a.maxBidGwei) * _GWEI,
            totalCap: uint256(account.totalCapGwei) * _GWEI,
            expiry: a.expiry,
            nonce: account.nonce == 0 ? 0 : account.nonce - 1,
            exposure: account.exposure,
            revoked: a.relayer != address(0) && a.expiry == 0
        });
    }

    /// @inheritdoc IAuctionHouseViews
    /// @dev The nonce the bidder's next authorization must carry.
    function nonces(address bidder) external view returns (uint256) {
        return _accounts[bidder].nonce;
    }

    /// @inheritdoc IAuctionHouseViews
    function protocolFeeBps() external view returns (uint16) {
        return _counters.feeBps;
    }

    /// @inheritdoc IAuctionHouseViews
    function treasury() external view returns (address) {
        return _fees.treasury;
    }

    /// @inheritdoc IAuctionHouseViews
    function paused() external view returns (bool) {
        return _counters.paused;
    }
}
