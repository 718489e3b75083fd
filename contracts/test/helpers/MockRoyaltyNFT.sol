// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title MockRoyaltyNFT
/// @notice An ERC-721 whose ERC-2981 `royaltyInfo` misbehaves on demand: a royalty above 100 % of the price,
/// a revert, a gas burn, short return data, or no ERC-2981 at all. Anyone mints. Test helper.
contract MockRoyaltyNFT is ERC721 {
    enum RoyaltyMode {
        Bps, // receiver gets price * bps / 10_000 (bps may exceed 10_000)
        Revert,
        BurnGas,
        ShortReturn,
        DirtyAddress, // a receiver word with bits above 160 set
        None // no royaltyInfo: the call hits a missing function
    }

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
        return (receiver, price * bps / 10_000);
    }
}
