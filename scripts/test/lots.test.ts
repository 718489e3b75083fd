import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getAbiItem } from "viem";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { fmtRelative, scanLogs } from "../src/lib/lots.ts";

describe("scanLogs()", () => {
  it("covers every block once, halving the range when the RPC refuses a large one", async () => {
    // Stand-in for a public RPC that caps eth_getLogs at 2,000 blocks.
    const asked: [bigint, bigint][] = [];
    const client = {
      getBlockNumber: async () => 10_000n,
      getLogs: async ({ fromBlock, toBlock }: { fromBlock: bigint; toBlock: bigint }) => {
        if (toBlock - fromBlock + 1n > 2_000n) throw new Error("block range too large");
        asked.push([fromBlock, toBlock]);
        return [{ blockNumber: fromBlock }];
      },
    };
    const logs = await scanLogs(client as never, { address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", event: getAbiItem({ abi: auctionHouseAbi, name: "LotCreated" }), fromBlock: 100n, chunk: 8_000n });
    assert.equal(asked[0][0], 100n);
    assert.equal(asked.at(-1)?.[1], 10_000n);
    for (let i = 1; i < asked.length; i++) assert.equal(asked[i][0], asked[i - 1][1] + 1n, "no gap, no overlap");
    assert.equal(logs.length, asked.length);
  });

  it("gives up with the RPC's error below 500 blocks", async () => {
    const client = { getBlockNumber: async () => 10n, getLogs: async () => Promise.reject(new Error("rate limited")) };
    await assert.rejects(scanLogs(client as never, { address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", event: getAbiItem({ abi: auctionHouseAbi, name: "LotCreated" }), fromBlock: 0n }), /rate limited/);
  });
});

describe("fmtRelative()", () => {
  it("says in / ago with the largest units", () => {
    assert.equal(fmtRelative(1_000 + 250, 1_000), "in 4m 10s");
    assert.equal(fmtRelative(1_000 - 30, 1_000), "30s ago");
    assert.equal(fmtRelative(1_000 + 7_260, 1_000), "in 2h 1m");
  });
});
