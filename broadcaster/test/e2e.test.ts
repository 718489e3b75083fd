/**
 * End to end on real parts: Hardhat node with the deployed contracts, the real indexer (Ponder), Redis,
 * nginx-rtmp and the broadcaster. A bid mined on the chain must show up in the pixels of the stream
 * pulled back from the RTMP server, pending until its block is final; SOLD only once final.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RedisServer, rpc, type RunningIndexer, startIndexer, startRedis, startTestStack, type TestStack, waitFor } from "@sothebais/common/testing";
import { parseEther } from "viem";
import { type RtmpServer, startRtmpServer } from "../src/rtmp-server.ts";
import { markerFlags } from "../src/scene/marker.ts";
import { type BroadcasterProcess, type MarkerReader, readMarkers, startBroadcasterProcess } from "./helpers/stream.ts";

let stack: TestStack;
let indexer: RunningIndexer;
let rtmp: RtmpServer;
let redis: RedisServer;
let bc: BroadcasterProcess;
let reader: MarkerReader;
const LONG = { timeoutMs: 120_000, intervalMs: 100 };

/**
 * Ponder's finality depth on chain 31337 is 30 blocks. One evm_mine at a time: `hardhat_mine 0x30` made
 * EDR (chain type op) abort with "Extra data should have at least 1 byte for version" in these runs.
 */
async function mineBlocks(n: number): Promise<void> {
  for (let k = 0; k < n; k++) await rpc(stack.rpcUrl, "evm_mine");
}

const artwork = `data:application/json;base64,${Buffer.from(
  JSON.stringify({
    name: "Evening Light",
    attributes: [{ trait_type: "Artist", value: "Ada Vega" }],
    image: `data:image/svg+xml;utf8,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#c63"/><circle cx="5" cy="5" r="3" fill="#fc6"/></svg>')}`,
  }),
).toString("base64")}`;

before(async () => {
  // One at a time, so whatever started is assigned and stopped by after() even when a later part fails.
  rtmp = await startRtmpServer();
  redis = await startRedis();
  stack = await startTestStack();
  // If the node dies mid-test, say so (and how) instead of leaving only "fetch failed".
  void stack.node.exited.then((code) => console.log(`# hardhat node exited (code ${code}, signal ${stack.node.child.signalCode}):\n${stack.node.output().slice(-1500)}`));
  indexer = await startIndexer({ stack });
  bc = await startBroadcasterProcess({
    ...stack.env,
    INDEXER_URL: indexer.url,
    REDIS_URL: redis.url,
    RTMP_URL: rtmp.rtmpUrl,
    X264_PRESET: "superfast",
  });
  reader = readMarkers(rtmp.rtmpUrl);
});

after(async () => {
  reader?.stop();
  await bc?.stop();
  await Promise.all([indexer?.stop(), rtmp?.stop(), redis?.stop()]);
  await stack?.stop();
});

describe("broadcaster end to end (chain -> indexer -> stream pixels)", () => {
  let lotId: bigint;

  it("a wallet bid mined on chain shows in the pulled stream with its amount and block, pending at first", async () => {
    lotId = await stack.mintAndCreateLot({ reserve: parseEther("0.1"), duration: 600, tokenURI: artwork });
    await waitFor(() => reader.markers.find((m) => m.marker.lotId === Number(lotId)), { ...LONG, what: "the lot on stream" });
    const receipt = await stack.bid(4, lotId, parseEther("0.25"));
    const mined = Date.now();
    const seen = await waitFor(() => reader.markers.find((m) => m.marker.blockNumber === Number(receipt.blockNumber)), { ...LONG, what: "bid block on stream" });
    assert.equal(seen.marker.lotId, Number(lotId));
    assert.equal(seen.marker.amountGwei, 250_000_000n);
    // Ponder's finality depth on chain 31337 is 30 blocks: a fresh bid is not final yet.
    assert.ok(seen.marker.flags & markerFlags.pending, "pending");
    console.log(`# mined -> frame on the pulled stream: ${seen.at - mined} ms`);
  });

  it("an outbid from a second wallet shows, and the bid becomes final after the finality depth", async () => {
    // (Relayer bids are the relayer's suite; the scene's chat-name labels are covered in view.test.ts.)
    const receipt = await stack.bid(5, lotId, parseEther("0.5"));
    await waitFor(() => reader.markers.find((m) => m.marker.blockNumber === Number(receipt.blockNumber) && m.marker.amountGwei === 500_000_000n), { ...LONG, what: "outbid on stream" });
    // Pending until the indexer's finalized block passes it: mine past the depth (the indexer's view of
    // finality trails its indexing, so mine more rounds until it shows).
    const isFinal = () => reader.markers.find((m) => m.marker.blockNumber === Number(receipt.blockNumber) && !(m.marker.flags & markerFlags.pending));
    for (let round = 0; round < 4 && !isFinal(); round++) {
      await mineBlocks(31);
      await waitFor(isFinal, { timeoutMs: 45_000, intervalMs: 200, what: "bid final" }).catch(() => undefined);
    }
    assert.ok(isFinal(), "the bid shows as final once its block is below the finalized block");
  });

  it("calls SOLD after the end only from a final block", async () => {
    await stack.increaseTime(700);
    await mineBlocks(31);
    const sold = await waitFor(() => reader.markers.find((m) => m.marker.lotId === Number(lotId) && m.marker.flags & markerFlags.sold), { ...LONG, what: "SOLD on stream" });
    assert.equal(sold.marker.amountGwei, 500_000_000n);
    assert.equal(sold.marker.flags & markerFlags.pending, 0);
  });
});
