/**
 * @module testing/accounts
 * The local chain's well-known accounts (Hardhat's default mnemonic) and the role each plays in the
 * local stack and tests. These keys are public test keys: never fund them on a real network.
 */
import { mnemonicToAccount } from "viem/accounts";
import type { HDAccount } from "viem";

export const localMnemonic = "test test test test test test test test test test test junk";

export function localAccount(index: number): HDAccount {
  return mnemonicToAccount(localMnemonic, { addressIndex: index });
}

/** Private key of a local account, for services that take one from env (RELAYER_PRIVATE_KEY, ...). */
export function localPrivateKey(index: number): `0x${string}` {
  const key = localAccount(index).getHdKey().privateKey;
  if (!key) throw new Error(`no private key for local account ${index}`);
  return `0x${Buffer.from(key).toString("hex")}`;
}

/** Who is who on the local chain. Bidders start at index 4. */
export const localRoles = {
  admin: 0, // deployer: admin, auctioneer, pauser, collection minter
  relayer: 1, // the relayer service's sender
  treasury: 2, // receives protocol fees
  seller: 3, // the demo artist: owns the artworks, receives proceeds and royalties
  firstBidder: 4,
} as const;
