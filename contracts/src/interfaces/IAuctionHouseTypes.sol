// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IAuctionHouseTypes
/// @author SothebAIs
/// @notice English auctions of escrowed ERC-721s with per-address escrow and chat bidding through
/// relayers that bidders authorise once (EIP-712 / ERC-1271), without custody.
/// @dev Every state change emits an event that carries what an indexer needs without further reads.
/// Escrow balances can be rebuilt from events alone:
///   + EscrowDeposited.amount, + EscrowCredited.amount, - Withdrawn.amount, - BidPlaced.escrowUsed.
/// A standing highest bid is held by the contract until it is outbid (refund emitted as BidRefunded,
/// plus EscrowCredited when it went to escrow) or the lot settles.
interface IAuctionHouseTypes {
    // ------------------------------------------------------------------ types

    /// @notice Lifecycle of a lot. `Scheduled`, `Live` and `Ended` are derived from time; the rest are stored.
    enum LotStatus {
        None, // no such lot
        Scheduled, // created, start time in the future
        Live, // started, end time not reached
        Ended, // end time reached, not settled yet
        Settled, // settled: NFT with the winner, or back with the seller when no bid met the reserve
        Cancelled, // cancelled before any bid: NFT back with the seller
        Queued, // a campaign lot waiting for the lot before it to close (see {createCampaign})
        Undeliverable // settled, but the NFT could not be moved: the winner's bid went back to their escrow and the
            // token waits in custody for {returnUndeliverable}
    }

    /// @notice Why an escrow balance was credited (see {EscrowCredited}).
    enum CreditReason {
        OutbidRefund, // a standing bid was outbid and returned to escrow
        PushFailed, // a payout push (refund, seller, royalty) failed and was credited instead
        ProtocolFee, // the protocol fee of a settlement, credited to the treasury
        DeliveryFailed // the NFT could not be delivered to the winner: their whole bid came back
    }

    /// @notice What the auctioneer passes to create a lot.
    struct LotParams {
        uint64 campaignId; // campaign the lot belongs to (0 = none)
        address nft; // ERC-721 contract
        uint256 tokenId; // token taken into custody from `seller` at creation
        address payable seller; // current token owner; receives the proceeds
        uint96 reserve; // lowest accepted first bid, in wei (0 = any bid > 0); kept in whole gwei, rounded up
        uint40 startTime; // 0 or past = starts now; future = scheduled (in a campaign: not before the lot ahead
            // of it has closed plus the campaign's intermission)
        uint32 duration; // seconds from start to end, before extensions
        uint16 minIncrementBps; // each bid exceeds the last by this many basis points ...
        uint96 minIncrementFloor; // ... and by at least this many wei (required: at least 1 gwei, below 2**64)
        uint32 timeBuffer; // a bid within this many seconds of the end moves the end to now + timeBuffer
    }

    /// @notice A lot as the views report it.
    // A memory return value, never stored: packing buys nothing, and the field order reads as the lot does.
    // solhint-disable-next-line gas-struct-packing
    struct LotView {
        uint64 campaignId;
        address nft;
        uint256 tokenId;
        address seller;
        uint96 reserve;
        uint40 startTime; // when bidding opens (for a queued campaign lot: the earliest it can open)
        uint40 endTime; // includes extensions, pauses and the campaign's sequencing
        uint16 minIncrementBps;
        uint96 minIncrementFloor;
        uint32 timeBuffer;
        address bidder; // current highest bidder (0 = none)
        uint256 amount; // current highest bid in wei
        bool viaRelayer; // the highest bid was placed by a relayer for a chat bidder
        LotStatus status;
        uint16 protocolFeeBps; // the fee this lot settles with, fixed at creation
        uint16 maxRoyaltyBps; // the most ERC-2981 royalty this lot pays, fixed at creation
        uint32 campaignPosition; // 1-based place in its campaign's running order (0 = no campaign)
    }

    /// @notice A campaign as the views report it.
    struct CampaignView {
        uint32 intermission; // seconds between one lot's close and the next lot's opening
        uint32 lotsCreated; // lots in its running order
        uint32 lotsClosed; // lots of the running order that closed (settled, cancelled or undeliverable)
        uint40 releaseTime; // when the lot after the last closed one may open
    }

    /// @notice A bidder's signed permission for one relayer to bid for them from their escrow, from one chat account.
    /// EIP-712 type: ChatAuthorization(address bidder,address relayer,bytes32 chatIdHash,uint256 maxBid,uint256 totalCap,uint256 expiry,uint256 nonce)
    struct ChatAuthorization {
        address bidder; // whose escrow pays; the signer (EOA) or an ERC-1271 wallet
        address relayer; // the only relayer that may use it
        bytes32 chatIdHash; // the only chat account it is for: keccak256 of "platform:stable user id", e.g. "twitch:12345"
        uint256 maxBid; // no single bid above this, in wei
        uint256 totalCap; // standing chat bids plus lots won through chat never above this, in wei (absolute: a client
            // showing "N more from now on" signs current exposure + N)
        uint256 expiry; // unix seconds after which it is void
        uint256 nonce; // must equal {nonces}(bidder); consumed on registration
    }

    /// @notice A registered authorization as the views report it.
    // A memory return value, never stored: packing buys nothing.
    // solhint-disable-next-line gas-struct-packing
    struct AuthorizationView {
        address relayer;
        bytes32 chatIdHash; // keccak256 of the platform's stable user id, e.g. keccak256("twitch:12345")
        uint256 maxBid;
        uint256 totalCap;
        uint256 expiry;
        uint256 nonce;
        uint256 exposure; // standing highest bids plus lots won through this authorization
        bool revoked;
    }

    // ------------------------------------------------------------------ events
    // Indexing a value word costs more gas than logging it (375 vs 256 per word) and these shapes are what the
    // indexer reads: only ids and accounts that clients filter on are indexed.
    // solhint-disable gas-indexed-events

    /// @notice A campaign was created by an auctioneer.
    /// @param campaignId the new campaign's id (from 1)
    /// @param creator the auctioneer who created it (msg.sender)
    /// @param name the campaign's display name
    /// @param metadataURI where the campaign's metadata lives
    /// @param intermission seconds between one lot's close and the next lot's opening
    event CampaignCreated(
        uint64 indexed campaignId, address indexed creator, string name, string metadataURI, uint32 intermission
    );

    /// @notice A lot was created and its NFT taken into custody.
    /// @param lotId the new lot's id (from 1)
    /// @param campaignId its campaign (0 = none)
    /// @param nft the ERC-721 contract
    /// @param tokenId the token now held by the auction house
    /// @param seller who the token came from and who receives the proceeds
    /// @param reserve lowest accepted first bid in wei (0 = any bid > 0)
    /// @param startTime when bidding opens
    /// @param endTime when bidding closes, before extensions
    /// @param minIncrementBps minimum raise, in basis points of the standing bid
    /// @param minIncrementFloor minimum raise, in wei
    /// @param timeBuffer anti-sniping buffer in seconds (the default applied when 0 was asked)
    /// @param protocolFeeBps the protocol fee this lot settles with
    /// @param maxRoyaltyBps the most royalty this lot pays
    /// @param campaignPosition 1-based place in the campaign's running order (0 = no campaign)
    /// @param queued true when it waits for the lot ahead of it: `startTime` is then only the earliest opening
    event LotCreated(
        uint256 indexed lotId,
        uint64 indexed campaignId,
        address indexed nft,
        uint256 tokenId,
        address seller,
        uint96 reserve,
        uint40 startTime,
        uint40 endTime,
        uint16 minIncrementBps,
        uint96 minIncrementFloor,
        uint32 timeBuffer,
        uint16 protocolFeeBps,
        uint16 maxRoyaltyBps,
        uint32 campaignPosition,
        bool queued
    );

    /// @notice A lot of `campaignId` closed (settled, cancelled on its turn, or undeliverable): the lot at place
    /// `lotsClosed + 1` of the running order opens at `releaseTime` or its own start time, whichever is later, and
    /// keeps its duration. Emitted by whoever closed the lot (the keeper, a bidder, anyone).
    /// @param campaignId the campaign
    /// @param lotsClosed how many lots of its running order have closed
    /// @param releaseTime the closed lot's end plus the intermission, or the closing time when later
    event CampaignAdvanced(uint64 indexed campaignId, uint32 lotsClosed, uint40 releaseTime);

    /// @notice A bid became the highest bid of `lotId`.
    /// @param lotId the lot
    /// @param bidder whose bid it is (msg.sender for wallet bids, the chat bidder for relayer bids)
    /// @param amount the bid in wei
    /// @param escrowUsed part of `amount` taken from the bidder's escrow (the rest came as msg.value)
    /// @param endTime the lot's end time after this bid (moved when the bid landed within the time buffer)
    /// @param viaRelayer true when a relayer placed it for a chat bidder
    /// @param chatIdHash the chat identity of the authorization used (0 for wallet bids)
    event BidPlaced(
        uint256 indexed lotId,
        address indexed bidder,
        uint256 amount,
        uint256 escrowUsed,
        uint40 endTime,
        bool viaRelayer,
        bytes32 chatIdHash
    );

    /// @notice A bid within the time buffer moved the end of `lotId`.
    /// @param lotId the lot
    /// @param endTime the new end time
    event LotExtended(uint256 indexed lotId, uint40 endTime);

    /// @notice An outbid bidder got their bid back.
    /// @param lotId the lot
    /// @param bidder the outbid bidder
    /// @param amount the refunded bid in wei
    /// @param toEscrow true when it went to escrow (escrow bid, or the push failed), false when pushed to the wallet
    event BidRefunded(uint256 indexed lotId, address indexed bidder, uint256 amount, bool toEscrow);

    /// @notice `lotId` settled (by anyone). `winner` is 0 when no bid met the reserve (NFT back to the seller).
    /// @param lotId the lot
    /// @param winner who received the NFT (0 = nobody bid)
    /// @param amount the winning bid in wei
    /// @param royaltyReceiver who got the ERC-2981 royalty (0 = none)
    /// @param royalty the royalty in wei, at most what is left after the fee
    /// @param protocolFee the fee credited to the treasury's escrow
    /// @param sellerProceeds what the seller got (pushed, or credited to escrow when the push failed)
    event LotSettled(
        uint256 indexed lotId,
        address indexed winner,
        uint256 amount,
        address royaltyReceiver,
        uint256 royalty,
        uint256 protocolFee,
        uint256 sellerProceeds
    );

    /// @notice `lotId` was cancelled before any bid; the NFT went back to the seller (or, when that transfer
    /// failed, waits in custody: {LotUndeliverable} follows).
    /// @param lotId the lot
    event LotCancelled(uint256 indexed lotId);

    /// @notice Settling or cancelling `lotId` could not move its NFT. A winner's whole bid was credited to their
    /// escrow (and released from their chat exposure); nobody was paid. The token stays in custody until
    /// {returnUndeliverable} sends it to the seller.
    /// @param lotId the lot
    /// @param winner the bidder who would have received it (0 = none)
    /// @param amount the bid credited back to the winner's escrow
    event LotUndeliverable(uint256 indexed lotId, address indexed winner, uint256 amount);

    /// @notice The NFT of an undeliverable lot went back to its seller.
    /// @param lotId the lot
    /// @param seller who received the token
    event LotTokenReturned(uint256 indexed lotId, address indexed seller);

    /// @notice The admin allowed or disallowed a collection for new lots.
    /// @param nft the ERC-721 contract
    /// @param allowed whether new lots of it may be created
    event CollectionAllowed(address indexed nft, bool allowed);

    /// @notice The admin changed the royalty cap of new lots.
    /// @param oldMaxRoyaltyBps the previous cap
    /// @param newMaxRoyaltyBps the new cap
    event MaxRoyaltyUpdated(uint16 oldMaxRoyaltyBps, uint16 newMaxRoyaltyBps);

    /// @notice `account` deposited into escrow.
    /// @param account the depositor (msg.sender)
    /// @param amount wei added
    event EscrowDeposited(address indexed account, uint256 amount);

    /// @notice `account`'s escrow was credited.
    /// @param account whose escrow grew
    /// @param amount wei added
    /// @param reason outbid refund, failed push, or protocol fee (see {CreditReason})
    event EscrowCredited(address indexed account, uint256 amount, CreditReason reason);

    /// @notice `account` withdrew from escrow.
    /// @param account the withdrawer (msg.sender), who received the ether
    /// @param amount wei sent
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice A relayer registered a bidder's authorization, bound to a chat identity.
    /// @param bidder the signer, whose escrow pays
    /// @param relayer the only relayer that may use it (msg.sender)
    /// @param chatIdHash the chat identity the bidder signed for (keccak256 of "platform:stable user id")
    /// @param maxBid per-bid cap as stored (whole gwei, rounded down), in wei
    /// @param totalCap total cap as stored (whole gwei, rounded down, clamped), in wei
    /// @param expiry unix seconds after which it is void
    /// @param nonce the nonce it consumed
    event ChatAuthorizationRegistered(
        address indexed bidder,
        address indexed relayer,
        bytes32 indexed chatIdHash,
        uint256 maxBid,
        uint256 totalCap,
        uint256 expiry,
        uint256 nonce
    );

    /// @notice A bidder revoked their authorization (and consumed a nonce, so an unused signature dies too).
    /// @param bidder the bidder (msg.sender)
    /// @param nonce the nonce consumed
    event ChatAuthorizationRevoked(address indexed bidder, uint256 nonce);

    /// @notice The admin changed the protocol fee of new lots (also emitted once by the constructor, from 0).
    /// @param oldFeeBps the previous fee in basis points
    /// @param newFeeBps the new fee in basis points
    event ProtocolFeeUpdated(uint16 oldFeeBps, uint16 newFeeBps);

    /// @notice The admin changed the treasury (also emitted once by the constructor, from address(0)).
    /// @param oldTreasury the previous treasury
    /// @param newTreasury the new treasury
    event TreasuryUpdated(address oldTreasury, address newTreasury);

    /// @notice A pauser stopped new lots and bids, and the clock of every lot that had not ended.
    /// @param account the pauser (msg.sender)
    event Paused(address account);

    /// @notice A pauser resumed new lots and bids.
    /// @param account the pauser (msg.sender)
    event Unpaused(address account);
    // solhint-enable gas-indexed-events

    // ------------------------------------------------------------------ errors

    error AuctionHouseLotNotFound(uint256 lotId);
    error AuctionHouseLotNotLive(uint256 lotId, LotStatus status);
    error AuctionHouseLotNotEnded(uint256 lotId, uint40 endTime);
    error AuctionHouseLotHasBids(uint256 lotId);
    error AuctionHouseLotAlreadyClosed(uint256 lotId, LotStatus status);
    error AuctionHouseCampaignNotFound(uint64 campaignId);
    error AuctionHouseInvalidLotParams(string reason);
    error AuctionHouseBidTooLow(uint256 lotId, uint256 amount, uint256 minimum);
    error AuctionHouseBidTooHigh(uint256 amount, uint256 maximum);
    error AuctionHouseInsufficientEscrow(address account, uint256 balance, uint256 needed);
    error AuctionHouseValueAboveAmount(uint256 value, uint256 amount);
    error AuctionHouseWithdrawFailed(address account, uint256 amount);
    error AuctionHouseZeroAmount();
    error AuctionHouseFeeTooHigh(uint16 feeBps, uint16 maxFeeBps);
    error AuctionHouseZeroAddress();
    /// @notice `account` cannot be the treasury (this contract itself: fees would be locked).
    error AuctionHouseInvalidTreasury(address account);
    /// @notice `nft` is not on the admin's allowlist of collections.
    error AuctionHouseCollectionNotAllowed(address nft);
    /// @notice After taking custody of `tokenId`, `nft` does not report this contract as its owner.
    error AuctionHouseNotInCustody(address nft, uint256 tokenId);
    /// @notice `maxRoyaltyBps` is above {MAX_ROYALTY_CAP_BPS}.
    error AuctionHouseRoyaltyCapTooHigh(uint16 maxRoyaltyBps, uint16 limit);
    /// @notice A campaign lot with no bid can be cancelled only on its turn (the next to open) or as the last of its
    /// campaign, so the running order never has a gap.
    error AuctionHouseLotOutOfTurn(uint256 lotId);
    /// @notice `lotId` is not {LotStatus.Undeliverable}.
    error AuctionHouseLotNotUndeliverable(uint256 lotId, LotStatus status);
    /// @notice The caller sent too little gas for the NFT transfer to be tried fairly (see {NFT_TRANSFER_GAS}).
    error AuctionHouseInsufficientGas();
    /// @notice `intermission` is above {MAX_INTERMISSION}.
    error AuctionHouseInvalidIntermission(uint32 intermission);

    error ChatAuthorizationExpired(uint256 expiry);
    error ChatAuthorizationRevokedOrMissing(address bidder);
    error ChatAuthorizationWrongRelayer(address expected, address actual);
    error ChatAuthorizationInvalidNonce(address bidder, uint256 expected, uint256 actual);
    error ChatAuthorizationInvalidSignature(address bidder);
    error ChatAuthorizationInvalidCaps(uint256 maxBid, uint256 totalCap);
    error ChatAuthorizationZeroChatId();
    error ChatAuthorizationCapExceeded(address bidder, uint256 exposure, uint256 totalCap);
    /// @notice The signature could not be parsed (bad length, `s` in the upper half, bad `v`) for an EOA `bidder`.
    error ChatAuthorizationMalformedSignature(address bidder);

    /// @notice New lots and bids are stopped.
    error AuctionHousePaused();
    /// @notice {unpause} was called while not paused.
    error AuctionHouseNotPaused();
}
