/**
 * @module errors
 * One function turns any wallet, RPC or contract error into words: what happened and what to do.
 * Contract reverts are decoded against the ABI (viem's ContractFunctionRevertedError) and looked up by
 * the custom error's name, so no message string is ever parsed for meaning.
 */
import { BaseError, ContractFunctionRevertedError, formatEther } from "viem";
import { chainById } from "@sothebais/common/chains";

export type ErrorWords = {
  /** One short sentence: what went wrong. */
  title: string;
  /** What to do about it. */
  action?: string;
  /** The custom error's name when a contract reverted (for tests and support). */
  code?: string;
};

const eth = (v: unknown) => `${formatEther(BigInt(v as bigint))} ETH`;
const when = (v: unknown) => new Date(Number(v) * 1000).toLocaleString();
const statusWords = ["does not exist", "has not started", "is live", "has ended", "is settled", "was cancelled"];

/** Words for each custom error the contracts define, by name, from its decoded arguments. */
const revertWords: Record<string, (args: readonly unknown[]) => Omit<ErrorWords, "code">> = {
  AuctionHouseLotNotFound: ([id]) => ({ title: `Lot #${id} does not exist.`, action: "Check the link, or open the campaign page." }),
  AuctionHouseLotNotLive: ([id, status]) => ({
    title: `Lot #${id} ${statusWords[Number(status)] ?? "is not live"}, so it takes no bids.`,
    action: Number(status) === 1 ? "Wait for it to open; it is on your watchlist if you add it." : "Look at the next lot in the campaign.",
  }),
  AuctionHouseLotNotEnded: ([id, end]) => ({ title: `Lot #${id} is still running until ${when(end)}.`, action: "Settle it once the countdown reaches zero." }),
  AuctionHouseLotHasBids: ([id]) => ({ title: `Lot #${id} already has a bid, so it cannot be cancelled.`, action: "Let it end and settle it instead." }),
  AuctionHouseLotAlreadyClosed: ([id, status]) => ({ title: `Lot #${id} ${statusWords[Number(status)] ?? "is closed"}.`, action: "Nothing left to do for this lot." }),
  AuctionHouseCampaignNotFound: ([id]) => ({ title: `Campaign #${id} does not exist.`, action: "Create the campaign first, or pick another one." }),
  AuctionHouseInvalidLotParams: ([reason]) => ({ title: `The lot settings were refused: ${reason}.`, action: "Fix that field and try again." }),
  AuctionHouseBidTooLow: ([, amount, minimum]) => ({
    title: `Your bid of ${eth(amount)} is below the minimum of ${eth(minimum)}.`,
    action: "Someone may have bid just before you. Bid at least the new minimum.",
  }),
  AuctionHouseBidTooHigh: ([amount, maximum]) => ({ title: `A bid of ${eth(amount)} is above the cap of ${eth(maximum)}.`, action: "Bid less, or raise the cap on your account page." }),
  AuctionHouseInsufficientEscrow: ([, balance, needed]) => ({
    title: `Your escrow holds ${eth(balance)} but this needs ${eth(needed)}.`,
    action: "Deposit more to escrow, or pay the rest from your wallet.",
  }),
  AuctionHouseValueAboveAmount: ([value, amount]) => ({ title: `You sent ${eth(value)}, more than the bid of ${eth(amount)}.`, action: "Reload the page and bid again." }),
  AuctionHouseWithdrawFailed: ([, amount]) => ({ title: `Sending ${eth(amount)} to your address failed.`, action: "If this is a contract wallet, make sure it accepts ETH." }),
  AuctionHouseZeroAmount: () => ({ title: "The amount must be more than 0.", action: "Enter an amount." }),
  AuctionHouseFeeTooHigh: ([fee, max]) => ({ title: `A fee of ${Number(fee) / 100}% is above the maximum of ${Number(max) / 100}%.`, action: "Choose a lower fee." }),
  AuctionHouseZeroAddress: () => ({ title: "An address was empty (0x0).", action: "Enter a valid address." }),
  ChatAuthorizationExpired: ([expiry]) => ({ title: `The chat authorization expired on ${when(expiry)}.`, action: "Sign a new one with a later expiry." }),
  ChatAuthorizationRevokedOrMissing: () => ({ title: "There is no active chat authorization for this account.", action: "Link your chat account first." }),
  ChatAuthorizationWrongRelayer: () => ({ title: "The authorization names a different relayer.", action: "Sign it again from this page." }),
  ChatAuthorizationInvalidNonce: () => ({ title: "The authorization was already used or replaced.", action: "Sign a new one." }),
  ChatAuthorizationInvalidSignature: () => ({ title: "The signature does not match your address.", action: "Sign again with the connected account." }),
  ChatAuthorizationInvalidCaps: ([maxBid, totalCap]) => ({
    title: `The per-bid cap (${eth(maxBid)}) must be more than 0 and not above the total cap (${eth(totalCap)}).`,
    action: "Adjust the caps.",
  }),
  ChatAuthorizationZeroChatId: () => ({ title: "No chat identity was given.", action: "Type the code in chat again." }),
  ChatAuthorizationCapExceeded: ([, exposure, cap]) => ({ title: `This would put ${eth(exposure)} at stake, above your total cap of ${eth(cap)}.`, action: "Raise the cap or wait for a lot to settle." }),
  AccessControlUnauthorizedAccount: () => ({ title: "This account does not hold the role this action needs.", action: "Connect an admin, auctioneer or pauser account." }),
  AuctionHousePaused: () => ({ title: "Auctions are paused: no new bids or lots for now.", action: "Withdrawals and settlement still work. Try again when auctions resume." }),
  AuctionHouseNotPaused: () => ({ title: "Auctions are not paused.", action: "Nothing to resume." }),
  ChatAuthorizationMalformedSignature: () => ({ title: "The signature is malformed.", action: "Sign again from this page." }),
  SothebaisCollectionInvalidURI: ([uri]) => ({ title: `The token URI "${String(uri).slice(0, 40)}" is not valid.`, action: "Use an ipfs://, ar://, https:// or data: URI." }),
  EnforcedPause: () => ({ title: "Auctions are paused: no new bids or lots for now.", action: "Withdrawals and settlement still work. Try bidding again when auctions resume." }),
  ExpectedPause: () => ({ title: "Auctions are not paused.", action: "Nothing to resume." }),
  ERC721InsufficientApproval: () => ({ title: "The auction house may not move this token yet.", action: "Approve the auction house for the collection, then create the lot." }),
  ERC721IncorrectOwner: () => ({ title: "The seller does not own this token.", action: "Pick a token the seller owns." }),
  ERC721NonexistentToken: ([id]) => ({ title: `Token #${id} does not exist.`, action: "Mint it first, or pick another token." }),
};

type WithCode = { code?: unknown; name?: string; shortMessage?: string; message?: string; details?: string };

function chainName(id: number): string {
  try {
    return chainById(id).name;
  } catch {
    return `chain ${id}`;
  }
}

/** Finds the first error in the cause chain that satisfies `test`. */
function find(error: unknown, test: (e: WithCode) => boolean): WithCode | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 20; depth++) {
    if (typeof e === "object" && test(e as WithCode)) return e as WithCode;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function errorToWords(error: unknown, context: { chainId?: number } = {}): ErrorWords {
  const reverted =
    error instanceof BaseError ? (error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null) : null;
  const decoded = reverted?.data ?? find(error, (e) => e.name === "ContractFunctionRevertedError" && "data" in e)?.["data" as keyof WithCode];
  if (decoded && typeof decoded === "object" && "errorName" in decoded) {
    const { errorName, args = [] } = decoded as { errorName: string; args?: readonly unknown[] };
    const words = revertWords[errorName];
    return words ? { ...words(args), code: errorName } : { title: `The contract refused: ${errorName}.`, code: errorName };
  }
  if (find(error, (e) => e.code === 4001 || e.name === "UserRejectedRequestError"))
    return { title: "You rejected the request in your wallet. Nothing was sent.", action: "Try again and approve it when you are ready.", code: "UserRejected" };
  const mismatch = find(error, (e) => e.name === "ChainMismatchError" || e.name === "ConnectorChainMismatchError" || e.code === 4902);
  if (mismatch)
    return {
      title: "Your wallet is on a different network.",
      action: context.chainId ? `Switch your wallet to ${chainName(context.chainId)} (chain id ${context.chainId}).` : "Switch networks in your wallet.",
      code: "WrongChain",
    };
  if (find(error, (e) => e.name === "InsufficientFundsError" || /insufficient funds/i.test(`${e.details ?? ""} ${e.message ?? ""}`)))
    return { title: "Your wallet does not have enough ETH for this and its gas.", action: "Add ETH to your wallet, or use your escrow balance.", code: "InsufficientFunds" };
  if (find(error, (e) => e.name === "ConnectorNotConnectedError" || e.name === "ConnectorAccountNotFoundError"))
    return { title: "No wallet is connected.", action: "Connect a wallet first.", code: "NotConnected" };
  if (find(error, (e) => e.name === "HttpRequestError" || e.name === "TimeoutError" || e.name === "WebSocketRequestError" || e.name === "TypeError" && /fetch/i.test(e.message ?? "")))
    return { title: "The network did not answer.", action: "Check your connection; the page keeps retrying on its own.", code: "Network" };
  const short = (error as WithCode)?.shortMessage ?? (error as WithCode)?.message ?? String(error);
  return { title: short.split("\n")[0], action: "Try again. If it keeps happening, reload the page." };
}
