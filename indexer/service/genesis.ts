/**
 * @module genesis
 * A restarted local node keeps chain id 31337 but starts a new chain, and Ponder's sync cache (blocks,
 * logs, RPC results keyed by chain id) would then feed it stale rows (docs/TOOLCHAIN.md). We remember the
 * genesis hash each chain was indexed with and clear that chain's cache when it changes.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import pg from "pg";
import { FatalError, RetryableError } from "@sothebais/common/errors";
import type { Logger } from "@sothebais/common/log";

type Hash = `0x${string}`;

/** Block 0's hash from the RPC, retried while the node comes up. */
export async function fetchGenesisHash(rpcUrl: string, { attempts = 30, delayMs = 1000 } = {}): Promise<Hash> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getBlockByNumber", params: ["0x0", false] }),
        signal: AbortSignal.timeout(5000),
      });
      const body = (await res.json()) as { result?: { hash: Hash } };
      if (body.result?.hash) return body.result.hash;
      last = new Error(`no block 0 in ${JSON.stringify(body).slice(0, 200)}`);
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, delayMs));
  }
  throw new RetryableError(`cannot read block 0 from ${rpcUrl}`, { cause: last, hints: ["is the node running? (./sothebais up starts one)"] });
}

export type CacheStore = { kind: "pglite"; dir: string } | { kind: "postgres"; url: string };

/**
 * Compares `genesis` with the one recorded for `chainId` and clears the chain's sync cache when they
 * differ. Returns whether it cleared anything.
 */
export async function resetCacheIfGenesisChanged(store: CacheStore, chainId: number, genesis: Hash, log: Logger): Promise<boolean> {
  return store.kind === "pglite" ? resetPglite(store.dir, chainId, genesis, log) : resetPostgres(store.url, chainId, genesis, log);
}

function resetPglite(dir: string, chainId: number, genesis: Hash, log: Logger): boolean {
  // The PGlite directory serves one chain (PGLITE_DIR defaults to .ponder/pglite-<chainId>), so the
  // marker sits beside it and a changed genesis wipes the whole directory.
  const marker = join(dirname(dir), `${dir.split("/").pop()}.genesis.json`);
  const recorded = existsSync(marker) ? (JSON.parse(readFileSync(marker, "utf8")) as { chainId: number; genesis: Hash }) : undefined;
  let cleared = false;
  if (recorded && (recorded.genesis !== genesis || recorded.chainId !== chainId)) {
    log.warn("chain genesis changed: clearing the stale Ponder cache and re-indexing", { chainId, was: recorded.genesis, now: genesis, dir });
    rmSync(dir, { recursive: true, force: true });
    cleared = true;
  } else if (!recorded && existsSync(dir)) {
    log.warn("no genesis recorded for an existing PGlite directory: clearing it to be safe", { chainId, dir });
    rmSync(dir, { recursive: true, force: true });
    cleared = true;
  }
  mkdirSync(dirname(marker), { recursive: true });
  writeFileSync(marker, `${JSON.stringify({ chainId, genesis })}\n`);
  return cleared;
}

async function resetPostgres(url: string, chainId: number, genesis: Hash, log: Logger): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (cause) {
    throw new RetryableError("cannot connect to DATABASE_URL", { cause });
  }
  try {
    await client.query("CREATE SCHEMA IF NOT EXISTS sothebais_meta");
    await client.query("CREATE TABLE IF NOT EXISTS sothebais_meta.chain_genesis (chain_id bigint PRIMARY KEY, genesis_hash text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())");
    const { rows } = await client.query<{ genesis_hash: string }>("SELECT genesis_hash FROM sothebais_meta.chain_genesis WHERE chain_id = $1", [chainId]);
    const recorded = rows[0]?.genesis_hash;
    let cleared = false;
    if (recorded !== undefined && recorded !== genesis) {
      log.warn("chain genesis changed: clearing this chain's stale rows from the ponder_sync cache", { chainId, was: recorded, now: genesis });
      // Every cache table of ponder_sync keys its rows by chain_id; other chains' caches stay.
      const tables = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'ponder_sync' AND column_name = 'chain_id'",
      );
      await client.query("BEGIN");
      for (const { table_name } of tables.rows) {
        await client.query(`DELETE FROM ponder_sync."${table_name.replaceAll('"', "")}" WHERE chain_id = $1`, [chainId]);
      }
      await client.query("COMMIT");
      cleared = true;
    }
    await client.query(
      "INSERT INTO sothebais_meta.chain_genesis (chain_id, genesis_hash) VALUES ($1, $2) ON CONFLICT (chain_id) DO UPDATE SET genesis_hash = $2, updated_at = now()",
      [chainId, genesis],
    );
    return cleared;
  } catch (cause) {
    await client.query("ROLLBACK").catch(() => {});
    throw new FatalError("could not check or clear the Ponder cache in Postgres", { cause });
  } finally {
    await client.end().catch(() => {});
  }
}
