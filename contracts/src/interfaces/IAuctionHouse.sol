// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IAuctionHouse
/// @author SothebAIs
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
    event CampaignCreated(uint64 indexed campaignId, address indexed creator, string name, string metadataURI);

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

    /// @notice `lotId` was cancelled before any bid; the NFT went back to the seller.
    /// @param lotId the lot
    event LotCancelled(uint256 indexed lotId);

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
    /// @param chatIdHash keccak256 of the platform's stable user id the relayer verified
    /// @param maxBid per-bid cap as signed, in wei
    /// @param totalCap total cap as signed, in wei
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

    /// @notice The admin changed the protocol fee (also emitted once by the constructor, from 0).
    /// @param oldFeeBps the previous fee in basis points
    /// @param newFeeBps the new fee in basis points
    event ProtocolFeeUpdated(uint16 oldFeeBps, uint16 newFeeBps);

    /// @notice The admin changed the treasury (also emitted once by the constructor, from address(0)).
    /// @param oldTreasury the previous treasury
    /// @param newTreasury the new treasury
    event TreasuryUpdated(address oldTreasury, address newTreasury);

    /// @notice A pauser stopped new lots and bids.
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

    /// @notice Register `auth` (signed by `auth.bidder`) for the calling relayer, bound to `chatIdHash`.
    /// Replaces the bidder's previous authorization; the exposure (standing chat bids and lots won through chat)
    /// carries over, so sign `totalCap` = current exposure + the new budget.
    /// @param auth the signed authorization
    /// @param chatIdHash keccak256 of the chat platform's stable user id, verified by the relayer
    /// @param signature the bidder's EIP-712 signature (65-byte ECDSA for an EOA, anything ERC-1271 for a contract)
    function registerChatAuthorization(ChatAuthorization calldata auth, bytes32 chatIdHash, bytes calldata signature)
        external;

    /// @notice Revoke the caller's authorization and consume their current nonce.
    function revokeChatAuthorization() external;

    /// @notice Settle an ended lot: NFT to the winner; royalty, protocol fee and seller proceeds paid. Anyone may call.
    /// @param lotId the lot
    function settle(uint256 lotId) external;

    // ------------------------------------------------------------------ auctioneer / admin

    /// @notice Create a campaign (a named, scheduled series of lots). Auctioneer only.
    /// @param name display name
    /// @param metadataURI where the campaign's metadata lives
    /// @return campaignId the new campaign's id (from 1)
    function createCampaign(string calldata name, string calldata metadataURI) external returns (uint64 campaignId);

    /// @notice Create a lot and take its NFT from `params.seller` (who approved this contract). Auctioneer only.
    /// @param params the lot (see {LotParams})
    /// @return lotId the new lot's id (from 1)
    function createLot(LotParams calldata params) external returns (uint256 lotId);

    /// @notice Cancel a lot that has no bid; the NFT goes back to the seller. Auctioneer only.
    /// @param lotId the lot
    function cancelLot(uint256 lotId) external;

    /// @notice Set the protocol fee, at most {MAX_PROTOCOL_FEE_BPS}. Admin only.
    /// @param feeBps the fee in basis points of the winning bid
    function setProtocolFee(uint16 feeBps) external;

    /// @notice Set where protocol fees are credited. Admin only.
    /// @param treasury the new treasury
    function setTreasury(address treasury) external;

    /// @notice Stop new lots and bids (never withdrawals or settlement). Pauser only.
    function pause() external;

    /// @notice Resume new lots and bids. Pauser only.
    function unpause() external;

    // ------------------------------------------------------------------ views

    /// @notice A lot as stored, with its derived status.
    /// @param lotId the lot
    /// @return view_ the lot (see {LotView})
    function lot(uint256 lotId) external view returns (LotView memory view_);

    /// @notice A lot's status (`None` for an unknown id).
    /// @param lotId the lot
    /// @return status its status
    function lotStatus(uint256 lotId) external view returns (LotStatus status);

    /// @notice The lowest bid {bid} accepts now on `lotId`.
    /// @param lotId the lot
    /// @return minimum wei
    function minimumNextBid(uint256 lotId) external view returns (uint256 minimum);

    /// @notice How many lots were ever created (ids 1 to this).
    /// @return count the number of lots
    function lotCount() external view returns (uint256 count);

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

    /// @notice The protocol fee.
    /// @return feeBps basis points of each winning bid
    function protocolFeeBps() external view returns (uint16 feeBps);

    /// @notice Where protocol fees are credited.
    /// @return treasury_ the treasury
    function treasury() external view returns (address treasury_);

    /// @notice EIP-712 digest of `auth` for this contract and chain, as the bidder signs it.
    /// @param auth the authorization
    /// @return digest what the bidder signs
    function hashChatAuthorization(ChatAuthorization calldata auth) external view returns (bytes32 digest);

    /// @notice True while new lots and bids are stopped.
    /// @return isPaused whether paused
    function paused() external view returns (bool isPaused);
}
