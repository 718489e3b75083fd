/**
 * @module server/rpc-cache
 * Idempotent reads of the read-only RPC proxy answered once per block for every viewer: when a lot page
 * is open on 10,000 phones, each asks the same `eth_call`s and `eth_blockNumber` every few seconds, and
 * without this the operator's RPC (metered per request) would answer each one.
 *
 * - `eth_chainId`, `net_version`: the first answer, for as long as the process runs.
 * - `eth_blockNumber`: one answer serves `headTtlMs` (about a block time). It is also the head that
 *   the per-block entries are judged by.
 * - `eth_call`, `eth_getBalance`, `eth_getCode` at `latest` (or no block tag), keyed by method and
 *   params: one answer per head; when the head moves every such entry is dropped. Other tags and block
 *   numbers are forwarded as they are.
 * - Identical requests while one is in flight share it: one upstream call.
 * - Only answers with a `result` are kept; an error (a revert, an unreachable RPC) is passed on, not kept.
 *
 * A viewer can see an answer up to `headTtlMs` older than the chain's newest block: the same as asking an
 * RPC node that is one block behind, which the dApp already tolerates.
 */
import type { JsonRpcId, JsonRpcResponse } from "./rpc.ts";

export type RpcRequest = { jsonrpc?: string; id?: JsonRpcId; method: string; params?: unknown };

/** Sends requests upstream in one call; resolves with one answer per request, in the same order. */
export type RpcSend = (requests: RpcRequest[]) => Promise<JsonRpcResponse[]>;

export type RpcCacheOptions = {
  /** How long one `eth_blockNumber` answer stands for the head (0: every request is forwarded). */
  headTtlMs: number;
  /** Per-block entries kept at most (distinct calls within one block); past it the oldest goes. */
  maxEntries: number;
  /** Counts cache hits by method. */
  onHit?: (method: string) => void;
};

type Entry = { value: Promise<JsonRpcResponse>; at: number };

const FOREVER = new Set(["eth_chainId", "net_version"]);
/** Methods whose block tag is their last parameter. */
const AT_BLOCK: Record<string, number> = { eth_call: 1, eth_getBalance: 1, eth_getCode: 1 };

/** Where a request's answer may be kept, or undefined when it must be forwarded. */
function kind(r: RpcRequest): "forever" | "head" | "block" | undefined {
  if (FOREVER.has(r.method)) return "forever";
  if (r.method === "eth_blockNumber") return "head";
  const tagAt = AT_BLOCK[r.method];
  if (tagAt === undefined || !Array.isArray(r.params)) return undefined;
  const tag = r.params[tagAt];
  return tag === undefined || tag === "latest" ? "block" : undefined;
}

const noAnswer = (id: JsonRpcId): JsonRpcResponse => ({ jsonrpc: "2.0", id, error: { code: -32603, message: "no answer from the chain's RPC" } });

const keyOf = (r: RpcRequest) => `${r.method}:${JSON.stringify(r.params ?? [])}`;

export type RpcCache = ReturnType<typeof createRpcCache>;

export function createRpcCache(o: RpcCacheOptions) {
  const forever = new Map<string, Entry>();
  const perBlock = new Map<string, Entry>();
  let headEntry: Entry | undefined;
  /** The head the per-block entries were answered at. */
  let entriesHead: number | undefined;

  const keep = (answer: JsonRpcResponse) => answer.result !== undefined && answer.error === undefined;

  /** The head as a number from an `eth_blockNumber` answer; a moved head drops the per-block entries. */
  function observeHead(answer: JsonRpcResponse): number | undefined {
    const head = typeof answer.result === "string" ? Number.parseInt(answer.result, 16) : Number.NaN;
    if (!Number.isFinite(head)) return undefined;
    if (head !== entriesHead) {
      perBlock.clear();
      entriesHead = head;
    }
    return head;
  }

  const headFresh = () => headEntry !== undefined && Date.now() - headEntry.at < o.headTtlMs;

  /** Starts an `eth_blockNumber` upstream call as the head entry; an answer without a head is not kept. */
  function refreshHead(send: RpcSend): Entry {
    const value = send([{ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }]).then(([a]) => a ?? noAnswer(1));
    const entry: Entry = { value, at: Date.now() };
    headEntry = entry;
    const drop = () => headEntry === entry && (headEntry = undefined);
    value.then((a) => (keep(a) && observeHead(a) !== undefined) || drop(), drop);
    return entry;
  }

  /** The chain head, from one `eth_blockNumber` per `headTtlMs` at most; undefined when the RPC did not answer. */
  async function head(send: RpcSend): Promise<number | undefined> {
    const entry = headFresh() ? (headEntry as Entry) : refreshHead(send);
    const a = await entry.value.catch(() => undefined);
    return a && keep(a) ? observeHead(a) : undefined;
  }

  /**
   * Answers `requests` (in order, each with its own id): kept answers and shared in-flight calls where it
   * may, everything else in one upstream call through `send`.
   */
  async function answer(requests: RpcRequest[], send: RpcSend): Promise<JsonRpcResponse[]> {
    if (o.headTtlMs <= 0) return send(requests);
    const kinds = requests.map(kind);
    const headBefore = headFresh() ? headEntry : undefined;
    // The per-block entries are only as good as the head they are judged by: without one, forward.
    const headNow = kinds.includes("block") ? await head(send) : undefined;

    const answers: Promise<JsonRpcResponse>[] = [];
    const toSend: RpcRequest[] = [];
    const settle: ((answer: JsonRpcResponse | Error) => void)[] = [];
    requests.forEach((r, i) => {
      const k = kinds[i];
      if (k === "head") {
        // The head entry is shared: by viewers asking for it and by the per-block entries' check.
        const entry = headFresh() ? (headEntry as Entry) : refreshHead(send);
        if (entry === headBefore) o.onHit?.(r.method);
        answers.push(entry.value);
        return;
      }
      const map = k === "forever" ? forever : k === "block" && headNow !== undefined ? perBlock : undefined;
      const found = map?.get(keyOf(r));
      if (found) {
        o.onHit?.(r.method);
        answers.push(found.value);
        return;
      }
      let done!: (answer: JsonRpcResponse | Error) => void;
      const value = new Promise<JsonRpcResponse>((resolve, reject) => {
        done = (a) => (a instanceof Error ? reject(a) : resolve(a));
      });
      value.catch(() => {});
      answers.push(value);
      toSend.push(r);
      if (!map) {
        settle.push(done);
        return;
      }
      const key = keyOf(r);
      const entry: Entry = { value, at: Date.now() };
      map.set(key, entry);
      if (map === perBlock && perBlock.size > o.maxEntries) perBlock.delete(perBlock.keys().next().value as string);
      settle.push((a) => {
        if (a instanceof Error || !keep(a)) {
          if (map.get(key) === entry) map.delete(key);
        }
        done(a);
      });
    });

    if (toSend.length) {
      try {
        const upstream = await send(toSend);
        toSend.forEach((r, k) => {
          settle[k](upstream[k] ?? noAnswer(r.id ?? null));
        });
      } catch (error) {
        for (const s of settle) s(error instanceof Error ? error : new Error(String(error)));
      }
    }
    const out = await Promise.all(answers);
    return out.map((a, i) => ({ ...a, id: requests[i].id ?? null }));
  }

  return { answer, head };
}
