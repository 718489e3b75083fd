/**
 * @module main
 * `npm start -w @sothebais/operator`: config from env, then the operator API until SIGTERM. Every line
 * written passes through `redactSecrets` (the RPC URL may carry a provider's API key).
 */
import { ConfigError } from "@sothebais/common/errors";
import { createLogger } from "@sothebais/common/log";
import { redactSecrets } from "@sothebais/common/redact";
import { createShutdown } from "@sothebais/common/shutdown";
import { loadConfig } from "./config.ts";
import { startOperator } from "./operator.ts";

const log = createLogger({ service: "operator", write: (line) => process.stdout.write(`${redactSecrets(line)}\n`) });
process.on("uncaughtException", (error) => {
  log.error("uncaught exception", { error });
  process.exit(1);
});
process.on("unhandledRejection", (error) => {
  log.error("unhandled rejection", { error });
  process.exit(1);
});
let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(redactSecrets(error instanceof ConfigError ? error.message : String(error)));
  process.exit(1);
}
const shutdown = createShutdown({ log: log.info });
try {
  const operator = await startOperator(config, log);
  shutdown.onShutdown("operator", () => operator.stop());
} catch (error) {
  log.error("operator failed to start", { error });
  process.exit(1);
}
