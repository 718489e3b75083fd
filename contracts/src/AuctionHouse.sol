// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IAuctionHouse} from "./interfaces/IAuctionHouse.sol";

/// @title AuctionHouse
/// @author SothebAIs
/// @notice English auctions of escrowed ERC-721s for the SothebAIs livestream: wallet bids, escrow, and chat bids
/// placed by relayers under bidders' signed {ChatAuthorization}s. See {IAuctionHouse} for the data model.
/// @dev Money model: the contract holds exactly the sum of all escrow balances plus every lot's standing highest
/// bid. Payouts (outbid refunds, royalty, seller proceeds) are pushed with a bounded gas stipend and credited to
/// the receiver's escrow when the push fails, so no receiver can block an auction or lose its money.
///
/// Storage is packed for gas (see contracts/README.md, "Storage layout"):
/// - a lot is two slots: {Bid} (bidder, amount, flags) and {Schedule} (times, reserve, buffer, template, token id);
/// - what lots of one campaign share (NFT contract, seller, campaign, increments) is interned once as a {Template};
/// - an address's escrow balance shares one slot with its chat bookkeeping (exposure, total cap, nonce), so a chat
///   bidder's deposit, registration and bids all touch the same slot; the authorization itself is one more slot
///   plus the chat identity hash;
/// - protocol fees accrue in the fee configuration slot that settlement reads anyway, and count as the
///   treasury's escrow (see {escrowOf}).
contract AuctionHouse is IAuctionHouse, AccessControlDefaultAdminRules, ReentrancyGuardTransient, EIP712 {
    // ------------------------------------------------------------------ constants

    /// @notice Creates campaigns and lots, cancels lots without bids.
    bytes32 public constant AUCTIONEER_ROLE = keccak256("AUCTIONEER_ROLE");
    /// @notice Registers chat authorizations and places bids for chat bidders from their escrow.
    bytes32 public constant RELAYER_ROLE = keccak256("RELAYER_ROLE");
    /// @notice Stops and resumes new lots and bids.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Hard cap of the protocol fee: 10 %.
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 1_000;
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
    /// @notice Gas given to each payout push (refund, royalty, seller): enough for a smart wallet's receive hook,
    /// too little for a griefer to matter. A push that fails is credited to the receiver's escrow.
    uint256 public constant PUSH_GAS_LIMIT = 30_000;
    /// @notice Gas given to the NFT's ERC-2981 `royaltyInfo`; a reverting or gas-burning one means no royalty.
    uint256 public constant ROYALTY_GAS_LIMIT = 50_000;

    /// @dev EIP-712 type hash of {ChatAuthorization}. The type string is fixed by EIP-712, hence longer than 32 bytes
    /// (it is hashed at compile time, so its length costs nothing at run time).
    // solhint-disable-next-line gas-small-strings
    bytes32 private constant _CHAT_AUTHORIZATION_TYPEHASH = keccak256(
        "ChatAuthorization(address bidder,address relayer,uint256 maxBid,uint256 totalCap,uint256 expiry,uint256 nonce)"
    );
    uint256 private constant _BPS = 10_000;
    uint256 private constant _GWEI = 1 gwei;

    // Bid.flags bits. `_EXISTS` is set at creation, so the first bid rewrites a non-zero slot (2,900 gas, not 20,000).
    uint8 private constant _EXISTS = 1;
    uint8 private constant _ESCROW_BID = 2; // the standing bid used escrow: its refund goes back to escrow
    uint8 private constant _VIA_RELAYER = 4; // the standing bid was placed by a relayer (counts in the exposure)
    uint8 private constant _CANCELLED = 8;
    uint8 private constant _BIG_TOKEN_ID = 16; // token id above uint32: kept in `_bigTokenIds`

    // ------------------------------------------------------------------ storage types

    /// @dev Slot A of a lot: the standing highest bid. uint88 holds 309 million ether, far above any bid.
    struct Bid {
        address bidder;
        uint88 amount;
        uint8 flags;
    }

    /// @dev Slot B of a lot: everything a bid needs besides the increments.
    struct Schedule {
        uint40 startTime;
        uint40 endTime;
        uint88 reserve;
        uint24 timeBuffer;
        uint32 templateId;
        uint32 tokenId; // the token id when it fits 32 bits (flag `_BIG_TOKEN_ID` otherwise)
    }

    /// @dev What lots of a campaign share, stored once and referenced by id from each lot's {Schedule}.
    struct Template {
        address nft;
        uint64 campaignId;
        address seller;
        uint16 minIncrementBps;
        uint80 minIncrementFloor; // 1.2 million ether: more than enough for an increment floor
    }

    /// @dev One slot of global counters, read by every createLot and bid (the pause flag lives here too).
    struct Counters {
        uint64 lotCount;
        uint64 campaignCount;
        uint32 templateCount;
        bool paused;
    }

    /// @dev One slot: where protocol fees go, how much, and the fees accrued for the current treasury but not yet
    /// moved into its {Account} (they are part of its escrow: see {escrowOf}).
    struct FeeConfig {
        address treasury;
        uint16 feeBps;
        uint80 accruedFees;
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

    Counters private _counters;
    FeeConfig private _fees;
    mapping(uint256 lotId => Bid) private _bids;
    mapping(uint256 lotId => Schedule) private _schedules;
    mapping(uint256 lotId => uint256) private _bigTokenIds;
    mapping(uint256 templateId => Template) private _templates;
    mapping(bytes32 templateKey => uint32) private _templateIds;
    mapping(address account => Account) private _accounts;
    mapping(address bidder => Authorization) private _auths;
    mapping(address bidder => bytes32) private _chatIds;

    // ------------------------------------------------------------------ constructor

    /// @notice Deploys the auction house.
    /// @dev `admin` becomes the default admin ({owner}, transfer is two-step) and also gets AUCTIONEER_ROLE and
    /// PAUSER_ROLE so a fresh deployment can run auctions at once.
    ///
    /// Requirements:
    /// - `admin` and `treasury_` are not the zero address;
    /// - `protocolFeeBps_` is at most {MAX_PROTOCOL_FEE_BPS}.
    ///
    /// Emits {ProtocolFeeUpdated} and {TreasuryUpdated} with the initial values.
    /// @param admin default admin ({owner}), auctioneer and pauser
    /// @param treasury_ where protocol fees are credited
    /// @param protocolFeeBps_ protocol fee in basis points of each winning bid
    constructor(address admin, address treasury_, uint16 protocolFeeBps_)
        AccessControlDefaultAdminRules(0, admin)
        EIP712("SothebAIs AuctionHouse", "1")
    {
        _grantRole(AUCTIONEER_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        if (treasury_ == address(0)) revert AuctionHouseZeroAddress();
        if (protocolFeeBps_ > MAX_PROTOCOL_FEE_BPS) {
            revert AuctionHouseFeeTooHigh(protocolFeeBps_, MAX_PROTOCOL_FEE_BPS);
        }
        _fees = FeeConfig({treasury: treasury_, feeBps: protocolFeeBps_, accruedFees: 0});
        emit TreasuryUpdated(address(0), treasury_);
        emit ProtocolFeeUpdated(0, protocolFeeBps_);
    }

    // ------------------------------------------------------------------ bidders

    /// @inheritdoc IAuctionHouse
    function bid(uint256 lotId) external payable nonReentrant {
        (Bid memory prev,) = _acceptBid(lotId, msg.sender, msg.value, 0, 0, bytes32(0));
        _refundWallet(lotId, prev);
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Requirements: as {bid}, plus `msg.value <= amount` and the caller's escrow covers `amount - msg.value`.
    /// A bid that used escrow is refunded to escrow when outbid. Emits {BidPlaced} with `escrowUsed`.
    function bidWithEscrow(uint256 lotId, uint256 amount) external payable nonReentrant {
        if (msg.value > amount) revert AuctionHouseValueAboveAmount(msg.value, amount);
        uint256 escrowUsed = amount - msg.value;
        (Bid memory prev,) = _acceptBid(lotId, msg.sender, amount, escrowUsed, escrowUsed == 0 ? 0 : _ESCROW_BID, 0);
        _refundWallet(lotId, prev);
    }

    /// @inheritdoc IAuctionHouse
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

        (Bid memory prev,) = _acceptBid(lotId, bidder, amount, amount, _ESCROW_BID | _VIA_RELAYER, _chatIds[bidder]);

        // Read after {_acceptBid}: outbidding oneself just released the previous chat bid from the exposure.
        Account storage account = _accounts[bidder];
        uint256 exposure = uint256(account.exposure) + amount;
        uint256 totalCap = uint256(account.totalCapGwei) * _GWEI;
        if (exposure > totalCap) revert ChatAuthorizationCapExceeded(bidder, exposure, totalCap);
        account.exposure = uint88(exposure); // <= totalCap < 2**88
        _refundWallet(lotId, prev);
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Requirements: `msg.value > 0`. Never paused.
    function deposit() external payable nonReentrant {
        if (msg.value == 0) revert AuctionHouseZeroAmount();
        _addEscrow(msg.sender, msg.value);
        emit EscrowDeposited(msg.sender, msg.value);
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Requirements: `0 < amount <=` the caller's escrow; the caller accepts the ether (all gas is forwarded:
    /// the caller only hurts itself), else {AuctionHouseWithdrawFailed}.
    function withdraw(uint256 amount) external nonReentrant {
        _withdraw(msg.sender, amount);
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Requirements: the caller's escrow is not zero.
    function withdrawAll() external nonReentrant {
        _withdraw(msg.sender, _escrowOf(msg.sender));
    }

    /// @inheritdoc IAuctionHouse
    /// @dev The caller must be `auth.relayer` and hold RELAYER_ROLE; the relayer vouches that `chatIdHash` is the
    /// bidder's verified chat identity. Not paused: registering moves no money.
    ///
    /// Requirements:
    /// - `auth.bidder` is not zero, `chatIdHash` is not zero, `auth.expiry` is not in the past;
    /// - `1 gwei <= auth.maxBid <= auth.totalCap` (both are kept in whole gwei, rounded down);
    /// - `auth.nonce == nonces(auth.bidder)` (consumed here, so a signature registers once);
    /// - `signature` is `auth.bidder`'s EIP-712 signature of `auth` for this contract and chain (ECDSA for an EOA,
    ///   ERC-1271 for a contract).
    ///
    /// Emits a {ChatAuthorizationRegistered} event.
    function registerChatAuthorization(ChatAuthorization calldata auth, bytes32 chatIdHash, bytes calldata signature)
        external
        onlyRole(RELAYER_ROLE)
    {
        address bidder = auth.bidder;
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

        account.totalCapGwei = uint56(totalCapGwei);
        ++account.nonce;
        _accounts[bidder] = account;
        _auths[bidder] = Authorization({
            relayer: msg.sender,
            maxBidGwei: uint56(maxBidGwei),
            expiry: uint40(_min(auth.expiry, type(uint40).max))
        });
        _chatIds[bidder] = chatIdHash;
        emit ChatAuthorizationRegistered(
            bidder, msg.sender, chatIdHash, auth.maxBid, auth.totalCap, auth.expiry, auth.nonce
        );
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Also kills a signed but unregistered authorization (its nonce is consumed). Standing chat bids stay.
    /// Never paused. Emits a {ChatAuthorizationRevoked} event.
    function revokeChatAuthorization() external {
        Account storage account = _accounts[msg.sender];
        uint24 nonce = account.nonce;
        account.nonce = nonce + 1;
        _auths[msg.sender].expiry = 0;
        emit ChatAuthorizationRevoked(msg.sender, nonce);
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Not paused. With a winning bid: the protocol fee is credited to the treasury's escrow, the ERC-2981
    /// royalty (clamped to what is left after the fee, so a royalty above 100 % takes at most the price) and the
    /// seller's proceeds are pushed with {PUSH_GAS_LIMIT} gas and credited to escrow when a push fails. The NFT
    /// moves with `transferFrom`, so a winner contract without an ERC-721 receiver cannot block settlement.
    ///
    /// Requirements: the lot exists, is not settled or cancelled, and its end time is reached.
    ///
    /// Emits a {LotSettled} event, and {EscrowCredited} for the fee and for each failed push.
    function settle(uint256 lotId) external nonReentrant {
        Bid memory b = _bids[lotId];
        Schedule memory s = _schedules[lotId];
        _requireOpen(lotId, b, s);
        if (block.timestamp < s.endTime) revert AuctionHouseLotNotEnded(lotId, s.endTime);
        // Both slots are cleared for the storage refunds: an id up to {lotCount} with no stored lot is settled
        // (see {_statusOf}); the lot's details stay in its LotCreated and LotSettled events.
        delete _bids[lotId];
        delete _schedules[lotId];

        Template storage t = _templates[s.templateId];
        address nft = t.nft;
        address seller = t.seller;
        uint256 tokenId = _tokenIdOf(lotId, b.flags, s);
        if (b.bidder == address(0)) {
            emit LotSettled(lotId, address(0), 0, address(0), 0, 0, 0);
            _transferNft(nft, seller, tokenId);
            return;
        }

        uint256 price = b.amount;
        FeeConfig memory fees = _fees;
        uint256 fee = price * fees.feeBps / _BPS;
        (address royaltyReceiver, uint256 royalty) = _royaltyOf(nft, tokenId, price, price - fee);
        uint256 proceeds = price - fee - royalty;
        if (fee != 0) {
            // Accrue in the slot just read instead of writing the treasury's account (saves a cold slot).
            uint256 accrued = fees.accruedFees + fee;
            if (accrued > type(uint80).max) {
                _addEscrow(fees.treasury, accrued);
                accrued = 0;
            }
            _fees = FeeConfig({treasury: fees.treasury, feeBps: fees.feeBps, accruedFees: uint80(accrued)});
            emit EscrowCredited(fees.treasury, fee, CreditReason.ProtocolFee);
        }
        emit LotSettled(lotId, b.bidder, price, royaltyReceiver, royalty, fee, proceeds);

        _transferNft(nft, b.bidder, tokenId);
        if (royalty != 0) _push(royaltyReceiver, royalty);
        if (proceeds != 0) _push(seller, proceeds);
    }

    // ------------------------------------------------------------------ auctioneer / admin

    /// @inheritdoc IAuctionHouse
    /// @dev Ids start at 1 (0 means "no campaign"). The name and URI live in the event only.
    /// Emits a {CampaignCreated} event.
    function createCampaign(string calldata name, string calldata metadataURI)
        external
        onlyRole(AUCTIONEER_ROLE)
        returns (uint64 campaignId)
    {
        campaignId = ++_counters.campaignCount;
        emit CampaignCreated(campaignId, msg.sender, name, metadataURI);
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Lot ids start at 1. A `startTime` of 0 or in the past starts the lot now; `timeBuffer = 0` means
    /// {DEFAULT_TIME_BUFFER}. The increment of a bid is the larger of `minIncrementBps` of the standing bid and
    /// `minIncrementFloor`, and at least 1 wei.
    ///
    /// Requirements:
    /// - the caller has AUCTIONEER_ROLE and the contract is not paused;
    /// - `params.campaignId` is 0 or an existing campaign;
    /// - `nft` and `seller` are not zero, `seller` is not this contract; `0 < duration <=` {MAX_DURATION}; `timeBuffer <=` {MAX_TIME_BUFFER};
    ///   `minIncrementBps <= 10_000`; `minIncrementFloor < 2**80`; `reserve < 2**88`; `startTime` at most
    ///   {MAX_START_DELAY} ahead;
    /// - `seller` owns the token and approved this contract for it.
    ///
    /// Emits a {LotCreated} event.
    function createLot(LotParams calldata params) external nonReentrant onlyRole(AUCTIONEER_ROLE) returns (uint256) {
        Counters memory c = _counters;
        if (c.paused) revert AuctionHousePaused();
        _validateLotParams(params);
        if (params.campaignId > c.campaignCount) revert AuctionHouseCampaignNotFound(params.campaignId);

        bytes32 key = keccak256(
            abi.encode(params.nft, params.seller, params.campaignId, params.minIncrementBps, params.minIncrementFloor)
        );
        uint32 templateId = _templateIds[key];
        if (templateId == 0) {
            templateId = ++c.templateCount;
            _templateIds[key] = templateId;
            _templates[templateId] = Template({
                nft: params.nft,
                campaignId: params.campaignId,
                seller: params.seller,
                minIncrementBps: params.minIncrementBps,
                minIncrementFloor: uint80(params.minIncrementFloor)
            });
        }
        uint256 lotId = ++c.lotCount;
        _counters = c;

        uint40 start = params.startTime > block.timestamp ? params.startTime : uint40(block.timestamp);
        uint40 end = start + params.duration;
        uint24 buffer = uint24(params.timeBuffer == 0 ? DEFAULT_TIME_BUFFER : params.timeBuffer);
        bool bigTokenId = params.tokenId > type(uint32).max;
        _schedules[lotId] = Schedule({
            startTime: start,
            endTime: end,
            reserve: uint88(params.reserve),
            timeBuffer: buffer,
            templateId: templateId,
            tokenId: bigTokenId ? 0 : uint32(params.tokenId)
        });
        _bids[lotId] = Bid({bidder: address(0), amount: 0, flags: bigTokenId ? _EXISTS | _BIG_TOKEN_ID : _EXISTS});
        if (bigTokenId) _bigTokenIds[lotId] = params.tokenId;

        _emitLotCreated(lotId, params, start, end, buffer);
        IERC721(params.nft).transferFrom(params.seller, address(this), params.tokenId);
        return lotId;
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Works in any state before the first bid (scheduled, live or ended), also while paused.
    ///
    /// Requirements: the caller has AUCTIONEER_ROLE; the lot exists, is open and has no bid.
    ///
    /// Emits a {LotCancelled} event.
    function cancelLot(uint256 lotId) external nonReentrant onlyRole(AUCTIONEER_ROLE) {
        Bid memory b = _bids[lotId];
        Schedule memory s = _schedules[lotId];
        _requireOpen(lotId, b, s);
        if (b.bidder != address(0)) revert AuctionHouseLotHasBids(lotId);
        _bids[lotId].flags = b.flags | _CANCELLED;
        emit LotCancelled(lotId);
        Template storage t = _templates[s.templateId];
        _transferNft(t.nft, t.seller, _tokenIdOf(lotId, b.flags, s));
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Applies to lots settled afterwards. Requirements: the caller is the default admin; `feeBps <=`
    /// {MAX_PROTOCOL_FEE_BPS}. Emits a {ProtocolFeeUpdated} event.
    function setProtocolFee(uint16 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (feeBps > MAX_PROTOCOL_FEE_BPS) revert AuctionHouseFeeTooHigh(feeBps, MAX_PROTOCOL_FEE_BPS);
        uint16 old = _fees.feeBps;
        _fees.feeBps = feeBps;
        emit ProtocolFeeUpdated(old, feeBps);
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Fees already credited stay in the old treasury's escrow. Requirements: the caller is the default
    /// admin; `newTreasury` is not zero. Emits a {TreasuryUpdated} event.
    function setTreasury(address newTreasury) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newTreasury == address(0)) revert AuctionHouseZeroAddress();
        FeeConfig memory fees = _fees;
        if (fees.accruedFees != 0) _addEscrow(fees.treasury, fees.accruedFees);
        _fees = FeeConfig({treasury: newTreasury, feeBps: fees.feeBps, accruedFees: 0});
        emit TreasuryUpdated(fees.treasury, newTreasury);
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Requirements: the caller has PAUSER_ROLE; not paused. Emits a {Paused} event.
    function pause() external onlyRole(PAUSER_ROLE) {
        if (_counters.paused) revert AuctionHousePaused();
        _counters.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Requirements: the caller has PAUSER_ROLE; paused. Emits an {Unpaused} event.
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_counters.paused) revert AuctionHouseNotPaused();
        _counters.paused = false;
        emit Unpaused(msg.sender);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IAuctionHouse
    /// @dev Reverts with {AuctionHouseLotNotFound} for an unknown lot.
    ///
    /// NOTE: settlement clears a lot's storage for the gas refunds: a settled lot reports status `Settled` and zeros
    /// for the rest, which its {LotCreated} and {LotSettled} events keep (the winner also owns the NFT).
    function lot(uint256 lotId) external view returns (LotView memory v) {
        Bid memory b = _bids[lotId];
        Schedule memory s = _schedules[lotId];
        LotStatus status = _statusOf(lotId, b, s);
        if (status == LotStatus.None) revert AuctionHouseLotNotFound(lotId);
        Template memory t = _templates[s.templateId];
        v = LotView({
            campaignId: t.campaignId,
            nft: t.nft,
            tokenId: _tokenIdOf(lotId, b.flags, s),
            seller: t.seller,
            reserve: s.reserve,
            startTime: s.startTime,
            endTime: s.endTime,
            minIncrementBps: t.minIncrementBps,
            minIncrementFloor: t.minIncrementFloor,
            timeBuffer: s.timeBuffer,
            bidder: b.bidder,
            amount: b.amount,
            viaRelayer: b.flags & _VIA_RELAYER != 0,
            status: _statusOf(lotId, b, s)
        });
    }

    /// @inheritdoc IAuctionHouse
    /// @dev `None` for an unknown lot.
    function lotStatus(uint256 lotId) external view returns (LotStatus) {
        return _statusOf(lotId, _bids[lotId], _schedules[lotId]);
    }

    /// @inheritdoc IAuctionHouse
    /// @dev The reserve (at least 1 wei) before the first bid, else the standing bid plus the increment.
    /// Reverts with {AuctionHouseLotNotFound} for an unknown lot and {AuctionHouseLotAlreadyClosed} for a settled
    /// or cancelled one.
    function minimumNextBid(uint256 lotId) external view returns (uint256) {
        Bid memory b = _bids[lotId];
        Schedule memory s = _schedules[lotId];
        _requireOpen(lotId, b, s);
        return _minimumNextBid(b, s);
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Lot ids run from 1 to `lotCount()`.
    function lotCount() external view returns (uint256) {
        return _counters.lotCount;
    }

    /// @inheritdoc IAuctionHouse
    /// @dev Campaign ids run from 1 to `campaignCount()`.
    function campaignCount() external view returns (uint64) {
        return _counters.campaignCount;
    }

    /// @inheritdoc IAuctionHouse
    /// @dev For the treasury this includes the protocol fees accrued since they were last moved to its account.
    function escrowOf(address account) external view returns (uint256) {
        return _escrowOf(account);
    }

    /// @inheritdoc IAuctionHouse
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

    /// @inheritdoc IAuctionHouse
    /// @dev The nonce the bidder's next authorization must carry.
    function nonces(address bidder) external view returns (uint256) {
        return _accounts[bidder].nonce;
    }

    /// @inheritdoc IAuctionHouse
    function protocolFeeBps() external view returns (uint16) {
        return _fees.feeBps;
    }

    /// @inheritdoc IAuctionHouse
    function treasury() external view returns (address) {
        return _fees.treasury;
    }

    /// @inheritdoc IAuctionHouse
    function hashChatAuthorization(ChatAuthorization calldata auth) external view returns (bytes32) {
        return _hashChatAuthorization(auth);
    }

    /// @inheritdoc IAuctionHouse
    function paused() external view returns (bool) {
        return _counters.paused;
    }

    // ------------------------------------------------------------------ internal: bids

    /// @dev Checks and books a bid of `amount` by `bidder` (`escrowUsed` of it from escrow): credits an escrow-type
    /// previous bid back to escrow, debits the bidder's escrow, extends the end within the buffer, stores the bid
    /// and emits. Returns the previous bid; a wallet-type one is for the caller to refund last (interactions last).
    function _acceptBid(
        uint256 lotId,
        address bidder,
        uint256 amount,
        uint256 escrowUsed,
        uint8 kind,
        bytes32 chatIdHash
    ) private returns (Bid memory prev, uint40 endTime) {
        if (_counters.paused) revert AuctionHousePaused();
        prev = _bids[lotId];
        Schedule memory s = _schedules[lotId];
        LotStatus status = _statusOf(lotId, prev, s);
        if (status != LotStatus.Live) {
            if (status == LotStatus.None) revert AuctionHouseLotNotFound(lotId);
            revert AuctionHouseLotNotLive(lotId, status);
        }
        uint256 minimum = _minimumNextBid(prev, s);
        if (amount < minimum) revert AuctionHouseBidTooLow(lotId, amount, minimum);
        if (amount > type(uint88).max) revert AuctionHouseBidTooHigh(amount, type(uint88).max);

        if (prev.bidder != address(0) && prev.flags & _ESCROW_BID != 0) {
            // Credit before the debit below, so a bidder raising their own escrow bid can reuse it.
            Account storage prevAccount = _accounts[prev.bidder];
            prevAccount.balance = SafeCast.toUint88(uint256(prevAccount.balance) + prev.amount);
            if (prev.flags & _VIA_RELAYER != 0) prevAccount.exposure -= prev.amount;
            emit EscrowCredited(prev.bidder, prev.amount, CreditReason.OutbidRefund);
            emit BidRefunded(lotId, prev.bidder, prev.amount, true);
        }
        if (escrowUsed != 0) _debitEscrow(bidder, escrowUsed);

        endTime = s.endTime;
        // Live means block.timestamp < endTime, so the subtraction cannot underflow.
        if (endTime - block.timestamp < s.timeBuffer) {
            endTime = uint40(block.timestamp) + s.timeBuffer;
            _schedules[lotId].endTime = endTime;
            emit LotExtended(lotId, endTime);
        }
        _bids[lotId] = Bid({bidder: bidder, amount: uint88(amount), flags: (prev.flags & _BIG_TOKEN_ID) | _EXISTS | kind});
        emit BidPlaced(lotId, bidder, amount, escrowUsed, endTime, kind & _VIA_RELAYER != 0, chatIdHash);
    }

    /// @dev Pushes a wallet-type previous bid back to its bidder, crediting escrow when the push fails.
    function _refundWallet(uint256 lotId, Bid memory prev) private {
        if (prev.bidder == address(0) || prev.flags & _ESCROW_BID != 0) return;
        bool toEscrow = !_push(prev.bidder, prev.amount);
        emit BidRefunded(lotId, prev.bidder, prev.amount, toEscrow);
    }

    function _minimumNextBid(Bid memory b, Schedule memory s) private view returns (uint256) {
        if (b.bidder == address(0)) return s.reserve == 0 ? 1 : s.reserve;
        Template storage t = _templates[s.templateId];
        uint256 increment = uint256(b.amount) * t.minIncrementBps / _BPS;
        uint256 floor = t.minIncrementFloor;
        if (increment < floor) increment = floor;
        if (increment == 0) increment = 1;
        return b.amount + increment;
    }

    // ------------------------------------------------------------------ internal: money

    /// @dev `transferFrom` of a token this contract holds. Plain call: `nft` holds a token of ours, so it has code;
    /// a revert is bubbled up.
    function _transferNft(address nft, address to, uint256 tokenId) private {
        // Assembly to skip the extcodesize check and ABI decoding of a call whose target is known (settle gas).
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(224, 0x23b872dd)) // transferFrom(address,address,uint256)
            mstore(add(ptr, 0x04), address())
            mstore(add(ptr, 0x24), to)
            mstore(add(ptr, 0x44), tokenId)
            if iszero(call(gas(), nft, 0, ptr, 0x64, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

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
        if (account != fees.treasury || fees.accruedFees == 0) return 0;
        moved = fees.accruedFees;
        _fees.accruedFees = 0;
        _addEscrow(account, moved);
        // The stored balance grew by `moved`: the caller's `balance + moved` is now what is stored.
    }

    function _escrowOf(address account) private view returns (uint256) {
        FeeConfig memory fees = _fees;
        return _accounts[account].balance + (account == fees.treasury ? fees.accruedFees : 0);
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

    // ------------------------------------------------------------------ internal: helpers

    /// @dev Reverts unless the lot exists and is neither settled nor cancelled.
    function _requireOpen(uint256 lotId, Bid memory b, Schedule memory s) private view {
        if (b.flags & _EXISTS != 0 && b.flags & _CANCELLED == 0) return;
        LotStatus status = _statusOf(lotId, b, s);
        if (status == LotStatus.None) revert AuctionHouseLotNotFound(lotId);
        revert AuctionHouseLotAlreadyClosed(lotId, status);
    }

    /// @dev A lot's status. Storage of a settled lot is cleared, so an id up to {lotCount} without a stored lot is
    /// settled; the counter is read only then.
    function _statusOf(uint256 lotId, Bid memory b, Schedule memory s) private view returns (LotStatus) {
        if (b.flags & _EXISTS == 0) {
            return lotId != 0 && lotId < uint256(_counters.lotCount) + 1 ? LotStatus.Settled : LotStatus.None;
        }
        if (b.flags & _CANCELLED != 0) return LotStatus.Cancelled;
        if (block.timestamp < s.startTime) return LotStatus.Scheduled;
        if (block.timestamp < s.endTime) return LotStatus.Live;
        return LotStatus.Ended;
    }

    function _tokenIdOf(uint256 lotId, uint8 flags, Schedule memory s) private view returns (uint256) {
        return flags & _BIG_TOKEN_ID != 0 ? _bigTokenIds[lotId] : s.tokenId;
    }

    /// @dev Apart from {createLot} only to keep its stack shallow.
    function _emitLotCreated(uint256 lotId, LotParams calldata p, uint40 start, uint40 end, uint24 buffer) private {
        emit LotCreated(
            lotId,
            p.campaignId,
            p.nft,
            p.tokenId,
            p.seller,
            p.reserve,
            start,
            end,
            p.minIncrementBps,
            p.minIncrementFloor,
            buffer
        );
    }

    function _validateLotParams(LotParams calldata p) private view {
        if (p.nft == address(0)) revert AuctionHouseInvalidLotParams("nft");
        // Not this contract: it would list a token already in custody for another lot twice.
        if (p.seller == address(0) || p.seller == address(this)) revert AuctionHouseInvalidLotParams("seller");
        if (p.duration == 0 || p.duration > MAX_DURATION) revert AuctionHouseInvalidLotParams("duration");
        if (p.timeBuffer > MAX_TIME_BUFFER) revert AuctionHouseInvalidLotParams("timeBuffer");
        if (p.minIncrementBps > _BPS) revert AuctionHouseInvalidLotParams("minIncrementBps");
        if (p.minIncrementFloor > type(uint80).max) revert AuctionHouseInvalidLotParams("minIncrementFloor");
        if (p.reserve > type(uint88).max) revert AuctionHouseInvalidLotParams("reserve");
        if (p.startTime > block.timestamp + MAX_START_DELAY) revert AuctionHouseInvalidLotParams("startTime");
    }

    function _hashChatAuthorization(ChatAuthorization calldata auth) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    _CHAT_AUTHORIZATION_TYPEHASH,
                    auth.bidder,
                    auth.relayer,
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
            if (SignatureChecker.isValidERC1271SignatureNowCalldata(bidder, digest, signature)) return;
            revert ChatAuthorizationInvalidSignature(bidder);
        }
        if (err != ECDSA.RecoverError.NoError) revert ChatAuthorizationMalformedSignature(bidder);
        revert ChatAuthorizationInvalidSignature(bidder);
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
