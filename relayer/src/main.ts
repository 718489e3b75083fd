/**
 * @module main
 * `npm start -w @sothebais/relayer`: config from env, then the relayer until SIGTERM. Nothing reaches
 * stdout or stderr unredacted: the RPC URL may hold the provider's API key (in its path or query) and
 * shows up in viem's error messages, config errors and crash reports.
 */
import { ConfigError } from "@sothebais/common/errors";
import { createLogger } from "@sothebais/common/log";
import { redactSecrets } from "@sothebais/common/redact";
import { createShutdown } from "@sothebais/common/shutdown";
import { loadConfig } from "./config.ts";
import { startRelayer } from "./relayer.ts";

// The logger redacts fields by name and shape; the whole line is passed through once more here, so
// whatever a field holds, the line written is clean.
const log = createLogger({ service: "relayer", write: (line) => process.stdout.write(`${redactSecrets(line)}\n`) });
// Node would print these with their message and stack to stderr, unredacted: log them instead.
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
  const relayer = await startRelayer(config, log);
  shutdown.onShutdown("relayer", () => relayer.stop());
} catch (error) {
  log.error("relayer failed to start", { error });
  process.exit(1);
}
