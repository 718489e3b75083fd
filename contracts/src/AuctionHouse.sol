// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {AuctionHouseStorage} from "./AuctionHouseStorage.sol";
import {AuctionHouseViews} from "./AuctionHouseViews.sol";
import {IAuctionHouseActions} from "./interfaces/IAuctionHouse.sol";

/// @title AuctionHouse
/// @author SothebAIs
/// @notice English auctions of escrowed ERC-721s for the SothebAIs livestream: wallet bids, escrow, and chat bids
/// placed by relayers under bidders' signed {ChatAuthorization}s. See {IAuctionHouse} for the data model.
/// @dev Money model: the contract holds exactly the sum of all escrow balances plus every lot's standing highest
/// bid. Payouts (outbid refunds, royalty, seller proceeds) are pushed with a bounded gas stipend and credited to
/// the receiver's escrow when the push fails, so no receiver can block an auction or lose its money. The NFT is
/// moved with a bounded call whose result is checked with `ownerOf`: a collection that reverts, burns gas or does
/// nothing makes the lot {LotStatus.Undeliverable} (the winner's bid back in their escrow), never a stuck bid.
///
/// Time model: a lot's stored start and end are adjusted lazily, on read, for the two things that move them without
/// touching the lot: its campaign's running order (a queued lot opens when the lot ahead of it closed, plus the
/// intermission) and a pause (a lot whose end fell after the pause began ends no earlier than its time buffer
/// after the unpause). The first bid on a lot writes the adjusted times.
///
/// Storage is packed for gas (see contracts/README.md, "Storage layout"):
/// - a lot is two slots: {Bid} (bidder, amount, flags) and {Schedule} (times, reserve, buffer, template, token id,
///   place in its campaign);
/// - what lots of one campaign share (NFT contract, seller, campaign, increments, fee and royalty cap) is interned
///   once as a {Template};
/// - an address's escrow balance shares one slot with its chat bookkeeping (exposure, total cap, nonce), so a chat
///   bidder's deposit, registration and bids all touch the same slot; the authorization itself is one more slot
///   plus the chat identity hash;
/// - protocol fees accrue in the fee configuration slot that settlement reads anyway, and count as the
///   treasury's escrow (see {escrowOf}).
contract AuctionHouse is
    AuctionHouseStorage,
    IAuctionHouseActions,
    AccessControlDefaultAdminRules,
    ReentrancyGuardTransient,
    EIP712
{
    // ------------------------------------------------------------------ constants

    /// @notice Creates campaigns and lots, cancels lots without bids. NOTE: it sets reserve, duration and increments
    /// of any token whose owner approved this contract (see contracts/README.md, "Roles").
    bytes32 public constant AUCTIONEER_ROLE = keccak256("AUCTIONEER_ROLE");
    /// @notice Registers chat authorizations and places bids for chat bidders from their escrow.
    bytes32 public constant RELAYER_ROLE = keccak256("RELAYER_ROLE");
    /// @notice Stops and resumes new lots, bids and the lots' clocks.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Hard cap of the protocol fee: 10 %.
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 1_000;
    /// @notice Royalty cap of new lots until the admin changes it: 10 %.
    uint16 public constant DEFAULT_MAX_ROYALTY_BPS = 1_000;
    /// @notice Hard limit of the royalty cap: 25 %.
    uint16 public constant MAX_ROYALTY_CAP_BPS = 2_500;
    /// @notice Hard cap of a lot's anti-sniping buffer, so a typo cannot make a lot unendable.
    uint32 public constant MAX_TIME_BUFFER = 1 hours;
    /// @notice Hard cap of a lot's duration.
    uint32 public constant MAX_DURATION = 30 days;
    /// @notice How far ahead a lot may be scheduled.
    uint40 public constant MAX_START_DELAY = 365 days;
    /// @notice Anti-sniping buffer of a lot created with `timeBuffer = 0`. A chat bidder reacts to a picture that is
    /// a stream delay old (up to ~15 s on Twitch) and their bid needs chat -> relayer -> mined (~5-10 s on Shape's
    /// 2 s blocks): 60 s leaves them more than twice that to answer a last-second bid. See contracts/README.md.
    uint32 public constant DEFAULT_TIME_BUFFER = 60;
    /// @notice Intermission of a campaign created with `intermission = 0`: at least the stream delay, so every
    /// viewer has seen a lot close before the next one takes bids.
    uint32 public constant DEFAULT_INTERMISSION = 20;
    /// @notice Hard cap of a campaign's intermission.
    uint32 public constant MAX_INTERMISSION = 1 days;
    /// @notice Gas given to each payout push (refund, royalty, seller): enough for a smart wallet's receive hook,
    /// too little for a griefer to matter. A push that fails is credited to the receiver's escrow.
    uint256 public constant PUSH_GAS_LIMIT = 30_000;
    /// @notice Gas given to the NFT's ERC-2981 `royaltyInfo`; a reverting or gas-burning one means no royalty.
    uint256 public constant ROYALTY_GAS_LIMIT = 50_000;
    /// @notice Gas given to the NFT's `transferFrom` at settlement and cancellation: room for transfer policies
    /// (ERC-721C validators, hooks), bounded so a gas-burning collection costs the settler at most this. A caller
    /// that sends too little for it gets {AuctionHouseInsufficientGas}, so nobody can starve a delivery on purpose.
    uint256 public constant NFT_TRANSFER_GAS = 300_000;
    /// @notice Gas given to `ownerOf` when checking custody and delivery.
    uint256 public constant OWNER_OF_GAS = 50_000;
    /// @notice Gas given to a contract bidder's ERC-1271 `isValidSignature`: the relayer pays for registration.
    uint256 public constant ERC1271_GAS_LIMIT = 200_000;

    /// @dev EIP-712 type hash of {ChatAuthorization}. The type string is fixed by EIP-712, hence longer than 32 bytes
    /// (it is hashed at compile time, so its length costs nothing at run time).
    // solhint-disable-next-line gas-small-strings
    bytes32 private constant _CHAT_AUTHORIZATION_TYPEHASH = keccak256(
        "ChatAuthorization(address bidder,address relayer,bytes32 chatIdHash,uint256 maxBid,uint256 totalCap,uint256 expiry,uint256 nonce)"
    );
    /// @dev The {AuctionHouseViews} this house delegates its reads to (see {fallback}).
    address private immutable _VIEWS;

    // ------------------------------------------------------------------ constructor

    /// @notice Deploys the auction house.
    /// @dev `admin` becomes the default admin ({owner}, transfer is two-step) and also gets AUCTIONEER_ROLE and
    /// PAUSER_ROLE so a fresh deployment can run auctions at once. No collection is allowed yet.
    ///
    /// Requirements:
    /// - `admin` and `treasury_` are not the zero address, `treasury_` is not this contract;
    /// - `protocolFeeBps_` is at most {MAX_PROTOCOL_FEE_BPS}.
    ///
    /// Emits {ProtocolFeeUpdated}, {MaxRoyaltyUpdated} and {TreasuryUpdated} with the initial values.
    /// @param admin default admin ({owner}), auctioneer and pauser
    /// @param treasury_ where protocol fees are credited
    /// @param protocolFeeBps_ protocol fee in basis points of each winning bid
    constructor(address admin, address treasury_, uint16 protocolFeeBps_)
        AccessControlDefaultAdminRules(0, admin)
        EIP712("SothebAIs AuctionHouse", "1")
    {
        _VIEWS = address(new AuctionHouseViews());
        _grantRole(AUCTIONEER_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _checkTreasury(treasury_);
        if (protocolFeeBps_ > MAX_PROTOCOL_FEE_BPS) {
            revert AuctionHouseFeeTooHigh(protocolFeeBps_, MAX_PROTOCOL_FEE_BPS);
        }
        _fees.treasury = treasury_;
        _counters.feeBps = protocolFeeBps_;
        _counters.maxRoyaltyBps = DEFAULT_MAX_ROYALTY_BPS;
        emit TreasuryUpdated(address(0), treasury_);
        emit ProtocolFeeUpdated(0, protocolFeeBps_);
        emit MaxRoyaltyUpdated(0, DEFAULT_MAX_ROYALTY_BPS);
    }

    // ------------------------------------------------------------------ bidders

    /// @inheritdoc IAuctionHouseActions
    function bid(uint256 lotId) external payable nonReentrant {
        Bid memory prev = _acceptBid(lotId, msg.sender, msg.value, 0, 0, bytes32(0));
        _refundWallet(lotId, prev);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Requirements: as {bid}, plus `msg.value <= amount` and the caller's escrow covers `amount - msg.value`.
    /// A bid that used escrow is refunded to escrow when outbid. Emits {BidPlaced} with `escrowUsed`.
    function bidWithEscrow(uint256 lotId, uint256 amount) external payable nonReentrant {
        if (msg.value > amount) revert AuctionHouseValueAboveAmount(msg.value, amount);
        uint256 escrowUsed = amount - msg.value;
        Bid memory prev = _acceptBid(lotId, msg.sender, amount, escrowUsed, escrowUsed == 0 ? 0 : _ESCROW_BID, 0);
        _refundWallet(lotId, prev);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Errors: {ChatAuthorizationRevokedOrMissing}, {ChatAuthorizationWrongRelayer},
    /// {ChatAuthorizationExpired}, {AuctionHouseBidTooHigh} (above maxBid), {ChatAuthorizationCapExceeded},
    /// {AuctionHouseInsufficientEscrow}, plus those of {bid}. Emits {BidPlaced} with `viaRelayer` and the chat
    /// identity hash.
    function relayBid(uint256 lotId, address bidder, uint256 amount) external nonReentrant onlyRole(RELAYER_ROLE) {
        Authorization memory auth = _auths[bidder];
        if (auth.relayer == address(0) || auth.expiry == 0) revert ChatAuthorizationRevokedOrMissing(bidder);
        if (auth.relayer != msg.sender) revert ChatAuthorizationWrongRelayer(auth.relayer, msg.sender);
        if (block.timestamp > auth.expiry) revert ChatAuthorizationExpired(auth.expiry);
        uint256 maxBid = uint256(auth.maxBidGwei) * _GWEI;
        if (amount > maxBid) revert AuctionHouseBidTooHigh(amount, maxBid);

        Bid memory prev = _acceptBid(lotId, bidder, amount, amount, _ESCROW_BID | _VIA_RELAYER, _chatIds[bidder]);

        // Read after {_acceptBid}: outbidding oneself just released the previous chat bid from the exposure.
        Account storage account = _accounts[bidder];
        uint256 exposure = uint256(account.exposure) + amount;
        uint256 totalCap = uint256(account.totalCapGwei) * _GWEI;
        if (exposure > totalCap) revert ChatAuthorizationCapExceeded(bidder, exposure, totalCap);
        account.exposure = uint88(exposure); // <= totalCap < 2**88
        _refundWallet(lotId, prev);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Requirements: `msg.value > 0`. Never paused.
    function deposit() external payable nonReentrant {
        if (msg.value == 0) revert AuctionHouseZeroAmount();
        _addEscrow(msg.sender, msg.value);
        emit EscrowDeposited(msg.sender, msg.value);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Requirements: `0 < amount <=` the caller's escrow; the caller accepts the ether (all gas is forwarded:
    /// the caller only hurts itself), else {AuctionHouseWithdrawFailed}.
    function withdraw(uint256 amount) external nonReentrant {
        _withdraw(msg.sender, amount);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Requirements: the caller's escrow is not zero.
    function withdrawAll() external nonReentrant {
        _withdraw(msg.sender, _escrowOf(msg.sender));
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev The caller must be `auth.relayer` and hold RELAYER_ROLE; the relayer vouches that the chat account
    /// sending the link request is `auth.chatIdHash`, which the bidder signed, so a leaked signature is useless
    /// from any other chat account. Not paused: registering moves no money.
    ///
    /// Requirements:
    /// - `auth.bidder` is not zero, `auth.chatIdHash` is not zero, `auth.expiry` is not in the past;
    /// - `1 gwei <= auth.maxBid <= auth.totalCap` (both are kept in whole gwei, rounded down);
    /// - `auth.nonce == nonces(auth.bidder)` (consumed here, so a signature registers once);
    /// - `signature` is `auth.bidder`'s EIP-712 signature of `auth` for this contract and chain (ECDSA for an EOA,
    ///   ERC-1271 with at most {ERC1271_GAS_LIMIT} gas for a contract).
    ///
    /// Emits a {ChatAuthorizationRegistered} event with the caps and expiry as stored.
    function registerChatAuthorization(ChatAuthorization calldata auth, bytes calldata signature)
        external
        onlyRole(RELAYER_ROLE)
    {
        address bidder = auth.bidder;
        bytes32 chatIdHash = auth.chatIdHash;
        if (auth.relayer != msg.sender) revert ChatAuthorizationWrongRelayer(auth.relayer, msg.sender);
        if (bidder == address(0)) revert AuctionHouseZeroAddress();
        if (chatIdHash == bytes32(0)) revert ChatAuthorizationZeroChatId();
        if (block.timestamp > auth.expiry) revert ChatAuthorizationExpired(auth.expiry);
        Account memory account = _accounts[bidder];
        if (auth.nonce != account.nonce) revert ChatAuthorizationInvalidNonce(bidder, account.nonce, auth.nonce);
        uint256 maxBidGwei = _min(auth.maxBid / _GWEI, type(uint56).max);
        uint256 totalCapGwei = _min(auth.totalCap / _GWEI, type(uint56).max);
        if (maxBidGwei == 0 || maxBidGwei > totalCapGwei) revert ChatAuthorizationInvalidCaps(auth.maxBid, auth.totalCap);
        _checkSignature(bidder, _hashChatAuthorization(auth), signature);

        uint40 expiry = uint40(_min(auth.expiry, type(uint40).max));
        account.totalCapGwei = uint56(totalCapGwei);
        ++account.nonce;
        _accounts[bidder] = account;
        _auths[bidder] = Authorization({relayer: msg.sender, maxBidGwei: uint56(maxBidGwei), expiry: expiry});
        _chatIds[bidder] = chatIdHash;
        emit ChatAuthorizationRegistered(
            bidder, msg.sender, chatIdHash, maxBidGwei * _GWEI, totalCapGwei * _GWEI, expiry, auth.nonce
        );
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Also kills a signed but unregistered authorization (its nonce is consumed). Standing chat bids stay.
    /// Never paused. Emits a {ChatAuthorizationRevoked} event.
    function revokeChatAuthorization() external {
        Account storage account = _accounts[msg.sender];
        uint24 nonce = account.nonce;
        account.nonce = nonce + 1;
        _auths[msg.sender].expiry = 0;
        emit ChatAuthorizationRevoked(msg.sender, nonce);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Not paused (a lot whose end fell in a pause is simply not ended yet). The NFT moves first, with
    /// {NFT_TRANSFER_GAS} gas, and must then be owned by the winner (or the seller, without a winning bid).
    /// Delivered: the lot's fixed protocol fee is credited to the treasury's escrow, the ERC-2981 royalty (at most
    /// the lot's royalty cap and what is left after the fee) and the seller's proceeds are pushed with
    /// {PUSH_GAS_LIMIT} gas and credited to escrow when a push fails. Not delivered: the winner's bid is credited to
    /// their escrow (and released from their chat exposure) and the lot becomes {LotStatus.Undeliverable}. Either
    /// way a campaign lot's close lets the next lot of its campaign open after the intermission.
    ///
    /// Requirements: the lot's status is `Ended`; the call has gas enough for a fair delivery attempt.
    ///
    /// Emits {LotSettled} (delivered) or {LotUndeliverable}; {EscrowCredited} for the fee, a failed push or a
    /// failed delivery; {CampaignAdvanced} for a campaign lot.
    function settle(uint256 lotId) external nonReentrant {
        Bid memory b = _bids[lotId];
        Schedule memory s = _schedules[lotId];
        (LotStatus status,, uint40 endTime) = _timesOf(lotId, b, s);
        if (status != LotStatus.Ended) _revertNotEnded(lotId, status, endTime);
        Template storage t = _templates[s.templateId];
        address nft = t.nft;
        uint256 tokenId = _tokenIdOf(lotId, b.flags, s);
        if (s.position != 0) _closeInCampaign(t.campaignId, endTime);
        // The bid slot goes first: from here the lot reads as settled, whatever the NFT contract calls back into.
        delete _bids[lotId];

        address receiver = b.bidder == address(0) ? t.seller : b.bidder;
        if (!_deliverNft(nft, receiver, tokenId)) {
            _markUndeliverable(lotId, b.flags);
            if (b.bidder != address(0)) {
                Account storage winner = _accounts[b.bidder];
                winner.balance = SafeCast.toUint88(uint256(winner.balance) + b.amount);
                if (b.flags & _VIA_RELAYER != 0) winner.exposure -= b.amount;
                emit EscrowCredited(b.bidder, b.amount, CreditReason.DeliveryFailed);
            }
            emit LotUndeliverable(lotId, b.bidder, b.amount);
            return;
        }
        // Delivered: the schedule slot goes too, for the storage refund; the lot's details stay in its events.
        delete _schedules[lotId];
        if (b.flags & _BIG_TOKEN_ID != 0) delete _bigTokenIds[lotId];
        if (b.bidder == address(0)) {
            emit LotSettled(lotId, address(0), 0, address(0), 0, 0, 0);
            return;
        }
        _payOut(lotId, b, t, nft, tokenId);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev The transfer's revert is bubbled up, so the caller sees why and can try again later.
    ///
    /// Requirements: the lot is {LotStatus.Undeliverable}; afterwards the seller owns the token.
    ///
    /// Emits a {LotTokenReturned} event.
    function returnUndeliverable(uint256 lotId) external nonReentrant {
        Bid memory b = _bids[lotId];
        Schedule memory s = _schedules[lotId];
        if (b.flags & _UNDELIVERABLE == 0) {
            revert AuctionHouseLotNotUndeliverable(lotId, _statusOf(lotId, b, s));
        }
        Template storage t = _templates[s.templateId];
        (address nft, address seller) = (t.nft, t.seller);
        uint256 tokenId = _tokenIdOf(lotId, b.flags, s);
        delete _bids[lotId];
        delete _schedules[lotId];
        if (b.flags & _BIG_TOKEN_ID != 0) delete _bigTokenIds[lotId];
        emit LotTokenReturned(lotId, seller);
        IERC721(nft).transferFrom(address(this), seller, tokenId);
        if (!_ownerIs(nft, tokenId, seller)) revert AuctionHouseNotInCustody(nft, tokenId);
    }

    // ------------------------------------------------------------------ auctioneer / admin

    /// @inheritdoc IAuctionHouseActions
    /// @dev Ids start at 1 (0 means "no campaign"). The name and URI live in the event only.
    ///
    /// Requirements: the caller has AUCTIONEER_ROLE; `intermission <=` {MAX_INTERMISSION}.
    ///
    /// Emits a {CampaignCreated} event with the intermission applied.
    function createCampaign(string calldata name, string calldata metadataURI, uint32 intermission)
        external
        onlyRole(AUCTIONEER_ROLE)
        returns (uint64 campaignId)
    {
        if (intermission > MAX_INTERMISSION) revert AuctionHouseInvalidIntermission(intermission);
        if (intermission == 0) intermission = DEFAULT_INTERMISSION;
        campaignId = ++_counters.campaignCount;
        _campaigns[campaignId] = Campaign({intermission: intermission, lotsCreated: 0, lotsClosed: 0, releaseTime: 0});
        emit CampaignCreated(campaignId, msg.sender, name, metadataURI, intermission);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Lot ids start at 1. A `startTime` of 0 or in the past starts the lot now; `timeBuffer = 0` means
    /// {DEFAULT_TIME_BUFFER}. The increment of a bid is the larger of `minIncrementBps` of the standing bid and
    /// `minIncrementFloor`. The lot settles with today's protocol fee and royalty cap, whatever they become later.
    /// A campaign lot takes the next place of its campaign's running order: when the lot ahead of it has not closed
    /// yet it is `Queued`, and opens (keeping its duration) when that lot closed plus the intermission.
    ///
    /// Requirements:
    /// - the caller has AUCTIONEER_ROLE and the contract is not paused;
    /// - `params.campaignId` is 0 or an existing campaign; `nft` is an allowed collection;
    /// - `seller` is not zero or this contract; `0 < duration <=` {MAX_DURATION}; `timeBuffer <=` {MAX_TIME_BUFFER};
    ///   `minIncrementBps <= 10_000`; `0 < minIncrementFloor < 2**64`; the reserve fits 48 bits of gwei;
    ///   `startTime` at most {MAX_START_DELAY} ahead;
    /// - `seller` owns the token and approved this contract for it; afterwards this contract owns it.
    ///
    /// Emits a {LotCreated} event.
    function createLot(LotParams calldata params) external nonReentrant onlyRole(AUCTIONEER_ROLE) returns (uint256) {
        Counters memory c = _counters;
        if (c.paused) revert AuctionHousePaused();
        _validateLotParams(params);
        if (params.campaignId > c.campaignCount) revert AuctionHouseCampaignNotFound(params.campaignId);
        if (!_allowedCollections[params.nft]) revert AuctionHouseCollectionNotAllowed(params.nft);

        uint32 templateId = _templateFor(params, c);
        uint256 lotId = ++c.lotCount;
        _counters = c;

        uint40 start = params.startTime > block.timestamp ? params.startTime : uint40(block.timestamp);
        uint32 position;
        bool queued;
        if (params.campaignId != 0) {
            Campaign storage camp = _campaigns[params.campaignId];
            position = ++camp.lotsCreated;
            queued = camp.lotsClosed + 1 != position;
            if (!queued && start < camp.releaseTime) start = camp.releaseTime;
        }
        bool bigTokenId = params.tokenId > type(uint32).max;
        Schedule memory s = Schedule({
            startTime: start,
            endTime: start + params.duration,
            reserveGwei: uint48((uint256(params.reserve) + _GWEI - 1) / _GWEI), // range checked in _validateLotParams
            timeBuffer: uint24(params.timeBuffer == 0 ? DEFAULT_TIME_BUFFER : params.timeBuffer),
            templateId: templateId,
            tokenId: bigTokenId ? 0 : uint32(params.tokenId),
            position: position
        });
        _schedules[lotId] = s;
        uint8 flags = _EXISTS;
        if (bigTokenId) {
            flags |= _BIG_TOKEN_ID;
            _bigTokenIds[lotId] = params.tokenId;
        }
        if (queued) flags |= _QUEUED;
        _bids[lotId] = Bid({bidder: address(0), amount: 0, flags: flags});

        _emitLotCreated(lotId, params, s, c, queued);
        IERC721(params.nft).transferFrom(params.seller, address(this), params.tokenId);
        if (!_ownerIs(params.nft, params.tokenId, address(this))) {
            revert AuctionHouseNotInCustody(params.nft, params.tokenId);
        }
        return lotId;
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Works in any state before the first bid (scheduled, queued, live or ended), also while paused. A
    /// campaign lot can be cancelled on its turn (it closes, and the next lot opens now) or as the last lot of its
    /// campaign (it leaves the running order); any other place would leave a gap in the order.
    ///
    /// Requirements: the caller has AUCTIONEER_ROLE; the lot exists, is open and has no bid; a campaign lot is on its
    /// turn or last.
    ///
    /// Emits a {LotCancelled} event, then {LotUndeliverable} when the token cannot go back to the seller.
    function cancelLot(uint256 lotId) external nonReentrant onlyRole(AUCTIONEER_ROLE) {
        Bid memory b = _bids[lotId];
        Schedule memory s = _schedules[lotId];
        if (b.flags & (_EXISTS | _CANCELLED | _UNDELIVERABLE) != _EXISTS) {
            LotStatus status = _statusOf(lotId, b, s);
            if (status == LotStatus.None) revert AuctionHouseLotNotFound(lotId);
            revert AuctionHouseLotAlreadyClosed(lotId, status);
        }
        if (b.bidder != address(0)) revert AuctionHouseLotHasBids(lotId);
        Template storage t = _templates[s.templateId];
        if (s.position != 0) {
            uint48 campaignId = t.campaignId;
            Campaign storage camp = _campaigns[campaignId];
            if (camp.lotsClosed + 1 == s.position) {
                // Released now, not after an intermission: no bidding happened. Saturating, for chains whose clock
                // is still below the intermission (test chains).
                uint256 intermission = camp.intermission;
                _closeInCampaign(campaignId, uint40(block.timestamp > intermission ? block.timestamp - intermission : 0));
            } else if (camp.lotsCreated == s.position) {
                --camp.lotsCreated;
            } else {
                revert AuctionHouseLotOutOfTurn(lotId);
            }
        }
        _bids[lotId].flags = b.flags | _CANCELLED;
        emit LotCancelled(lotId);
        if (!_deliverNft(t.nft, t.seller, _tokenIdOf(lotId, b.flags, s))) {
            _markUndeliverable(lotId, b.flags);
            emit LotUndeliverable(lotId, address(0), 0);
        }
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Applies to lots created afterwards: every lot keeps the fee it was created with. Requirements: the
    /// caller is the default admin; `feeBps <=` {MAX_PROTOCOL_FEE_BPS}. Emits a {ProtocolFeeUpdated} event.
    function setProtocolFee(uint16 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (feeBps > MAX_PROTOCOL_FEE_BPS) revert AuctionHouseFeeTooHigh(feeBps, MAX_PROTOCOL_FEE_BPS);
        uint16 old = _counters.feeBps;
        _counters.feeBps = feeBps;
        emit ProtocolFeeUpdated(old, feeBps);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Applies to lots created afterwards. Requirements: the caller is the default admin; `maxRoyaltyBps_ <=`
    /// {MAX_ROYALTY_CAP_BPS}. Emits a {MaxRoyaltyUpdated} event.
    function setMaxRoyalty(uint16 maxRoyaltyBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (maxRoyaltyBps_ > MAX_ROYALTY_CAP_BPS) {
            revert AuctionHouseRoyaltyCapTooHigh(maxRoyaltyBps_, MAX_ROYALTY_CAP_BPS);
        }
        uint16 old = _counters.maxRoyaltyBps;
        _counters.maxRoyaltyBps = maxRoyaltyBps_;
        emit MaxRoyaltyUpdated(old, maxRoyaltyBps_);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Lots already created are not affected. Requirements: the caller is the default admin; `nft` is not
    /// zero. Emits a {CollectionAllowed} event.
    function setCollectionAllowed(address nft, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (nft == address(0)) revert AuctionHouseZeroAddress();
        _allowedCollections[nft] = allowed;
        emit CollectionAllowed(nft, allowed);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Fees already accrued move into the old treasury's escrow. Requirements: the caller is the default
    /// admin; `newTreasury` is neither zero nor this contract. Emits a {TreasuryUpdated} event.
    function setTreasury(address newTreasury) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _checkTreasury(newTreasury);
        address old = _fees.treasury;
        _collectFees(old);
        _fees.treasury = newTreasury;
        emit TreasuryUpdated(old, newTreasury);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev The window of the previous pause moves to {Counters} (see {_pauseAdjustedEnd}): the last two pause
    /// windows are what the lazy time model keeps. A lot whose grace from one pause runs through two more pauses
    /// (three pauses within its time buffer, at most an hour) is protected from the last two only.
    ///
    /// Requirements: the caller has PAUSER_ROLE; not paused. Emits a {Paused} event.
    function pause() external onlyRole(PAUSER_ROLE) {
        Counters memory c = _counters;
        if (c.paused) revert AuctionHousePaused();
        FeeConfig memory window = _fees;
        c.paused = true;
        if (window.pausedAt != 0) (c.prevPausedAt, c.prevUnpausedAt) = (window.pausedAt, window.unpausedAt);
        _counters = c;
        window.pausedAt = uint32(block.timestamp);
        window.unpausedAt = 0;
        _fees = window;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IAuctionHouseActions
    /// @dev Requirements: the caller has PAUSER_ROLE; paused. Emits an {Unpaused} event.
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_counters.paused) revert AuctionHouseNotPaused();
        _counters.paused = false;
        _fees.unpausedAt = uint32(block.timestamp);
        emit Unpaused(msg.sender);
    }

    // The forwarder is the point of the fallback: it must copy calldata and return data whole.
    // solhint-disable no-complex-fallback
    /// @notice Answers every read of {IAuctionHouseViews} by running {AuctionHouseViews} on this contract's storage.
    /// @dev Delegatecall to code this contract deployed itself, whose functions are all views; calls with no match
    /// there (and plain ether) revert as they would without a fallback.
    fallback() external {
        address views = _VIEWS;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, 0, calldatasize())
            let ok := delegatecall(gas(), views, ptr, calldatasize(), 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            if iszero(ok) { revert(ptr, returndatasize()) }
            return(ptr, returndatasize())
        }
    }
    // solhint-enable no-complex-fallback

    /// @inheritdoc IAuctionHouseActions
    function hashChatAuthorization(ChatAuthorization calldata auth) external view returns (bytes32) {
        return _hashChatAuthorization(auth);
    }

    // ------------------------------------------------------------------ internal: bids

    /// @dev Checks and books a bid of `amount` by `bidder` (`escrowUsed` of it from escrow): credits an escrow-type
    /// previous bid back to escrow, debits the bidder's escrow, extends the end within the buffer (not for the
    /// leader raising its own bid), stores the bid and emits {BidPlaced} then the refund's events. Returns the
    /// previous bid; a wallet-type one is for the caller to refund last (interactions last).
    function _acceptBid(
        uint256 lotId,
        address bidder,
        uint256 amount,
        uint256 escrowUsed,
        uint8 kind,
        bytes32 chatIdHash
    ) private returns (Bid memory prev) {
        if (_counters.paused) revert AuctionHousePaused();
        prev = _bids[lotId];
        Schedule memory s = _schedules[lotId];
        (LotStatus status, uint40 start, uint40 end) = _timesOf(lotId, prev, s);
        if (status != LotStatus.Live) _revertNotLive(lotId, status);
        uint256 minimum = _minimumNextBid(prev, s);
        if (amount < minimum) revert AuctionHouseBidTooLow(lotId, amount, minimum);
        if (amount > type(uint88).max) revert AuctionHouseBidTooHigh(amount, type(uint88).max);

        bool escrowRefund = prev.bidder != address(0) && prev.flags & _ESCROW_BID != 0;
        if (escrowRefund) {
            // Credit before the debit below, so a bidder raising their own escrow bid can reuse it.
            Account storage prevAccount = _accounts[prev.bidder];
            prevAccount.balance = SafeCast.toUint88(uint256(prevAccount.balance) + prev.amount);
            if (prev.flags & _VIA_RELAYER != 0) prevAccount.exposure -= prev.amount;
        }
        if (escrowUsed != 0) _debitEscrow(bidder, escrowUsed);

        // Live means block.timestamp < end, so the subtraction cannot underflow. The leader raising its own bid
        // does not extend: otherwise one address could hold a lot open for a few wei a raise.
        uint40 newEnd = end;
        if (prev.bidder != bidder && end - block.timestamp < s.timeBuffer) {
            newEnd = uint40(block.timestamp) + s.timeBuffer;
        }
        if (prev.flags & _QUEUED != 0) {
            // Its turn came (it is live): the lazily computed times become the stored ones.
            _schedules[lotId].startTime = start;
            _schedules[lotId].endTime = newEnd;
        } else if (newEnd != s.endTime) {
            _schedules[lotId].endTime = newEnd;
        }
        _bids[lotId] = Bid({bidder: bidder, amount: uint88(amount), flags: (prev.flags & _BIG_TOKEN_ID) | _EXISTS | kind});
        emit BidPlaced(lotId, bidder, amount, escrowUsed, newEnd, kind & _VIA_RELAYER != 0, chatIdHash);
        if (newEnd != end) emit LotExtended(lotId, newEnd);
        if (escrowRefund) {
            emit EscrowCredited(prev.bidder, prev.amount, CreditReason.OutbidRefund);
            emit BidRefunded(lotId, prev.bidder, prev.amount, true);
        }
    }

    /// @dev Pushes a wallet-type previous bid back to its bidder, crediting escrow when the push fails.
    function _refundWallet(uint256 lotId, Bid memory prev) private {
        if (prev.bidder == address(0) || prev.flags & _ESCROW_BID != 0) return;
        bool toEscrow = !_push(prev.bidder, prev.amount);
        emit BidRefunded(lotId, prev.bidder, prev.amount, toEscrow);
    }

    // ------------------------------------------------------------------ internal: settlement

    /// @dev Books a delivered lot's money: the fee into the treasury's accrued fees, then pushes the royalty and the
    /// seller's proceeds (interactions last).
    function _payOut(uint256 lotId, Bid memory b, Template storage t, address nft, uint256 tokenId) private {
        uint256 price = b.amount;
        // Whole gwei, rounded down: fees accrue in gwei (see {FeeConfig}); the remainder stays with the seller.
        uint256 fee = price * t.feeBps / _BPS / _GWEI * _GWEI;
        uint256 royaltyCap = _min(price * t.maxRoyaltyBps / _BPS, price - fee);
        (address royaltyReceiver, uint256 royalty) = _royaltyOf(nft, tokenId, price, royaltyCap);
        uint256 proceeds = price - fee - royalty;
        if (fee != 0) {
            // Accrue in the slot settlement reads anyway instead of writing the treasury's account (a cold slot).
            FeeConfig memory fees = _fees;
            uint256 accrued = uint256(fees.accruedFeesGwei) + fee / _GWEI;
            if (accrued > type(uint32).max) {
                _addEscrow(fees.treasury, accrued * _GWEI);
                accrued = 0;
            }
            _fees.accruedFeesGwei = uint32(accrued);
            emit EscrowCredited(fees.treasury, fee, CreditReason.ProtocolFee);
        }
        emit LotSettled(lotId, b.bidder, price, royaltyReceiver, royalty, fee, proceeds);
        if (royalty != 0) _push(royaltyReceiver, royalty);
        if (proceeds != 0) _push(t.seller, proceeds);
    }

    /// @dev The head lot of `campaignId` closed with its end at `endTime`: the next one may open after the
    /// intermission, and never before now.
    function _closeInCampaign(uint256 campaignId, uint40 endTime) private {
        Campaign memory camp = _campaigns[campaignId];
        uint256 release = uint256(endTime) + camp.intermission;
        if (release < block.timestamp) release = block.timestamp;
        ++camp.lotsClosed;
        camp.releaseTime = uint40(release);
        _campaigns[campaignId] = camp;
        emit CampaignAdvanced(uint64(campaignId), camp.lotsClosed, uint40(release));
    }

    /// @dev Keeps a lot whose NFT could not be moved: its schedule (template, token id) stays for
    /// {returnUndeliverable}, the bid slot records the state.
    function _markUndeliverable(uint256 lotId, uint8 flags) private {
        _bids[lotId] = Bid({bidder: address(0), amount: 0, flags: _EXISTS | _UNDELIVERABLE | (flags & _BIG_TOKEN_ID)});
    }

    /// @dev `transferFrom` of a token this contract holds, with {NFT_TRANSFER_GAS} gas, then `ownerOf` must name
    /// `to`. Never reverts because of the NFT (a revert, a gas burn, a no-op or a lying transfer all read as not
    /// delivered), except when the caller sent too little gas for a fair attempt.
    function _deliverNft(address nft, address to, uint256 tokenId) private returns (bool ok) {
        uint256 gasLimit = NFT_TRANSFER_GAS;
        // EIP-150 passes on at most 63/64 of what is left, so refuse unless the NFT gets its whole budget (plus the
        // cold account access). Checked before the call: a transfer policy that refuses early when short of gas
        // keeps most of it, and no check after the call could tell that from a fair refusal; a settler could make
        // any such collection's delivery fail (issue 18 §1: the winner loses the token, the seller the sale).
        if (gasleft() < gasLimit + gasLimit / 63 + 5_000) revert AuctionHouseInsufficientGas();
        // Assembly: a bounded call whose return data is never copied, so a return bomb costs nothing.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(224, 0x23b872dd)) // transferFrom(address,address,uint256)
            mstore(add(ptr, 0x04), address())
            mstore(add(ptr, 0x24), to)
            mstore(add(ptr, 0x44), tokenId)
            ok := call(gasLimit, nft, 0, ptr, 0x64, 0, 0)
        }
        return ok && _ownerIs(nft, tokenId, to);
    }

    /// @dev Whether `nft.ownerOf(tokenId)` answers `owner`, with {OWNER_OF_GAS} gas; anything odd reads as no.
    function _ownerIs(address nft, uint256 tokenId, address owner) private view returns (bool ok) {
        uint256 gasLimit = OWNER_OF_GAS;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(224, 0x6352211e)) // ownerOf(uint256)
            mstore(add(ptr, 0x04), tokenId)
            ok := staticcall(gasLimit, nft, ptr, 0x24, ptr, 0x20)
            ok := and(ok, and(gt(returndatasize(), 0x1f), eq(mload(ptr), owner)))
        }
    }

    // ------------------------------------------------------------------ internal: money

    /// @dev Sends `amount` to `to` with {PUSH_GAS_LIMIT} gas; on failure credits `to`'s escrow instead.
    /// Returns whether the push succeeded. Return data is never copied, so a return bomb costs nothing.
    function _push(address to, uint256 amount) private returns (bool ok) {
        uint256 gasLimit = PUSH_GAS_LIMIT;
        // Assembly so no return data is copied: a receiver cannot return-bomb the payer.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            ok := call(gasLimit, to, amount, 0, 0, 0, 0)
        }
        if (!ok) _credit(to, amount, CreditReason.PushFailed);
    }

    function _credit(address account, uint256 amount, CreditReason reason) private {
        _addEscrow(account, amount);
        emit EscrowCredited(account, amount, reason);
    }

    function _addEscrow(address account, uint256 amount) private {
        Account storage a = _accounts[account];
        a.balance = SafeCast.toUint88(uint256(a.balance) + amount);
    }

    /// @dev Takes `amount` from `account`'s escrow. The treasury's accrued fees are only looked at when its account
    /// alone falls short, so nobody else pays for reading the fee slot.
    function _debitEscrow(address account, uint256 amount) private {
        Account storage a = _accounts[account];
        uint256 balance = a.balance;
        if (balance < amount) {
            balance += _collectFees(account);
            if (balance < amount) revert AuctionHouseInsufficientEscrow(account, balance, amount);
        }
        unchecked {
            a.balance = uint88(balance - amount); // checked just above; balance - amount <= the stored balance
        }
    }

    /// @dev Moves the accrued protocol fees into the treasury's account when `account` is the treasury; returns
    /// the amount moved.
    function _collectFees(address account) private returns (uint256 moved) {
        FeeConfig memory fees = _fees;
        if (account != fees.treasury || fees.accruedFeesGwei == 0) return 0;
        moved = uint256(fees.accruedFeesGwei) * _GWEI;
        _fees.accruedFeesGwei = 0;
        _addEscrow(account, moved);
        // The stored balance grew by `moved`: the caller's `balance + moved` is now what is stored.
    }

    function _withdraw(address account, uint256 amount) private {
        if (amount == 0) revert AuctionHouseZeroAmount();
        _debitEscrow(account, amount);
        emit Withdrawn(account, amount);
        bool ok;
        // Assembly so no return data is copied: the withdrawer's own contract cannot return-bomb the call.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            ok := call(gas(), account, amount, 0, 0, 0, 0)
        }
        if (!ok) revert AuctionHouseWithdrawFailed(account, amount);
    }

    /// @dev ERC-2981 royalty of `tokenId` at `price`, clamped to `max`. Anything odd (no ERC-2981, a revert, short
    /// or malformed return data, a zero receiver, this contract as receiver) means no royalty rather than a stuck
    /// lot. Only 64 bytes of return data are copied.
    function _royaltyOf(address nft, uint256 tokenId, uint256 price, uint256 max)
        private
        view
        returns (address receiver, uint256 royalty)
    {
        uint256 gasLimit = ROYALTY_GAS_LIMIT;
        bool ok;
        uint256 word0;
        uint256 word1;
        // Assembly to bound the copied return data to 64 bytes and to treat any malformed answer as "no royalty"
        // instead of reverting the settlement.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(224, 0x2a55205a)) // royaltyInfo(uint256,uint256)
            mstore(add(ptr, 0x04), tokenId)
            mstore(add(ptr, 0x24), price)
            ok := staticcall(gasLimit, nft, ptr, 0x44, ptr, 0x40)
            ok := and(ok, gt(returndatasize(), 0x3f))
            word0 := mload(ptr)
            word1 := mload(add(ptr, 0x20))
        }
        if (!ok || word0 == 0 || word0 > type(uint160).max || address(uint160(word0)) == address(this)) {
            return (address(0), 0);
        }
        return (address(uint160(word0)), _min(word1, max));
    }

    function _revertNotEnded(uint256 lotId, LotStatus status, uint40 endTime) private pure {
        if (status == LotStatus.None) revert AuctionHouseLotNotFound(lotId);
        if (status == LotStatus.Settled || status == LotStatus.Cancelled || status == LotStatus.Undeliverable) {
            revert AuctionHouseLotAlreadyClosed(lotId, status);
        }
        revert AuctionHouseLotNotEnded(lotId, endTime);
    }

    // ------------------------------------------------------------------ internal: helpers

    /// @dev The id of the template of `p` with today's fee and royalty cap, interned on first use.
    function _templateFor(LotParams calldata p, Counters memory c) private returns (uint32 templateId) {
        bytes32 key = keccak256(
            abi.encode(p.nft, p.seller, p.campaignId, p.minIncrementBps, p.minIncrementFloor, c.feeBps, c.maxRoyaltyBps)
        );
        templateId = _templateIds[key];
        if (templateId != 0) return templateId;
        templateId = ++c.templateCount;
        _templateIds[key] = templateId;
        _templates[templateId] = Template({
            nft: p.nft,
            campaignId: uint48(p.campaignId), // <= campaignCount, a uint48
            feeBps: c.feeBps,
            maxRoyaltyBps: c.maxRoyaltyBps,
            seller: p.seller,
            minIncrementBps: p.minIncrementBps,
            minIncrementFloor: uint64(p.minIncrementFloor)
        });
    }

    /// @dev Apart from {createLot} only to keep its stack shallow.
    function _emitLotCreated(uint256 lotId, LotParams calldata p, Schedule memory s, Counters memory c, bool queued)
        private
    {
        emit LotCreated(
            lotId,
            p.campaignId,
            p.nft,
            p.tokenId,
            p.seller,
            uint96(uint256(s.reserveGwei) * _GWEI),
            s.startTime,
            s.endTime,
            p.minIncrementBps,
            p.minIncrementFloor,
            s.timeBuffer,
            c.feeBps,
            c.maxRoyaltyBps,
            s.position,
            queued
        );
    }

    function _validateLotParams(LotParams calldata p) private view {
        if (p.nft == address(0)) revert AuctionHouseInvalidLotParams("nft");
        // Not this contract: it would list a token already in custody for another lot twice.
        if (p.seller == address(0) || p.seller == address(this)) revert AuctionHouseInvalidLotParams("seller");
        if (p.duration == 0 || p.duration > MAX_DURATION) revert AuctionHouseInvalidLotParams("duration");
        if (p.timeBuffer > MAX_TIME_BUFFER) revert AuctionHouseInvalidLotParams("timeBuffer");
        if (p.minIncrementBps > _BPS) revert AuctionHouseInvalidLotParams("minIncrementBps");
        // A floor makes every raise cost real money: without it a 0-reserve lot moves in steps of a few wei.
        if (p.minIncrementFloor == 0 || p.minIncrementFloor > type(uint64).max) {
            revert AuctionHouseInvalidLotParams("minIncrementFloor");
        }
        if (p.reserve > uint256(type(uint48).max) * _GWEI) revert AuctionHouseInvalidLotParams("reserve");
        if (p.startTime > block.timestamp + MAX_START_DELAY) revert AuctionHouseInvalidLotParams("startTime");
    }

    function _checkTreasury(address account) private view {
        if (account == address(0)) revert AuctionHouseZeroAddress();
        if (account == address(this)) revert AuctionHouseInvalidTreasury(account);
    }

    function _hashChatAuthorization(ChatAuthorization calldata auth) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    _CHAT_AUTHORIZATION_TYPEHASH,
                    auth.bidder,
                    auth.relayer,
                    auth.chatIdHash,
                    auth.maxBid,
                    auth.totalCap,
                    auth.expiry,
                    auth.nonce
                )
            )
        );
    }

    /// @dev ECDSA first (no code lookup for the common EOA case), then ERC-1271 when `bidder` has code.
    function _checkSignature(address bidder, bytes32 digest, bytes calldata signature) private view {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == bidder) return;
        if (bidder.code.length != 0) {
            if (_isValidERC1271(bidder, digest, signature)) return;
            revert ChatAuthorizationInvalidSignature(bidder);
        }
        if (err != ECDSA.RecoverError.NoError) revert ChatAuthorizationMalformedSignature(bidder);
        revert ChatAuthorizationInvalidSignature(bidder);
    }

    /// @dev ERC-1271 `isValidSignature` with {ERC1271_GAS_LIMIT} gas and 32 bytes of return data copied: the
    /// relayer pays for registration, so a wallet cannot burn its gas or return-bomb it.
    function _isValidERC1271(address wallet, bytes32 digest, bytes calldata signature) private view returns (bool ok) {
        bytes memory data = abi.encodeWithSelector(0x1626ba7e, digest, signature);
        uint256 gasLimit = ERC1271_GAS_LIMIT;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            ok := staticcall(gasLimit, wallet, add(data, 0x20), mload(data), ptr, 0x20)
            ok := and(ok, and(gt(returndatasize(), 0x1f), eq(mload(ptr), shl(224, 0x1626ba7e))))
        }
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
