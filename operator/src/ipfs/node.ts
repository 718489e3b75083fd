/**
 * @module ipfs/node
 * The operator's in-process IPFS node: Helia's HTTP flavour (@helia/http) over a blockstore and a
 * datastore on disk, with no block brokers and no routers, so it never reaches the network. It stores
 * and pins what is uploaded, and the trustless gateway (ipfs/gateway.ts) serves it.
 *
 * Why @helia/http rather than `helia`: the full node brings libp2p (transports, DHT, bitswap, identify,
 * a key chain) to announce content to the public network, and this node has nobody to talk to
 * locally. In production the content reaches the network through a pinning service (ipfs/pinning.ts),
 * not through this node. The HTTP flavour is the same Helia API (blockstore, pins, GC) without libp2p.
 *
 * Files are added with Helia's UnixFS defaults: CIDv1, raw leaves, 1 MiB chunks, balanced layout. They
 * are deterministic (same bytes, same CID) and match what `ipfs add --cid-version=1 --raw-leaves
 * --chunker=size-1048576` computes elsewhere. A file of at most 1 MiB is one raw block.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createHeliaHTTP } from "@helia/http";
import { unixfs } from "@helia/unixfs";
import { FsBlockstore } from "blockstore-fs";
import { FsDatastore } from "datastore-fs";
import { CID } from "multiformats/cid";

export type IpfsNode = {
  /** Stores `bytes` as a UnixFS file; returns its CID (v1, base32). */
  addFile: (bytes: Uint8Array) => Promise<string>;
  /** Pins `cid` and every block under it (a pinned DAG survives garbage collection). */
  pin: (cid: string) => Promise<void>;
  isPinned: (cid: string) => Promise<boolean>;
  /** One block from the local store, or undefined when it is not here (never fetched from elsewhere). */
  getBlock: (cid: string) => Promise<Uint8Array | undefined>;
  stop: () => Promise<void>;
};

/** Opens (creating if needed) the node's stores under `dir`: `dir/blocks` and `dir/datastore`. */
export async function createIpfsNode(dir: string): Promise<IpfsNode> {
  await mkdir(dir, { recursive: true });
  const blockstore = new FsBlockstore(join(dir, "blocks"));
  const datastore = new FsDatastore(join(dir, "datastore"));
  await blockstore.open();
  await datastore.open();
  // No brokers and no routers: a block that is not on disk is "not found", not fetched from the internet.
  const helia = await createHeliaHTTP({ blockstore, datastore, blockBrokers: [], routers: [] });
  const fs = unixfs(helia);
  const offline = { offline: true } as const;

  return {
    addFile: async (bytes) => (await fs.addBytes(bytes)).toString(),
    pin: async (cid) => {
      const c = CID.parse(cid);
      if (await helia.pins.isPinned(c, offline)) return;
      for await (const _ of helia.pins.add(c, offline)) {
        // Each yield is a block now held by the pin; the loop drives the walk.
      }
    },
    isPinned: (cid) => helia.pins.isPinned(CID.parse(cid), offline),
    getBlock: async (cid) => {
      const c = CID.parse(cid);
      if (!(await helia.blockstore.has(c, offline))) return undefined;
      return collect(await helia.blockstore.get(c, offline));
    },
    stop: async () => {
      await helia.stop();
      await blockstore.close();
      await datastore.close();
    },
  };
}

/** A block as one array (blockstores may hand it over whole or as a stream of chunks). */
async function collect(source: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0] : new Uint8Array(Buffer.concat(chunks));
}
