/**
 * @module testing/services
 * Real dependencies for tests and the local stack: a Hardhat node and a Redis server, each on a free
 * port (or a given one), started as child processes.
 */
import { join } from "node:path";
import { repoRoot } from "../deployments.ts";
import { freePort, type Managed, startProcess } from "./process.ts";

export type HardhatNode = Managed & { port: number; rpcUrl: string; wsUrl: string };

export type StartHardhatNodeOptions = {
  port?: number;
  /** Interval mining in ms (the local stack uses 1000); default automine. */
  intervalMs?: number;
  echo?: (line: string) => void;
  /** Chain id (default 31337, the `node` network's); 11011 stands in for Shape Sepolia in the rehearsal. */
  chainId?: number;
  /** EDR chain type (default the `node` network's, "op": OP-stack gas rules, L1 data fee included). */
  chainType?: "op" | "l1" | "generic";
};

/** Starts `hardhat node` on 127.0.0.1 (chain 31337 unless `chainId` is given) with the repo's config. */
export async function startHardhatNode(options: StartHardhatNodeOptions = {}): Promise<HardhatNode> {
  const port = options.port ?? (await freePort());
  const node = await startProcess({
    name: "hardhat node",
    command: join(repoRoot, "node_modules/.bin/hardhat"),
    args: [
      "node", "--hostname", "127.0.0.1", "--port", String(port),
      ...(options.chainId === undefined ? [] : ["--chain-id", String(options.chainId)]),
      ...(options.chainType === undefined ? [] : ["--chain-type", options.chainType]),
    ],
    cwd: repoRoot,
    readyWhen: /Started HTTP and WebSocket JSON-RPC server/,
    timeoutMs: 60_000,
    echo: options.echo,
  });
  const rpcUrl = `http://127.0.0.1:${port}`;
  // The `node` network mines on an interval; tests want automine unless they ask for an interval.
  await rpc(rpcUrl, "evm_setAutomine", [options.intervalMs === undefined]);
  if (options.intervalMs !== undefined) await rpc(rpcUrl, "evm_setIntervalMining", [options.intervalMs]);
  else await rpc(rpcUrl, "evm_setIntervalMining", [0]);
  return { ...node, port, rpcUrl, wsUrl: `ws://127.0.0.1:${port}` };
}

/** A raw JSON-RPC call (for the node's own methods: evm_*, hardhat_*). */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

export type RedisServer = Managed & { port: number; url: string; restart: () => Promise<RedisServer> };

/** Starts Debian's `redis-server` on 127.0.0.1: without persistence, or append-only (fsync always) in `persistDir`. */
export async function startRedis(options: { port?: number; echo?: (line: string) => void; /** Append-only file in this folder, so queued work survives a restart. */ persistDir?: string } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  // With a folder: what production runs (ops/redis/start.sh), an AOF fsynced on every write, so a kill -9
  // loses no write Redis acknowledged (the relayer's exactly-once records, relayer/src/store.ts).
  const persistence = options.persistDir ? ["--appendonly", "yes", "--appendfsync", "always", "--dir", options.persistDir] : ["--appendonly", "no"];
  const server = await startProcess({
    name: "redis-server",
    command: "redis-server",
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--protected-mode", "no"],
    readyWhen: /Ready to accept connections/,
    timeoutMs: 10_000,
    echo: options.echo,
  });
  const self: RedisServer = {
    ...server,
    port,
    url: `redis://127.0.0.1:${port}`,
    restart: async () => {
      await server.stop();
      return startRedis({ ...options, port });
    },
  };
  return self;
}
