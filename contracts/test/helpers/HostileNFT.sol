// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title HostileNFT
/// @notice An ERC-721 whose transfers misbehave on demand, as a pausable, blocklisting, transfer-policy (ERC-721C),
/// broken or malicious collection would: revert every transfer, revert transfers to one blocked address, burn all
/// gas, do nothing and return success, or move the token to somebody else. Anyone mints. Test helper.
contract HostileNFT is ERC721 {
    enum Mode {
        Honest,
        Revert, // paused collection / transfer policy that refuses the operator
        RevertTo, // blocklist: transfers to `target` revert
        BurnGas,
        NoOp, // returns success and moves nothing
        Redirect // moves the token to `target` instead of `to`
    }

    Mode public mode;
    address public target;

    constructor() ERC721("Hostile", "HOST") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }

    function setMode(Mode mode_, address target_) external {
        mode = mode_;
        target = target_;
    }

    function transferFrom(address from, address to, uint256 tokenId) public override {
        Mode m = mode;
        if (m == Mode.Revert) revert("transfers paused");
        if (m == Mode.RevertTo && to == target) revert("receiver blocked");
        if (m == Mode.BurnGas) {
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                invalid()
            }
        }
        if (m == Mode.NoOp) return;
        if (m == Mode.Redirect) to = target;
        super.transferFrom(from, to, tokenId);
    }
}
