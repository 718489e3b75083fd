// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// A stand-in for Shape's Gasback on the local chain (the real one lives on Shape): it enforces what the
/// real `register` does for us (the caller is the contract's owner(), once per contract) and records it.
interface IOwned {
    function owner() external view returns (address);
}

contract GasbackStandIn {
    uint256 public lastTokenId;
    mapping(address smartContract => address nftRecipient) public registeredTo;

    error GasbackNotOwner(address caller, address owner);
    error GasbackAlreadyRegistered(address smartContract);

    function register(address nftRecipient, address smartContract) external returns (uint256 tokenId) {
        address owner = IOwned(smartContract).owner();
        if (msg.sender != owner) revert GasbackNotOwner(msg.sender, owner);
        if (registeredTo[smartContract] != address(0)) revert GasbackAlreadyRegistered(smartContract);
        registeredTo[smartContract] = nftRecipient;
        tokenId = ++lastTokenId;
    }
}
