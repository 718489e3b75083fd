/**
 * The indexer service: checks config, the chain and the cache, then runs `ponder start` for this
 * deployment's schema and stops it cleanly on SIGTERM.
 *
 *   node indexer/service/main.ts        (npm start -w @sothebais/indexer)
 */
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { repoRoot } from "@sothebais/common/deployments";
import { AppError, FatalError } from "@sothebais/common/errors";
import { createLogger } from "@sothebais/common/log";
import { createShutdown } from "@sothebais/common/shutdown";
import { readIndexerConfig } from "./config.ts";
import { fetchGenesisHash, resetCacheIfGenesisChanged } from "./genesis.ts";
import { schemaName } from "./schema.ts";

const indexerRoot = fileURLToPath(new URL("..", import.meta.url));
const log = createLogger({ service: "indexer" });

async function main() {
  const config = readIndexerConfig();
  const { deployment } = config;
  const genesis = await fetchGenesisHash(config.rpcUrl);
  if (genesis.toLowerCase() !== deployment.genesisHash.toLowerCase()) {
    throw new FatalError(
      `the deployment record for chain ${config.chainId} was made on another chain instance (genesis ${deployment.genesisHash}, the RPC has ${genesis})`,
      { hints: ["the local node was restarted: deploy again (./sothebais up does it)", "or point RPC_URL at the chain the record was made on"] },
    );
  }
  await resetCacheIfGenesisChanged(
    config.databaseUrl ? { kind: "postgres", url: config.databaseUrl } : { kind: "pglite", dir: config.pgliteDir },
    config.chainId,
    genesis,
    log,
  );
  const schema = schemaName(deployment);
  log.info("starting ponder", {
    chainId: config.chainId,
    auctionHouse: deployment.auctionHouse,
    fromBlock: deployment.deployBlock,
    schema,
    database: config.databaseUrl ? "postgres" : `pglite ${config.pgliteDir}`,
    port: config.port,
  });

  const child = spawn(
    join(repoRoot, "node_modules/.bin/ponder"),
    ["start", "--schema", schema, "--port", String(config.port), "--hostname", config.hostname, "--log-format", "json", "--log-level", config.logLevel],
    { cwd: indexerRoot, stdio: "inherit", env: { ...process.env, DATABASE_SCHEMA: schema, CHAIN_ID: String(config.chainId) } },
  );
  const shutdown = createShutdown({ log: (msg, fields) => log.info(msg, fields), timeoutMs: 15_000 });
  const exited = new Promise<number | null>((r) => child.once("exit", (code, signal) => r(code ?? (signal ? 128 : null))));
  shutdown.onShutdown("ponder", async () => {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  });
  const code = await exited;
  if (!shutdown.signal.aborted) {
    log.error("ponder exited", { code });
    process.exit(code || 1);
  }
}

main().catch((error: unknown) => {
  const hints = error instanceof AppError ? error.hints : [];
  log.error(error instanceof Error ? error.message : String(error), { error, hints });
  process.exit(error instanceof FatalError ? 2 : 1);
});
