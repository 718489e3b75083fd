/**
 * The soak's stack: the same parts as `./sothebais up` (scripts/src/stack/<part>.ts), composed here rather
 * than through startStack so the soak can stand between them: the services reach the chain through a
 * pausable proxy (RPC stalls), Redis runs with AOF as production must (the stack's own redis part has no
 * persistence), and every service process is found in /proc so it can be killed and started again.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@sothebais/common/deployments";
import { type Managed, startProcess, waitFor } from "@sothebais/common/testing";
import { freeStackPorts } from "../../scripts/src/stack/start.ts";
import type { StackContext, StackService } from "../../scripts/src/stack/types.ts";
import { findChild, type ProcSnapshot, snapshot } from "./procs.ts";
import { type StallProxy, startStallProxy } from "./proxy.ts";

export type SoakService = {
  name: string;
  pid: number;
  snap: ProcSnapshot;
  /** True once the service serves again (each service has its own idea of ready). */
  healthy: () => Promise<boolean>;
  /** Processes the soak started itself (restarts), to stop at the end. */
  restarted: Managed[];
};

export type SoakStack = {
  ctx: StackContext;
  /** The node itself, bypassing the proxy: the soak's own view of the truth. */
  nodeRpcUrl: string;
  proxy: StallProxy;
  services: Map<string, SoakService>;
  /** The fps the broadcaster must reach again to count as recovered: 30, or less on a machine that
   * cannot render 30 at all (the soak sets it from the fps measured before the fault). */
  fpsTarget: { value: number };
  stop: () => Promise<void>;
};

const ok = (url: string) => fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false);

export async function indexerCaughtUp(indexerUrl: string, nodeRpcUrl: string): Promise<boolean> {
  if (!(await ok(`${indexerUrl}/ready`))) return false;
  const status = (await fetch(`${indexerUrl}/status`, { signal: AbortSignal.timeout(5000) }).then((r) => r.json())) as Record<string, { block: { number: number } }>;
  const indexed = Object.values(status)[0]?.block.number ?? 0;
  const res = await fetch(nodeRpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }) });
  const head = Number(((await res.json()) as { result: string }).result);
  return indexed >= head - 2;
}

/** `fps`: frames the stream carried in the last second; `renderFps`: of those, drawn on time. */
export type BroadcasterHealth = { fps: number; renderFps: number; ingestConnected: boolean; status?: string };
export async function broadcasterHealth(url: string): Promise<BroadcasterHealth | undefined> {
  try {
    return (await (await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) })).json()) as BroadcasterHealth;
  } catch {
    return undefined;
  }
}

/** A stack context on free ports for the soak's own composition of `scripts/src/stack` parts; `stops` in start order. */
export async function soakContext(options: { dataDir: string; progress: (line: string) => void; echo: StackContext["echo"] }) {
  const stops: { name: string; fn: () => unknown }[] = [];
  const ctx: StackContext = {
    root: repoRoot,
    dataDir: options.dataDir,
    chainId: 31337,
    ports: await freeStackPorts(),
    urls: {},
    echo: options.echo,
    progress: options.progress,
    onStop: (name, fn) => void stops.push({ name, fn }),
    flags: { simulateAudience: false, verbose: false },
  };
  return { ctx, stops };
}

export async function startSoakStack(options: { dataDir: string; progress: (line: string) => void; echo: StackContext["echo"] }): Promise<SoakStack> {
  rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });
  const { ctx, stops } = await soakContext(options);
  const services = new Map<string, SoakService>();
  const fpsTarget = { value: 30 };
  let proxy: StallProxy | undefined;
  let redis: Managed | undefined;
  const stop = async () => {
    for (const s of services.values()) for (const m of s.restarted) await m.stop(10_000).catch(() => {});
    for (const { name, fn } of stops.reverse()) {
      try {
        await fn();
      } catch (error) {
        options.progress(`${name} did not stop cleanly: ${(error as Error).message}`);
      }
    }
    await redis?.stop().catch(() => {});
    for (const s of services.values()) for (const m of s.restarted) await m.stop(10_000).catch(() => {});
    await proxy?.close();
  };
  const part = async (name: string) => {
    const { service } = (await import(join(repoRoot, "scripts/src/stack", `${name}.ts`))) as { service: StackService };
    const t0 = Date.now();
    await service.start(ctx);
    options.progress(`${name} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  const track = (name: string, needle: string, healthy: () => Promise<boolean>) => {
    const pid = findChild(needle);
    if (!pid) throw new Error(`cannot find the ${name} process (${needle}) among this process's children`);
    services.set(name, { name, pid, snap: snapshot(name, pid), healthy, restarted: [] });
  };

  try {
    await part("chain");
    const nodeRpcUrl = ctx.urls.rpcUrl;
    track("chain", "hardhat", async () => true);
    proxy = await startStallProxy(ctx.ports.chain);
    ctx.urls.rpcUrl = `http://127.0.0.1:${proxy.port}`;
    ctx.urls.wsUrl = `ws://127.0.0.1:${proxy.port}`;

    // Redis as production runs it: every write in the append-only file before it is acknowledged.
    const redisDir = join(options.dataDir, "redis");
    mkdirSync(redisDir, { recursive: true });
    redis = await startProcess({
      name: "redis",
      command: "redis-server",
      args: ["--port", String(ctx.ports.redis), "--bind", "127.0.0.1", "--dir", redisDir, "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no"],
      readyWhen: /Ready to accept connections/,
      timeoutMs: 30_000,
      echo: ctx.echo("redis"),
    });
    ctx.urls.redisUrl = `redis://127.0.0.1:${ctx.ports.redis}`;
    track("redis", "redis-server", async () => true);
    // redis-server rewrites its process title ("redis-server 127.0.0.1:port"): restart it from what we ran.
    (services.get("redis") as SoakService).snap.argv = redis.child.spawnargs;

    await part("indexer");
    const indexerUrl = ctx.urls.indexerUrl;
    track("indexer", "indexer/service/main.ts", () => indexerCaughtUp(indexerUrl, nodeRpcUrl));
    await part("rtmp");
    track("rtmp", "nginx", async () => true);
    // nginx may retitle its master process too: the command line is the one the rtmp part runs.
    const rtmpDir = join(options.dataDir, "rtmp");
    (services.get("rtmp") as SoakService).snap.argv = ["nginx", "-p", rtmpDir, "-c", join(rtmpDir, "nginx.conf"), "-e", join(rtmpDir, "error.log")];
    await part("chat");
    track("chat", "chat-server/main.ts", () => ok(`http://127.0.0.1:${ctx.ports.chat}/health`));
    await part("relayer");
    track("relayer", "relayer/src/main.ts", () => ok(`${ctx.urls.relayerUrl}/health`));
    await part("agent");
    track("agent", "agent/src/main.ts", () => ok(`${ctx.urls.agentUrl}/health`));
    await part("broadcaster");
    const broadcasterUrl = `http://127.0.0.1:${ctx.ports.broadcaster}`;
    track("broadcaster", "broadcaster/src/main.ts", async () => {
      const h = await broadcasterHealth(broadcasterUrl);
      return !!h && h.ingestConnected && h.fps >= fpsTarget.value;
    });
    // Whoever depends on a service that restarts: recovery means these are back too.
    await waitFor(() => services.get("relayer")?.healthy(), { timeoutMs: 120_000, intervalMs: 1000, what: "relayer healthy" });
    return { ctx, nodeRpcUrl, proxy, services, fpsTarget, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
