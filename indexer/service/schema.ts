/**
 * @module schema
 * The Postgres schema Ponder writes this deployment's tables into. One per (chain, AuctionHouse,
 * genesis, indexer code): a redeploy, a restarted local chain or a changed indexer gets a fresh schema
 * instead of Ponder's "previously used by a different Ponder app" MigrationError, while a plain restart
 * reuses the schema and resumes where it stopped.
 */
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Deployment } from "@sothebais/common/deployments";

const indexerRoot = fileURLToPath(new URL("..", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
}

/** Hash of what decides Ponder's build id: config, schema, handlers and ABIs. */
export function codeHash(root = indexerRoot): string {
  const hash = createHash("sha256");
  for (const path of ["ponder.config.ts", "ponder.schema.ts", ...files(join(root, "src")), ...files(join(root, "abis"))].map((p) =>
    p.startsWith("/") ? p : join(root, p),
  )) {
    if (path.includes(`${join(root, "src", "api")}/`)) continue; // the API does not change indexed data
    hash.update(path.slice(root.length)).update(readFileSync(path));
  }
  return hash.digest("hex").slice(0, 6);
}

/** `sb_<chainId>_<auctionHouse 8 hex>_<genesis 6 hex>_<code 6 hex>`: at most 45 characters (Ponder's limit). */
export function schemaName(deployment: Deployment, code = codeHash()): string {
  const ah = deployment.auctionHouse.slice(2, 10).toLowerCase();
  const genesis = deployment.genesisHash.slice(2, 8).toLowerCase();
  return `sb_${deployment.chainId}_${ah}_${genesis}_${code}`;
}
