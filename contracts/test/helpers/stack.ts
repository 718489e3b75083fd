/**
 * @module contracts/test/helpers/stack
 * A deployed AuctionHouse + SothebaisCollection on Hardhat's in-process network, with helpers for fresh EOAs
 * (funded, own key, so gas is measured as a new bidder pays it), minting, lots (of the project collection or of a
 * test collection such as HostileNFT), bidders, ending a lot and signed chat authorizations.
 * Used by the TypeScript tests and by `bench/gas.bench.ts`.
 */
import { network } from "hardhat";
import { auctionHouseAbi } from "@sothebais/common/abis";
import {
  type Address,
  createWalletClient,
  getContract,
  custom,
  type Hex,
  keccak256,
  parseAbi,
  parseEther,
  toBytes,
} from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";

export const roles = {
  DEFAULT_ADMIN_ROLE: `0x${"0".repeat(64)}` as Hex,
  AUCTIONEER_ROLE: keccak256(toBytes("AUCTIONEER_ROLE")),
  RELAYER_ROLE: keccak256(toBytes("RELAYER_ROLE")),
  PAUSER_ROLE: keccak256(toBytes("PAUSER_ROLE")),
  MINTER_ROLE: keccak256(toBytes("MINTER_ROLE")),
};

/** IAuctionHouse.LotStatus, by name. */
export const LotStatus = { None: 0, Scheduled: 1, Live: 2, Ended: 3, Settled: 4, Cancelled: 5, Queued: 6, Undeliverable: 7 } as const;

/** What the stack needs of a test collection (HostileNFT, MockRoyaltyNFT, TrickNFT, GasPolicyNFT): anyone mints. */
const testCollectionAbi = parseAbi(["function mint(address to, uint256 tokenId)", "function setApprovalForAll(address operator, bool approved)"]);

export const HOUR = 3600n;
export const DAY = 86_400n;

import { type ChatAuthorization, chatAuthorizationTypes } from "@sothebais/common/chat-auth";

export { type ChatAuthorization, chatAuthorizationTypes };

export const chatId = (id: string) => keccak256(toBytes(id));

/** Deploys the stack: admin = account 0, relayer = 1 (granted), treasury = 2, seller = 3, royalty receiver = 4. */
export async function deployStack(
  opts: { feeBps?: number; royaltyBps?: bigint; connection?: Awaited<ReturnType<typeof network.create>> } = {},
) {
  const connection = opts.connection ?? (await network.create());
  const { viem, networkHelpers, provider } = connection;
  const publicClient = await viem.getPublicClient();
  const [admin, relayer, treasury, seller, royalty, other] = await viem.getWalletClients();
  const feeBps = opts.feeBps ?? 500;
  const royaltyBps = opts.royaltyBps ?? 1000n;
  const deployed = await viem.deployContract("AuctionHouse", [admin.account.address, treasury.account.address, feeBps]);
  // The house answers its reads through AuctionHouseViews (delegatecall): address it with both contracts' ABI.
  const house = getContract({ address: deployed.address, abi: auctionHouseAbi, client: { public: publicClient, wallet: admin } });
  const collection = await viem.deployContract("SothebaisCollection", [
    "SothebAIs",
    "SOTH",
    "ipfs://collection",
    admin.account.address,
    royalty.account.address,
    royaltyBps,
  ]);
  await house.write.grantRole([roles.RELAYER_ROLE, relayer.account.address]);
  await house.write.setCollectionAllowed([collection.address, true]);
  await collection.write.setApprovalForAll([house.address, true], { account: seller.account });

  const chainId = await publicClient.getChainId();

  /** A new EOA with its own key and `ether` ETH, sending raw signed transactions like a real wallet. */
  async function freshAccount(ether = "100") {
    const account: PrivateKeyAccount = privateKeyToAccount(generatePrivateKey());
    await networkHelpers.setBalance(account.address, parseEther(ether));
    const wallet = createWalletClient({ account, chain: publicClient.chain, transport: custom(provider) });
    return { account, wallet, address: account.address };
  }

  async function mint(to: Address = seller.account.address, uri = "ipfs://token") {
    const hash = await collection.write.mint([to, uri]);
    await publicClient.waitForTransactionReceipt({ hash });
    return (await collection.read.totalMinted()) as bigint;
  }

  const defaultLot = {
    campaignId: 0n,
    reserve: 0n,
    startTime: 0,
    duration: Number(DAY),
    minIncrementBps: 500,
    minIncrementFloor: parseEther("0.01"),
    timeBuffer: 300,
  };

  /** Mints a token to the seller and creates a lot of it; returns the lot id, token id and receipt. */
  async function createLot(p: Partial<typeof defaultLot> & { tokenId?: bigint; nft?: Address; seller?: Address } = {}) {
    const tokenId = p.tokenId ?? (await mint());
    const params = {
      ...defaultLot,
      ...p,
      nft: p.nft ?? collection.address,
      tokenId,
      seller: p.seller ?? seller.account.address,
    };
    const hash = await house.write.createLot([params]);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    const lotId = (await house.read.lotCount()) as bigint;
    return { lotId, tokenId, receipt, params };
  }

  /**
   * Readies a test collection for a lot: `tokenId` minted to the seller, the house approved for the seller's tokens
   * and the collection allowed. Call it before changing the collection's mode, so the lot is created honestly.
   */
  async function allowTestCollection(nft: Address, tokenId = 1n) {
    await admin.writeContract({ address: nft, abi: testCollectionAbi, functionName: "mint", args: [seller.account.address, tokenId] });
    await seller.writeContract({ address: nft, abi: testCollectionAbi, functionName: "setApprovalForAll", args: [house.address, true] });
    await house.write.setCollectionAllowed([nft, true]);
  }

  /** {@link allowTestCollection}, then a lot of that token with the default lot parameters. */
  async function createTestLot(nft: Address, tokenId = 1n) {
    await allowTestCollection(nft, tokenId);
    return createLot({ nft, tokenId });
  }

  /** `n` bidders: Hardhat's accounts after the six the stack names (admin … other). */
  async function bidders(n = 3) {
    return (await viem.getWalletClients()).slice(6, 6 + n);
  }

  /** Moves the chain's clock to the lot's end time: the next block is past it. */
  async function endLot(lotId: bigint) {
    await networkHelpers.time.increaseTo((await house.read.lot([lotId])).endTime);
  }

  /** A fresh EOA with `deposit` in escrow, ready to sign a chat authorization. */
  async function chatBidder(deposit = parseEther("3")) {
    const f = await freshAccount();
    if (deposit > 0n) await f.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "deposit", value: deposit });
    return f;
  }

  async function signAuthorization(
    signer: PrivateKeyAccount,
    auth: Partial<ChatAuthorization> & { bidder?: Address } = {},
    domain: { chainId?: number; verifyingContract?: Address } = {},
  ) {
    const full: ChatAuthorization = {
      bidder: auth.bidder ?? signer.address,
      relayer: auth.relayer ?? relayer.account.address,
      chatIdHash: auth.chatIdHash ?? chatId(`twitch:${BigInt(signer.address) % 1_000_000n}`),
      maxBid: auth.maxBid ?? parseEther("5"),
      totalCap: auth.totalCap ?? parseEther("10"),
      expiry: auth.expiry ?? BigInt(await networkHelpers.time.latest()) + DAY,
      nonce: auth.nonce ?? ((await house.read.nonces([auth.bidder ?? signer.address])) as bigint),
    };
    const signature = await signer.signTypedData({
      domain: {
        name: "SothebAIs AuctionHouse",
        version: "1",
        chainId: domain.chainId ?? chainId,
        verifyingContract: domain.verifyingContract ?? house.address,
      },
      types: chatAuthorizationTypes,
      primaryType: "ChatAuthorization",
      message: full,
    });
    return { auth: full, signature };
  }

  return {
    connection,
    viem,
    networkHelpers,
    provider,
    publicClient,
    house,
    collection,
    admin,
    relayer,
    treasury,
    seller,
    royalty,
    other,
    chainId,
    feeBps,
    royaltyBps,
    freshAccount,
    mint,
    createLot,
    allowTestCollection,
    createTestLot,
    bidders,
    endLot,
    chatBidder,
    signAuthorization,
  };
}

export type Stack = Awaited<ReturnType<typeof deployStack>>;

/**
 * A test module's network and stack: one in-process network for the module (`network.create()` at its top), and
 * `load()`, the stack deployed once and restored to that snapshot for each test (`loadFixture`).
 */
export async function createStackFixture(opts: Omit<NonNullable<Parameters<typeof deployStack>[0]>, "connection"> = {}) {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const fixture = () => deployStack({ ...opts, connection });
  return { connection, viem, networkHelpers, A: viem.assertions, load: () => networkHelpers.loadFixture(fixture) };
}
