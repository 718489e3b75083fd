/**
 * @module artwork/deps
 * The artwork routes' dependencies from the configuration: the local IPFS node, the remote pinning
 * when configured (URL and token together, or neither), the upload limits and an outcome counter.
 */
import { ConfigError } from "@sothebais/common/errors";
import type { Logger } from "@sothebais/common/log";
import type { Metrics } from "@sothebais/common/metrics";
import type { Config } from "../config.ts";
import { createIpfsNode, type IpfsNode } from "../ipfs/node.ts";
import { createRemotePinning } from "../ipfs/pinning.ts";
import type { ArtworkRoutesDeps } from "./routes.ts";

export async function createArtworkDeps(config: Config, log: Logger, metrics: Metrics): Promise<ArtworkRoutesDeps & { node: IpfsNode }> {
  const problems: string[] = [];
  if (!!config.PINNING_SERVICE_URL !== !!config.PINNING_SERVICE_TOKEN) problems.push("PINNING_SERVICE_URL and PINNING_SERVICE_TOKEN: set both or neither");
  if (config.IPFS_UPLOAD_URL && !config.PINNING_SERVICE_URL) problems.push("IPFS_UPLOAD_URL: needs PINNING_SERVICE_URL (the upload is followed by a pin request)");
  if (config.ARTWORK_MIN_SIDE > config.ARTWORK_MAX_SIDE) problems.push(`ARTWORK_MIN_SIDE: got ${config.ARTWORK_MIN_SIDE}, expected at most ARTWORK_MAX_SIDE (${config.ARTWORK_MAX_SIDE})`);
  if (problems.length) throw new ConfigError(problems);
  const uploads = metrics.counter("artwork_uploads_total", "Artwork uploads, by outcome", ["outcome"]);
  const node = await createIpfsNode(config.IPFS_DIR);
  const remote =
    config.PINNING_SERVICE_URL && config.PINNING_SERVICE_TOKEN
      ? createRemotePinning({
          serviceUrl: config.PINNING_SERVICE_URL,
          token: config.PINNING_SERVICE_TOKEN,
          origins: config.PINNING_ORIGINS,
          uploadUrl: config.IPFS_UPLOAD_URL,
          uploadToken: config.IPFS_UPLOAD_TOKEN,
        })
      : undefined;
  log.info("ipfs node ready", { dir: config.IPFS_DIR, pinningService: config.PINNING_SERVICE_URL ? new URL(config.PINNING_SERVICE_URL).origin : "none" });
  return {
    node,
    remote,
    log,
    limits: { maxBytes: config.ARTWORK_MAX_BYTES, maxSide: config.ARTWORK_MAX_SIDE, minSide: config.ARTWORK_MIN_SIDE },
    onOutcome: (outcome) => uploads.inc({ outcome }),
  };
}
