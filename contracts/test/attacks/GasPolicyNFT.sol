// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title GasPolicyNFT
/// @notice An honest ERC-721 whose transfers run a policy that needs gas (as an ERC-721C validator or a transfer hook
/// does) and refuses at once, keeping the rest of its gas, when it gets less. With its full budget from the house
/// every transfer succeeds, so a settler who starves it on purpose must not be able to make a delivery fail.
/// Anyone mints. Attack helper.
contract GasPolicyNFT is ERC721 {
    /// @notice Gas the policy needs: under the house's NFT_TRANSFER_GAS (300,000), far above a plain transfer.
    uint256 public constant POLICY_GAS = 200_000;

    error PolicyNeedsGas(uint256 left);

    constructor() ERC721("GasPolicy", "GASP") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }

    function transferFrom(address from, address to, uint256 tokenId) public override {
        if (gasleft() < POLICY_GAS) revert PolicyNeedsGas(gasleft());
        super.transferFrom(from, to, tokenId);
    }
}
