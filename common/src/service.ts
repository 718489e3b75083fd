/**
 * @module service
 * The start of every long-running service's `main.ts` (operator, relayer, agent, broadcaster, dApp server),
 * written once: a logger whose lines are redacted whole, crashes logged instead of printed, the
 * environment checked before anything starts (one line per bad value, then exit), and SIGTERM/SIGINT
 * running the cleanups the service registered.
 *
 * @example
 * import { runService } from "@sothebais/common/service";
 * import { loadConfig } from "./config.ts";
 * import { startRelayer } from "./relayer.ts";
 *
 * await runService({
 *   service: "relayer",
 *   loadConfig,
 *   start: async ({ config, log, shutdown }) => {
 *     const relayer = await startRelayer(config, log);
 *     shutdown.onShutdown("relayer", () => relayer.stop());
 *   },
 * });
 */
import { ConfigError } from "./errors.ts";
import { createLogger, type Logger } from "./log.ts";
import { redactSecrets } from "./redact.ts";
import { createShutdown, type Shutdown } from "./shutdown.ts";

/** What `start` gets: the checked config, the service's logger and its shutdown registry. */
export type ServiceContext<C> = { config: C; log: Logger; shutdown: Shutdown };

export type RunServiceParameters<C> = {
  /** The `service` field of every log line, and the name in "<service> failed to start". */
  service: string;
  /**
   * Reads and checks the environment (and whatever else must be there before anything starts, e.g. the
   * dApp's built files). A {@link ConfigError} is printed as it is, one line per bad value.
   */
  loadConfig: () => C;
  /** Starts the service and registers each long-lived part with `shutdown`; a throw ends the process (exit 1). */
  start: (context: ServiceContext<C>) => unknown;
  /** Exit code for a bad environment. Default 1 (the agent uses 2, as the indexer's launcher does). */
  configExitCode?: number;
};

/**
 * Runs a service's entry point. Exits the process on a bad environment (`configExitCode`), on a failed
 * start, on an uncaught exception or unhandled rejection (1), and after the cleanups on SIGTERM/SIGINT (0).
 * Everything it writes to stdout and stderr passes through `redactSecrets`: an RPC URL may hold a
 * provider's API key, and it shows up in viem's errors, config errors and crash reports.
 */
export async function runService<C>(parameters: RunServiceParameters<C>): Promise<void> {
  const { service } = parameters;
  // The logger redacts fields by name and shape; the whole line is passed through once more here, so
  // whatever a field holds, the line written is clean.
  const log = createLogger({ service, write: (line) => process.stdout.write(`${redactSecrets(line)}\n`) });
  // Node would print these with their message and stack to stderr, unredacted: log them instead.
  process.on("uncaughtException", (error) => {
    log.error("uncaught exception", { error });
    process.exit(1);
  });
  process.on("unhandledRejection", (error) => {
    log.error("unhandled rejection", { error });
    process.exit(1);
  });

  let config: C;
  try {
    config = parameters.loadConfig();
  } catch (error) {
    // Plain lines on stderr, not a JSON log line: whoever starts the service reads them as they are.
    if (error instanceof ConfigError) {
      console.error(redactSecrets(error.message));
      process.exit(parameters.configExitCode ?? 1);
    }
    console.error(redactSecrets(`${service}: ${error instanceof Error ? error.message : String(error)}`));
    process.exit(1);
  }

  const shutdown = createShutdown({ log: log.info });
  try {
    await parameters.start({ config, log, shutdown });
  } catch (error) {
    log.error(`${service} failed to start`, { error });
    process.exit(1);
  }
}
