/**
 * The broadcaster service: reads config, starts streaming, serves /health /metrics and the preview,
 * and shuts down cleanly on SIGTERM (runService: one line per bad env value, exit 1).
 */
import { serve } from "@hono/node-server";
import { loadDeployment } from "@sothebais/common/deployments";
import { runService } from "@sothebais/common/service";
import { startBroadcaster } from "./broadcaster.ts";
import { readConfig } from "./config.ts";
import { createApp } from "./http.ts";
import { BROADCASTER_NODE_FLAGS, missingNodeFlags } from "./node-flags.ts";

await runService({
  service: "broadcaster",
  loadConfig: readConfig,
  start: ({ config, log, shutdown }) => {
    const missingFlags = missingNodeFlags();
    if (missingFlags.length) {
      log.warn("started without the broadcaster's V8 flags: memory grows and full GCs come more often", { missing: missingFlags, run: `node ${BROADCASTER_NODE_FLAGS.join(" ")} broadcaster/src/main.ts` });
    }
    // The on-chain reference on screen names the contract: from env, else from the deployment record.
    let auctionHouse: string | undefined = config.AUCTION_HOUSE_ADDRESS;
    if (!auctionHouse) {
      try {
        auctionHouse = loadDeployment(config.CHAIN_ID).auctionHouse;
      } catch {
        log.warn("no AUCTION_HOUSE_ADDRESS and no deployment record; the on-screen reference omits the contract", { chainId: config.CHAIN_ID });
      }
    }

    const broadcaster = startBroadcaster(config, log, auctionHouse);
    shutdown.onShutdown("broadcaster", () => broadcaster.stop());

    const app = createApp({ health: broadcaster.health, metrics: broadcaster.metrics, snapshot: broadcaster.snapshot, chatLines: broadcaster.chatLines, previewFps: config.PREVIEW_FPS });
    const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
      log.info("listening", { url: `http://${config.HOST}:${info.port}` });
    });
    shutdown.onShutdown("http", () => new Promise<void>((resolve) => server.close(() => resolve())));
  },
});
