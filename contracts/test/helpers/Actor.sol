// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @title Actor
/// @notice A contract that bids, sells or receives royalties, with a hostile receive hook on demand: it can accept
/// ether, revert, burn all the gas it gets, or reenter the auction house with a call set beforehand.
/// @dev Test helper (adversarial actors of issue 3 §3). `execute` lets a test act through it (approve, bid, ...).
contract Actor is IERC721Receiver {
    enum Mode {
        Accept,
        Revert,
        BurnGas,
        Reenter
    }

    Mode public mode;
    address public reenterTarget;
    bytes public reenterData;
    /// @notice Whether the last reentry attempt succeeded, and its return data (the revert reason when it failed).
    bool public reentered;
    bytes public reenterResult;
    uint256 public received;

    error ActorRejected();

    function setMode(Mode m) external {
        mode = m;
    }

    /// @notice On the next receive, call `target` with `data` (mode Reenter).
    function setReentry(address target, bytes calldata data) external {
        mode = Mode.Reenter;
        reenterTarget = target;
        reenterData = data;
    }

    function execute(address target, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        if (mode == Mode.Revert) revert ActorRejected();
        if (mode == Mode.BurnGas) {
            // Burn every unit of gas we were given.
            assembly ("memory-safe") {
                invalid()
            }
        }
        if (mode == Mode.Reenter) {
            (reentered, reenterResult) = reenterTarget.call(reenterData);
        }
        received += msg.value;
    }

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return IERC721Receiver.onERC721Received.selector;
    }
}
