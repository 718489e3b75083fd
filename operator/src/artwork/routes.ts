/**
 * @module artwork/routes
 * `POST /artwork` (multipart/form-data: `image` file, `title`, `artist`, `description`), for admins and
 * auctioneers: the image is checked (artwork/validate.ts), stored and pinned with its ERC-721 metadata
 * (artwork/store.ts), and the answer is `{imageCid, metadataCid, tokenURI, image, remote?}`, 201.
 * A refused upload is 422 `{error, field}` naming the bad value and what is allowed; a body past the
 * limit is 413 before it is read.
 */
import type { Logger } from "@sothebais/common/log";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { type OperatorEnv, requireRole } from "../auth/require-role.ts";
import type { IpfsNode } from "../ipfs/node.ts";
import type { RemotePinning } from "../ipfs/pinning.ts";
import { storeArtwork } from "./store.ts";
import { type ArtworkLimits, ArtworkRejected, checkArtwork } from "./validate.ts";

export type ArtworkRoutesDeps = {
  node: IpfsNode;
  remote?: RemotePinning;
  limits: ArtworkLimits;
  log: Logger;
  /** Uploads stored, by outcome (stored, rejected, failed). */
  onOutcome?: (outcome: "stored" | "rejected" | "failed") => void;
};

/** Room for the text fields and multipart framing around the image. */
const FORM_OVERHEAD = 64 * 1024;

export function createArtworkRoutes(d: ArtworkRoutesDeps) {
  const app = new Hono<OperatorEnv>();
  const mb = (d.limits.maxBytes / 1024 / 1024).toFixed(1);
  app.use("*", requireRole("admin", "auctioneer"));
  app.post(
    "/",
    bodyLimit({
      maxSize: d.limits.maxBytes + FORM_OVERHEAD,
      onError: (c) => {
        d.onOutcome?.("rejected");
        return c.json({ error: `the upload is larger than allowed: an image of at most ${mb} MB`, field: "image" }, 413);
      },
    }),
    async (c) => {
      if (!(c.req.header("content-type") ?? "").startsWith("multipart/form-data")) {
        throw new HTTPException(415, { message: "expected multipart/form-data with fields image, title, artist, description" });
      }
      const form = await c.req.parseBody().catch(() => {
        throw new HTTPException(400, { message: "the multipart body could not be read" });
      });
      const text = (k: string) => (typeof form[k] === "string" ? (form[k] as string) : "");
      const file = form.image;
      try {
        if (!(file instanceof File)) throw new ArtworkRejected("image", "a file field named image is required");
        const checked = checkArtwork({ bytes: new Uint8Array(await file.arrayBuffer()), title: text("title"), artist: text("artist"), description: text("description") }, d.limits);
        const stored = await storeArtwork(checked, { node: d.node, remote: d.remote });
        d.onOutcome?.("stored");
        d.log.info("artwork stored", { by: c.get("operator").address, title: checked.title, imageCid: stored.imageCid, metadataCid: stored.metadataCid, remote: stored.remote });
        return c.json(stored, 201);
      } catch (error) {
        if (error instanceof ArtworkRejected) {
          d.onOutcome?.("rejected");
          d.log.info("artwork refused", { by: c.get("operator").address, field: error.field, reason: error.message });
          return c.json({ error: error.message, field: error.field }, 422);
        }
        d.onOutcome?.("failed");
        d.log.error("artwork upload failed", { by: c.get("operator").address, error });
        // Stored locally or not, a pin that failed must not be minted: say so, and that a retry is safe.
        throw new HTTPException(502, { message: `the artwork could not be stored and pinned: ${(error as Error).message} (retrying is safe: the same file gives the same CID)` });
      }
    },
  );
  return app;
}
