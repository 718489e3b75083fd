// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IAuctionHouse
/// @notice English auctions of escrowed ERC-721s with per-address escrow and chat bidding through
/// relayers that bidders authorise once (EIP-712 / ERC-1271), without custody.
/// @dev Every state change emits an event that carries what an indexer needs without further reads.
/// Escrow balances can be rebuilt from events alone:
///   + EscrowDeposited.amount, + EscrowCredited.amount, - Withdrawn.amount, - BidPlaced.escrowUsed.
/// A standing highest bid is held by the contract until it is outbid (refund emitted as BidRefunded,
/// plus EscrowCredited when it went to escrow) or the lot settles.
interface IAuctionHouse {
    // ------------------------------------------------------------------ types

    /// @notice Lifecycle of a lot. `Scheduled`, `Live` and `Ended` are derived from time; the rest are stored.
    enum LotStatus {
        None, // no such lot
        Scheduled, // created, start time in the future
        Live, // started, end time not reached
        Ended, // end time reached, not settled yet
        Settled, // settled: NFT with the winner, or back with the seller when no bid met the reserve
        Cancelled // cancelled before any bid: NFT back with the seller
    }

    /// @notice Why an escrow balance was credited (see {EscrowCredited}).
    enum CreditReason {
        OutbidRefund, // a standing bid was outbid and returned to escrow
        PushFailed, // a payout push (refund, seller, royalty) failed and was credited instead
        ProtocolFee // the protocol fee of a settlement, credited to the treasury
    }

    /// @notice What the auctioneer passes to create a lot.
    struct LotParams {
        uint64 campaignId; // campaign the lot belongs to (0 = none)
        address nft; // ERC-721 contract
        uint256 tokenId; // token taken into custody from `seller` at creation
        address payable seller; // current token owner; receives the proceeds
        uint96 reserve; // lowest accepted first bid, in wei (0 = any bid > 0)
        uint40 startTime; // 0 or past = starts now; future = scheduled
        uint32 duration; // seconds from start to end, before extensions
        uint16 minIncrementBps; // each bid exceeds the last by this many basis points ...
        uint96 minIncrementFloor; // ... and by at least this many wei
        uint32 timeBuffer; // a bid within this many seconds of the end moves the end to now + timeBuffer
    }

    /// @notice A lot as the views report it.
    struct LotView {
        uint64 campaignId;
        address nft;
        uint256 tokenId;
        address seller;
        uint96 reserve;
        uint40 startTime;
        uint40 endTime; // includes extensions
        uint16 minIncrementBps;
        uint96 minIncrementFloor;
        uint32 timeBuffer;
        address bidder; // current highest bidder (0 = none)
        uint256 amount; // current highest bid in wei
        bool viaRelayer; // the highest bid was placed by a relayer for a chat bidder
        LotStatus status;
    }

    /// @notice A bidder's signed permission for one relayer to bid for them from their escrow.
    /// EIP-712 type: ChatAuthorization(address bidder,address relayer,uint256 maxBid,uint256 totalCap,uint256 expiry,uint256 nonce)
    struct ChatAuthorization {
        address bidder; // whose escrow pays; the signer (EOA) or an ERC-1271 wallet
        address relayer; // the only relayer that may use it
        uint256 maxBid; // no single bid above this, in wei
        uint256 totalCap; // standing bids plus lots won through it never above this, in wei
        uint256 expiry; // unix seconds after which it is void
        uint256 nonce; // must equal {nonces}(bidder); consumed on registration
    }

    /// @notice A registered authorization as the views report it.
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

    /// @notice A campaign was created by an auctioneer (`creator`).
    event CampaignCreated(uint64 indexed campaignId, address indexed creator, string name, string metadataURI);

    /// @notice A lot was created and its NFT taken into custody.
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
        uint32 timeBuffer
    );

    /// @notice A bid became the highest bid of `lotId`.
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
    event LotExtended(uint256 indexed lotId, uint40 endTime);

    /// @notice The outbid `bidder` got `amount` back: to escrow when `toEscrow`, else pushed to the wallet.
    event BidRefunded(uint256 indexed lotId, address indexed bidder, uint256 amount, bool toEscrow);

    /// @notice `lotId` settled. `winner` is 0 when no bid met the reserve (NFT back to the seller).
    event LotSettled(
        uint256 indexed lotId,
        address indexed winner,
        uint256 amount,
        address royaltyReceiver,
        uint256 royalty,
        uint256 protocolFee,
        uint256 sellerProceeds
    );

    /// @notice `lotId` was cancelled before any bid; the NFT went back to the seller.
    event LotCancelled(uint256 indexed lotId);

    /// @notice `account` deposited `amount` into escrow.
    event EscrowDeposited(address indexed account, uint256 amount);

    /// @notice `account`'s escrow was credited `amount` for `reason`.
    event EscrowCredited(address indexed account, uint256 amount, CreditReason reason);

    /// @notice `account` withdrew `amount` from escrow.
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice `relayer` registered `bidder`'s authorization, bound to the chat identity `chatIdHash`.
    event ChatAuthorizationRegistered(
        address indexed bidder,
        address indexed relayer,
        bytes32 indexed chatIdHash,
        uint256 maxBid,
        uint256 totalCap,
        uint256 expiry,
        uint256 nonce
    );

    /// @notice `bidder` revoked their authorization (and consumed `nonce`, so an unused signature dies too).
    event ChatAuthorizationRevoked(address indexed bidder, uint256 nonce);

    /// @notice The admin changed the protocol fee (also emitted once by the constructor, from 0).
    event ProtocolFeeUpdated(uint16 oldFeeBps, uint16 newFeeBps);
    /// @notice The admin changed the treasury (also emitted once by the constructor, from address(0)).
    event TreasuryUpdated(address oldTreasury, address newTreasury);

    /// @notice A pauser (`account`) stopped new lots and bids.
    event Paused(address account);
    /// @notice A pauser (`account`) resumed new lots and bids.
    event Unpaused(address account);

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

    // ------------------------------------------------------------------ bidders

    /// @notice Bid `msg.value` on `lotId` from the caller's wallet.
    /// @dev Requirements: the lot is live, not paused, and `msg.value` is at least {minimumNextBid}.
    /// Refunds the previous highest bid (push with a bounded stipend, escrow credit as fallback).
    /// Emits {BidPlaced}, {BidRefunded} for the previous bid, and {LotExtended} when the end moves.
    function bid(uint256 lotId) external payable;

    /// @notice Bid `amount` on `lotId`, paying `msg.value` and the rest from the caller's escrow.
    function bidWithEscrow(uint256 lotId, uint256 amount) external payable;

    /// @notice Place `amount` on `lotId` for `bidder` from their escrow, under their registered authorization.
    /// @dev Requirements: caller has the relayer role and is the authorization's relayer; not expired or
    /// revoked; `amount` <= maxBid; exposure after the bid <= totalCap; escrow covers it.
    function relayBid(uint256 lotId, address bidder, uint256 amount) external;

    /// @notice Add `msg.value` to the caller's escrow. Emits {EscrowDeposited}.
    function deposit() external payable;

    /// @notice Send `amount` of the caller's escrow to the caller. Never paused. Emits {Withdrawn}.
    function withdraw(uint256 amount) external;

    /// @notice Send the caller's whole escrow to the caller. Never paused. Emits {Withdrawn}.
    function withdrawAll() external;

    /// @notice Register `auth` (signed by `auth.bidder`) for the calling relayer, bound to `chatIdHash`.
    /// Replaces the bidder's previous authorization; standing chat bids stay counted in the exposure.
    function registerChatAuthorization(ChatAuthorization calldata auth, bytes32 chatIdHash, bytes calldata signature)
        external;

    /// @notice Revoke the caller's authorization and consume their current nonce.
    function revokeChatAuthorization() external;

    /// @notice Settle an ended lot: NFT to the winner; royalty, protocol fee and seller proceeds paid. Anyone may call.
    function settle(uint256 lotId) external;

    // ------------------------------------------------------------------ auctioneer / admin

    /// @notice Create a campaign (a named, scheduled series of lots). Auctioneer only.
    function createCampaign(string calldata name, string calldata metadataURI) external returns (uint64 campaignId);

    /// @notice Create a lot and take its NFT from `params.seller` (who approved this contract). Auctioneer only.
    function createLot(LotParams calldata params) external returns (uint256 lotId);

    /// @notice Cancel a lot that has no bid; the NFT goes back to the seller. Auctioneer only.
    function cancelLot(uint256 lotId) external;

    /// @notice Set the protocol fee, at most {MAX_PROTOCOL_FEE_BPS}. Admin only.
    function setProtocolFee(uint16 feeBps) external;

    /// @notice Set where protocol fees are credited. Admin only.
    function setTreasury(address treasury) external;

    /// @notice Stop new lots and bids (never withdrawals or settlement). Pauser only.
    function pause() external;

    /// @notice Resume new lots and bids. Pauser only.
    function unpause() external;

    // ------------------------------------------------------------------ views

    function lot(uint256 lotId) external view returns (LotView memory);
    function lotStatus(uint256 lotId) external view returns (LotStatus);
    function minimumNextBid(uint256 lotId) external view returns (uint256);
    function lotCount() external view returns (uint256);
    function campaignCount() external view returns (uint64);
    function escrowOf(address account) external view returns (uint256);
    function authorizationOf(address bidder) external view returns (AuthorizationView memory);
    function nonces(address bidder) external view returns (uint256);
    function protocolFeeBps() external view returns (uint16);
    function treasury() external view returns (address);
    /// @notice EIP-712 digest of `auth` for this contract and chain, as the bidder signs it.
    function hashChatAuthorization(ChatAuthorization calldata auth) external view returns (bytes32);
    /// @notice True while new lots and bids are stopped.
    function paused() external view returns (bool);
}
