// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title MockRoyaltyNFT
/// @notice An ERC-721 whose ERC-2981 `royaltyInfo` misbehaves on demand: a royalty above 100 % of the price,
/// a revert, a gas burn, short return data, a dirty receiver word, no ERC-2981 at all, or a well-formed answer
/// followed by 64 KiB of junk (a return bomb). Anyone mints. Test helper.
contract MockRoyaltyNFT is ERC721 {
    enum RoyaltyMode {
        Bps, // receiver gets price * bps / 10_000 (bps may exceed 10_000)
        Revert,
        BurnGas,
        ShortReturn,
        DirtyAddress, // a receiver word with bits above 160 set
        None, // no royaltyInfo: the call hits a missing function
        HugeReturn // the Bps answer, then junk up to RETURN_BOMB bytes
    }

    /// @notice Bytes returned by HugeReturn: ~14,000 gas of memory, within the house's 50,000-gas budget for the
    /// call, so the bomb lands on the caller if it copied the return data.
    uint256 public constant RETURN_BOMB = 64 * 1024;

    RoyaltyMode public mode;
    address public receiver;
    uint256 public bps;

    constructor() ERC721("Mock", "MOCK") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }

    function setRoyalty(RoyaltyMode mode_, address receiver_, uint256 bps_) external {
        mode = mode_;
        receiver = receiver_;
        bps = bps_;
    }

    function royaltyInfo(uint256, uint256 price) external view returns (address, uint256) {
        RoyaltyMode m = mode;
        if (m == RoyaltyMode.Revert) revert("no royalty");
        if (m == RoyaltyMode.None) revert();
        if (m == RoyaltyMode.BurnGas) {
            assembly ("memory-safe") {
                invalid()
            }
        }
        if (m == RoyaltyMode.ShortReturn) {
            address r = receiver;
            assembly ("memory-safe") {
                mstore(0, r)
                return(0, 0x20)
            }
        }
        if (m == RoyaltyMode.DirtyAddress) {
            uint256 amount = price * bps / 10_000;
            uint256 dirty = uint256(uint160(receiver)) | (1 << 200);
            assembly ("memory-safe") {
                mstore(0, dirty)
                mstore(0x20, amount)
                return(0, 0x40)
            }
        }
        if (m == RoyaltyMode.HugeReturn) {
            address r = receiver;
            uint256 amount = price * bps / 10_000;
            uint256 size = RETURN_BOMB;
            // Not memory-safe on purpose: returns memory far beyond what Solidity allocated.
            assembly {
                mstore(0, r)
                mstore(0x20, amount)
                return(0, size)
            }
        }
        return (receiver, price * bps / 10_000);
    }
}
