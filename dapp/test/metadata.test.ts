// @vitest-environment node
/**
 * fetchTokenMetadata() with ipfs:// token URIs: local HTTP servers stand in for IPFS gateways, one honest
 * and one that answers every CID with other bytes. The lying gateway is skipped; when it is the only one,
 * no image is shown and the reason is given.
 */
import { resolveObjectURL } from "node:buffer";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCid, rawCid } from "@sothebais/common/ipfs";
import { fetchTokenMetadata } from "../src/lib/metadata.ts";

// A 1x1 PNG: the smallest real image.
const pngBytes = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="), (c) => c.charCodeAt(0));
const servers: Server[] = [];
let honest: string;
let liar: string;
let metaUri: string;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}/ipfs/`;
}

beforeAll(async () => {
  const imageCid = formatCid(await rawCid(pngBytes));
  const meta = new TextEncoder().encode(JSON.stringify({ name: "Dawn over Shape", description: "Oil", image: `ipfs://${imageCid}`, attributes: [{ trait_type: "Artist", value: "Ada Vega" }] }));
  const metaCid = formatCid(await rawCid(meta));
  metaUri = `ipfs://${metaCid}`;
  const blocks = new Map([
    [imageCid, pngBytes],
    [metaCid, meta],
  ]);
  honest = await listen((req, res) => {
    const cid = new URL(req.url ?? "/", "http://x").pathname.split("/")[2];
    const block = blocks.get(cid);
    if (block) res.writeHead(200, { "content-type": "application/vnd.ipld.raw" }).end(block);
    else res.writeHead(404).end();
  });
  liar = await listen((_req, res) => res.writeHead(200).end(JSON.stringify({ name: "Forged", image: "https://evil.example/x.png" })));
});

afterAll(async () => {
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
});

describe("fetchTokenMetadata() with ipfs://", () => {
  it("reads metadata and image through the gateways, skipping one that returns other bytes", async () => {
    const m = await fetchTokenMetadata(metaUri, { gateways: [liar, honest] });
    expect(m.name).toBe("Dawn over Shape");
    expect(m.artist).toBe("Ada Vega");
    expect(m.imageError).toBeUndefined();
    expect(m.image).toMatch(/^blob:/);
    const shown = new Uint8Array(await (resolveObjectURL(m.image as string) as Blob).arrayBuffer());
    expect(shown).toEqual(pngBytes);
  });

  it("when every gateway lies, it throws for the metadata: nothing forged is shown", async () => {
    await expect(fetchTokenMetadata(metaUri, { gateways: [liar] })).rejects.toThrow(/no gateway returned bytes matching the CID/);
  });
});
