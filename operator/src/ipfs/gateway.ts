/**
 * @module ipfs/gateway
 * A trustless gateway over the local node, mounted at `/ipfs`: `GET /ipfs/<cid>?format=raw` (one block,
 * `application/vnd.ipld.raw`), `?format=car` (the DAG as a CARv1, `application/vnd.ipld.car`, depth-first)
 * and plain `GET /ipfs/<cid>` (the file's bytes, typed by sniffing). The Accept header may ask for raw or
 * CAR instead of `format`. Content is public and addressed by hash, so nothing here needs a session;
 * only what the node holds is served (it never fetches from elsewhere), paths inside a CID are not.
 *
 * @see https://specs.ipfs.tech/http-gateways/trustless-gateway/
 */
import { sniff } from "@sothebais/common/image";
import { assembleFile, type Cid, formatCid, IpfsError, parseCid, writeCar } from "@sothebais/common/ipfs";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { mimeOf } from "../artwork/validate.ts";
import { BlockNotHeld, type IpfsNode, readDag } from "./node.ts";

const RAW_TYPE = "application/vnd.ipld.raw";
const CAR_TYPE = "application/vnd.ipld.car";

const typeOf: Record<string, string> = { ...mimeOf, json: "application/json" };

/** `limits.maxBytes`: the largest file served (uploads are held to it); a CAR may carry up to twice that. */
export function createGatewayRoutes(d: { node: IpfsNode; limits: { maxBytes: number } }) {
  const app = new Hono();

  const notHeld = (cid: Cid) => new HTTPException(404, { message: `${formatCid(cid)} is not held by this node` });
  const dag = (cid: Cid) =>
    readDag(d.node, cid, d.limits.maxBytes * 2).catch((error) => {
      if (error instanceof BlockNotHeld) throw new HTTPException(404, { message: error.message });
      if (error instanceof RangeError) throw new HTTPException(413, { message: error.message });
      throw error;
    });

  app.get("/:cid{[^/]+}", async (c) => {
    let cid: Cid;
    try {
      cid = parseCid(c.req.param("cid"));
    } catch (error) {
      throw new HTTPException(400, { message: (error as Error).message });
    }
    const accept = c.req.header("accept") ?? "";
    const format = c.req.query("format") ?? (accept.includes(RAW_TYPE) ? "raw" : accept.includes(CAR_TYPE) ? "car" : undefined);
    const name = formatCid(cid);
    // Content never changes under a CID: cache forever. Served on the console's origin (/svc/operator/ipfs):
    // never let a browser guess another type, and never let a response run as a page.
    const headers = {
      "cache-control": "public, max-age=29030400, immutable",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "x-ipfs-roots": name,
    };

    if (format === "raw") {
      const bytes = await d.node.getBlock(name);
      if (!bytes) throw notHeld(cid);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { ...headers, "content-type": RAW_TYPE, etag: `"${name}.raw"` });
    }
    if (format !== undefined && format !== "car") throw new HTTPException(400, { message: `format=${format} is not served here; use raw, car or none` });
    const blocks = await dag(cid);
    if (format === "car") {
      const car = writeCar(cid, blocks);
      return c.body(car as Uint8Array<ArrayBuffer>, 200, { ...headers, "content-type": `${CAR_TYPE}; version=1; order=dfs; dups=y`, etag: `"${name}.car"` });
    }
    let bytes: Uint8Array;
    try {
      bytes = assembleFile(cid, [], new Map(blocks.map(([k, v]) => [formatCid(k), v])), d.limits.maxBytes);
    } catch (error) {
      if (error instanceof IpfsError) throw new HTTPException(422, { message: error.message });
      throw error;
    }
    const type = typeOf[sniff(bytes)] ?? "application/octet-stream";
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { ...headers, "content-type": type, etag: `"${name}"` });
  });

  // After the route above: Hono's trailing `/*` also matches the bare CID.
  app.get("/:cid{[^/]+}/*", () => {
    throw new HTTPException(400, { message: "paths inside a CID are not served by this gateway; request the file's own CID" });
  });

  return app;
}
