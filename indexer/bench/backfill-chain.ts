/**
 * The backfill bench's parts: the chain: `bids` BidPlaced events over 20 lots, many bids per block (a burst), made
 * fast through the node's unlocked accounts in JSON-RPC batches, then buried past Ponder's finality; what
 * the node alone takes to serve it; and where Ponder's backfill spent its time (its log lines and
 * ponder_historical_* gauges), so the RPC sync is told apart from the indexing.
 */
import { auctionHouseAbi } from "@sothebais/common/abis";
import { rpc, type TestStack } from "@sothebais/common/testing";
import { encodeFunctionData, parseEther } from "viem";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => console.error(`[bench] ${line}`);
const next = (amount: bigint) => amount + amount / 100n + 1n; // >= the contract's minimum at 100 bps

/** A busy machine can reset a loopback connection now and then: try a few times. */
export async function retry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= attempts) throw error;
      await sleep(500 * i);
    }
  }
}

/** Many bids per block through the node's unlocked accounts, in JSON-RPC batches (fast to generate). */
export async function makeBackfillChain(stack: TestStack, bids: number) {
  const lotsCount = 20;
  const lots: bigint[] = [];
  for (let i = 0; i < lotsCount; i++) lots.push(await retry(() => stack.mintAndCreateLot({ duration: 30 * 86_400, minIncrementBps: 100, timeBuffer: 60 })));
  const amounts = lots.map(() => parseEther("0.0001"));
  const from = stack.address(4);
  await retry(() => rpc(stack.rpcUrl, "evm_setAutomine", [false]));
  // Explicit nonces: a batch retried after the node dropped the connection cannot send a bid twice
  // (the copies are refused as "nonce too low" or "already known", which counts as sent).
  let nonce = await retry(() => stack.publicClient.getTransactionCount({ address: from, blockTag: "pending" }));
  const perBlock = 200;
  const perBatch = 50;
  let sent = 0;
  let id = 1;
  while (sent < bids) {
    for (let inBlock = 0; inBlock < perBlock && sent < bids; ) {
      const batch: unknown[] = [];
      for (let i = 0; i < perBatch && inBlock < perBlock && sent < bids; i++, inBlock++, sent++) {
        const lot = sent % lotsCount;
        amounts[lot] = next(amounts[lot]);
        batch.push({
          jsonrpc: "2.0",
          id: id++,
          method: "eth_sendTransaction",
          params: [{ from, nonce: `0x${(nonce++).toString(16)}`, to: stack.auctionHouse, value: `0x${amounts[lot].toString(16)}`, gas: "0x1d4c0", data: encodeFunctionData({ abi: auctionHouseAbi, functionName: "bid", args: [lots[lot]] }) }],
        });
      }
      const out = await retry(async () => {
        const res = await fetch(stack.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(batch) });
        return (await res.json()) as { error?: { message: string } }[];
      });
      const failed = out.find((r) => r.error && !/nonce too low|already known|already imported/i.test(r.error.message));
      if (failed) throw new Error(`eth_sendTransaction: ${failed.error?.message}`);
    }
    await retry(() => rpc(stack.rpcUrl, "evm_mine"));
    if (sent % 2000 === 0) log(`${sent} / ${bids} bids sent`);
  }
  // The node drops idle keep-alive sockets; a request that meets one is retried, like every call here.
  await retry(() => rpc(stack.rpcUrl, "evm_setAutomine", [true]));
  // Past Ponder's finality depth (30 blocks on this chain id), so every bid is part of the backfill.
  // One evm_mine at a time: the node (EDR, chain type op) aborts on hardhat_mine with a count.
  for (let i = 0; i < 40; i++) await retry(() => rpc(stack.rpcUrl, "evm_mine"));
  // Counted in block ranges: all 20,000 logs in one answer pass the client's 10 MB response cap.
  const head = await retry(() => stack.publicClient.getBlockNumber());
  let found = 0;
  for (let from = 0n; from <= head; from += 20n) {
    const to = from + 19n > head ? head : from + 19n;
    found += (await retry(() => stack.publicClient.getContractEvents({ address: stack.auctionHouse, abi: auctionHouseAbi, eventName: "BidPlaced", fromBlock: from, toBlock: to }))).length;
  }
  const logs = { length: found };
  if (logs.length !== bids) throw new Error(`expected ${bids} BidPlaced events on chain, found ${logs.length} (did some bids revert?)`);
}


/** The node alone, one request at a time, serving what Ponder's sync asks for: a floor under the sync. */
export async function nodeFloor(stack: TestStack) {
  const head = await retry(() => stack.publicClient.getBlockNumber());
  let t = performance.now();
  let logs = 0;
  for (let from = 0n; from <= head; from += 20n) {
    const to = from + 19n > head ? head : from + 19n;
    logs += (await retry(() => stack.publicClient.getLogs({ fromBlock: from, toBlock: to }))).length;
  }
  const getLogsMs = performance.now() - t;
  t = performance.now();
  let txs = 0;
  for (let n = 0n; n <= head; n++) txs += (await retry(() => stack.publicClient.getBlock({ blockNumber: n, includeTransactions: true }))).transactions.length;
  return { blocks: Number(head) + 1, logs, getLogsMs: Math.round(getLogsMs), txs, getBlocksMs: Math.round(performance.now() - t) };
}

type LogLine = { msg?: string; time?: number; event_count?: number };

/** A Prometheus gauge's values by its one label, ms -> s: ponder_historical_transform_duration{step="index"}. */
function gaugeSeconds(metrics: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of metrics.split("\n")) {
    const m = line.match(new RegExp(`^${name}\\{\\w+="([^"]*)"\\} (\\S+)$`));
    if (m) out[m[1]] = Math.round(Number(m[2])) / 1000;
  }
  return out;
}

export type BackfillPhases = {
  /** "Started backfill indexing" -> "Completed backfill indexing across all chains": the bench's figure. */
  backfillS: number;
  /** Ponder's RPC sync ("Started/Finished fetching backfill JSON-RPC data"), concurrent with indexing. */
  syncS: number | undefined;
  /** Events Ponder indexed (every handler's event, not only BidPlaced). */
  events: number;
  /** ponder_historical_transform_duration: index (handlers), load (flush), ... */
  transformS: Record<string, number>;
  /** ponder_historical_extract_duration: reading and decoding events from the sync store. */
  extractS: Record<string, number>;
};

/** Where one backfill's time went, from Ponder's JSON log and its /metrics text. */
export function backfillPhases(output: string, metrics: string): BackfillPhases {
  const lines: LogLine[] = [];
  for (const l of output.split("\n")) {
    if (!l.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(l) as LogLine);
    } catch {}
  }
  const at = (msg: string) => lines.find((l) => l.msg === msg)?.time;
  const start = at("Started backfill indexing");
  const end = at("Completed backfill indexing across all chains");
  if (!start || !end) throw new Error(`backfill log lines not found:\n${output.slice(-2000)}`);
  const syncStart = at("Started fetching backfill JSON-RPC data");
  const syncEnd = at("Finished fetching backfill JSON-RPC data");
  return {
    backfillS: (end - start) / 1000,
    syncS: syncStart && syncEnd ? (syncEnd - syncStart) / 1000 : undefined,
    events: lines.filter((l) => l.msg === "Indexed block range").reduce((n, l) => n + (l.event_count ?? 0), 0),
    transformS: gaugeSeconds(metrics, "ponder_historical_transform_duration"),
    extractS: gaugeSeconds(metrics, "ponder_historical_extract_duration"),
  };
}
