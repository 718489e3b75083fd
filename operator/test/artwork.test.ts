/**
 * Artwork upload against real parts: a Hardhat chain with the contracts deployed (roles are read on the
 * AuctionHouse), Redis (sessions), the operator with its Helia node on a temp folder, and a stand-in
 * pinning service (a third party: the IPFS Pinning Service API and a Kubo-RPC CAR import) on loopback.
 * Sign-in is real SIWE with the local accounts' keys (test/helpers.ts).
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assembleFile, fetchVerified, parseCid, RAW, DAG_PB, readCar } from "@sothebais/common/ipfs";
import { freePort, localAccount, type TestStack } from "@sothebais/common/testing";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { keccak256, toHex } from "viem";
import type { RunningOperator } from "../src/operator.ts";
import { type Harness, ORIGIN, startHarness } from "./helpers.ts";
import { png, pngHeaderOnly } from "./helpers/images.ts";

const TOKEN = "pin-token-for-tests";

let stack: TestStack;
let harness: Harness;
let operator: RunningOperator;
let ipfsDir: string;
let pinServer: Server;
/** What the stand-in pinning service received. */
const received: { pins: { cid: string; name: string; auth?: string }[]; cars: { body: Buffer; auth?: string }[] } = { pins: [], cars: [] };

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

before(async () => {
  ipfsDir = mkdtempSync(join(tmpdir(), "operator-ipfs-"));
  pinServer = createServer(async (req, res) => {
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${TOKEN}`) return res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: { reason: "UNAUTHORIZED", details: "bad token" } }));
    if (req.method === "POST" && req.url?.startsWith("/api/v0/dag/import")) {
      // The CAR is the one multipart part; keep the whole body, the test finds the CAR inside it.
      received.cars.push({ body: await body(req), auth });
      return res.writeHead(200, { "content-type": "application/json" }).end("{}");
    }
    if (req.method === "POST" && req.url === "/pins") {
      const pin = JSON.parse((await body(req)).toString()) as { cid: string; name: string };
      received.pins.push({ ...pin, auth });
      return res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ requestid: `req-${received.pins.length}`, status: "queued", created: new Date().toISOString(), pin, delegates: [] }));
    }
    res.writeHead(404).end();
  });
  const pinPort = await freePort();
  await new Promise<void>((r) => pinServer.listen(pinPort, "127.0.0.1", r));
  harness = await startHarness({
    IPFS_DIR: ipfsDir,
    PINNING_SERVICE_URL: `http://127.0.0.1:${pinPort}`,
    PINNING_SERVICE_TOKEN: TOKEN,
    IPFS_UPLOAD_URL: `http://127.0.0.1:${pinPort}`,
    IPFS_UPLOAD_TOKEN: TOKEN,
  });
  operator = harness.op;
  stack = harness.stack;
});

after(async () => {
  await harness?.stop();
  await new Promise<void>((r) => (pinServer ? pinServer.close(() => r()) : r()));
  if (ipfsDir) rmSync(ipfsDir, { recursive: true, force: true });
});

/** Real SIWE with local account `index`; returns the session cookie, or the refusal. */
async function signIn(index: number): Promise<{ cookie?: string; status: number; error?: string }> {
  const { res, cookie } = await harness.signIn(localAccount(index));
  return res.ok ? { cookie, status: res.status } : { status: res.status, error: ((await res.json()) as { error: string }).error };
}

type Uploaded = { imageCid: string; metadataCid: string; tokenURI: string; image: { type: string; width: number; height: number; bytes: number }; remote?: unknown };

async function upload(cookie: string | undefined, file: Uint8Array, fields: Record<string, string> = { title: "Dawn over Shape", artist: "Ada Vega", description: "Oil on canvas" }) {
  const form = new FormData();
  form.append("image", new Blob([file as Uint8Array<ArrayBuffer>]), "art.png");
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${operator.url}/artwork`, { method: "POST", headers: { origin: ORIGIN, ...(cookie ? { cookie } : {}) }, body: form });
  return { status: res.status, json: (await res.json()) as Uploaded & { error?: string; field?: string } };
}

const gatewayGet = async (url: string, g: { maxBytes: number; accept: string }) => {
  const res = await fetch(url, { headers: { accept: g.accept } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
};

describe("POST /artwork", () => {
  let admin: string;
  before(async () => {
    const s = await signIn(0);
    assert.equal(s.status, 200, s.error);
    admin = s.cookie as string;
  });

  it("stores and pins the image and its metadata; the gateway serves bytes that match the CIDs", async () => {
    const image = png(640, 480, { seed: 7 });
    const { status, json } = await upload(admin, image);
    assert.equal(status, 201, json.error);
    assert.match(json.imageCid, /^bafk/); // CIDv1 base32, raw codec: a file under 1 MiB is one block
    assert.equal(json.tokenURI, `ipfs://${json.metadataCid}`);
    assert.deepEqual(json.image, { type: "image/png", width: 640, height: 480, bytes: image.length });

    const raw = await fetch(`${operator.url}/ipfs/${json.imageCid}?format=raw`);
    assert.equal(raw.headers.get("content-type"), "application/vnd.ipld.raw");
    assert.deepEqual(Buffer.from(await raw.arrayBuffer()), image);
    const plain = await fetch(`${operator.url}/ipfs/${json.imageCid}`);
    assert.equal(plain.headers.get("content-type"), "image/png");
    assert.deepEqual(Buffer.from(await plain.arrayBuffer()), image);

    // Pinned: both DAGs found whole on disk and recorded.
    for (const cid of [json.imageCid, json.metadataCid]) assert.ok(existsSync(join(ipfsDir, "pins", `${cid}.json`)), `pin record for ${cid}`);

    const meta = await fetchVerified(json.tokenURI, { gateways: [`${operator.url}/ipfs/`], get: gatewayGet, maxBytes: 1 << 20 });
    const doc = JSON.parse(new TextDecoder().decode(meta.bytes));
    assert.equal(doc.name, "Dawn over Shape");
    assert.equal(doc.description, "Oil on canvas");
    assert.equal(doc.image, `ipfs://${json.imageCid}`);
    assert.deepEqual(doc.attributes[0], { trait_type: "Artist", value: "Ada Vega" });
  });

  it("the same bytes give the same CIDs; other bytes other CIDs", async () => {
    const a = await upload(admin, png(100, 100, { seed: 1 }));
    const b = await upload(admin, png(100, 100, { seed: 1 }));
    const c = await upload(admin, png(100, 100, { seed: 2 }));
    assert.equal(a.status, 201, a.json.error);
    assert.equal(a.json.imageCid, b.json.imageCid);
    assert.equal(a.json.metadataCid, b.json.metadataCid);
    assert.notEqual(a.json.imageCid, c.json.imageCid);
  });

  it("a file over 1 MiB becomes a UnixFS DAG; raw leaves and root verify through the gateway's CAR", async () => {
    const image = png(700, 700, { seed: 3, noise: true });
    assert.ok(image.length > 1024 * 1024);
    const { status, json } = await upload(admin, image);
    assert.equal(status, 201, json.error);
    const cid = parseCid(json.imageCid);
    assert.equal(cid.codec, DAG_PB);
    const car = new Uint8Array(await (await fetch(`${operator.url}/ipfs/${json.imageCid}?format=car`)).arrayBuffer());
    const blocks = await readCar(car);
    assert.equal(blocks.size, 3, "root + two 1 MiB-chunk raw leaves");
    assert.deepEqual(Buffer.from(assembleFile(cid, [], blocks, 16 << 20)), image);
  });

  it("sends both CIDs to the pinning service with its token, after uploading CARs that verify", async () => {
    const image = png(200, 150, { seed: 11 });
    const { json } = await upload(admin, image);
    const pins = received.pins.filter((p) => p.cid === json.imageCid || p.cid === json.metadataCid);
    assert.deepEqual(pins.map((p) => p.cid).sort(), [json.imageCid, json.metadataCid].sort());
    assert.ok(pins.every((p) => p.auth === `Bearer ${TOKEN}`));
    const remote = json.remote as { image: { status: string; requestid: string }; metadata: { status: string; requestid: string } };
    assert.equal(remote.image.status, "queued");
    assert.equal(remote.metadata.status, "queued");
    assert.notEqual(remote.image.requestid, remote.metadata.requestid);
    // The CAR sits inside the multipart body: find the image's raw block CID bytes and check the CAR there.
    const cid = parseCid(json.imageCid);
    assert.equal(cid.codec, RAW);
    const withImage = received.cars.find((c) => c.body.includes(Buffer.from(cid.bytes)));
    assert.ok(withImage, "a CAR holding the image's block was uploaded");
    assert.ok(withImage.body.includes(image), "…with the image bytes in it");
  });

  const refusals: [string, () => Uint8Array, Record<string, string> | undefined, number, RegExp][] = [
    ["an oversized image", () => Buffer.concat([png(64, 64), Buffer.alloc(10 * 1024 * 1024)]), undefined, 422, /is 10\.0 MB .*at most 10\.0 MB is allowed/],
    ["a text file named .png", () => Buffer.from("this is not an image, whatever its name says\n".repeat(10)), undefined, 422, /not a PNG, JPEG, GIF or WebP image/],
    ["a PNG claiming 10000x10000", () => pngHeaderOnly(10_000, 10_000), undefined, 422, /10000x10000 pixels; at most 8192x8192/],
    ["a PNG of 32x32", () => png(32, 32), undefined, 422, /32x32 pixels; at least 64x64/],
    ["an SVG", () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100"/></svg>'), undefined, 422, /SVG is not accepted/],
    ["no title", () => png(64, 64), { artist: "Ada Vega" }, 422, /title is required/],
  ];
  it("refuses an upload declared far past the limit before reading it: 413", async () => {
    // Only the headers and a few bytes are sent: the answer must come without the rest of the body.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(new URL("/artwork", operator.url), {
        method: "POST",
        headers: { cookie: admin, origin: ORIGIN, "content-type": "multipart/form-data; boundary=x", "content-length": String(11 * 1024 * 1024) },
      });
      req.on("response", async (res) => {
        resolve({ status: res.statusCode ?? 0, body: (await body(res)).toString() });
        req.destroy();
      });
      req.on("error", reject);
      req.write("--x\r\n");
    });
    assert.equal(answer.status, 413);
    assert.match(answer.body, /an image of at most 10\.0 MB/);
  });

  for (const [name, file, fields, status, message] of refusals) {
    it(`refuses ${name} with a clear error`, async () => {
      const r = await upload(admin, file(), fields);
      assert.equal(r.status, status, JSON.stringify(r.json));
      assert.match(r.json.error ?? "", message);
    });
  }
});

describe("POST /artwork: who may upload", () => {
  it("without a session: 401", async () => {
    const r = await upload(undefined, png(64, 64));
    assert.equal(r.status, 401);
  });

  it("a bidder (no operator role) gets no session at all", async () => {
    const s = await signIn(5);
    assert.equal(s.status, 403);
    assert.match(s.error ?? "", /holds none of these roles/);
  });

  it("a pauser may sign in but not upload: 403", async () => {
    const pauser = localAccount(6).address;
    const hash = await stack.wallet(0).writeContract({ address: stack.auctionHouse, abi: auctionHouseAbi, functionName: "grantRole", args: [keccak256(toHex("PAUSER_ROLE")), pauser] });
    await stack.publicClient.waitForTransactionReceipt({ hash });
    const s = await signIn(6);
    assert.equal(s.status, 200, s.error);
    const r = await upload(s.cookie, png(64, 64));
    assert.equal(r.status, 403);
    assert.match(r.json.error ?? "", /admin, auctioneer/);
  });
});

describe("GET /ipfs/<cid>", () => {
  it("404 for a CID the node does not hold (it never fetches elsewhere), 400 for a non-CID", async () => {
    const missing = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    assert.equal((await fetch(`${operator.url}/ipfs/${missing}?format=raw`)).status, 404);
    assert.equal((await fetch(`${operator.url}/ipfs/not-a-cid`)).status, 400);
  });
});
