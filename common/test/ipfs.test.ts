/**
 * ipfs.ts: CIDs parsed and printed, blocks verified, CAR files read, UnixFS files assembled, and gateways
 * tried in order with every answer checked: local HTTP servers stand in for gateways, one honest, others
 * lying (other bytes, a tampered CAR block, an error).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { assembleFile, type Cid, DAG_PB, fetchVerified, formatCid, parseCid, parseGateways, parseIpfsUri, RAW, rawCid, readCar, SHA2_256, verifyBlock, writeCar } from "../src/ipfs.ts";
import { freePort } from "../src/testing/process.ts";

const enc = new TextEncoder();

// A tiny protobuf writer, enough for a dag-pb UnixFS file node: the test builds a DAG without Helia.
const varint = (n: number) => {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
  out.push(n);
  return out;
};
const field = (no: number, bytes: Uint8Array) => [...varint((no << 3) | 2), ...varint(bytes.length), ...bytes];
const fieldInt = (no: number, n: number) => [...varint(no << 3), ...varint(n)];

/** A UnixFS file of `parts` (one raw leaf each under a dag-pb root): its root, leaves and CAR. */
async function unixfsFile(...parts: string[]) {
  const leaves = await Promise.all(parts.map(async (p) => ({ cid: await rawCid(enc.encode(p)), bytes: enc.encode(p) })));
  const root = await fileNode(leaves);
  const car = writeCar(root.cid, [[root.cid, root.bytes], ...leaves.map((l): [Cid, Uint8Array] => [l.cid, l.bytes])]);
  return { root, leaves, car };
}

/** A dag-pb UnixFS file node over raw leaves, and its CIDv1. */
async function fileNode(leaves: { cid: Cid; bytes: Uint8Array }[]): Promise<{ cid: Cid; bytes: Uint8Array }> {
  const size = leaves.reduce((n, l) => n + l.bytes.length, 0);
  const unixfs = Uint8Array.from([...fieldInt(1, 2), ...fieldInt(3, size), ...leaves.flatMap((l) => fieldInt(4, l.bytes.length))]);
  const links = leaves.flatMap((l) => field(2, Uint8Array.from([...field(1, l.cid.bytes), ...field(2, new Uint8Array()), ...fieldInt(3, l.bytes.length)])));
  const bytes = Uint8Array.from([...links, ...field(1, unixfs)]);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const cidBytes = Uint8Array.from([1, DAG_PB, SHA2_256, 32, ...digest]);
  return { cid: { version: 1, codec: DAG_PB, hashCode: SHA2_256, digest, bytes: cidBytes }, bytes };
}

describe("CIDs", () => {
  it("parseCid() and formatCid() round-trip CIDv0 and CIDv1", () => {
    for (const s of ["QmPZ9gcCEpqKTo6aq61g2nXGUhM4iCL3ewB6LDXZCtioEB", "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"]) {
      assert.equal(formatCid(parseCid(s)), s);
    }
    assert.equal(parseCid("QmPZ9gcCEpqKTo6aq61g2nXGUhM4iCL3ewB6LDXZCtioEB").codec, DAG_PB);
    assert.equal(parseCid("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy").codec, RAW);
  });

  it("parseCid() refuses what is not a CID, naming it", () => {
    assert.throws(() => parseCid("bafyfake"), /CID|varint/);
    assert.throws(() => parseCid("hello"), /"hello" is not a CID/);
  });

  it("rawCid() is the CID of a raw block, and verifyBlock() accepts only its bytes", async () => {
    const bytes = enc.encode("hello world");
    const cid = await rawCid(bytes);
    // The well-known CIDv1 (raw, sha2-256) of "hello world".
    assert.equal(formatCid(cid), "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
    await verifyBlock(cid, bytes);
    await assert.rejects(verifyBlock(cid, enc.encode("hello world!")), /do not match/);
  });

  it("parseIpfsUri() takes ipfs://<cid>/path and the old ipfs://ipfs/<cid> form", () => {
    const a = parseIpfsUri("ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy/art/1.json");
    assert.deepEqual(a.path, ["art", "1.json"]);
    const b = parseIpfsUri("ipfs://ipfs/QmPZ9gcCEpqKTo6aq61g2nXGUhM4iCL3ewB6LDXZCtioEB");
    assert.equal(b.cid.version, 0);
  });

  it("parseGateways() normalises to …/ipfs/ and refuses non-http(s) or relative entries unless asked", () => {
    assert.deepEqual(parseGateways("http://127.0.0.1:8794, https://ipfs.io/ipfs/"), ["http://127.0.0.1:8794/ipfs/", "https://ipfs.io/ipfs/"]);
    assert.deepEqual(parseGateways("/svc/operator", { relative: true }), ["/svc/operator/ipfs/"]);
    assert.throws(() => parseGateways("/svc/operator"), /not a URL/);
    assert.throws(() => parseGateways("ftp://x"), /not http/);
    assert.throws(() => parseGateways(" , "), /at least one/);
  });
});

describe("CAR and UnixFS", () => {
  it("writeCar() then readCar() returns every block verified; assembleFile() joins the leaves in order", async () => {
    const { root, car } = await unixfsFile("first chunk ", "second chunk");
    const blocks = await readCar(car);
    assert.equal(blocks.size, 3);
    assert.equal(new TextDecoder().decode(assembleFile(root.cid, [], blocks, 1000)), "first chunk second chunk");
    assert.throws(() => assembleFile(root.cid, [], blocks, 10), /larger than 10 bytes/);
  });

  it("readCar() refuses a CAR with a block that does not match its CID", async () => {
    const a = enc.encode("genuine");
    const cid = await rawCid(a);
    await assert.rejects(readCar(writeCar(cid, [[cid, enc.encode("forged!")]])), /do not match/);
  });
});

describe("fetchVerified() through gateways", () => {
  const servers: Server[] = [];
  const base: Record<string, string> = {};
  const image = enc.encode("pretend these are the artwork's bytes");
  let imageCid: Cid;
  let fileCid: Cid;
  let honestCar: Uint8Array;
  let tamperedCar: Uint8Array;
  const hits: string[] = [];

  before(async () => {
    imageCid = await rawCid(image);
    const { root, leaves, car } = await unixfsFile("part one, ", "part two");
    fileCid = root.cid;
    honestCar = car;
    tamperedCar = writeCar(root.cid, [[root.cid, root.bytes], [leaves[0].cid, enc.encode("part 0ne, ")], [leaves[1].cid, leaves[1].bytes]]);
    const serve = async (name: string, answer: (url: URL) => { status: number; body: Uint8Array }) => {
      const server = createServer((req, res) => {
        hits.push(name);
        const r = answer(new URL(req.url ?? "/", "http://x"));
        res.writeHead(r.status).end(r.body);
      });
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      servers.push(server);
      base[name] = `http://127.0.0.1:${port}/ipfs/`;
    };
    await serve("liar", () => ({ status: 200, body: enc.encode("other bytes entirely") }));
    await serve("broken", () => ({ status: 502, body: new Uint8Array() }));
    await serve("tampering", () => ({ status: 200, body: tamperedCar }));
    await serve("honest", (url) => {
      const cid = url.pathname.split("/")[2];
      if (cid === formatCid(imageCid) && url.searchParams.get("format") === "raw") return { status: 200, body: image };
      if (cid === formatCid(fileCid) && url.searchParams.get("format") === "car") return { status: 200, body: honestCar };
      return { status: 404, body: new Uint8Array() };
    });
  });
  after(async () => {
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  });

  const get = async (url: string, o: { maxBytes: number; accept: string }) => {
    const res = await fetch(url, { headers: { accept: o.accept } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > o.maxBytes) throw new Error("too large");
    return bytes;
  };

  it("skips a gateway that returns other bytes and one that fails, and takes the next that verifies", async () => {
    const skipped: string[] = [];
    hits.length = 0;
    const r = await fetchVerified(`ipfs://${formatCid(imageCid)}`, {
      gateways: [base.liar, base.broken, base.honest],
      get,
      maxBytes: 1024,
      onSkip: (g, reason) => skipped.push(`${g} ${reason}`),
    });
    assert.deepEqual(r.bytes, image);
    assert.equal(r.gateway, base.honest);
    assert.deepEqual(hits, ["liar", "broken", "honest"]);
    assert.match(skipped[0], /do not match/);
    assert.match(skipped[1], /HTTP 502/);
  });

  it("a dag-pb file comes as a CAR: a tampered block is caught, the honest CAR assembles", async () => {
    const r = await fetchVerified(`ipfs://${formatCid(fileCid)}`, { gateways: [base.tampering, base.honest], get, maxBytes: 1024 });
    assert.equal(new TextDecoder().decode(r.bytes), "part one, part two");
    assert.equal(r.gateway, base.honest);
  });

  it("when every gateway lies, it throws, naming each gateway and why; no bytes come back", async () => {
    await assert.rejects(
      fetchVerified(`ipfs://${formatCid(imageCid)}`, { gateways: [base.liar, base.tampering], get, maxBytes: 1024 }),
      (e: Error) => e.name === "IpfsError" && e.message.includes(`${base.liar}: bytes do not match`) && e.message.includes(base.tampering),
    );
  });
});
