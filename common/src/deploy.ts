/**
 * @module deploy
 * Deploys the SothebAIs contracts with plain viem (no Hardhat runtime), so the admin `deploy` script,
 * the local stack and every test deploy the same way.
 *
 * @example
 * import { createPublicClient, createWalletClient, http } from "viem";
 * import { deployContracts } from "@sothebais/common/deploy";
 * const deployment = await deployContracts({
 *   publicClient, walletClient, admin, treasury, relayer, protocolFeeBps: 500,
 *   collection: { name: "SothebAIs", symbol: "SOTH", contractURI: "", royaltyReceiver: seller, royaltyBps: 500 },
 *   onProgress: (line) => console.log(line),
 * });
 */
import {
  type Account,
  type Chain,
  getAddress,
  type Hash,
  keccak256,
  type PublicClient,
  toBytes,
  type Transport,
  type WalletClient,
} from "viem";
import {
  auctionHouseAbi,
  auctionHouseBytecode,
  sothebaisCollectionAbi,
  sothebaisCollectionBytecode,
} from "./abis/index.ts";
import type { Address, Deployment } from "./deployments.ts";
import { FatalError } from "./errors.ts";

/** Role ids as the contracts define them (keccak256 of the name; the default admin role is zero). */
export const roles = {
  DEFAULT_ADMIN_ROLE: `0x${"0".repeat(64)}`,
  AUCTIONEER_ROLE: keccak256(toBytes("AUCTIONEER_ROLE")),
  RELAYER_ROLE: keccak256(toBytes("RELAYER_ROLE")),
  PAUSER_ROLE: keccak256(toBytes("PAUSER_ROLE")),
  MINTER_ROLE: keccak256(toBytes("MINTER_ROLE")),
} as const satisfies Record<string, Hash>;

export type RoleName = keyof typeof roles;

export type CollectionParams = {
  name: string;
  symbol: string;
  /** Contract-level metadata URI (ipfs://, ar://, https:// or data:). */
  contractURI: string;
  /** ERC-2981 receiver of every token's royalty. */
  royaltyReceiver: Address;
  /** ERC-2981 royalty in basis points. */
  royaltyBps: number;
};

export type DeployContractsParameters = {
  publicClient: PublicClient;
  /** Signs and pays for the deployment; must be `admin` when a role has to be granted after deployment. */
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  /** Default admin of both contracts (`owner()`), also auctioneer, pauser and collection minter. */
  admin: Address;
  /** Receives protocol fees. */
  treasury: Address;
  /** Granted RELAYER_ROLE on the auction house when given. */
  relayer?: Address;
  protocolFeeBps: number;
  collection: CollectionParams;
  /** One human line per step ("deploying AuctionHouse", "AuctionHouse at 0x…"). */
  onProgress?: (line: string) => void;
};

export type DeployContractsReturnType = Deployment;

/**
 * Deploys AuctionHouse and SothebaisCollection, grants the relayer role (when a relayer is given) and
 * the collection's MINTER_ROLE to the admin, and returns the deployment record (not yet saved: see
 * `saveDeployment` in `@sothebais/common/deployments`).
 */
export async function deployContracts(p: DeployContractsParameters): Promise<DeployContractsReturnType> {
  const progress = p.onProgress ?? (() => {});
  const account = p.walletClient.account;
  const chain = p.walletClient.chain;
  const deployer = account.address;
  const chainId = await p.publicClient.getChainId();
  if (chain && chain.id !== chainId) {
    throw new FatalError(`wallet client is for chain ${chain.id} but the RPC serves chain ${chainId}`);
  }
  checkBps("protocolFeeBps", p.protocolFeeBps);
  checkBps("collection.royaltyBps", p.collection.royaltyBps);
  if (p.relayer && !sameAddress(p.admin, deployer)) {
    // Only the admin may grant roles: a deployer that is not the admin could deploy but not finish.
    throw new FatalError(`the deployer ${deployer} must be the admin (${p.admin}) to grant the relayer role`, {
      hints: ["deploy with the admin's key, or grant RELAYER_ROLE later with ./sothebais role grant"],
    });
  }

  const wait = async (hash: Hash, what: string) => {
    const receipt = await p.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new FatalError(`${what} reverted (tx ${hash})`);
    return receipt;
  };

  progress(`deploying AuctionHouse (admin ${p.admin}, treasury ${p.treasury}, fee ${p.protocolFeeBps} bps) on chain ${chainId}`);
  const houseTx = await p.walletClient.deployContract({
    abi: auctionHouseAbi,
    bytecode: auctionHouseBytecode,
    args: [p.admin, p.treasury, p.protocolFeeBps],
    account,
    chain,
  });
  const houseReceipt = await wait(houseTx, "AuctionHouse deployment");
  const auctionHouse = getAddress(houseReceipt.contractAddress as Address);
  progress(`AuctionHouse at ${auctionHouse} (block ${houseReceipt.blockNumber})`);

  progress(`deploying SothebaisCollection "${p.collection.name}" (${p.collection.symbol}), royalty ${p.collection.royaltyBps} bps`);
  const collectionTx = await p.walletClient.deployContract({
    abi: sothebaisCollectionAbi,
    bytecode: sothebaisCollectionBytecode,
    args: [p.collection.name, p.collection.symbol, p.collection.contractURI, p.admin, p.collection.royaltyReceiver, BigInt(p.collection.royaltyBps)],
    account,
    chain,
  });
  const collectionReceipt = await wait(collectionTx, "SothebaisCollection deployment");
  const collection = getAddress(collectionReceipt.contractAddress as Address);
  progress(`SothebaisCollection at ${collection} (block ${collectionReceipt.blockNumber})`);

  const grant = async (address: Address, abi: typeof auctionHouseAbi | typeof sothebaisCollectionAbi, role: RoleName, to: Address) => {
    const has = await p.publicClient.readContract({ address, abi: abi as typeof auctionHouseAbi, functionName: "hasRole", args: [roles[role], to] });
    if (has) return;
    if (!sameAddress(p.admin, deployer)) {
      progress(`${role} for ${to} not granted: only the admin ${p.admin} can grant it (./sothebais role grant)`);
      return;
    }
    const hash = await p.walletClient.writeContract({
      address,
      abi: abi as typeof auctionHouseAbi,
      functionName: "grantRole",
      args: [roles[role], to],
      account,
      chain,
    });
    await wait(hash, `granting ${role} to ${to}`);
    progress(`granted ${role} to ${to}`);
  };
  if (p.relayer) await grant(auctionHouse, auctionHouseAbi, "RELAYER_ROLE", p.relayer);
  await grant(collection, sothebaisCollectionAbi, "MINTER_ROLE", p.admin);
  // Lots can only be made of allowed collections: the project's own is allowed at birth.
  if (sameAddress(p.admin, deployer)) {
    const hash = await p.walletClient.writeContract({
      address: auctionHouse,
      abi: auctionHouseAbi,
      functionName: "setCollectionAllowed",
      args: [collection, true],
      account,
      chain,
    });
    await wait(hash, `allowing collection ${collection}`);
    progress(`allowed collection ${collection} for lots`);
  } else {
    progress(`collection ${collection} not allowed for lots: only the admin ${p.admin} can (./sothebais collection allow)`);
  }

  const genesis = await p.publicClient.getBlock({ blockNumber: 0n });
  return {
    chainId,
    auctionHouse,
    collection,
    deployBlock: Number(houseReceipt.blockNumber),
    deployer,
    genesisHash: genesis.hash as Hash,
    deployedAt: new Date().toISOString(),
  };
}

function checkBps(name: string, value: number) {
  if (!Number.isInteger(value) || value < 0 || value > 10_000) throw new FatalError(`${name}: got ${value}, expected basis points 0-10000`);
}

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
