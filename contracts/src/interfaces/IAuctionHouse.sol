// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAuctionHouseTypes} from "./IAuctionHouseTypes.sol";

/// @title IAuctionHouseActions
/// @author SothebAIs
/// @notice What changes the auction house's state, plus the EIP-712 digest of a {ChatAuthorization}.
/// @dev Implemented by {AuctionHouse}.
interface IAuctionHouseActions is IAuctionHouseTypes {
    // ------------------------------------------------------------------ bidders

    /// @notice Bid `msg.value` on `lotId` from the caller's wallet.
    /// @dev Requirements: the lot is live, not paused, and `msg.value` is at least {minimumNextBid}.
    /// Refunds the previous highest bid (push with a bounded stipend, escrow credit as fallback).
    /// Emits {BidPlaced}, {BidRefunded} for the previous bid, and {LotExtended} when the end moves.
    /// @param lotId the lot
    function bid(uint256 lotId) external payable;

    /// @notice Bid `amount` on `lotId`, paying `msg.value` and the rest from the caller's escrow.
    /// @param lotId the lot
    /// @param amount the whole bid in wei
    function bidWithEscrow(uint256 lotId, uint256 amount) external payable;

    /// @notice Place `amount` on `lotId` for `bidder` from their escrow, under their registered authorization.
    /// @dev Requirements: caller has the relayer role and is the authorization's relayer; not expired or
    /// revoked; `amount` <= maxBid; exposure after the bid <= totalCap; escrow covers it.
    /// @param lotId the lot
    /// @param bidder the chat bidder whose escrow pays
    /// @param amount the bid in wei
    function relayBid(uint256 lotId, address bidder, uint256 amount) external;

    /// @notice Add `msg.value` to the caller's escrow. Emits {EscrowDeposited}.
    function deposit() external payable;

    /// @notice Send `amount` of the caller's escrow to the caller. Never paused. Emits {Withdrawn}.
    /// @param amount wei to withdraw
    function withdraw(uint256 amount) external;

    /// @notice Send the caller's whole escrow to the caller. Never paused. Emits {Withdrawn}.
    function withdrawAll() external;

    /// @notice Register `auth` (signed by `auth.bidder`, for the chat account `auth.chatIdHash`) for the calling
    /// relayer. Replaces the bidder's previous authorization and chat account; the exposure (standing chat bids
    /// and lots won through chat) carries over, so sign `totalCap` = current exposure + the new budget.
    /// @param auth the signed authorization
    /// @param signature the bidder's EIP-712 signature (65-byte ECDSA for an EOA, anything ERC-1271 for a contract)
    function registerChatAuthorization(ChatAuthorization calldata auth, bytes calldata signature) external;

    /// @notice Revoke the caller's authorization and consume their current nonce.
    function revokeChatAuthorization() external;

    /// @notice Settle an ended lot: NFT to the winner; royalty, protocol fee and seller proceeds paid; the next lot
    /// of its campaign opens after the intermission. Anyone may call. Never reverts because of the NFT: when it
    /// cannot be delivered the lot becomes {LotStatus.Undeliverable} and the winner's bid goes to their escrow.
    /// @param lotId the lot
    function settle(uint256 lotId) external;

    /// @notice Send the NFT of an undeliverable lot back to its seller (retry as often as needed). Anyone may call.
    /// @param lotId the lot
    function returnUndeliverable(uint256 lotId) external;

    // ------------------------------------------------------------------ auctioneer / admin

    /// @notice Create a campaign: a named running order of lots, one on stage at a time. Lot N+1 opens only once
    /// lot N has closed (ended with every extension, and settled or cancelled) plus `intermission`. Auctioneer only.
    /// @param name display name
    /// @param metadataURI where the campaign's metadata lives
    /// @param intermission seconds between lots (0 = {DEFAULT_INTERMISSION}), at most {MAX_INTERMISSION}
    /// @return campaignId the new campaign's id (from 1)
    function createCampaign(string calldata name, string calldata metadataURI, uint32 intermission)
        external
        returns (uint64 campaignId);

    /// @notice Create a lot and take its NFT from `params.seller` (who approved this contract). Auctioneer only.
    /// @param params the lot (see {LotParams})
    /// @return lotId the new lot's id (from 1)
    function createLot(LotParams calldata params) external returns (uint256 lotId);

    /// @notice Cancel a lot that has no bid; the NFT goes back to the seller. Auctioneer only.
    /// @param lotId the lot
    function cancelLot(uint256 lotId) external;

    /// @notice Set the protocol fee of lots created from now on, at most {MAX_PROTOCOL_FEE_BPS}. Admin only.
    /// @param feeBps the fee in basis points of the winning bid
    function setProtocolFee(uint16 feeBps) external;

    /// @notice Set the royalty cap of lots created from now on, at most {MAX_ROYALTY_CAP_BPS}. Admin only.
    /// @param maxRoyaltyBps the most ERC-2981 royalty a lot pays, in basis points of the winning bid
    function setMaxRoyalty(uint16 maxRoyaltyBps) external;

    /// @notice Allow or disallow new lots of `nft`. Admin only.
    /// @param nft the ERC-721 contract
    /// @param allowed whether new lots of it may be created
    function setCollectionAllowed(address nft, bool allowed) external;

    /// @notice Set where protocol fees are credited. Admin only.
    /// @param treasury the new treasury
    function setTreasury(address treasury) external;

    /// @notice Stop new lots, bids, and the clock: a lot whose end falls in the pause cannot be settled until
    /// its time buffer after {unpause}, and takes bids again in that window. Never withdrawals, or settling a lot
    /// that ended before the pause. Pauser only.
    function pause() external;

    /// @notice Resume new lots and bids. Pauser only.
    function unpause() external;

    /// @notice EIP-712 digest of `auth` for this contract and chain, as the bidder signs it.
    /// @param auth the authorization
    /// @return digest what the bidder signs
    function hashChatAuthorization(ChatAuthorization calldata auth) external view returns (bytes32 digest);
}

/// @title IAuctionHouseViews
/// @author SothebAIs
/// @notice The auction house's read functions.
/// @dev Implemented by {AuctionHouseViews}, which {AuctionHouse} runs by delegatecall from its fallback: the same
/// address answers both.
interface IAuctionHouseViews is IAuctionHouseTypes {
    // ------------------------------------------------------------------ views

    /// @notice A lot as stored, with its derived status.
    /// @param lotId the lot
    /// @return view_ the lot (see {LotView})
    function lot(uint256 lotId) external view returns (LotView memory view_);

    /// @notice A lot's status (`None` for an unknown id).
    /// @param lotId the lot
    /// @return status its status
    function lotStatus(uint256 lotId) external view returns (LotStatus status);

    /// @notice The lowest bid {bid} accepts now on `lotId` (reverts unless the lot is live).
    /// @param lotId the lot
    /// @return minimum wei
    function minimumNextBid(uint256 lotId) external view returns (uint256 minimum);

    /// @notice How many lots were ever created (ids 1 to this).
    /// @return count the number of lots
    function lotCount() external view returns (uint256 count);

    /// @notice A campaign's running order.
    /// @param campaignId the campaign
    /// @return view_ the campaign (see {CampaignView})
    function campaign(uint64 campaignId) external view returns (CampaignView memory view_);

    /// @notice Whether new lots of `nft` may be created.
    /// @param nft the ERC-721 contract
    /// @return allowed whether it is on the allowlist
    function isCollectionAllowed(address nft) external view returns (bool allowed);

    /// @notice The royalty cap of lots created from now on.
    /// @return maxRoyaltyBps basis points
    function maxRoyaltyBps() external view returns (uint16 maxRoyaltyBps);

    /// @notice How many campaigns were ever created (ids 1 to this).
    /// @return count the number of campaigns
    function campaignCount() external view returns (uint64 count);

    /// @notice An address's escrow balance.
    /// @param account the address
    /// @return balance wei
    function escrowOf(address account) external view returns (uint256 balance);

    /// @notice A bidder's registered chat authorization.
    /// @param bidder the bidder
    /// @return view_ the authorization (see {AuthorizationView})
    function authorizationOf(address bidder) external view returns (AuthorizationView memory view_);

    /// @notice The nonce a bidder's next authorization must carry.
    /// @param bidder the bidder
    /// @return nonce the next nonce
    function nonces(address bidder) external view returns (uint256 nonce);

    /// @notice The protocol fee of lots created from now on (each lot keeps the fee it was created with).
    /// @return feeBps basis points of each winning bid
    function protocolFeeBps() external view returns (uint16 feeBps);

    /// @notice Where protocol fees are credited.
    /// @return treasury_ the treasury
    function treasury() external view returns (address treasury_);


    /// @notice True while new lots and bids are stopped.
    /// @return isPaused whether paused
    function paused() external view returns (bool isPaused);
}

// Only the union of the two: nothing of its own to declare.
// solhint-disable no-empty-blocks
/// @title IAuctionHouse
/// @author SothebAIs
/// @notice Everything the auction house's address answers: {IAuctionHouseActions} and {IAuctionHouseViews}.
interface IAuctionHouse is IAuctionHouseActions, IAuctionHouseViews {}
// solhint-enable no-empty-blocks
