/**
 * The real indexer (indexer/service/main.ts -> ponder start) on a free port, for every suite that reads
 * from it. One starter on purpose: a copy that passed RPC_WS_URL put Ponder on the node's ws new-heads
 * subscription, which dies about five minutes into a run (see indexer/service/config.ts), and froze a
 * 10-minute broadcaster bench for ~35 s until the stall watchdog restarted Ponder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../deployments.ts";
import { freePort, type Managed, startProcess, waitFor } from "./process.ts";

export type RunningIndexer = Managed & { url: string; port: number };

/** How far an indexer is: Ponder's `/ready`, its indexed block (`/status`) and the chain's head. */
export type IndexerProgress = { ready: boolean; indexed: number | undefined; head: number | undefined; caughtUp: boolean };

/**
 * Whether the indexer at `url` has caught up with the chain at `rpcUrl`. Ponder's `/ready` turns 200 once
 * the backfill up to the finalized block is done (ponder/src/runtime: `is_ready` is set before realtime
 * indexing starts), and its finality is ~30 blocks on every chain we run: a lot created within the last
 * 30 blocks is not in the API yet at `/ready`. Caught up is `/ready` and the indexed block within
 * `within` blocks of the head.
 */
export async function indexerProgress(url: string, rpcUrl: string, within = 2): Promise<IndexerProgress> {
  const ready = await fetch(`${url}/ready`).then((r) => r.ok, () => false);
  const status = (await fetch(`${url}/status`).then((r) => r.json(), () => ({}))) as Record<string, { block?: { number?: number } }>;
  const indexed = Object.values(status)[0]?.block?.number;
  const head = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
  })
    .then(async (r) => Number(((await r.json()) as { result: string }).result))
    .catch(() => undefined);
  return { ready, indexed, head, caughtUp: ready && indexed !== undefined && head !== undefined && indexed >= head - within };
}

export type StartIndexerOptions = {
  stack: { rpcUrl: string; deploymentsDir: string };
  /** PGlite folder; without it (and without `databaseUrl`) a temp folder, removed on stop. */
  pgliteDir?: string;
  databaseUrl?: string;
  port?: number;
  env?: Record<string, string | undefined>;
  /** Wait until it has caught up with the chain: /ready and the last blocks indexed (default true). */
  ready?: boolean;
};

export async function startIndexer(options: StartIndexerOptions): Promise<RunningIndexer> {
  const indexerRoot = join(repoRoot, "indexer");
  const port = options.port ?? (await freePort());
  const tempDir = options.pgliteDir || options.databaseUrl ? undefined : mkdtempSync(join(tmpdir(), "sothebais-pglite-"));
  const child = await startProcess({
    name: "indexer",
    command: process.execPath,
    args: [join(indexerRoot, "service/main.ts")],
    cwd: indexerRoot,
    env: {
      CHAIN_ID: "31337",
      DEPLOYMENTS_DIR: options.stack.deploymentsDir,
      RPC_URL: options.stack.rpcUrl,
      PORT: String(port),
      PGLITE_DIR: options.pgliteDir ?? tempDir,
      DATABASE_URL: options.databaseUrl,
      // "Created HTTP server" (the readiness line) is an info line.
      PONDER_LOG_LEVEL: "info",
      ...options.env,
    },
    readyWhen: (out) => out.includes("Created HTTP server"),
    timeoutMs: 300_000,
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (graceMs?: number) => {
    await child.stop(graceMs ?? 15_000);
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  if (options.ready !== false) {
    let ready = false;
    const exitedEarly = child.exited.then((code) => {
      if (!ready) throw new Error(`indexer exited (${code}) before /ready`);
    });
    exitedEarly.catch(() => {});
    try {
      const caughtUp = async () => (await indexerProgress(url, options.stack.rpcUrl)).caughtUp;
      await Promise.race([waitFor(caughtUp, { timeoutMs: 300_000, intervalMs: 200, what: "indexer /ready and caught up with the chain" }), exitedEarly]);
      ready = true;
    } catch (error) {
      await stop(1000);
      throw new Error(`${(error as Error).message}\n${child.output().slice(-1500)}`);
    }
  }
  return { ...child, stop, url, port };
}
