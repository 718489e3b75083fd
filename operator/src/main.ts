/**
 * @module main
 * `npm start -w @sothebais/operator`: config from env, then the operator API until SIGTERM. Every line
 * written passes through `redactSecrets` (the RPC URL may carry a provider's API key): see runService.
 */
import { runService } from "@sothebais/common/service";
import { loadConfig } from "./config.ts";
import { startOperator } from "./operator.ts";

await runService({
  service: "operator",
  loadConfig,
  start: async ({ config, log, shutdown }) => {
    const operator = await startOperator(config, log);
    shutdown.onShutdown("operator", () => operator.stop());
  },
});
