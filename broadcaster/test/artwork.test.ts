import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { createCanvas } from "@napi-rs/canvas";
import { rasterSize, sniff } from "@sothebais/common/image";
import { formatCid, rawCid } from "@sothebais/common/ipfs";
import { freePort } from "@sothebais/common/testing";
import { type ArtworkLoader, createArtworkLoader } from "../src/artwork/loader.ts";
import { parseMetadata, resolveUri, sanitizeSvg, svgExpandedNodes } from "../src/artwork/bytes.ts";
import { blockedReason } from "../src/artwork/net.ts";

function png(width: number, height: number, color = "#c33"): Buffer {
  const c = createCanvas(width, height);
  const ctx = c.getContext("2d");
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, width, height);
  return c.toBuffer("image/png");
}

/** A PNG header that claims 100000 x 100000 pixels (a decompression bomb's first bytes). */
function bombHeader(): Buffer {
  const b = Buffer.from(png(4, 4));
  b.writeUInt32BE(100_000, 16);
  b.writeUInt32BE(100_000, 20);
  return b;
}

const goodSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="50000" viewBox="0 0 200 100"><rect width="200" height="100" fill="#2a6"/></svg>`;
const hostileSvgs: Record<string, string> = {
  entities: `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>`,
  script: `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`,
  external: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>`,
  remote: `<svg xmlns="http://www.w3.org/2000/svg"><image href="http://169.254.169.254/latest" width="10" height="10"/></svg>`,
  css: `<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(http://evil/x.css);</style></svg>`,
};

/** Ten levels of ten nested <use>: 10^10 elements once expanded (the SVG billion laughs). */
function useBomb(levels = 10, fan = 10): string {
  let defs = `<g id="l0"><rect width="1" height="1" fill="#c33"/></g>`;
  for (let k = 1; k <= levels; k++) defs += `<g id="l${k}">${Array.from({ length: fan }, () => `<use href="#l${k - 1}"/>`).join("")}</g>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs>${defs}</defs><use href="#l${levels}"/></svg>`;
}

let server: Server;
let base: string;
let port: number;
let loader: ArtworkLoader;
/** A second local server standing for an internal service (never allowlisted): it serves a valid image. */
let inner: Server;
let innerBase: string;
const hanging: import("node:http").ServerResponse[] = [];
/** ipfs:// content by CID (raw blocks), served at /ipfs/<cid>?format=raw; a liar serves other bytes for any CID. */
const ipfsBlocks = new Map<string, Buffer>();
let ipfsImageCid: string;
let ipfsMetaCid: string;
let liar: Server;
let liarBase: string;
const skips: string[] = [];

before(async () => {
  const image = png(100, 100);
  ipfsImageCid = formatCid(await rawCid(image));
  const meta = Buffer.from(JSON.stringify({ name: "From IPFS", creator: "Kai", image: `ipfs://${ipfsImageCid}` }));
  ipfsMetaCid = formatCid(await rawCid(meta));
  ipfsBlocks.set(ipfsImageCid, image).set(ipfsMetaCid, meta);
  liar = createServer((_req, res) => res.writeHead(200).end(png(100, 100, "#000")));
  const liarPort = await freePort();
  await new Promise<void>((r) => liar.listen(liarPort, "127.0.0.1", r));
  liarBase = `http://127.0.0.1:${liarPort}`;
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    const ipfs = /^\/ipfs\/([a-z0-9]+)\?format=raw$/.exec(path);
    if (ipfs && ipfsBlocks.has(ipfs[1])) return res.writeHead(200, { "content-type": "application/vnd.ipld.raw" }).end(ipfsBlocks.get(ipfs[1]));
    if (path === "/ok.png") return res.writeHead(200, { "content-type": "image/png" }).end(png(800, 400));
    if (path === "/404.png") return res.writeHead(404).end("nope");
    if (path === "/hang.png") return void hanging.push(res); // never answers
    if (path === "/trickle.png") {
      res.writeHead(200, { "content-type": "image/png" });
      res.write(png(4, 4).subarray(0, 20));
      return void hanging.push(res); // headers and a few bytes, then nothing
    }
    if (path === "/huge-declared.png") return res.writeHead(200, { "content-length": String(500 * 1024 * 1024) }).end();
    if (path === "/huge-stream.png") {
      res.writeHead(200, { "content-type": "image/png" });
      const chunk = Buffer.alloc(1024 * 1024, 1);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once("drain", pump);
        else res.end();
      };
      return pump();
    }
    if (path === "/bomb.png") return res.writeHead(200, { "content-type": "image/png" }).end(bombHeader());
    if (path === "/page.png") return res.writeHead(200, { "content-type": "image/png" }).end("<html><body>not an image</body></html>");
    if (path === "/corrupt.png") return res.writeHead(200).end(Buffer.concat([png(10, 10).subarray(0, 40), Buffer.alloc(100, 7)]));
    if (path === "/good.svg") return res.writeHead(200, { "content-type": "image/svg+xml" }).end(goodSvg);
    if (path === "/bomb.svg") return res.writeHead(200, { "content-type": "image/svg+xml" }).end(useBomb());
    if (path.startsWith("/redirect?to=")) return res.writeHead(302, { location: decodeURIComponent(path.slice("/redirect?to=".length)) }).end();
    if (path.startsWith("/loop/")) return res.writeHead(302, { location: `/loop/${Number(path.slice(6)) + 1}` }).end();
    if (path.startsWith("/svg/")) return res.writeHead(200, { "content-type": "image/svg+xml" }).end(hostileSvgs[path.slice(5)]);
    if (path === "/meta.json")
      return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ name: "Dawn over Shape", image: `${base}/ok.png`, attributes: [{ trait_type: "Artist", value: "Ada Vega" }] }));
    res.writeHead(404).end();
  });
  port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  base = `http://127.0.0.1:${port}`;
  inner = createServer((_req, res) => res.writeHead(200, { "content-type": "image/png" }).end(png(64, 64)));
  const innerPort = await freePort();
  await new Promise<void>((r) => inner.listen(innerPort, "127.0.0.1", r));
  innerBase = `http://127.0.0.1:${innerPort}`;
  // The test server is loopback: reachable only because it is allowlisted (ARTWORK_ALLOW_HOSTS).
  loader = createArtworkLoader({
    // The liar first: every ipfs:// read must get past it.
    ipfsGateways: [`${liarBase}/ipfs/`, `${base}/ipfs/`],
    timeoutMs: 1500,
    maxBytes: 4 * 1024 * 1024,
    box: { width: 456, height: 456 },
    decodeTimeoutMs: 5000,
    allowHosts: [`127.0.0.1:${port}`, `127.0.0.1:${liarPort}`],
    onGatewaySkip: (_uri, gateway, reason) => skips.push(`${gateway} ${reason}`),
  });
});

after(async () => {
  await loader.close();
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  inner.closeAllConnections();
  await new Promise<void>((r) => inner.close(() => r()));
  await new Promise<void>((r) => liar.close(() => r()));
});

describe("artwork loader", () => {
  it("loads an https image scaled to fit the box", async () => {
    const e = await loader.load(`${base}/ok.png`);
    assert.equal(e.status, "ready", e.error);
    assert.equal(e.image?.width, 456);
    assert.equal(e.image?.height, 228);
  });

  it("reads name and artist from JSON metadata, then loads its image", async () => {
    const e = await loader.load(`${base}/meta.json`);
    assert.equal(e.status, "ready", e.error);
    assert.equal(e.name, "Dawn over Shape");
    assert.equal(e.artist, "Ada Vega");
  });

  it("reads ipfs:// through the gateways, metadata and image each verified against its CID; a lying gateway is skipped", async () => {
    skips.length = 0;
    const e = await loader.load(`ipfs://${ipfsMetaCid}`);
    assert.equal(e.status, "ready", e.error);
    assert.equal(e.name, "From IPFS");
    assert.equal(e.artist, "Kai");
    assert.equal(skips.length, 2, "the liar was tried for the metadata and for the image");
    assert.ok(skips.every((s) => s.startsWith(`${liarBase}/ipfs/`) && /do not match/.test(s)));
  });

  it("behavior: when every gateway lies, the artwork fails to the placeholder, naming the CID check", async () => {
    const lied = createArtworkLoader({ ipfsGateways: [`${liarBase}/ipfs/`], timeoutMs: 1500, allowHosts: [liarBase.slice("http://".length)] });
    try {
      const e = await lied.load(`ipfs://${ipfsImageCid}`);
      assert.equal(e.status, "failed");
      assert.equal(e.image, undefined);
      assert.match(e.error ?? "", /no gateway returned bytes matching the CID/);
    } finally {
      await lied.close();
    }
  });

  it("loads data: URIs (base64 PNG and inline JSON metadata with a data: image)", async () => {
    const dataPng = `data:image/png;base64,${png(20, 10).toString("base64")}`;
    const a = await loader.load(dataPng);
    assert.equal(a.status, "ready", a.error);
    const meta = `data:application/json;base64,${Buffer.from(JSON.stringify({ name: "Inline", image: dataPng })).toString("base64")}`;
    const b = await loader.load(meta);
    assert.equal(b.status, "ready", b.error);
    assert.equal(b.name, "Inline");
  });

  it("rasterizes a sane SVG even when it claims an enormous size", async () => {
    const e = await loader.load(`${base}/good.svg`);
    assert.equal(e.status, "ready", e.error);
    assert.equal(e.image?.width, 456);
  });

  const hostile: [string, () => string, RegExp][] = [
    ["404", () => `${base}/404.png`, /404/],
    ["a server that never answers", () => `${base}/hang.png`, /abort|timeout|time/i],
    ["a body that stops arriving", () => `${base}/trickle.png`, /within|abort|time/i],
    ["a huge declared body", () => `${base}/huge-declared.png`, /exceeds/],
    ["a huge streamed body", () => `${base}/huge-stream.png`, /exceeds/],
    ["a PNG header claiming 100000x100000", () => `${base}/bomb.png`, /exceeds .* pixels/],
    ["HTML served as image/png", () => `${base}/page.png`, /not an image/],
    ["an unsupported scheme", () => "file:///etc/passwd", /unsupported/],
    ["data: text/html", () => "data:text/html,<script>alert(1)</script>", /not an image/],
    ["a data: URI over the size cap", () => `data:image/png;base64,${"A".repeat(8 * 1024 * 1024)}`, /larger/],
    ...Object.keys(hostileSvgs).map((k): [string, () => string, RegExp] => [`malicious SVG (${k})`, () => `${base}/svg/${k}`, /SVG/]),
    ["malicious SVG as a data: URI", () => `data:image/svg+xml;utf8,${encodeURIComponent(hostileSvgs.script)}`, /SVG/],
  ];
  for (const [name, uri, reason] of hostile) {
    it(`behavior: ${name} fails fast to the placeholder`, async () => {
      const started = Date.now();
      const e = await loader.load(uri());
      assert.equal(e.status, "failed");
      assert.equal(e.image, undefined);
      assert.match(e.error ?? "", reason);
      assert.ok(Date.now() - started < 10_000, "bounded by the deadlines");
    });
  }

  it("behavior: the internal server's image loads when allowlisted (the refusals below are about the address)", async () => {
    const allowing = createArtworkLoader({ ipfsGateways: [`${base}/ipfs/`], timeoutMs: 1500, allowHosts: [innerBase.slice("http://".length)] });
    try {
      const e = await allowing.load(`${innerBase}/ok.png`);
      assert.equal(e.status, "ready", e.error);
    } finally {
      await allowing.close();
    }
  });

  // Server-side request forgery: a token URI (or a redirect from it) pointing inside.
  const ssrf: [string, () => string][] = [
    ["a loopback IP", () => `${innerBase}/ok.png`],
    ["localhost (a name resolving to 127.0.0.1)", () => `http://localhost:${innerBase.split(":")[2]}/ok.png`],
    ["a redirect to a loopback IP", () => `${base}/redirect?to=${encodeURIComponent(`${innerBase}/ok.png`)}`],
    ["a redirect to localhost", () => `${base}/redirect?to=${encodeURIComponent(`http://localhost:${innerBase.split(":")[2]}/ok.png`)}`],
    ["the cloud metadata address", () => "http://169.254.169.254/latest/meta-data/iam/security-credentials/"],
    ["a redirect to the cloud metadata address", () => `${base}/redirect?to=${encodeURIComponent("http://169.254.169.254/latest/meta-data/")}`],
    ["IPv6 loopback", () => `http://[::1]:${innerBase.split(":")[2]}/ok.png`],
    ["IPv4-mapped IPv6 loopback", () => `http://[::ffff:127.0.0.1]:${innerBase.split(":")[2]}/ok.png`],
    ["loopback written as a decimal number", () => `http://2130706433:${innerBase.split(":")[2]}/ok.png`],
    ["0.0.0.0", () => `http://0.0.0.0:${innerBase.split(":")[2]}/ok.png`],
    ["a private network address", () => "http://10.0.0.1/a.png"],
    ["a metadata URI through an ipfs-looking https redirect", () => `${base}/redirect?to=${encodeURIComponent("http://[fd00::1]/a.png")}`],
  ];
  for (const [name, uri] of ssrf) {
    it(`behavior: SSRF via ${name} is refused before any request reaches it`, async () => {
      const started = Date.now();
      const e = await loader.load(uri());
      assert.equal(e.status, "failed");
      assert.match(e.error ?? "", /refused .*(not a public address|carries)/);
      assert.ok(Date.now() - started < 1000, `refused in ${Date.now() - started} ms`);
    });
  }

  it("behavior: redirects are followed by hand, at most 5", async () => {
    const e = await loader.load(`${base}/loop/0`);
    assert.equal(e.status, "failed");
    assert.match(e.error ?? "", /more than 5 redirects/);
    const ok = await loader.load(`${base}/redirect?to=${encodeURIComponent("/ok.png")}`);
    assert.equal(ok.status, "ready", ok.error);
  });

  it("behavior: a nested-<use> SVG bomb is refused within a bounded time, over HTTP and as data:", async () => {
    for (const uri of [`${base}/bomb.svg`, `data:image/svg+xml;utf8,${encodeURIComponent(useBomb())}`]) {
      const started = Date.now();
      const e = await loader.load(uri);
      assert.equal(e.status, "failed");
      assert.match(e.error ?? "", /SVG expands to more than 50000 elements/);
      assert.ok(Date.now() - started < 2000, `settled in ${Date.now() - started} ms`);
    }
    // The loader is fine afterwards, and a modest use of <use> still renders.
    const modest = await loader.load(`data:image/svg+xml;utf8,${encodeURIComponent(useBomb(3, 5))}`);
    assert.equal(modest.status, "ready", modest.error);
  });

  it("behavior: an SVG over 2 MiB is refused before parsing", async () => {
    const big = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><desc>${"x".repeat(2 * 1024 * 1024)}</desc></svg>`;
    const e = await loader.load(`data:image/svg+xml;base64,${Buffer.from(big).toString("base64")}`);
    assert.equal(e.status, "failed");
    assert.match(e.error ?? "", /SVG of \d+ characters exceeds/);
  });

  it("behavior: a truncated PNG settles quickly (decoded partially or failed), never hangs", async () => {
    const started = Date.now();
    const e = await loader.load(`${base}/corrupt.png`);
    assert.ok(e.status === "ready" || e.status === "failed");
    assert.ok(Date.now() - started < 10_000);
  });

  it("get() never blocks: it answers 'loading' at once for a URI that hangs", () => {
    const started = performance.now();
    const e = loader.get(`${base}/hang.png?again`);
    assert.equal(e.status, "loading");
    assert.ok(performance.now() - started < 50);
  });
});

describe("artwork bytes", () => {
  it("sniff() goes by content, not by name", () => {
    assert.equal(sniff(new Uint8Array(png(2, 2))), "png");
    assert.equal(sniff(new Uint8Array(Buffer.from(goodSvg))), "svg");
    assert.equal(sniff(new Uint8Array(Buffer.from(' {"name":1}'))), "json");
    assert.equal(sniff(new Uint8Array(Buffer.from("<html>"))), "unknown");
  });

  it("rasterSize() reads the PNG header without decoding", () => {
    assert.deepEqual(rasterSize(new Uint8Array(bombHeader()), "png"), { width: 100_000, height: 100_000 });
  });

  it("resolveUri() maps ar:// and rejects other schemes (ipfs:// goes through the verified gateways)", () => {
    assert.equal(resolveUri("ar://abc"), "https://arweave.net/abc");
    assert.equal(resolveUri("https://x.example/a.png"), "https://x.example/a.png");
    assert.throws(() => resolveUri("javascript:alert(1)"), /unsupported/);
  });

  it("sanitizeSvg() bounds the intrinsic size and keeps the drawing", () => {
    const out = sanitizeSvg(goodSvg, 1024);
    assert.match(out, /<svg width="1024" height="512"/);
    assert.match(out, /viewBox="0 0 200 100"/);
  });

  it("svgExpandedNodes() counts elements with every <use> expanded, cycles as unbounded", () => {
    assert.equal(svgExpandedNodes(`<svg><rect id="r"/><use xlink:href="#r"/><use href='#r'/></svg>`, 1000), 6);
    assert.equal(svgExpandedNodes(`<svg><g id="a"><use href="#a"/></g></svg>`, 1000), Number.POSITIVE_INFINITY);
    assert.ok(svgExpandedNodes(useBomb(), 50_000) > 50_000);
    assert.ok(svgExpandedNodes(`<svg:svg xmlns:svg="http://www.w3.org/2000/svg">${useBomb().replace(/<use /g, "<svg:use ")}</svg:svg>`, 50_000) > 50_000, "prefixed <svg:use>");
    // A hostile tag without its closing '>' costs linear time, not exponential backtracking.
    const started = performance.now();
    svgExpandedNodes(`<g${' a="x y"'.repeat(5000)}`, 10);
    assert.ok(performance.now() - started < 200);
  });

  it("blockedReason() refuses every non-public range and passes public addresses", () => {
    const refused = ["127.0.0.1", "127.1.2.3", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3",
      "224.0.0.1", "239.255.255.250", "255.255.255.255", "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:a9fe:a9fe", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1"];
    for (const ip of refused) assert.ok(blockedReason(ip), `${ip} should be refused`);
    for (const ip of ["1.1.1.1", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) assert.equal(blockedReason(ip), null, ip);
  });

  it("parseMetadata() finds the artist in attributes or top-level fields", () => {
    assert.deepEqual(parseMetadata({ name: "A", image: "ipfs://x", attributes: [{ trait_type: "Creator", value: "Bo" }] }), { name: "A", artist: "Bo", image: "ipfs://x" });
    assert.equal(parseMetadata({ artist: "Cy", image_url: "https://x" }).image, "https://x");
    assert.deepEqual(parseMetadata("nope"), {});
    const long = `data:image/svg+xml;utf8,${"%20".repeat(500)}`;
    assert.equal(parseMetadata({ image: long }).image, long, "a long data: URI is kept whole");
  });
});
