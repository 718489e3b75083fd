/**
 * The chain part of `./sothebais up` on a free port: node with interval mining, deployment record,
 * demo artworks minted and a campaign whose first lot is live and the rest queued behind it (running order).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import { roles } from "@sothebais/common/deploy";
import { loadDeployment } from "@sothebais/common/deployments";
import { freePort, localAccount, waitFor } from "@sothebais/common/testing";
import { createPublicClient, http, parseEther } from "viem";
import { hardhat } from "viem/chains";
import { decodeTokenURI, demoArtworks } from "../src/demo/artworks.ts";
import { parseTokenURI } from "../src/lib/parse.ts";
import { service } from "../src/stack/chain.ts";
import type { StackContext } from "../src/stack/types.ts";

describe("demoArtworks()", () => {
  it("gives the same small SVG artworks with decodable metadata every time", () => {
    const a = demoArtworks();
    const b = demoArtworks();
    assert.ok(a.length >= 5);
    assert.deepEqual(a, b);
    assert.equal(new Set(a.map((x) => x.svg)).size, a.length, "every artwork is different");
    for (const art of a) {
      assert.match(art.svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 512 512"/);
      assert.ok(art.tokenURI.length < 8_000, `${art.title} token URI is ${art.tokenURI.length} bytes`);
      assert.equal(parseTokenURI(art.tokenURI), art.tokenURI);
      const meta = decodeTokenURI(art.tokenURI) as { name: string; image: string; artist: string };
      assert.equal(meta.name, art.title);
      assert.equal(meta.artist, art.artist);
      assert.equal(Buffer.from(meta.image.split(",")[1], "base64").toString(), art.svg);
    }
  });
});

describe("stack part: chain", { timeout: 300_000 }, () => {
  const stops: (() => unknown)[] = [];
  const progress: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "sothebais-chain-part-"));
  let ctx: StackContext;
  const saved = { DEPLOYMENTS_DIR: process.env.DEPLOYMENTS_DIR, DEMO_LOT_SECONDS: process.env.DEMO_LOT_SECONDS };

  before(async () => {
    process.env.DEPLOYMENTS_DIR = dir;
    process.env.DEMO_LOT_SECONDS = "120";
    const port = await freePort();
    ctx = {
      root: process.cwd(),
      dataDir: dir,
      chainId: 31337,
      ports: { chain: port, redis: 0, indexer: 0, relayer: 0, broadcaster: 0, agent: 0, chat: 0, rtmp: 0, hls: 0, dapp: 0, operator: 0 },
      urls: {},
      echo: () => () => {},
      progress: (m) => progress.push(m),
      onStop: (_name, fn) => void stops.push(fn),
      flags: { simulateAudience: false, verbose: false },
    };
    await service.start(ctx);
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    rmSync(dir, { recursive: true, force: true });
  });

  const client = () => createPublicClient({ chain: hardhat, transport: http(ctx.urls.rpcUrl), pollingInterval: 100 });

  it("sets the URLs and the deployment, and saves the record", () => {
    assert.equal(ctx.urls.rpcUrl, `http://127.0.0.1:${ctx.ports.chain}`);
    assert.equal(ctx.urls.wsUrl, `ws://127.0.0.1:${ctx.ports.chain}`);
    assert.ok(ctx.deployment);
    assert.deepEqual(loadDeployment(31337, dir), ctx.deployment);
    assert.equal(stops.length, 1, "registers one stop for the node");
  });

  it("refuses a port that is already taken with one plain sentence", async () => {
    await assert.rejects(service.start({ ...ctx, urls: {}, onStop: () => {} }), new RegExp(`^Error: port ${ctx.ports.chain} is in use \\(another Hardhat node or ./sothebais up\\?\\): stop it or set CHAIN_PORT$`));
  });

  it("mines a block every second without transactions", async () => {
    const first = await client().getBlockNumber();
    await waitFor(async () => (await client().getBlockNumber()) >= first + 2n, { timeoutMs: 20_000, intervalMs: 200, what: "two more blocks" });
  });

  it("grants the relayer role to account 1 and lets the seller's artworks be auctioned", async () => {
    const house = { address: ctx.deployment!.auctionHouse, abi: auctionHouseAbi };
    assert.equal(await client().readContract({ ...house, functionName: "hasRole", args: [roles.RELAYER_ROLE, localAccount(1).address] }), true);
    assert.equal(await client().readContract({ ...house, functionName: "treasury" }), localAccount(2).address);
  });

  it("schedules the demo campaign: lot 1 live now, the others queued in the running order, all with the artworks", async () => {
    const c = client();
    const house = { address: ctx.deployment!.auctionHouse, abi: auctionHouseAbi };
    const count = await c.readContract({ ...house, functionName: "lotCount" });
    const arts = demoArtworks();
    assert.equal(count, BigInt(arts.length));
    const lots = await Promise.all(arts.map((_, i) => c.readContract({ ...house, functionName: "lot", args: [BigInt(i + 1)] })));
    assert.equal(lots[0].status, 2, "lot 1 is live");
    for (let i = 1; i < lots.length; i++) {
      assert.equal(lots[i].status, 6, `lot ${i + 1} is queued behind lot ${i}`);
      assert.equal(Number(lots[i].campaignPosition), i + 1, `lot ${i + 1} is #${i + 1} in the running order`);
    }
    assert.ok(lots[0].minIncrementFloor > 0n, "a non-zero increment floor");
    for (const [i, lot] of lots.entries()) {
      assert.equal(lot.seller, localAccount(3).address);
      assert.equal(lot.reserve, parseEther("0.05"));
      assert.equal(BigInt(lot.campaignId), 1n);
      const uri = await c.readContract({ address: ctx.deployment!.collection, abi: sothebaisCollectionAbi, functionName: "tokenURI", args: [lot.tokenId] });
      assert.equal(uri, arts[i].tokenURI);
    }
    assert.ok(progress.some((line) => /lot #1 ".+" live now/.test(line)), progress.join("\n"));
  });
});
