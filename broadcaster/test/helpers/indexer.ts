/**
 * The real indexer (indexer/service/main.ts -> ponder start) on a free port with a temp PGlite dir,
 * for the broadcaster's end-to-end tests and benchmark.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type Managed, startProcess, waitFor } from "@sothebais/common/testing";

const indexerRoot = join(import.meta.dirname, "../../../indexer");

export type RunningIndexer = Managed & { url: string; close: () => Promise<void> };

export async function startIndexer(stack: { rpcUrl: string; wsUrl: string; deploymentsDir: string }): Promise<RunningIndexer> {
  const port = await freePort();
  const pglite = mkdtempSync(join(tmpdir(), "sothebais-bc-pglite-"));
  const child = await startProcess({
    name: "indexer",
    command: process.execPath,
    args: [join(indexerRoot, "service/main.ts")],
    cwd: indexerRoot,
    env: {
      CHAIN_ID: "31337",
      DEPLOYMENTS_DIR: stack.deploymentsDir,
      RPC_URL: stack.rpcUrl,
      RPC_WS_URL: stack.wsUrl,
      PORT: String(port),
      PGLITE_DIR: pglite,
      // "Created HTTP server" (the readiness line) is an info line.
      PONDER_LOG_LEVEL: "info",
    },
    readyWhen: (out) => out.includes("Created HTTP server"),
    timeoutMs: 300_000,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(() => fetch(`${url}/ready`).then((r) => r.ok), { timeoutMs: 300_000, intervalMs: 250, what: "indexer /ready" });
  return {
    ...child,
    url,
    close: async () => {
      await child.stop(15_000);
      rmSync(pglite, { recursive: true, force: true });
    },
  };
}
