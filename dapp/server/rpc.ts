/**
 * @module server/rpc
 * The read-only JSON-RPC proxy (`POST /svc/rpc`): what the dApp's reads need (views, receipts, gas
 * estimates, bounded logs) and nothing that writes, signs, subscribes or administers. Everything else is
 * answered here with a JSON-RPC error naming the method, never forwarded; a batch larger than the limit
 * is refused whole. Transactions are sent by the user's wallet through its own RPC, not through here.
 *
 * The upstream is the operator's RPC URL: its text never reaches a response (upstream failures are
 * answered with words of our own; upstream error messages pass through redactSecrets).
 */
import { redactSecrets } from "@sothebais/common/redact";

/** Methods forwarded; every other one is refused. */
export const RPC_ALLOWLIST: ReadonlySet<string> = new Set([
  "eth_call",
  "eth_chainId",
  "eth_blockNumber",
  "eth_getBalance",
  "eth_getTransactionReceipt",
  "eth_getLogs",
  "eth_estimateGas",
  "eth_gasPrice",
  "eth_maxPriorityFeePerGas",
  "eth_feeHistory",
  "eth_getBlockByNumber",
  // Read-only too, and asked by viem: waitForTransactionReceipt looks the transaction up to detect a
  // replacement, and contract reads check for code at an address.
  "eth_getTransactionByHash",
  "eth_getCode",
  "net_version",
]);

export type JsonRpcId = string | number | null;
export type JsonRpcRequest = { jsonrpc: "2.0"; id?: JsonRpcId; method: string; params?: unknown };
export type JsonRpcError = { jsonrpc: "2.0"; id: JsonRpcId; error: { code: number; message: string; data?: unknown } };
export type JsonRpcResponse = { jsonrpc: "2.0"; id: JsonRpcId; result?: unknown; error?: { code: number; message: string; data?: unknown } };

export const rpcError = (id: JsonRpcId, code: number, message: string): JsonRpcError => ({ jsonrpc: "2.0", id, error: { code, message } });

export type RpcLimits = { maxBatch: number; maxLogBlocks: number };

const idOf = (r: unknown): JsonRpcId => {
  const id = (r as { id?: unknown } | null)?.id;
  return typeof id === "string" || typeof id === "number" ? id : null;
};

const blockTags = new Set(["latest", "pending", "safe", "finalized"]);

/** A block parameter as a number: hex quantity, "earliest" = 0, a head tag = the head. Undefined when unreadable. */
function blockNumberOf(value: unknown, head: number): number | undefined {
  if (value === undefined || value === null) return head; // omitted: "latest"
  if (value === "earliest") return 0;
  if (typeof value === "string" && blockTags.has(value)) return head;
  if (typeof value === "string" && /^0x[0-9a-fA-F]{1,16}$/.test(value)) return Number.parseInt(value, 16);
  return undefined;
}

/** Whether an eth_getLogs filter needs the head to be judged (it names a tag, or omits a bound). */
export function logsNeedHead(params: unknown): boolean {
  const filter = Array.isArray(params) ? (params[0] as Record<string, unknown> | undefined) : undefined;
  if (!filter || typeof filter !== "object" || filter.blockHash !== undefined) return false;
  return [filter.fromBlock, filter.toBlock].some((v) => v === undefined || v === null || (typeof v === "string" && blockTags.has(v)));
}

/** Why an eth_getLogs filter is refused, or undefined when its block range is within `maxBlocks`. */
export function checkLogsRange(params: unknown, maxBlocks: number, head: number): string | undefined {
  const filter = Array.isArray(params) ? (params[0] as Record<string, unknown> | undefined) : undefined;
  if (!filter || typeof filter !== "object") return "eth_getLogs needs a filter object";
  if (filter.blockHash !== undefined) return undefined; // one block
  const from = blockNumberOf(filter.fromBlock, head);
  const to = blockNumberOf(filter.toBlock, head);
  if (from === undefined || to === undefined) return "eth_getLogs: fromBlock and toBlock must be block numbers or tags";
  const span = to - from + 1;
  if (span > maxBlocks) return `eth_getLogs over ${span} blocks: at most ${maxBlocks} through this proxy (narrow fromBlock/toBlock)`;
  return undefined;
}

export type Checked =
  /** Refused before anything is forwarded (not JSON-RPC, batch too large). */
  | { kind: "invalid"; response: JsonRpcError | JsonRpcError[] }
  | { kind: "ok"; batch: boolean; requests: unknown[] };

/** Parses the body's shape: one request or a batch of at most `maxBatch`. */
export function parseRpcBody(body: unknown, limits: RpcLimits): Checked {
  if (Array.isArray(body)) {
    if (body.length === 0) return { kind: "invalid", response: rpcError(null, -32600, "empty batch") };
    if (body.length > limits.maxBatch) {
      return { kind: "invalid", response: rpcError(null, -32600, `batch of ${body.length} requests: at most ${limits.maxBatch} through this proxy`) };
    }
    return { kind: "ok", batch: true, requests: body };
  }
  if (body && typeof body === "object") return { kind: "ok", batch: false, requests: [body] };
  return { kind: "invalid", response: rpcError(null, -32600, "expected a JSON-RPC request or batch") };
}

/** Why one request is refused here (allowlist, shape, log range), or undefined to forward it. */
export function refusal(request: unknown, limits: RpcLimits, head: number | undefined): JsonRpcError | undefined {
  const id = idOf(request);
  const r = request as Partial<JsonRpcRequest> | null;
  if (!r || typeof r !== "object" || typeof r.method !== "string") return rpcError(id, -32600, "expected a JSON-RPC request with a method");
  if (!RPC_ALLOWLIST.has(r.method)) {
    const name = r.method.slice(0, 64);
    return rpcError(id, -32601, `method "${name}" is not allowed through the dApp's read-only RPC proxy; send transactions through your wallet`);
  }
  if (r.method === "eth_getLogs") {
    const why = checkLogsRange(r.params, limits.maxLogBlocks, head ?? 0);
    if (why) return rpcError(id, -32005, why);
  }
  return undefined;
}

/** An upstream JSON-RPC answer with any error message redacted (a provider may quote the URL it was called on). */
export function cleanUpstream(response: unknown): JsonRpcResponse | undefined {
  if (!response || typeof response !== "object") return undefined;
  const r = response as JsonRpcResponse;
  if (r.error && typeof r.error === "object") {
    return { ...r, error: { ...r.error, message: redactSecrets(String(r.error.message ?? "upstream error")) } };
  }
  return r;
}
