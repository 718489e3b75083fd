/**
 * @module stack/start
 * Starts the parts of the local stack in dependency order with one shared context, and stops them in
 * reverse. `./sothebais up` uses it with the default ports; the end-to-end test with free ports.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@sothebais/common/deployments";
import { freePort } from "@sothebais/common/testing";
import type { StackContext, StackPorts, StackService } from "./types.ts";

export const stackOrder = ["chain", "redis", "indexer", "rtmp", "chat", "relayer", "agent", "broadcaster", "operator", "dapp", "audience"] as const;
export type StackPart = (typeof stackOrder)[number];

export type RunningStack = {
  ctx: StackContext;
  /** Stops every started part in reverse order; safe to call twice. */
  stop: (reason?: string) => Promise<void>;
};

export type StartStackOptions = {
  ports: StackPorts;
  dataDir: string;
  /** Only these parts (default: every part that exists). */
  parts?: readonly StackPart[];
  flags?: Partial<StackContext["flags"]>;
  echo?: StackContext["echo"];
  progress?: (message: string) => void;
  /** Called before each part starts and after it is ready. */
  onPart?: (name: string, phase: "starting" | "ready", seconds: number) => void;
};

export async function freeStackPorts(): Promise<StackPorts> {
  const names = ["chain", "redis", "indexer", "relayer", "broadcaster", "agent", "operator", "chat", "rtmp", "hls", "dapp"] as const;
  const ports = {} as StackPorts;
  for (const name of names) ports[name] = await freePort();
  return ports;
}

export async function startStack(options: StartStackOptions): Promise<RunningStack> {
  rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });
  const stops: { name: string; fn: () => unknown }[] = [];
  const ctx: StackContext = {
    root: repoRoot,
    dataDir: options.dataDir,
    chainId: 31337,
    ports: options.ports,
    urls: {},
    echo: options.echo ?? (() => () => {}),
    progress: options.progress ?? (() => {}),
    onStop: (name, fn) => void stops.push({ name, fn }),
    flags: { simulateAudience: false, verbose: false, ...options.flags },
  };
  let stopping: Promise<void> | undefined;
  const stop = (reason = "stop") => {
    stopping ??= (async () => {
      for (const { name, fn } of stops.reverse()) {
        try {
          await fn();
        } catch (error) {
          ctx.progress(`${name} did not stop cleanly (${reason}): ${(error as Error).message}`);
        }
      }
    })();
    return stopping;
  };

  const wanted = options.parts ?? stackOrder;
  for (const name of stackOrder) {
    if (!wanted.includes(name)) continue;
    if (name === "audience" && !ctx.flags.simulateAudience) continue;
    const file = join(repoRoot, "scripts/src/stack", `${name}.ts`);
    if (!existsSync(file)) continue;
    const { service } = (await import(file)) as { service: StackService };
    const t0 = Date.now();
    options.onPart?.(service.name, "starting", 0);
    try {
      await service.start(ctx);
    } catch (error) {
      await stop(`${service.name} failed`);
      throw new Error(`${service.name} failed to start: ${(error as Error).message}`, { cause: error });
    }
    options.onPart?.(service.name, "ready", (Date.now() - t0) / 1000);
  }
  return { ctx, stop };
}
