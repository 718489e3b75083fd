/**
 * @module ipfs/node
 * The operator's in-process IPFS node: Helia's UnixFS (@helia/unixfs) over a blockstore on disk
 * (blockstore-fs), with pins recorded beside it. It stores what is uploaded, pins it, never reaches the
 * network, and the trustless gateway (ipfs/gateway.ts) serves it.
 *
 * Why not a `helia` node: `createHeliaLight()` (helia 7, libp2p off) would add @helia/libp2p and bitswap as
 * installed dependencies (measured: 404 more packages, about 300 MB of node_modules) that this node would
 * never load, and @helia/http 4 no longer builds a node of its own (it configures a `helia` one). What a
 * node does here (chunk and encode UnixFS, store blocks, keep them) needs only Helia's UnixFS module and a
 * blockstore: 145 packages, about 57 MB. Public availability is the pinning service's job (ipfs/pinning.ts).
 *
 * Pins: nothing here ever deletes a block (there is no garbage collection), so a pin is the promise that
 * the whole DAG is held: {@link IpfsNode.pin} walks it, every block must be on disk, and records the pin
 * (`<dir>/pins/<cid>.json`) so an operator can list what must be kept when moving the store.
 *
 * Files are added with Helia's UnixFS defaults: CIDv1, raw leaves, 1 MiB chunks, balanced layout. They are
 * deterministic (same bytes, same CID) and match `ipfs add --cid-version=1 --raw-leaves
 * --chunker=size-1048576` elsewhere. A file of at most 1 MiB is one raw block.
 */
import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { unixfs } from "@helia/unixfs";
import { type Cid, dagBlocks, formatCid, parseCid } from "@sothebais/common/ipfs";
import { FsBlockstore } from "blockstore-fs";
import { CID } from "multiformats/cid";

export type IpfsNode = {
  /** Stores `bytes` as a UnixFS file; returns its CID (v1, base32). */
  addFile: (bytes: Uint8Array) => Promise<string>;
  /** Checks every block under `cid` is held, then records the pin. */
  pin: (cid: string) => Promise<void>;
  isPinned: (cid: string) => Promise<boolean>;
  /** One block from the local store, or undefined when it is not here (never fetched from elsewhere). */
  getBlock: (cid: string) => Promise<Uint8Array | undefined>;
  stop: () => Promise<void>;
};

/** Opens (creating if needed) the node's store under `dir`: `dir/blocks` and `dir/pins`. */
export async function createIpfsNode(dir: string): Promise<IpfsNode> {
  const pins = join(dir, "pins");
  await mkdir(pins, { recursive: true });
  const blockstore = new FsBlockstore(join(dir, "blocks"));
  await blockstore.open();
  const fs = unixfs({ blockstore });
  const pinFile = (cid: string) => join(pins, `${formatCid(parseCid(cid))}.json`);

  const node: IpfsNode = {
    addFile: async (bytes) => (await fs.addBytes(bytes)).toString(),
    pin: async (cid) => {
      if (await node.isPinned(cid)) return;
      const blocks = await readDag(node, parseCid(cid), Number.POSITIVE_INFINITY);
      const bytes = blocks.reduce((n, [, b]) => n + b.length, 0);
      await writeFile(pinFile(cid), `${JSON.stringify({ cid, blocks: blocks.length, bytes, pinnedAt: new Date().toISOString() })}\n`);
    },
    isPinned: (cid) => access(pinFile(cid)).then(() => true, () => false),
    getBlock: async (cid) => {
      const c = CID.parse(cid);
      if (!(await blockstore.has(c))) return undefined;
      return collect(blockstore.get(c));
    },
    stop: () => blockstore.close(),
  };
  return node;
}

/** A block the node does not hold (this node never fetches one from elsewhere). */
export class BlockNotHeld extends Error {
  override name = "BlockNotHeld";
}

/** Every block of the DAG under `root`, depth-first (a CAR's order); throws past `maxBytes` in all. */
export async function readDag(node: IpfsNode, root: Cid, maxBytes: number): Promise<[Cid, Uint8Array][]> {
  const get = async (c: Cid) => {
    const bytes = await node.getBlock(formatCid(c));
    if (!bytes) throw new BlockNotHeld(`${formatCid(c)} is not held by this node`);
    return bytes;
  };
  const blocks: [Cid, Uint8Array][] = [];
  let total = 0;
  for await (const pair of dagBlocks(root, get)) {
    total += pair[1].length;
    if (total > maxBytes) throw new RangeError(`${formatCid(root)} is larger than ${maxBytes} bytes`);
    blocks.push(pair);
  }
  return blocks;
}

/** A block as one array (blockstores hand it over whole or as a stream of chunks). */
async function collect(source: Uint8Array | Promise<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const s = await source;
  if (s instanceof Uint8Array) return s;
  const chunks: Uint8Array[] = [];
  for await (const chunk of s) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0] : new Uint8Array(Buffer.concat(chunks));
}
