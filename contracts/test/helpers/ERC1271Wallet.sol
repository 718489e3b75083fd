// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Actor} from "./Actor.sol";

/// @title ERC1271Wallet
/// @notice A smart wallet whose signatures are its owner's ECDSA signatures (ERC-1271), for chat authorizations
/// signed by contract wallets. Its `isValidSignature` misbehaves on demand, as a hostile or broken wallet would:
/// burn all the gas it gets, answer honestly followed by 64 KiB of junk (a return bomb), or revert with 64 KiB of
/// junk. Test helper.
contract ERC1271Wallet is Actor, IERC1271 {
    enum SigMode {
        Honest,
        BurnGas,
        HugeReturn, // the honest answer, then junk up to RETURN_BOMB bytes
        HugeRevert // reverts with RETURN_BOMB bytes
    }

    /// @notice Bytes returned (or reverted with) by the bomb modes: costs ~14,000 gas of memory, within the house's
    /// 200,000-gas budget for the call, so the bomb lands on the caller if it copied the return data.
    uint256 public constant RETURN_BOMB = 64 * 1024;

    address public immutable owner;
    SigMode public sigMode;

    constructor(address owner_) {
        owner = owner_;
    }

    function setSigMode(SigMode m) external {
        sigMode = m;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4 answer) {
        SigMode m = sigMode;
        if (m == SigMode.BurnGas) {
            assembly ("memory-safe") {
                invalid()
            }
        }
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(hash, signature);
        answer = err == ECDSA.RecoverError.NoError && signer == owner ? IERC1271.isValidSignature.selector : bytes4(0);
        if (m == SigMode.Honest) return answer;
        uint256 size = RETURN_BOMB;
        // Not memory-safe on purpose: returns (or reverts with) memory far beyond what Solidity allocated.
        assembly {
            mstore(0, answer)
            if eq(m, 3) { revert(0, size) }
            return(0, size)
        }
    }
}
