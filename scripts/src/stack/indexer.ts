/**
 * The indexer part of `./sothebais up`: Ponder on embedded PGlite (in the stack's data dir) for the
 * stack's chain and deployment, started through the indexer's launcher. Waits for `/ready` while
 * printing how far the catch-up is, then publishes indexerUrl and graphqlUrl.
 *
 * Env: DATABASE_URL (optional) to use Postgres instead of PGlite.
 */
import { join } from "node:path";
import { indexerProgress, startProcess, waitFor } from "@sothebais/common/testing";
import type { StackService } from "./types.ts";

export const service: StackService = {
  name: "indexer",
  async start(ctx) {
    if (!ctx.deployment) throw new Error("the indexer needs the chain part first (no deployment in the stack context)");
    const rpcUrl = ctx.urls.rpcUrl ?? `http://127.0.0.1:${ctx.ports.chain}`;
    const url = `http://127.0.0.1:${ctx.ports.indexer}`;
    const child = await startProcess({
      name: "indexer",
      command: process.execPath,
      args: [join(ctx.root, "indexer/service/main.ts")],
      cwd: join(ctx.root, "indexer"),
      env: {
        CHAIN_ID: String(ctx.chainId),
        DEPLOYMENTS_DIR: ctx.urls.deploymentsDir,
        RPC_URL: rpcUrl,
        PORT: String(ctx.ports.indexer),
        LISTEN_HOST: "127.0.0.1",
        PGLITE_DIR: join(ctx.dataDir, "indexer", "pglite"),
        // Nothing reads Ponder's /sql/* any more (the dApp follows /live/events): off, as on public servers.
        INDEXER_SQL_OVER_HTTP: process.env.INDEXER_SQL_OVER_HTTP ?? "0",
        // Every viewer of the local stack (browser tabs, the e2e browser, benches) is one loopback address.
        LIVE_STREAMS_PER_ADDRESS: process.env.LIVE_STREAMS_PER_ADDRESS ?? "1000",
      },
      echo: ctx.echo("indexer"),
      // The launcher's own line: config, chain and cache checked. Ponder's HTTP server follows (PGlite takes
      // seconds to start, a minute on a busy machine); the wait below reports progress meanwhile.
      readyWhen: /starting ponder/,
      timeoutMs: 60_000,
    });
    ctx.onStop("indexer", () => child.stop(15_000));

    let lastLine = "";
    const exited = child.exited.then((code) => {
      throw new Error(`indexer exited (code ${code}) before it was ready:\n${child.output().slice(-2000)}`);
    });
    const ready = waitFor(
      async () => {
        // Ready means the backfill is done; the last ~30 (unfinalized) blocks follow within seconds.
        const { indexed, head, caughtUp } = await indexerProgress(url, rpcUrl);
        if (caughtUp) return true;
        const line = indexed !== undefined && head !== undefined ? `indexer catching up: block ${indexed} of ${head}` : "indexer starting";
        if (line !== lastLine) ctx.progress(line);
        lastLine = line;
        return false;
      },
      { timeoutMs: 300_000, intervalMs: 500, what: "indexer /ready" },
    );
    // Whichever loses the race must not surface later as an unhandled rejection.
    exited.catch(() => {});
    ready.catch(() => {});
    await Promise.race([ready, exited]);
    ctx.urls.indexerUrl = url;
    ctx.urls.graphqlUrl = `${url}/graphql`;
    ctx.progress(`indexer ready: ${url}/live, GraphQL ${url}/graphql`);
  },
};
