/**
 * @module lib/errors
 * Turns anything a command can throw into ONE line a person can act on: a decoded custom error with its
 * arguments (role ids named), an unfunded account, an unreachable RPC, a bad file. No stack traces.
 */
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import { roles } from "@sothebais/common/deploy";
import { AppError } from "@sothebais/common/errors";
import { type Abi, BaseError, ContractFunctionRevertedError, decodeErrorResult, formatEther, type Hex, HttpRequestError, InsufficientFundsError } from "viem";
import { gasbackAbi } from "./gasback.ts";
import { lotStatusNames } from "./lots.ts";

/** Every custom error our contracts (and the OpenZeppelin code inside them) can revert with. */
export const errorsAbi = [...auctionHouseAbi, ...sothebaisCollectionAbi, ...gasbackAbi].filter((item) => item.type === "error") as Abi;

const roleNames = new Map<string, string>(Object.entries(roles).map(([name, id]) => [id.toLowerCase(), name]));

/** "AUCTIONEER_ROLE" for a known role id, the id itself otherwise. */
export const roleName = (id: string) => roleNames.get(id.toLowerCase()) ?? id;

/** What to add to an error line: which account and network were involved. */
export type ErrorContext = { account?: string; network?: string; rpcUrl?: string; balance?: bigint };

/** Decodes revert data against all our ABIs: `{ name, args }`, or undefined for unknown data. */
export function decodeRevert(data: Hex | undefined): { name: string; args: readonly unknown[] } | undefined {
  if (!data || data === "0x") return undefined;
  try {
    const decoded = decodeErrorResult({ abi: errorsAbi, data });
    return { name: decoded.errorName, args: (decoded.args ?? []) as readonly unknown[] };
  } catch {
    return undefined;
  }
}

const formatArg = (value: unknown): string => {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" && /^0x[0-9a-fA-F]{64}$/.test(value)) return roleName(value);
  return String(value);
};

/** A decoded revert as a sentence; the common ones in plain words. */
export function describeRevert(name: string, args: readonly unknown[]): string {
  switch (name) {
    case "AccessControlUnauthorizedAccount":
      return `${args[0]} lacks ${roleName(String(args[1]))}`;
    case "EnforcedPause":
      return "the auction house is paused (EnforcedPause)";
    case "ExpectedPause":
      return "the auction house is not paused (ExpectedPause)";
    case "AuctionHouseLotNotLive":
    case "AuctionHouseLotAlreadyClosed":
      // the second argument is IAuctionHouse.LotStatus: name it
      return `${name}(${args[0]}, ${lotStatusNames[Number(args[1])] ?? args[1]})`;
    case "AuctionHouseInsufficientEscrow":
      return `AuctionHouseInsufficientEscrow: ${args[0]} has ${formatEther(args[1] as bigint)} ETH in escrow, needs ${formatEther(args[2] as bigint)} ETH`;
    default:
      return `${name}(${args.map(formatArg).join(", ")})`;
  }
}

function walk(error: unknown, predicate: (e: unknown) => boolean): unknown {
  let e: unknown = error;
  for (let depth = 0; e && depth < 20; depth++) {
    if (predicate(e)) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** One line (no newline) saying what went wrong and, where it helps, what to do. */
export function explainError(error: unknown, ctx: ErrorContext = {}): string {
  if (error instanceof AppError) return [error.message, ...error.hints].join(" — ");

  const reverted = walk(error, (e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | undefined;
  if (reverted) {
    const decoded = decodeRevert(reverted.raw);
    const fn = (walk(error, (e) => typeof (e as { functionName?: unknown }).functionName === "string") as { functionName?: string } | undefined)?.functionName;
    const what = fn ? `${fn} reverted` : "transaction reverted";
    if (decoded) return `${what}: ${describeRevert(decoded.name, decoded.args)}`;
    if (reverted.reason) return `${what}: ${reverted.reason}`;
    if (reverted.raw && reverted.raw !== "0x") return `${what} with unknown error data ${reverted.raw.slice(0, 10)}`;
    return `${what} without a reason`;
  }

  const noFunds = (e: unknown) =>
    e instanceof InsufficientFundsError || /enough funds|insufficient funds/i.test(String((e as { details?: unknown })?.details ?? ""));
  if (walk(error, noFunds)) {
    const who = ctx.account ? `account ${ctx.account}` : "the signing account";
    const balance = ctx.balance !== undefined ? ` (balance ${formatEther(ctx.balance)} ETH)` : "";
    return `${who} cannot pay for this transaction on ${ctx.network ?? "this network"}${balance} — fund it with ETH first`;
  }

  const http = walk(error, (e) => e instanceof HttpRequestError) as HttpRequestError | undefined;
  const refused = walk(error, (e) => /ECONNREFUSED|fetch failed|ENOTFOUND|ETIMEDOUT/.test(String((e as Error)?.message ?? "") + String((e as { code?: string })?.code ?? "")));
  if (http || refused) {
    const url = http?.url ?? ctx.rpcUrl ?? "the RPC";
    const hint = ctx.network === "local" || !ctx.network ? "start the local stack (./sothebais up) or set RPC_URL" : "check the RPC URL and your connection";
    if (http?.status) return `RPC ${url} answered HTTP ${http.status} — ${hint}`;
    return `cannot reach ${url} — ${hint}`;
  }

  if (error instanceof BaseError) {
    const details = error.details && !error.shortMessage.includes(error.details) ? `: ${error.details.split("\n")[0]}` : "";
    return `${error.shortMessage.split("\n")[0].replace(/\.$/, "")}${details}`;
  }
  if (error instanceof Error) return error.message.split("\n")[0];
  return String(error);
}
