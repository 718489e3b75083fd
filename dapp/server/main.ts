/**
 * @module server/main
 * `npm start -w @sothebais/dapp`: the dApp's production server (server/app.ts) on DAPP_HOST:DAPP_PORT,
 * its metrics on DAPP_METRICS_HOST:DAPP_METRICS_PORT, until SIGTERM (viewer streams closed, then the
 * listeners). A bad environment (or no built dApp in DAPP_DIST_DIR) stops it at start with one line per
 * bad value; nothing it prints carries the operator's RPC URL unredacted (runService).
 */
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { runService } from "@sothebais/common/service";
import { createDappServer } from "./app.ts";
import { readDappEnv } from "./config.ts";
import { loadStatic } from "./static.ts";

const listen = (name: string, fetch: (req: Request, env: unknown) => Response | Promise<Response>, port: number, hostname: string) =>
  new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch, port, hostname }, () => resolve(s as Server)) as Server;
    s.once("error", (error) => reject(new Error(`${name} cannot listen on ${hostname}:${port}: ${error.message}`)));
  });

await runService({
  service: "dapp",
  loadConfig: () => {
    const env = readDappEnv();
    return { env, files: loadStatic(env.DAPP_DIST_DIR) };
  },
  start: async ({ config: { env, files }, log, shutdown }) => {
    const server = createDappServer({ env, files, log });
    const publicServer = await listen("dApp server", server.app.fetch, env.DAPP_PORT, env.DAPP_HOST);
    // Thousands of idle SSE viewers: no request timeout on the public listener, keep-alive kept short.
    publicServer.requestTimeout = 0;
    publicServer.headersTimeout = 20_000;
    publicServer.keepAliveTimeout = 5_000;
    const opsServer = await listen("dApp metrics", server.ops.fetch, env.DAPP_METRICS_PORT, env.DAPP_METRICS_HOST);
    shutdown.onShutdown("listeners", async () => {
      await Promise.all([publicServer, opsServer].map((s) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeIdleConnections();
      })));
    });
    shutdown.onShutdown("live viewers", () => server.close());
    log.info("dapp ready", {
      url: `http://${env.DAPP_HOST}:${env.DAPP_PORT}`,
      metrics: `http://${env.DAPP_METRICS_HOST}:${env.DAPP_METRICS_PORT}/metrics`,
      chainId: env.CHAIN_ID,
      files: files.size,
    });
  },
});
