// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title YesWallet
/// @notice A contract wallet whose ERC-1271 `isValidSignature` approves every digest and signature: whoever holds
/// RELAYER_ROLE can register any authorization for it. It must only ever put the wallet's own escrow at risk.
/// Anyone can make it call anything (deposit, withdraw). Attack helper.
contract YesWallet {
    function isValidSignature(bytes32, bytes calldata) external pure returns (bytes4) {
        return 0x1626ba7e;
    }

    function execute(address target, uint256 value, bytes calldata data) external payable returns (bytes memory ret) {
        bool ok;
        (ok, ret) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }

    receive() external payable {}
}
