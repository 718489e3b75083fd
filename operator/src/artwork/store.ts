/**
 * @module artwork/store
 * A checked artwork into IPFS: the image, then its ERC-721 metadata (pointing at the image's CID), both
 * pinned on the local node and, when configured, sent to the pinning service. Idempotent: the same
 * upload yields the same CIDs, and pinning what is pinned is a no-op (services dedupe by CID).
 */
import { parseCid, writeCar } from "@sothebais/common/ipfs";
import { type IpfsNode, readDag } from "../ipfs/node.ts";
import type { PinStatus, RemotePinning } from "../ipfs/pinning.ts";
import { type CheckedArtwork, tokenMetadata } from "./validate.ts";

export type StoredArtwork = {
  imageCid: string;
  metadataCid: string;
  /** What to mint with. */
  tokenURI: string;
  image: { type: string; width: number; height: number; bytes: number };
  /** The pinning service's answer, when one is configured. */
  remote?: { image: PinStatus; metadata: PinStatus };
};

export async function storeArtwork(a: CheckedArtwork, d: { node: IpfsNode; remote?: RemotePinning }): Promise<StoredArtwork> {
  const imageCid = await d.node.addFile(a.bytes);
  const json = new TextEncoder().encode(`${JSON.stringify(tokenMetadata(a, imageCid), null, 2)}\n`);
  const metadataCid = await d.node.addFile(json);
  await d.node.pin(imageCid);
  await d.node.pin(metadataCid);
  const stored: StoredArtwork = {
    imageCid,
    metadataCid,
    tokenURI: `ipfs://${metadataCid}`,
    image: { type: a.mime, width: a.width, height: a.height, bytes: a.bytes.length },
  };
  if (!d.remote) return stored;
  const carOf = async (cid: string) => writeCar(parseCid(cid), await readDag(d.node, parseCid(cid), Number.POSITIVE_INFINITY));
  // The image first: a metadata pin that succeeded over a missing image would mint a token without art.
  const image = await d.remote.pin({ cid: imageCid, name: `${a.title} (image)`, car: () => carOf(imageCid) });
  const metadata = await d.remote.pin({ cid: metadataCid, name: `${a.title} (metadata)`, car: () => carOf(metadataCid) });
  return { ...stored, remote: { image, metadata } };
}
