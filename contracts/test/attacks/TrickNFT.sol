// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title TrickNFT
/// @notice An allowlisted collection whose owner turns hostile after listing: `ownerOf` lies or misbehaves,
/// `transferFrom` moves nothing, moves another token, or calls back into the house first, and `royaltyInfo` names
/// any receiver and amount (the house, zero, the winner, more than the price, 2**256 - 1) after trying to call back.
/// Anyone mints and sets the modes. Attack helper.
contract TrickNFT is ERC721 {
    enum OwnerMode {
        Honest,
        Claim, // answers `claimed` whoever holds the token
        HugeReturn, // answers `claimed`, then 64 KiB of junk
        ShortReturn, // 16 bytes
        BurnGas
    }

    enum TransferMode {
        Honest,
        NoOp, // returns success, moves nothing
        OtherToken, // moves `otherTokenId` instead
        Reenter // calls `reenterTarget` with `reenterData`, records the result, then transfers honestly
    }

    OwnerMode public ownerMode;
    address public claimed;
    TransferMode public transferMode;
    uint256 public otherTokenId;
    address public reenterTarget;
    bytes public reenterData;
    bool public reentered;
    bytes public reenterResult;
    address public royaltyReceiver;
    uint256 public royaltyAmount;

    constructor() ERC721("Trick", "TRICK") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }

    function setOwnerMode(OwnerMode mode, address claimed_) external {
        ownerMode = mode;
        claimed = claimed_;
    }

    function setTransferMode(TransferMode mode, uint256 otherTokenId_) external {
        transferMode = mode;
        otherTokenId = otherTokenId_;
    }

    function setReentry(address target, bytes calldata data) external {
        transferMode = TransferMode.Reenter;
        reenterTarget = target;
        reenterData = data;
    }

    function setRoyalty(address receiver, uint256 amount) external {
        royaltyReceiver = receiver;
        royaltyAmount = amount;
    }

    function ownerOf(uint256 tokenId) public view override returns (address) {
        OwnerMode m = ownerMode;
        if (m == OwnerMode.Honest) return super.ownerOf(tokenId);
        address c = claimed;
        if (m == OwnerMode.Claim) return c;
        // Not memory-safe on purpose: returns memory far beyond what Solidity allocated.
        assembly {
            if eq(m, 2) {
                mstore(0, c)
                return(0, 65536)
            }
            if eq(m, 3) {
                mstore(0, c)
                return(0x10, 0x10)
            }
            invalid()
        }
    }

    function transferFrom(address from, address to, uint256 tokenId) public override {
        TransferMode m = transferMode;
        if (m == TransferMode.NoOp) return;
        if (m == TransferMode.OtherToken) tokenId = otherTokenId;
        if (m == TransferMode.Reenter) (reentered, reenterResult) = reenterTarget.call(reenterData);
        super.transferFrom(from, to, tokenId);
    }

    /// @notice Tries to call back into the house (the house calls this with STATICCALL, so any state change fails),
    /// then answers the configured royalty.
    function royaltyInfo(uint256, uint256) external returns (address, uint256) {
        if (reenterTarget != address(0)) {
            // The result is ignored: under STATICCALL a state-changing call can only fail.
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok,) = reenterTarget.call(reenterData);
            ok;
        }
        return (royaltyReceiver, royaltyAmount);
    }
}
