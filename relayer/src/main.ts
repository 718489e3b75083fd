/**
 * @module main
 * `npm start -w @sothebais/relayer`: config from env, then the relayer until SIGTERM. Nothing reaches
 * stdout or stderr unredacted (runService): the RPC URL may hold the provider's API key (in its path or
 * query) and shows up in viem's error messages, config errors and crash reports.
 */
import { runService } from "@sothebais/common/service";
import { loadConfig } from "./config.ts";
import { startRelayer } from "./relayer.ts";

await runService({
  service: "relayer",
  loadConfig,
  start: async ({ config, log, shutdown }) => {
    const relayer = await startRelayer(config, log);
    shutdown.onShutdown("relayer", () => relayer.stop());
  },
});
