/**
 * @module sender
 * Sends the relayer's transactions with its own nonces, many in flight, each one exactly once:
 * - a job gets one nonce for life (`allocNonce`), so two attempts at the same job can never both land;
 * - the signed tx (hash + raw) is recorded in Redis *before* it is sent, so after a kill -9 the job is
 *   found again by its hash and re-broadcast (same bytes, same hash), never re-signed into a new tx;
 * - receipts are found by scanning new blocks for our hashes (no per-tx polling);
 * - a nonce gap (a nonce allocated by a process that died before signing) is filled with a no-op
 *   after it stalls the account, and its job, if it ever resumes, allocates again;
 * - RPC failures are retried with backoff; a chat notice goes out once per outage;
 * - a tx not mined `bumpAfterBlocks` blocks after it was sent (the base fee rose above its max fee) is
 *   replaced: same nonce, both fees up at least 10 % (what nodes require to take a replacement), never
 *   above `maxFeePerGas`. The replacement is recorded before it is sent, beside the hashes it replaces;
 *   any one of them can be mined, never two (one nonce), and the job ends with the hash that was.
 */
import { isNetworkError } from "@sothebais/common/errors";
import type { Logger } from "@sothebais/common/log";
import { type Address, type Hash, type Hex, keccak256, parseTransaction, type PublicClient, TransactionNotFoundError, TransactionReceiptNotFoundError, type TransactionReceipt } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Head } from "./head.ts";
import { keys, type Store } from "./store.ts";

export type SendResult = { hash: Hash; receipt: TransactionReceipt; nonce: number };
export type Call = { to: Address; data: Hex; gas?: bigint };

export type SenderOptions = {
  client: PublicClient;
  redis: Store;
  privateKey: Hex;
  chainId: number;
  gasLimit: bigint;
  /** The shared head poller: new blocks are scanned for our hashes as it sees them. */
  head: Head;
  lowBalance: bigint;
  /** Ceiling on maxFeePerGas (wei), first sends and replacements alike. */
  maxFeePerGas: bigint;
  /** Blocks a tx may stay unmined before it is replaced with a higher fee. */
  bumpAfterBlocks: number;
  log: Logger;
  /** Called once when the RPC starts failing and once when it is back. */
  onRpcState?: (up: boolean) => void;
  /** Called when the balance crosses the low-balance threshold (either way). */
  onBalanceState?: (low: boolean, balance: bigint) => void;
};

/** One job's wait: every hash signed for its nonce resolves it (the first one mined). */
type Waiter = { hashes: Set<string>; resolve: (r: TransactionReceipt) => void };
type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };
/** The tx a job has out: the latest signed for its nonce, and every hash signed for that nonce. */
type Signed = { nonce: number; hash: Hash; raw: Hex; hashes: Hash[] };

/** Every hash a tx record holds: the current one and those it replaced. */
const recordedHashes = (rec: Record<string, string>): Hash[] => [...(rec.prior ? rec.prior.split(",") : []), ...(rec.hash ? [rec.hash] : [])] as Hash[];

/** +12.5 % and 1 wei: above the 10 % nodes require of a replacement, whatever the rounding. */
const bump = (fee: bigint) => fee + fee / 8n + 1n;

const walkName = (e: unknown, name: string) => {
  for (let c = e as { name?: string; cause?: unknown } | undefined, i = 0; c && i < 10; c = c.cause as typeof c, i++) if (c.name === name) return true;
  return false;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);
const isNonceTooHigh = (e: unknown) => /nonce too high/i.test(String((e as Error)?.message ?? e));
const isKnown = (e: unknown) => /already known|known transaction|already imported|nonce too low|nonce has already been used|replacement transaction underpriced|AlreadyKnown/i.test(String((e as Error)?.message ?? e));

export function createSender(o: SenderOptions) {
  const account = privateKeyToAccount(o.privateKey);
  const address = account.address;
  const waiters = new Map<string, Waiter>();
  let rpcUp = true;
  let lastBlock: bigint | undefined;
  let fees: (Fees & { at: number }) | undefined;
  let balance: bigint | undefined;
  let low = false;
  let stopped = false;
  let chainNonce = { latest: -1, changedAt: Date.now() };
  const stats = { sent: 0, rebroadcast: 0, gapsFilled: 0, reallocated: 0, replaced: 0 };

  const rpcOk = () => {
    if (!rpcUp) {
      rpcUp = true;
      o.onRpcState?.(true);
    }
  };
  const rpcFail = (error: unknown) => {
    if (rpcUp) {
      rpcUp = false;
      o.log.warn("rpc unavailable, retrying", { error });
      o.onRpcState?.(false);
    }
  };

  /** Runs `fn` until it succeeds, backing off on network errors; other errors are thrown. */
  const retry = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const v = await fn();
        rpcOk();
        return v;
      } catch (error) {
        if (!isNetworkError(error) || stopped) throw error;
        rpcFail(error);
        await sleep(Math.min(100 * 2 ** attempt, 3000));
      }
    }
  };

  const getFees = async () => {
    if (fees && Date.now() - fees.at < 2000) return fees;
    const block = await o.client.getBlock({ blockTag: "latest" });
    const base = block.baseFeePerGas ?? (await o.client.getGasPrice());
    const tip = 1_000_000n;
    // 3x the base fee: room for a few full blocks of fee growth, so in-flight txs don't get stuck
    // (a bigger jump is met by replacing them). Never above the configured ceiling.
    const maxFeePerGas = min(base * 3n + tip, o.maxFeePerGas);
    fees = { maxFeePerGas, maxPriorityFeePerGas: min(tip, maxFeePerGas), at: Date.now() };
    return fees;
  };

  /** Resolves with the receipt of whichever of the job's hashes is mined; `also` adds a replacement's hash. */
  const waitReceipt = (hashes: Hash[]) => {
    let waiter: Waiter | undefined;
    const receipt = new Promise<TransactionReceipt>((resolve) => {
      waiter = { hashes: new Set(), resolve };
    });
    const w = waiter as Waiter;
    const also = (hash: Hash) => {
      w.hashes.add(hash.toLowerCase());
      waiters.set(hash.toLowerCase(), w);
      // It may already be mined (a restart after the receipt): look once at once.
      void o.client.getTransactionReceipt({ hash }).then(found, () => {});
    };
    for (const h of hashes) also(h);
    const forget = () => {
      for (const h of w.hashes) if (waiters.get(h) === w) waiters.delete(h);
    };
    return { receipt, also, forget };
  };

  const found = (receipt: TransactionReceipt) => {
    const w = waiters.get(receipt.transactionHash.toLowerCase());
    if (!w) return;
    for (const h of w.hashes) if (waiters.get(h) === w) waiters.delete(h);
    w.resolve(receipt);
  };
  const jobsWaiting = () => new Set(waiters.values()).size;

  const broadcast = async (raw: Hex) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await retry(() => o.client.sendRawTransaction({ serializedTransaction: raw }));
        return;
      } catch (error) {
        if (isKnown(error)) return;
        // Automining nodes refuse a nonce above the next one instead of queueing it: the lower nonce
        // (another lot's tx, or another instance's) is a few ms behind. Try again shortly; a real gap is
        // filled by repairGap.
        if (isNonceTooHigh(error) && !stopped) {
          await sleep(Math.min(10 * 2 ** attempt, 500));
          continue;
        }
        // A revert reported at send time (automine nodes do this): the tx is mined anyway, find its receipt.
        if (/revert/i.test(String((error as Error).message))) return;
        throw error;
      }
    }
  };

  const sign = (call: Call, nonce: number, f: Fees) =>
    account.signTransaction({
      chainId: o.chainId,
      type: "eip1559",
      to: call.to,
      data: call.data,
      nonce,
      gas: call.gas ?? o.gasLimit,
      maxFeePerGas: f.maxFeePerGas,
      maxPriorityFeePerGas: f.maxPriorityFeePerGas,
      value: 0n,
    });

  /**
   * Sends `call` for `jobId` once and resolves with its receipt. Calling again with the same job (after a
   * crash, or from another instance) re-broadcasts the recorded tx instead of making a new one.
   */
  async function send(jobId: string, call: Call): Promise<SendResult> {
    const txKey = keys.tx(jobId);
    for (;;) {
      const rec = await o.redis.hgetall(txKey);
      if (rec.raw && rec.hash && rec.state === "signed") {
        const nonce = Number(rec.nonce);
        const receipt = await resume(txKey, { nonce, hash: rec.hash as Hash, raw: rec.raw as Hex, hashes: recordedHashes(rec) });
        if (receipt) return mined(txKey, receipt, nonce);
        // Our nonce went to another tx: this job's tx can never be mined. Allocate again.
        await o.redis.hset(txKey, "state", "burned");
        stats.reallocated++;
        continue;
      }
      const floor = chainNonce.latest >= 0 ? chainNonce.latest : await retry(() => o.client.getTransactionCount({ address, blockTag: "latest" }));
      const nonce = await o.redis.allocNonce(txKey, keys.nonce(address), keys.nonceOwners(address), jobId, floor, Date.now());
      const f = await retry(getFees);
      const raw = await sign(call, nonce, f);
      const hash = keccak256(raw);
      if (!(await o.redis.markSigned(txKey, nonce, hash, raw, Date.now()))) continue; // burned meanwhile
      stats.sent++;
      const receipt = await resume(txKey, { nonce, hash, raw, hashes: [hash] });
      if (receipt) return mined(txKey, receipt, nonce);
      await o.redis.hset(txKey, "state", "burned");
      stats.reallocated++;
    }
  }

  /** The record ends with the hash that was mined (a replacement's, or the one it replaced). */
  async function mined(txKey: string, receipt: TransactionReceipt, nonce: number): Promise<SendResult> {
    await o.redis.hset(txKey, "hash", receipt.transactionHash, "minedIn", String(receipt.blockNumber));
    return { hash: receipt.transactionHash, receipt, nonce };
  }

  /**
   * Broadcasts (again) and waits, replacing the tx with a higher fee while it is not mined; undefined
   * when the nonce was provably used by a tx that is none of ours.
   */
  async function resume(txKey: string, first: Signed): Promise<TransactionReceipt | undefined> {
    let tx = first;
    await broadcast(tx.raw);
    const wait = waitReceipt(tx.hashes);
    let sentAt = o.head.current();
    let checkedAt = Date.now();
    for (;;) {
      const r = await Promise.race([wait.receipt, sleep(250).then(() => undefined)]);
      if (r) return r;
      if (stopped) return new Promise(() => {}); // never resolves: the process is going away
      try {
        const head = o.head.current();
        if (sentAt === undefined) sentAt = head;
        // Behind one of our own lower nonces that is not mined yet, a higher fee cannot help: that one is
        // replaced by its own job.
        else if (head !== undefined && head - sentAt >= BigInt(o.bumpAfterBlocks) && chainNonce.latest >= tx.nonce) {
          sentAt = head;
          const next = await replace(txKey, tx);
          if (next) {
            for (const h of next.hashes) if (!tx.hashes.includes(h)) wait.also(h);
            tx = next;
            await broadcast(next.raw);
          }
        }
        if (Date.now() - checkedAt < 3000) continue;
        checkedAt = Date.now();
        // Not seen for 3 s. Only "not found" answers count as evidence; an RPC error proves nothing.
        const verdict = await check(txKey, tx);
        if (verdict === "lost") {
          wait.forget();
          return undefined;
        }
        if (typeof verdict === "object") {
          found(verdict);
          return verdict;
        }
      } catch (error) {
        if (!isNetworkError(error)) o.log.warn("receipt check failed", { error: String((error as Error).message) });
        else rpcFail(error);
      }
    }
  }

  /** Where a tx not seen for a while stands: mined (its receipt), lost (nonce used by another tx), or pending. */
  async function check(txKey: string, tx: Signed): Promise<TransactionReceipt | "lost" | "pending"> {
    for (const h of tx.hashes) {
      const receipt = await receiptOrUndefined(h);
      if (receipt) return receipt;
    }
    const latest = await o.client.getTransactionCount({ address, blockTag: "latest" });
    const known = (await Promise.all(tx.hashes.map(txOrUndefined))).some(Boolean);
    if (latest > tx.nonce && !known) {
      // Our nonce went to another transaction (a gap filler, or a tx of a burned record): none of ours
      // can land. Look once more, at every hash recorded for the job (another instance resuming it may
      // have replaced it): one of ours may have been mined between the reads.
      for (const h of new Set([...tx.hashes, ...recordedHashes(await o.redis.hgetall(txKey))])) {
        const again = await receiptOrUndefined(h);
        if (again) return again;
      }
      return "lost";
    }
    if (!known) {
      stats.rebroadcast++;
      await broadcast(tx.raw);
    }
    return "pending";
  }

  /**
   * The same call with the same nonce and a higher fee, recorded before it is sent; undefined when the
   * ceiling leaves no room for the 10 % nodes require, or another instance replaced it first.
   */
  let capWarned = 0;
  async function replace(txKey: string, tx: Signed): Promise<Signed | undefined> {
    const old = parseTransaction(tx.raw);
    if (old.type !== "eip1559" || old.to == null) return undefined;
    const block = await o.client.getBlock({ blockTag: "latest" });
    const base = block.baseFeePerGas ?? 0n;
    const tip = bump(old.maxPriorityFeePerGas ?? 0n);
    // Enough for the base fee now with room for it to keep rising, and at least the required bump.
    const maxFeePerGas = min(max(bump(old.maxFeePerGas ?? 0n), base * 2n + tip), o.maxFeePerGas);
    if (maxFeePerGas < bump(old.maxFeePerGas ?? 0n) || tip > maxFeePerGas) {
      if (Date.now() - capWarned > 60_000) {
        capWarned = Date.now();
        o.log.warn("tx stuck below the base fee and MAX_FEE_GWEI leaves no room to replace it: waiting for the base fee to fall", { nonce: tx.nonce, baseFee: base, maxFeePerGas: o.maxFeePerGas });
      }
      return undefined;
    }
    const raw = await sign({ to: old.to, data: old.data ?? "0x", gas: old.gas }, tx.nonce, { maxFeePerGas, maxPriorityFeePerGas: tip });
    const hash = keccak256(raw);
    if (!(await o.redis.replaceSigned(txKey, tx.nonce, tx.hash, hash, raw, Date.now()))) {
      // Another instance resuming this job replaced it first: wait for its tx (and every earlier one).
      const rec = await o.redis.hgetall(txKey);
      if (rec.state !== "signed" || Number(rec.nonce) !== tx.nonce || !rec.hash || !rec.raw) return undefined;
      return { nonce: tx.nonce, hash: rec.hash as Hash, raw: rec.raw as Hex, hashes: [...new Set([...tx.hashes, ...recordedHashes(rec)])] };
    }
    stats.replaced++;
    o.log.info("tx replaced with a higher fee", { nonce: tx.nonce, replacedTxHash: tx.hash, txHash: hash, maxFeePerGas, baseFee: base });
    return { nonce: tx.nonce, hash, raw, hashes: [...tx.hashes, hash] };
  }

  const receiptOrUndefined = (hash: Hash) =>
    o.client.getTransactionReceipt({ hash }).catch((error) => {
      if (error instanceof TransactionReceiptNotFoundError || walkName(error, "TransactionReceiptNotFoundError")) return undefined;
      throw error;
    });
  const txOrUndefined = (hash: Hash) =>
    o.client.getTransaction({ hash }).catch((error) => {
      if (error instanceof TransactionNotFoundError || walkName(error, "TransactionNotFoundError")) return undefined;
      throw error;
    });

  /** Scans the blocks up to `head` for our hashes; one scan at a time, a newer head scans again after. */
  let scanning = false;
  let wanted: bigint | undefined;
  async function scanTo(head: bigint) {
    wanted = head;
    if (scanning) return;
    scanning = true;
    try {
      while (!stopped && wanted !== undefined) {
        const target: bigint = wanted;
        wanted = undefined;
        if (lastBlock === undefined || target < lastBlock) lastBlock = target; // first head, or a new chain
        while (lastBlock !== undefined && lastBlock < target && waiters.size) {
          const n: bigint = lastBlock + 1n;
          const block = await o.client.getBlock({ blockNumber: n });
          const ours = block.transactions.filter((h) => waiters.has(h.toLowerCase()));
          const receipts = await Promise.all(ours.map((hash) => o.client.getTransactionReceipt({ hash })));
          receipts.forEach(found);
          lastBlock = n;
        }
        lastBlock = target;
      }
    } catch (error) {
      // The blocks not scanned yet are scanned with the next head (lastBlock did not move past them).
      if (isNetworkError(error)) rpcFail(error);
      else o.log.warn("block scan failed", { error });
    } finally {
      scanning = false;
    }
  }

  /** Chain nonce, gap repair and balance, every second. */
  async function watchAccount() {
    while (!stopped) {
      try {
        const [latest, bal] = await Promise.all([
          o.client.getTransactionCount({ address, blockTag: "latest" }),
          o.client.getBalance({ address }),
        ]);
        rpcOk();
        if (latest !== chainNonce.latest) chainNonce = { latest, changedAt: Date.now() };
        balance = bal;
        const isLow = bal < o.lowBalance;
        if (isLow !== low) {
          low = isLow;
          (isLow ? o.log.error : o.log.info)(isLow ? "relayer balance low: chat bids paused" : "relayer balance ok again", { address, balance: bal });
          o.onBalanceState?.(isLow, bal);
        }
        await repairGap(latest);
      } catch (error) {
        if (isNetworkError(error)) rpcFail(error);
        else o.log.warn("account watch failed", { error });
      }
      await sleep(1000);
    }
  }

  /** The account is stuck at `latest` while higher nonces were handed out: fix the missing one. */
  async function repairGap(latest: number) {
    const next = Number((await o.redis.get(keys.nonce(address))) ?? -1);
    if (next <= latest || Date.now() - chainNonce.changedAt < 5000) return;
    const owner = await o.redis.hget(keys.nonceOwners(address), String(latest));
    const rec = owner ? await o.redis.hgetall(keys.tx(owner)) : {};
    if (rec.state === "signed" && rec.raw) {
      o.log.warn("nonce gap: re-broadcasting the recorded tx", { nonce: latest, job: owner });
      stats.rebroadcast++;
      await broadcast(rec.raw as Hex);
      return;
    }
    if (owner && rec.state === "allocated" && !(await o.redis.burnIfUnsigned(keys.tx(owner)))) return; // signed meanwhile
    o.log.warn("nonce gap: filling with a no-op", { nonce: latest, job: owner });
    const raw = await sign({ to: address, data: "0x", gas: 21_000n }, latest, await getFees());
    stats.gapsFilled++;
    await broadcast(raw);
    chainNonce.changedAt = Date.now();
  }

  return {
    address,
    send,
    stats: () => ({ ...stats, inFlight: jobsWaiting() }),
    health: () => ({ rpcUp, balance, low, inFlight: jobsWaiting(), chainNonce: chainNonce.latest }),
    isLow: () => low,
    isRpcUp: () => rpcUp,
    start: () => {
      o.head.onHead((head) => void scanTo(head));
      o.head.onPoll((ok, error) => (ok ? rpcOk() : isNetworkError(error) && rpcFail(error)));
      void watchAccount();
    },
    stop: () => {
      stopped = true;
    },
  };
}

export type Sender = ReturnType<typeof createSender>;
