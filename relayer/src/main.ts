/**
 * @module main
 * `npm start -w @sothebais/relayer`: config from env, then the relayer until SIGTERM.
 */
import { ConfigError } from "@sothebais/common/errors";
import { createLogger } from "@sothebais/common/log";
import { createShutdown } from "@sothebais/common/shutdown";
import { loadConfig } from "./config.ts";
import { startRelayer } from "./relayer.ts";

const log = createLogger({ service: "relayer" });
let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
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
