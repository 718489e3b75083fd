/**
 * @module testing/fixtures
 * A deployed SothebAIs stack on a fresh Hardhat node, with verb helpers (mint and create a lot, bid,
 * deposit, sign and register a chat authorization, relay a bid, move time, settle) so every service's
 * tests build their scenario in a few lines against the real contracts.
 *
 * @example
 * import { startTestStack } from "@sothebais/common/testing";
 * const stack = await startTestStack();
 * after(() => stack.stop());
 * const lotId = await stack.mintAndCreateLot({ reserve: parseEther("0.1"), duration: 3600 });
 * await stack.bid(4, lotId, parseEther("0.2"));
 * // a service under test reads stack.env: RPC_URL, WS_URL, CHAIN_ID, DEPLOYMENTS_DIR
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  type Hash,
  type HDAccount,
  http,
  keccak256,
  parseEventLogs,
  type PublicClient,
  type TransactionReceipt,
  toBytes,
  type Transport,
  type WalletClient,
} from "viem";
import { hardhat } from "viem/chains";
import { auctionHouseAbi, sothebaisCollectionAbi } from "../abis/index.ts";
import { type CollectionParams, deployContracts } from "../deploy.ts";
import { type Address, type Deployment, saveDeployment } from "../deployments.ts";
import { localAccount, localRoles } from "./accounts.ts";
import { type HardhatNode, rpc, startHardhatNode } from "./services.ts";
import { type ChatAuthorization, chatAuthorizationDomain, chatAuthorizationTypes } from "../chat-auth.ts";

export type StartTestStackOptions = {
  /** Interval mining in ms; default automine (one block per transaction). */
  intervalMs?: number;
  /** Protocol fee; default 500 bps (5 %). */
  protocolFeeBps?: number;
  /** Collection overrides; default royalty 500 bps (5 %) to the seller. */
  collection?: Partial<CollectionParams>;
  /** Grant RELAYER_ROLE to account 1; default true. */
  grantRelayer?: boolean;
  echo?: (line: string) => void;
};

export type CreateLotParameters = {
  /** Wei; default 0 (any bid > 0). */
  reserve?: bigint;
  /** Seconds; default 3600. */
  duration?: number;
  /** Unix seconds; default 0 (starts now). A future time schedules the lot. */
  startTime?: number;
  /** Default 500 (5 %). */
  minIncrementBps?: number;
  /** Wei; default 0. */
  minIncrementFloor?: bigint;
  /** Seconds; default 60. */
  timeBuffer?: number;
  /** Default 0 (no campaign). */
  campaignId?: bigint;
  /** Token URI to mint; default a small data: URI. */
  tokenURI?: string;
};

export type ChatAuthorizationMessage = ChatAuthorization;

export type SignedChatAuthorization = { authorization: ChatAuthorizationMessage; signature: Hash };

type Wallet = WalletClient<Transport, Chain, HDAccount>;

export type TestStack = {
  node: HardhatNode;
  chain: Chain;
  chainId: number;
  rpcUrl: string;
  wsUrl: string;
  deployment: Deployment;
  /** Temp DEPLOYMENTS_DIR holding `31337.json`; removed by `stop()`. */
  deploymentsDir: string;
  /** Environment for a service under test (merge into its env). */
  env: { RPC_URL: string; WS_URL: string; CHAIN_ID: string; DEPLOYMENTS_DIR: string };
  publicClient: PublicClient<Transport, Chain>;
  /** Wallet client of local account `index` (0 admin, 1 relayer, 2 treasury, 3 seller, 4+ bidders). */
  wallet: (index: number) => Wallet;
  /** Address of local account `index`. */
  address: (index: number) => Address;
  accounts: { admin: Address; relayer: Address; treasury: Address; seller: Address };
  auctionHouse: Address;
  collection: Address;
  /** Mints a token to `to` (default the seller) and returns its id. */
  mint: (options?: { to?: Address; uri?: string }) => Promise<bigint>;
  /** Creates a campaign as the auctioneer and returns its id. */
  /** `intermission` 0 = the contract's default (20 s). */
  createCampaign: (name?: string, metadataURI?: string, intermission?: number) => Promise<bigint>;
  /** Mints to the seller, the seller approves the house, the auctioneer creates the lot. Returns the lot id. */
  mintAndCreateLot: (params?: CreateLotParameters) => Promise<bigint>;
  /** Wallet bid of `amount` wei (all as msg.value) by account `bidderIndex`. */
  bid: (bidderIndex: number, lotId: bigint, amount: bigint) => Promise<TransactionReceipt>;
  deposit: (index: number, amount: bigint) => Promise<TransactionReceipt>;
  /** EIP-712 ChatAuthorization signed by account `index` for the relayer (account 1 unless given). */
  signChatAuthorization: (
    index: number,
    params: {
      maxBid: bigint;
      totalCap: bigint;
      expiry: bigint | number;
      nonce?: bigint;
      relayer?: Address;
      /** The chat identity it binds, "twitch:123" (default `twitch:<bidder address>`), or its hash. */
      chatId?: string;
      chatIdHash?: Hash;
    },
  ) => Promise<SignedChatAuthorization>;
  /** The relayer (account 1) registers a signed authorization (for the chat identity it was signed for). */
  registerAuthorization: (signed: SignedChatAuthorization) => Promise<TransactionReceipt>;
  /** The relayer (account 1) bids `amount` for `bidder` (an account index or address) from their escrow. */
  relayBid: (lotId: bigint, bidder: number | Address, amount: bigint) => Promise<TransactionReceipt>;
  /** Moves chain time forward and mines a block. */
  increaseTime: (seconds: number) => Promise<void>;
  mine: () => Promise<void>;
  /** Latest block timestamp (unix seconds). */
  now: () => Promise<number>;
  /** Settles as the admin. The contract then clears the lot's storage: `lot()` shows only the status. */
  settle: (lotId: bigint) => Promise<TransactionReceipt>;
  snapshot: () => Promise<Hash>;
  revert: (id: Hash) => Promise<void>;
  stop: () => Promise<void>;
};

/** keccak256 of a chat identity such as "twitch:12345", as the contract stores it. */
export const hashChatId = (chatId: string): Hash => keccak256(toBytes(chatId));

export { chatAuthorizationDomain, chatAuthorizationTypes };

const defaultTokenURI = (n: number) =>
  `data:application/json;base64,${Buffer.from(JSON.stringify({ name: `Test artwork #${n}`, description: "fixture" })).toString("base64")}`;

export async function startTestStack(options: StartTestStackOptions = {}): Promise<TestStack> {
  const node = await startHardhatNode({ intervalMs: options.intervalMs, echo: options.echo });
  try {
    return await setUp(node, options);
  } catch (error) {
    await node.stop();
    throw error;
  }
}

async function setUp(node: HardhatNode, options: StartTestStackOptions): Promise<TestStack> {
  const chain = hardhat;
  // Retries: a test that blocks the event loop (compiling, heavy CPU) can find its keep-alive socket
  // closed by the node, and the next request then fails once with "fetch failed".
  const transport = http(node.rpcUrl, { retryCount: 3, retryDelay: 100 });
  // Poll fast: a local node answers in milliseconds and tests wait on receipts all the time.
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
  const wallets = new Map<number, Wallet>();
  const wallet = (index: number): Wallet => {
    let w = wallets.get(index);
    if (!w) {
      w = createWalletClient({ account: localAccount(index), chain, transport, pollingInterval: 50 });
      wallets.set(index, w);
    }
    return w;
  };
  const address = (index: number) => localAccount(index).address as Address;
  const accounts = {
    admin: address(localRoles.admin),
    relayer: address(localRoles.relayer),
    treasury: address(localRoles.treasury),
    seller: address(localRoles.seller),
  };

  const deployment = await deployContracts({
    publicClient,
    walletClient: wallet(localRoles.admin) as WalletClient<Transport, Chain, Account>,
    admin: accounts.admin,
    treasury: accounts.treasury,
    relayer: options.grantRelayer === false ? undefined : accounts.relayer,
    protocolFeeBps: options.protocolFeeBps ?? 500,
    collection: {
      name: "SothebAIs Test",
      symbol: "SOTHT",
      contractURI: "",
      royaltyReceiver: accounts.seller,
      royaltyBps: 500,
      ...options.collection,
    },
  });
  const deploymentsDir = mkdtempSync(join(tmpdir(), "sothebais-deployments-"));
  saveDeployment(deployment, deploymentsDir);
  const house = deployment.auctionHouse;
  const collection = deployment.collection;

  const confirm = async (hash: Hash) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return receipt;
  };
  const houseWrite = async (index: number, functionName: string, args: readonly unknown[], value?: bigint) => {
    const w = wallet(index);
    // The typed overloads cannot follow a function name chosen at run time; the ABI still checks args.
    const hash = await w.writeContract({ address: house, abi: auctionHouseAbi, functionName, args, value } as unknown as Parameters<Wallet["writeContract"]>[0]);
    return confirm(hash);
  };

  let minted = 0;
  const mint: TestStack["mint"] = async ({ to = accounts.seller, uri } = {}) => {
    minted += 1;
    const hash = await wallet(localRoles.admin).writeContract({
      address: collection,
      abi: sothebaisCollectionAbi,
      functionName: "mint",
      args: [to, uri ?? defaultTokenURI(minted)],
    });
    const receipt = await confirm(hash);
    const transfer = parseEventLogs({ abi: sothebaisCollectionAbi, logs: receipt.logs, eventName: "Transfer" })[0];
    if (!transfer) throw new Error("mint emitted no Transfer");
    return (transfer.args as { tokenId: bigint }).tokenId;
  };

  const createCampaign: TestStack["createCampaign"] = async (name = "Test campaign", metadataURI = "", intermission = 0) => {
    const receipt = await houseWrite(localRoles.admin, "createCampaign", [name, metadataURI, intermission]);
    const event = parseEventLogs({ abi: auctionHouseAbi, logs: receipt.logs, eventName: "CampaignCreated" })[0];
    if (!event) throw new Error("createCampaign emitted no CampaignCreated");
    return BigInt((event.args as { campaignId: bigint | number }).campaignId);
  };

  const mintAndCreateLot: TestStack["mintAndCreateLot"] = async (p = {}) => {
    const tokenId = await mint({ uri: p.tokenURI });
    // Read, not cached: a test may have reverted to a snapshot taken before the approval.
    const approved = await publicClient.readContract({
      address: collection,
      abi: sothebaisCollectionAbi,
      functionName: "isApprovedForAll",
      args: [accounts.seller, house],
    });
    if (!approved) {
      const hash = await wallet(localRoles.seller).writeContract({
        address: collection,
        abi: sothebaisCollectionAbi,
        functionName: "setApprovalForAll",
        args: [house, true],
      });
      await confirm(hash);
    }
    const params = {
      campaignId: p.campaignId ?? 0n,
      nft: collection,
      tokenId,
      seller: accounts.seller,
      reserve: p.reserve ?? 0n,
      startTime: p.startTime ?? 0,
      duration: p.duration ?? 3600,
      minIncrementBps: p.minIncrementBps ?? 500,
      minIncrementFloor: p.minIncrementFloor ?? 1_000_000_000n, // the contract requires a floor; 1 gwei keeps bps tests exact
      timeBuffer: p.timeBuffer ?? 60,
    };
    const receipt = await houseWrite(localRoles.admin, "createLot", [params]);
    const event = parseEventLogs({ abi: auctionHouseAbi, logs: receipt.logs, eventName: "LotCreated" })[0];
    if (!event) throw new Error("createLot emitted no LotCreated");
    return (event.args as { lotId: bigint }).lotId;
  };

  const signChatAuthorization: TestStack["signChatAuthorization"] = async (index, p) => {
    const bidder = address(index);
    const nonce =
      p.nonce ?? ((await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "nonces", args: [bidder] })) as bigint);
    const authorization: ChatAuthorizationMessage = {
      bidder,
      relayer: p.relayer ?? accounts.relayer,
      chatIdHash: p.chatIdHash ?? hashChatId(p.chatId ?? `twitch:${bidder.toLowerCase()}`),
      maxBid: p.maxBid,
      totalCap: p.totalCap,
      expiry: BigInt(p.expiry),
      nonce,
    };
    const signature = await wallet(index).signTypedData({
      domain: chatAuthorizationDomain(chain.id, house),
      types: chatAuthorizationTypes,
      primaryType: "ChatAuthorization",
      message: authorization,
    });
    return { authorization, signature };
  };

  const registerAuthorization: TestStack["registerAuthorization"] = (signed) =>
    houseWrite(localRoles.relayer, "registerChatAuthorization", [signed.authorization, signed.signature]);

  const mine = async () => {
    await rpc(node.rpcUrl, "evm_mine");
  };

  const stack: TestStack = {
    node,
    chain,
    chainId: chain.id,
    rpcUrl: node.rpcUrl,
    wsUrl: node.wsUrl,
    deployment,
    deploymentsDir,
    env: { RPC_URL: node.rpcUrl, WS_URL: node.wsUrl, CHAIN_ID: String(chain.id), DEPLOYMENTS_DIR: deploymentsDir },
    publicClient: publicClient as PublicClient<Transport, Chain>,
    wallet,
    address,
    accounts,
    auctionHouse: house,
    collection,
    mint,
    createCampaign,
    mintAndCreateLot,
    bid: (bidderIndex, lotId, amount) => houseWrite(bidderIndex, "bid", [lotId], amount),
    deposit: (index, amount) => houseWrite(index, "deposit", [], amount),
    signChatAuthorization,
    registerAuthorization,
    relayBid: (lotId, bidder, amount) =>
      houseWrite(localRoles.relayer, "relayBid", [lotId, typeof bidder === "number" ? address(bidder) : bidder, amount]),
    increaseTime: async (seconds) => {
      await rpc(node.rpcUrl, "evm_increaseTime", [seconds]);
      await mine();
    },
    mine,
    now: async () => Number((await publicClient.getBlock()).timestamp),
    settle: (lotId) => houseWrite(localRoles.admin, "settle", [lotId]),
    snapshot: () => rpc<Hash>(node.rpcUrl, "evm_snapshot"),
    revert: async (id) => {
      const ok = await rpc<boolean>(node.rpcUrl, "evm_revert", [id]);
      if (!ok) throw new Error(`evm_revert ${id} failed`);
    },
    stop: async () => {
      await node.stop();
      rmSync(deploymentsDir, { recursive: true, force: true });
    },
  };
  return stack;
}
