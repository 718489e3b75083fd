/**
 * Artwork in, pinned, read back verified, end to end across real parts: a Hardhat chain with the
 * contracts, Redis, the operator API with its Helia node, `./sothebais mint --file` (SIWE sign-in,
 * upload, mint with ipfs://), a lot created on that token, the real indexer, and the broadcaster
 * streaming to nginx-rtmp. Every ipfs:// read goes through a lying gateway first (it answers any CID
 * with a valid PNG of another colour) and the operator's gateway second.
 *
 * Checked: the broadcaster's artwork loader skips the liar and gets the uploaded image (its pixels), title
 * and artist from the verified metadata; its renderer draws exactly that image in the artwork box; and
 * the stream pulled back from the RTMP server, decoded as a viewer's player would, shows the uploaded
 * image's flat colour in the artwork box and never the liar's. Had the broadcaster taken the first
 * gateway's bytes unverified, the stream would show the liar's colour.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import { createLogger } from "@sothebais/common/log";
import { freePort, localRoles, type RedisServer, type RunningIndexer, startIndexer, startRedis, startTestStack, type TestStack, waitFor } from "@sothebais/common/testing";
import { createCanvas, Image } from "@napi-rs/canvas";
import { parseEventLogs } from "viem";
import { type ArtworkEntry, createArtworkLoader } from "../../broadcaster/src/artwork/loader.ts";
import { type RtmpServer, startRtmpServer } from "../../broadcaster/src/rtmp-server.ts";
import { createRenderer, WIDTH } from "../../broadcaster/src/scene/render.ts";
import { buildView } from "../../broadcaster/src/scene/view.ts";
import { sampleSnapshot } from "../../broadcaster/test/helpers/snapshot.ts";
import { type BroadcasterProcess, colourOf, type RegionReader, readRegion, startBroadcasterProcess } from "../../broadcaster/test/helpers/stream.ts";
import { loadConfig } from "../../operator/src/config.ts";
import { type RunningOperator, startOperator } from "../../operator/src/operator.ts";
import { png } from "../../operator/test/helpers/images.ts";
import { command as mint } from "../../scripts/src/admin/mint.ts";
import { runCommand } from "../../scripts/src/lib/cli.ts";

const ORIGIN = "http://127.0.0.1:5173";
/** The uploaded artwork, one flat colour, and the liar's: each found again in the stream's pixels. */
const UPLOADED: [number, number, number] = [200, 40, 150];
const LIAR: [number, number, number] = [40, 180, 70];
/** render.ts ART (x 24, y 72, 456 x 456): its middle 200 x 200, inside a square image scaled to fill the box. */
const ART_MIDDLE = { x: 24 + 128, y: 72 + 128, w: 200, h: 200 };
/** Largest difference per channel after yuv420p and x264 (measured on flat colour: a few units). */
const TOLERANCE = 16;
const near = (a: readonly number[], b: readonly number[]) => a.every((v, i) => Math.abs(v - b[i]) <= TOLERANCE);

describe("artwork: upload -> mint --file -> lot -> the broadcaster's artwork and the stream, CID verified", { timeout: 6 * 60_000 }, () => {
  let stack: TestStack;
  let redis: RedisServer;
  let operator: RunningOperator;
  let indexer: RunningIndexer;
  let rtmp: RtmpServer;
  let bc: BroadcasterProcess;
  let region: RegionReader;
  let liar: Server;
  let liarBase: string;
  let lotTokenUri: string;
  const dirs: string[] = [];
  const liarPng = png(400, 400, { fill: LIAR });

  before(async () => {
    stack = await startTestStack();
    redis = await startRedis();
    const ipfsDir = mkdtempSync(join(tmpdir(), "e2e-ipfs-"));
    dirs.push(ipfsDir);
    // A gateway that answers every CID with a valid PNG of its own: bytes that are an image, but not that one.
    liar = createServer((_req, res) => res.writeHead(200, { "content-type": "image/png" }).end(liarPng));
    const port = await freePort();
    await new Promise<void>((r) => liar.listen(port, "127.0.0.1", r));
    liarBase = `http://127.0.0.1:${port}`;
    const config = loadConfig({ ...stack.env, REDIS_URL: redis.url, OPERATOR_PORT: String(await freePort()), OPERATOR_ORIGINS: ORIGIN, IPFS_DIR: ipfsDir });
    [operator, rtmp] = await Promise.all([startOperator(config, createLogger({ service: "operator", level: "warn" })), startRtmpServer()]);
    // Ponder's start is the longest wait here (16 s on a quiet machine): the broadcaster starts meanwhile,
    // on the indexer's port, and shows its stale card until /live answers.
    const indexerPort = await freePort();
    const [ix, b] = await Promise.allSettled([
      startIndexer({ stack, port: indexerPort }),
      startBroadcasterProcess({
        ...stack.env,
        INDEXER_URL: `http://127.0.0.1:${indexerPort}`,
        REDIS_URL: redis.url,
        RTMP_URL: rtmp.rtmpUrl,
        X264_PRESET: "superfast",
        TTS_ENGINE: "none",
        IPFS_GATEWAYS: `${liarBase}/ipfs/,${operator.url}/ipfs/`,
        ARTWORK_ALLOW_HOSTS: `${liarBase.slice(7)},${operator.url.slice(7)}`,
      }),
    ]);
    // Whichever started is kept for after() to stop, even when the other failed.
    if (ix.status === "fulfilled") indexer = ix.value;
    if (b.status === "fulfilled") bc = b.value;
    for (const r of [ix, b]) if (r.status === "rejected") throw r.reason;
    region = readRegion(rtmp.rtmpUrl, ART_MIDDLE);
  });

  after(async () => {
    region?.stop();
    await bc?.stop();
    await Promise.all([operator?.stop(), indexer?.stop(), rtmp?.stop()]);
    await redis?.stop();
    await stack?.stop();
    await new Promise<void>((r) => (liar ? liar.close(() => r()) : r()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("the lot's artwork is the uploaded image, read through the gateways and verified", async () => {
    // One flat colour, square (it fills the artwork box), so the stream's pixels can say which image it is.
    const image = png(400, 400, { fill: UPLOADED });
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
    lotTokenUri = await stack.publicClient.readContract({ address: stack.collection, abi: sothebaisCollectionAbi, functionName: "tokenURI", args: [(created.args as { tokenId: bigint }).tokenId] });

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
      // The drawn pixels are the uploaded image's, not the liar's.
      const drawn = entry.image?.getContext("2d").getImageData(10, 20, 1, 1).data;
      assert.deepEqual(Array.from(drawn ?? []).slice(0, 3), UPLOADED);
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
      const fromLiar = box(frameWith({ ...entry, image: decoded(liarPng) }));
      assert.equal(Buffer.compare(shown, fromFile), 0, "the frame shows the uploaded image");
      assert.notEqual(Buffer.compare(shown, fromLiar), 0);
    } finally {
      await loader.close();
    }
  });

  it("the stream pulled back from the RTMP server shows the uploaded image in the artwork box, never the liar's", async () => {
    assert.ok(lotTokenUri, "the upload step created the lot");
    // The lot reaches the broadcaster through the indexer's /live; the broadcaster reads its token URI through
    // the liar first (refused: the bytes do not match the CID) and the operator's gateway second.
    const started = Date.now();
    let last = "no frame pulled yet";
    const liarSeen: string[] = [];
    const shown = await waitFor(
      () => {
        const frame = region.latest();
        if (!frame) return undefined;
        const c = colourOf(frame.rgb);
        last = `mean rgb(${c.mean.join(", ")}), spread ${c.spread}, after ${region.frames()} frames`;
        if (near(c.mean, LIAR)) liarSeen.push(last);
        return near(c.mean, UPLOADED) && c.spread <= TOLERANCE ? c : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: "the uploaded artwork's colour in the artwork box of the pulled stream" },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last frame: ${last}\nbroadcaster output:\n${bc.output().slice(-3000)}`);
    });
    console.log(`# lot artwork on the pulled stream ${Date.now() - started} ms into this step: ${last}`);
    assert.deepEqual(liarSeen, [], "the liar's image never reached the stream");
    assert.ok(near(shown.mean, UPLOADED));
    // The broadcaster says why it skipped the first gateway: for the metadata and for the image.
    const skips = bc.output().split("\n").filter((l) => l.includes("ipfs gateway skipped") && l.includes(liarBase));
    assert.ok(skips.length >= 2, `the liar skipped for the metadata and the image:\n${skips.join("\n")}`);
    assert.ok(skips.every((l) => /do not match/.test(l)), skips.join("\n"));
  });
});
