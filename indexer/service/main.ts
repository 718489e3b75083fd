/**
 * The indexer service. As the writer (`INDEXER_MODE=start`, the default) it checks config, the chain and
 * the cache, then runs `ponder start` for this deployment's schema. As an API replica
 * (`INDEXER_MODE=serve`) it waits for the writer's schema in Postgres and runs `ponder serve` over it:
 * same routes, no RPC, no writes. Either way it stops the child cleanly on SIGTERM.
 *
 *   node indexer/service/main.ts        (npm start -w @sothebais/indexer)
 */
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "@sothebais/common/deployments";
import { AppError, FatalError } from "@sothebais/common/errors";
import { createLogger } from "@sothebais/common/log";
import { createShutdown } from "@sothebais/common/shutdown";
import { type IndexerConfig, readIndexerConfig } from "./config.ts";
import { fetchGenesisHash, resetCacheIfGenesisChanged } from "./genesis.ts";
import { waitForWriterSchema } from "./replica.ts";
import { chainHeadClient, initialWatchdogState, readChainHead, readIndexedBlock, watchdogStep } from "./watchdog.ts";
import { schemaName } from "./schema.ts";

const indexerRoot = fileURLToPath(new URL("..", import.meta.url));
const log = createLogger({ service: "indexer" });

/** The writer owns the chain's cache: it checks the record's genesis and clears a stale cache. */
async function prepareWriter(config: IndexerConfig) {
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
}

/** A replica only reads: it waits for the writer's schema and never touches the cache. False if stopped first. */
async function prepareReplica(config: IndexerConfig, schema: string, signal: AbortSignal): Promise<boolean> {
  if (!config.databaseUrl) throw new FatalError("INDEXER_MODE=serve needs DATABASE_URL"); // readIndexerConfig already refuses it
  return waitForWriterSchema(config.databaseUrl, schema, { log, signal });
}

async function main() {
  const config = readIndexerConfig();
  const { deployment, mode } = config;
  // A replica must land on the writer's schema: both derive it from the same record and code.
  const schema = schemaName(deployment);
  const shutdown = createShutdown({ log: (msg, fields) => log.info(msg, fields), timeoutMs: 15_000 });
  if (mode === "start") await prepareWriter(config);
  else if (!(await prepareReplica(config, schema, shutdown.signal))) return;
  log.info(mode === "start" ? "starting ponder" : "starting ponder serve (API replica)", {
    mode,
    chainId: config.chainId,
    auctionHouse: deployment.auctionHouse,
    fromBlock: deployment.deployBlock,
    schema,
    database: config.databaseUrl ? "postgres" : `pglite ${config.pgliteDir}`,
    port: config.port,
  });

  const ponderArgs = [mode, "--schema", schema, "--port", String(config.port), "--hostname", config.hostname, "--log-format", "json", "--log-level", config.logLevel];
  const spawnPonder = () => {
    const child = spawn(join(repoRoot, "node_modules/.bin/ponder"), ponderArgs, {
      cwd: indexerRoot,
      stdio: "inherit",
      env: { ...process.env, DATABASE_SCHEMA: schema, CHAIN_ID: String(config.chainId) },
    });
    const exited = new Promise<number | null>((r) => child.once("exit", (code, signal) => r(code ?? (signal ? 128 : null))));
    return { child, exited };
  };
  let ponder = spawnPonder();
  let restarting = false;
  const stopPonder = async () => {
    ponder.child.kill("SIGTERM");
    const timer = setTimeout(() => ponder.child.kill("SIGKILL"), 10_000);
    await ponder.exited;
    clearTimeout(timer);
  };
  shutdown.onShutdown("ponder", stopPonder);
  if (mode === "start" && config.stallRestartMs > 0) void watchWriter();

  for (;;) {
    const code = await ponder.exited;
    if (shutdown.signal.aborted) return;
    if (restarting) {
      restarting = false;
      ponder = spawnPonder();
      continue;
    }
    log.error("ponder exited", { code });
    process.exit(code || 1);
  }

  /** Restarts Ponder when it stops following the chain (watchdog.ts); armed once Ponder is ready. */
  async function watchWriter() {
    const host = config.hostname === "0.0.0.0" || config.hostname === "::" ? "127.0.0.1" : config.hostname;
    const url = `http://${host}:${config.port}`;
    const options = { stallMs: config.stallRestartMs, toleranceBlocks: 2 };
    const chain = chainHeadClient(config.rpcUrl);
    let state = initialWatchdogState(Date.now());
    let armed = false;
    while (!shutdown.signal.aborted) {
      await new Promise((r) => setTimeout(r, 5000).unref());
      if (!armed) {
        armed = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(3000) }).then((r) => r.ok, () => false);
        state = initialWatchdogState(Date.now());
        continue;
      }
      const [chainHead, indexed] = await Promise.all([readChainHead(chain), readIndexedBlock(url)]);
      const step = watchdogStep(state, { at: Date.now(), chainHead, indexed }, options);
      state = step.state;
      if (!step.stalled || shutdown.signal.aborted) continue;
      log.warn("ponder stopped following the chain: restarting it", { indexed, chainHead, stalledForS: Math.round((Date.now() - state.indexedChangedAt) / 1000) });
      restarting = true;
      armed = false;
      await stopPonder();
    }
  }
}

main().catch((error: unknown) => {
  const hints = error instanceof AppError ? error.hints : [];
  log.error(error instanceof Error ? error.message : String(error), { error, hints });
  process.exit(error instanceof FatalError ? 2 : 1);
});
