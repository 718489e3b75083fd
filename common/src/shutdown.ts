/**
 * @module shutdown
 * A tiny registry of cleanup callbacks run once, in reverse order, on SIGTERM/SIGINT or on demand.
 */
export type Shutdown = {
  /** Register a cleanup; runs in reverse registration order. */
  onShutdown(name: string, fn: () => unknown | Promise<unknown>): void;
  /** Aborted when shutdown starts: long-running loops watch it. */
  signal: AbortSignal;
  /** Run every cleanup (once) and resolve when done. */
  shutdown(reason?: string): Promise<void>;
};

export type CreateShutdownOptions = {
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Install SIGTERM/SIGINT handlers that shut down and exit. Default true. */
  handleSignals?: boolean;
  /** Give up waiting for cleanups after this many ms. Default 10 000. */
  timeoutMs?: number;
};

export function createShutdown(options: CreateShutdownOptions = {}): Shutdown {
  const callbacks: { name: string; fn: () => unknown }[] = [];
  const controller = new AbortController();
  let running: Promise<void> | undefined;
  const log = options.log ?? (() => {});

  const shutdown = (reason = "requested") => {
    running ??= (async () => {
      log("shutting down", { reason });
      controller.abort(reason);
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.timeoutMs ?? 10_000).unref());
      for (const { name, fn } of callbacks.reverse()) {
        try {
          await Promise.race([Promise.resolve(fn()), timeout]);
        } catch (error) {
          log("cleanup failed", { name, error });
        }
      }
      log("shut down", { reason });
    })();
    return running;
  };

  if (options.handleSignals ?? true) {
    for (const sig of ["SIGTERM", "SIGINT"] as const) {
      process.once(sig, () => void shutdown(sig).then(() => process.exit(0)));
    }
  }
  return { onShutdown: (name, fn) => void callbacks.push({ name, fn }), signal: controller.signal, shutdown };
}
