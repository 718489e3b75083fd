/**
 * Artwork in, pinned, read back verified, end to end across real parts: a Hardhat chain with the
 * contracts, Redis, the operator API with its Helia node, `./sothebais mint --file` (SIWE sign-in,
 * upload, mint with ipfs://), a lot created on that token, and the broadcaster's artwork loader reading
 * the lot's token URI through a lying gateway first and the operator's gateway second: the liar is
 * skipped, the artwork is the uploaded image (its pixels), its title and artist from the verified
 * metadata, and the broadcaster's renderer draws the lot's frame with exactly the uploaded image in the
 * artwork box. The encoder (ffmpeg, RTMP) is not started here: broadcaster/test/e2e.test.ts covers frames
 * reaching the stream.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import { createLogger } from "@sothebais/common/log";
import { freePort, localRoles, startRedis, startTestStack, type RedisServer, type TestStack } from "@sothebais/common/testing";
import { createCanvas, Image } from "@napi-rs/canvas";
import { parseEventLogs } from "viem";
import { type ArtworkEntry, createArtworkLoader } from "../../broadcaster/src/artwork/loader.ts";
import { createRenderer, WIDTH } from "../../broadcaster/src/scene/render.ts";
import { buildView } from "../../broadcaster/src/scene/view.ts";
import { sampleSnapshot } from "../../broadcaster/test/helpers/snapshot.ts";
import { loadConfig } from "../../operator/src/config.ts";
import { type RunningOperator, startOperator } from "../../operator/src/operator.ts";
import { png } from "../../operator/test/helpers/images.ts";
import { command as mint } from "../../scripts/src/admin/mint.ts";
import { runCommand } from "../../scripts/src/lib/cli.ts";

const ORIGIN = "http://127.0.0.1:5173";

describe("artwork: upload -> mint --file -> lot -> the broadcaster's artwork, CID verified", { timeout: 5 * 60_000 }, () => {
  let stack: TestStack;
  let redis: RedisServer;
  let operator: RunningOperator;
  let liar: Server;
  let liarBase: string;
  const dirs: string[] = [];

  before(async () => {
    stack = await startTestStack();
    redis = await startRedis();
    const ipfsDir = mkdtempSync(join(tmpdir(), "e2e-ipfs-"));
    dirs.push(ipfsDir);
    const config = loadConfig({ ...stack.env, REDIS_URL: redis.url, OPERATOR_PORT: String(await freePort()), OPERATOR_ORIGINS: ORIGIN, IPFS_DIR: ipfsDir });
    operator = await startOperator(config, createLogger({ service: "operator", level: "warn" }));
    // A gateway that answers every CID with a valid PNG of its own: bytes that are an image, but not that one.
    liar = createServer((_req, res) => res.writeHead(200, { "content-type": "image/png" }).end(png(300, 300, { seed: 99 })));
    const port = await freePort();
    await new Promise<void>((r) => liar.listen(port, "127.0.0.1", r));
    liarBase = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await operator?.stop();
    await redis?.stop();
    await stack?.stop();
    await new Promise<void>((r) => (liar ? liar.close(() => r()) : r()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("the lot's artwork is the uploaded image, read through the gateways and verified", async () => {
    // A known gradient, so a pixel of the drawn artwork says which image it is.
    const image = png(400, 300, { seed: 5 });
    const file = join(dirs[0], "dawn.png");
    writeFileSync(file, image);

    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(`ERR ${l}`) };
    process.env.DEPLOYMENTS_DIR = stack.deploymentsDir;
    const code = await runCommand(
      mint,
      ["--file", file, "--title", "Dawn over Shape", "--artist", "Ada Vega", "--description", "e2e", "--to", stack.accounts.seller, "--rpc-url", stack.rpcUrl, "--operator-url", operator.url, "--origin", ORIGIN],
      io,
    );
    assert.equal(code, 0, out.join("\n"));
    const pinned = /pinned image (\S+) .* and metadata (\S+)/.exec(out.join("\n"));
    assert.ok(pinned, out.join("\n"));
    const [, imageCid, metadataCid] = pinned;
    const tokenId = BigInt(/minted token (\d+)/.exec(out.join("\n"))?.[1] ?? "-1");
    const uri = await stack.publicClient.readContract({ address: stack.collection, abi: sothebaisCollectionAbi, functionName: "tokenURI", args: [tokenId] });
    assert.equal(uri, `ipfs://${metadataCid}`);

    // The seller lists it: approval, then the auctioneer (admin) creates the lot.
    const approve = await stack.wallet(localRoles.seller).writeContract({ address: stack.collection, abi: sothebaisCollectionAbi, functionName: "setApprovalForAll", args: [stack.auctionHouse, true] });
    await stack.publicClient.waitForTransactionReceipt({ hash: approve });
    const params = { campaignId: 0n, nft: stack.collection, tokenId, seller: stack.accounts.seller, reserve: 0n, startTime: 0, duration: 3600, minIncrementBps: 500, minIncrementFloor: 1_000_000_000n, timeBuffer: 60 };
    const create = await stack.wallet(localRoles.admin).writeContract({ address: stack.auctionHouse, abi: auctionHouseAbi, functionName: "createLot", args: [params] });
    const receipt = await stack.publicClient.waitForTransactionReceipt({ hash: create });
    const [created] = parseEventLogs({ abi: auctionHouseAbi, logs: receipt.logs, eventName: "LotCreated" });
    assert.ok(created, "LotCreated");
    const lotTokenUri = await stack.publicClient.readContract({ address: stack.collection, abi: sothebaisCollectionAbi, functionName: "tokenURI", args: [(created.args as { tokenId: bigint }).tokenId] });

    const skipped: string[] = [];
    const loader = createArtworkLoader({
      ipfsGateways: [`${liarBase}/ipfs/`, `${operator.url}/ipfs/`],
      allowHosts: [liarBase.slice(7), operator.url.slice(7)],
      box: { width: 400, height: 300 },
      onGatewaySkip: (_u, gateway) => skipped.push(gateway),
    });
    try {
      const entry = await loader.load(lotTokenUri);
      assert.equal(entry.status, "ready", entry.error);
      assert.equal(entry.name, "Dawn over Shape");
      assert.equal(entry.artist, "Ada Vega");
      assert.deepEqual(skipped, [`${liarBase}/ipfs/`, `${liarBase}/ipfs/`], "the liar was tried for the metadata and the image, and skipped");
      // The drawn pixels are the uploaded image's, not the liar's: compare a pixel with the source PNG's row data.
      const drawn = entry.image?.getContext("2d").getImageData(10, 20, 1, 1).data;
      const expected = [0, 1, 2].map((c) => ((10 * 3 + c + 1 + 20 + 5) * 3) & 0xff);
      assert.deepEqual(Array.from(drawn ?? []).slice(0, 3), expected);
      assert.match(imageCid, /^bafk/);

      // A frame of the lot, as the broadcaster renders it: the artwork box holds the uploaded image, pixel for
      // pixel the same as a frame drawn from the file decoded here, and not the liar's.
      const decoded = (bytes: Uint8Array) => {
        const img = new Image();
        img.src = Buffer.from(bytes);
        const c = createCanvas(img.width, img.height);
        c.getContext("2d").drawImage(img, 0, 0);
        return c;
      };
      const now = Date.now();
      const frameWith = (art: ArtworkEntry) => {
        const r = createRenderer();
        const view = buildView({
          snapshot: sampleSnapshot({ now, tokenUri: lotTokenUri }),
          receivedAt: now,
          chat: [],
          caption: null,
          names: new Map(),
          artwork: (u) => (u === lotTokenUri ? art : undefined),
          firstSeen: new Map(),
          now,
          frame: 1,
          staleAfterMs: 5000,
        });
        r.render(view, now);
        return r.frame.slice();
      };
      // The artwork box (render.ts ART: x 24, y 72, 456 x 456), row by row.
      const box = (f: Uint8ClampedArray) =>
        Buffer.concat(
          Array.from({ length: 456 }, (_, y) => {
            const at = ((72 + y) * WIDTH + 24) * 4;
            return Buffer.from(f.slice(at, at + 456 * 4));
          }),
        );
      const shown = box(frameWith(entry));
      const fromFile = box(frameWith({ ...entry, image: decoded(image) }));
      const fromLiar = box(frameWith({ ...entry, image: decoded(png(300, 300, { seed: 99 })) }));
      assert.equal(Buffer.compare(shown, fromFile), 0, "the frame shows the uploaded image");
      assert.notEqual(Buffer.compare(shown, fromLiar), 0);
    } finally {
      await loader.close();
    }
  });
});
