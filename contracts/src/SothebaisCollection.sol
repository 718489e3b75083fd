// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";

/// @title SothebaisCollection
/// @author SothebAIs
/// @notice The artworks auctioned by SothebAIs: ERC-721 with per-token URIs (ipfs://, ar://, https:// or data:),
/// ERC-2981 royalties (a default plus per-token overrides) and ERC-7572 contract-level metadata.
/// @dev The default admin ({owner}, for marketplaces and Shape Gasback) manages royalties, the contract URI and roles;
/// MINTER_ROLE mints. Token ids start at 1.
///
/// Royalties are ERC-2981 written for a cheap `royaltyInfo` (read at every settlement): the default royalty and the
/// number of per-token overrides share one slot, so tokens without an override (almost all) cost one storage read.
contract SothebaisCollection is ERC721URIStorage, IERC2981, AccessControlDefaultAdminRules {
    /// @notice Mints tokens.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    uint256 private constant _BPS = 10_000;

    /// @dev The default royalty plus how many tokens override it, in one slot.
    struct DefaultRoyalty {
        address receiver;
        uint16 bps;
        uint80 overrides;
    }

    /// @dev A per-token royalty override (`receiver` 0 = none).
    struct TokenRoyalty {
        address receiver;
        uint16 bps;
    }

    uint256 private _lastTokenId;
    string private _contractURI;
    DefaultRoyalty private _defaultRoyalty;
    mapping(uint256 tokenId => TokenRoyalty) private _tokenRoyalties;

    /// @notice ERC-7572: the contract-level metadata changed.
    event ContractURIUpdated();
    // Rare admin events: indexing their values would cost more gas (375 vs 256 per word) and nobody filters on them.
    // solhint-disable gas-indexed-events
    /// @notice The default royalty changed (`receiver` 0 and `bps` 0 when removed).
    /// @param receiver who receives royalties of tokens without an override
    /// @param bps royalty in basis points of the sale price
    event DefaultRoyaltyUpdated(address receiver, uint96 bps);
    /// @notice `tokenId`'s royalty override changed (`receiver` 0 and `bps` 0 when reset to the default).
    /// @param tokenId the token
    /// @param receiver who receives its royalties
    /// @param bps royalty in basis points of the sale price
    event TokenRoyaltyUpdated(uint256 indexed tokenId, address receiver, uint96 bps);
    // solhint-enable gas-indexed-events

    /// @notice `uri` does not start with ipfs://, ar://, https:// or data: followed by something.
    error SothebaisCollectionInvalidURI(string uri);
    /// @notice A royalty with a zero `receiver` or `bps` above 10,000.
    error SothebaisCollectionInvalidRoyalty(address receiver, uint96 bps);
    /// @notice `mintBatch` was called with no URI.
    error SothebaisCollectionEmptyBatch();

    /// @notice Deploys the collection.
    /// @dev `admin` gets the default admin role (two-step transfer) and MINTER_ROLE. A zero `royaltyReceiver` means
    /// no default royalty.
    ///
    /// Requirements: `admin` is not zero; `contractURI_` is empty or a valid URI; `royaltyBps <= 10_000`.
    ///
    /// Emits {ContractURIUpdated} and, with a receiver, {DefaultRoyaltyUpdated}.
    /// @param name ERC-721 name
    /// @param symbol ERC-721 symbol
    /// @param contractURI_ ERC-7572 contract metadata URI (may be empty)
    /// @param admin default admin ({owner}) and minter
    /// @param royaltyReceiver default royalty receiver (0 = no default royalty)
    /// @param royaltyBps default royalty in basis points
    constructor(
        string memory name,
        string memory symbol,
        string memory contractURI_,
        address admin,
        address royaltyReceiver,
        uint96 royaltyBps
    ) ERC721(name, symbol) AccessControlDefaultAdminRules(0, admin) {
        _grantRole(MINTER_ROLE, admin);
        if (bytes(contractURI_).length != 0) _requireValidURI(contractURI_);
        _contractURI = contractURI_;
        emit ContractURIUpdated();
        if (royaltyReceiver != address(0)) {
            _requireValidRoyalty(royaltyReceiver, royaltyBps);
            _defaultRoyalty = DefaultRoyalty({receiver: royaltyReceiver, bps: uint16(royaltyBps), overrides: 0});
            emit DefaultRoyaltyUpdated(royaltyReceiver, royaltyBps);
        }
    }

    // ------------------------------------------------------------------ minting

    /// @notice Mints the next token to `to` with metadata `uri`.
    /// @dev Requirements: the caller has MINTER_ROLE; `uri` is valid; `to` accepts ERC-721 tokens.
    /// Emits {Transfer} and {MetadataUpdate}.
    /// @param to the first owner
    /// @param uri the token's metadata URI
    /// @return tokenId the new token's id
    function mint(address to, string calldata uri) external onlyRole(MINTER_ROLE) returns (uint256 tokenId) {
        tokenId = _mintOne(to, uri);
    }

    /// @notice Mints one token per entry of `uris` to `to`, with consecutive ids.
    /// @dev Requirements: as {mint}, for every URI; `uris` is not empty.
    /// @param to the first owner of every token
    /// @param uris one metadata URI per token
    /// @return firstTokenId the id of the first token minted (the others follow it)
    function mintBatch(address to, string[] calldata uris)
        external
        onlyRole(MINTER_ROLE)
        returns (uint256 firstTokenId)
    {
        if (uris.length == 0) revert SothebaisCollectionEmptyBatch();
        firstTokenId = _lastTokenId + 1;
        for (uint256 i = 0; i < uris.length; ++i) {
            _mintOne(to, uris[i]);
        }
    }

    /// @notice Number of tokens minted (ids 1 to this).
    /// @return count tokens minted so far
    function totalMinted() external view returns (uint256) {
        return _lastTokenId;
    }

    // ------------------------------------------------------------------ admin

    /// @notice ERC-7572 contract-level metadata URI.
    /// @return uri the URI (may be empty)
    function contractURI() external view returns (string memory) {
        return _contractURI;
    }

    /// @notice Sets the contract-level metadata URI.
    /// @dev Requirements: the caller is the default admin; `uri` is valid. Emits {ContractURIUpdated}.
    /// @param uri the new URI
    function setContractURI(string calldata uri) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireValidURI(uri);
        _contractURI = uri;
        emit ContractURIUpdated();
    }

    /// @notice Sets the royalty of every token without an override.
    /// @dev Requirements: the caller is the default admin; `receiver` not zero; `bps <= 10_000`.
    /// Emits {DefaultRoyaltyUpdated}.
    /// @param receiver who receives royalties of tokens without an override
    /// @param bps royalty in basis points of the sale price
    function setDefaultRoyalty(address receiver, uint96 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireValidRoyalty(receiver, bps);
        _defaultRoyalty.receiver = receiver;
        _defaultRoyalty.bps = uint16(bps);
        emit DefaultRoyaltyUpdated(receiver, bps);
    }

    /// @notice Removes the default royalty. Requirements: the caller is the default admin.
    /// Emits {DefaultRoyaltyUpdated} with zeros.
    function deleteDefaultRoyalty() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _defaultRoyalty.receiver = address(0);
        _defaultRoyalty.bps = 0;
        emit DefaultRoyaltyUpdated(address(0), 0);
    }

    /// @notice Overrides `tokenId`'s royalty.
    /// @dev Requirements: the caller is the default admin; `receiver` not zero; `bps <= 10_000`.
    /// Emits {TokenRoyaltyUpdated}.
    /// @param tokenId the token
    /// @param receiver who receives its royalties
    /// @param bps royalty in basis points of the sale price
    function setTokenRoyalty(uint256 tokenId, address receiver, uint96 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireValidRoyalty(receiver, bps);
        if (_tokenRoyalties[tokenId].receiver == address(0)) ++_defaultRoyalty.overrides;
        _tokenRoyalties[tokenId] = TokenRoyalty({receiver: receiver, bps: uint16(bps)});
        emit TokenRoyaltyUpdated(tokenId, receiver, bps);
    }

    /// @notice Drops `tokenId`'s override, back to the default royalty. Requirements: the caller is the default
    /// admin. Emits {TokenRoyaltyUpdated} with zeros.
    /// @param tokenId the token
    function resetTokenRoyalty(uint256 tokenId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_tokenRoyalties[tokenId].receiver != address(0)) --_defaultRoyalty.overrides;
        delete _tokenRoyalties[tokenId];
        emit TokenRoyaltyUpdated(tokenId, address(0), 0);
    }

    /// @notice ERC-2981: who receives how much of a sale of `tokenId` at `salePrice`.
    /// @dev The token's override when it has one, else the default royalty (receiver 0 and amount 0 when none).
    /// @param tokenId the token sold
    /// @param salePrice the sale price
    /// @return receiver who receives the royalty
    /// @return royaltyAmount the royalty, in the sale price's unit
    function royaltyInfo(uint256 tokenId, uint256 salePrice)
        external
        view
        returns (address receiver, uint256 royaltyAmount)
    {
        DefaultRoyalty memory d = _defaultRoyalty;
        receiver = d.receiver;
        uint256 bps = d.bps;
        if (d.overrides != 0) {
            TokenRoyalty memory t = _tokenRoyalties[tokenId];
            if (t.receiver != address(0)) (receiver, bps) = (t.receiver, t.bps);
        }
        royaltyAmount = salePrice * bps / _BPS;
    }

    // ------------------------------------------------------------------ ERC-165

    /// @inheritdoc ERC721URIStorage
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC721URIStorage, IERC165, AccessControlDefaultAdminRules)
        returns (bool)
    {
        return interfaceId == type(IERC2981).interfaceId || ERC721URIStorage.supportsInterface(interfaceId)
            || AccessControlDefaultAdminRules.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ internal

    function _mintOne(address to, string calldata uri) private returns (uint256 tokenId) {
        _requireValidURI(uri);
        tokenId = ++_lastTokenId;
        _safeMint(to, tokenId);
        _setTokenURI(tokenId, uri);
    }

    function _requireValidRoyalty(address receiver, uint96 bps) private pure {
        if (receiver == address(0) || bps > _BPS) revert SothebaisCollectionInvalidRoyalty(receiver, bps);
    }

    /// @dev A URI is valid when it starts with one of the accepted schemes and has something after it.
    function _requireValidURI(string memory uri) private pure {
        bytes memory b = bytes(uri);
        if (
            !(_hasPrefix(b, "ipfs://") || _hasPrefix(b, "ar://") || _hasPrefix(b, "https://") || _hasPrefix(b, "data:"))
        ) revert SothebaisCollectionInvalidURI(uri);
    }

    function _hasPrefix(bytes memory b, bytes memory prefix) private pure returns (bool) {
        if (b.length < prefix.length + 1) return false;
        for (uint256 i = 0; i < prefix.length; ++i) {
            if (b[i] != prefix[i]) return false;
        }
        return true;
    }
}
