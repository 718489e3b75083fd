/**
 * The real parts an agent test needs: a Hardhat node with the contracts deployed (interval mining,
 * as in the local stack), Redis, the indexer (Ponder on PGlite), and the agent itself as a child
 * process; plus a Redis subscriber that records every host line with the time it arrived.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CHAT_LINES_CHANNEL, CHAT_NAMES_HASH, type ChatLine, HOST_LINES_CHANNEL, type HostLine } from "@sothebais/common/channels";
import { fetchLiveLot, type LiveSnapshot } from "@sothebais/common/live";
import { freePort, type Managed, type RedisServer, startIndexer, startProcess, startRedis, startTestStack, type TestStack, waitFor } from "@sothebais/common/testing";
import { Redis } from "ioredis";

const agentRoot = fileURLToPath(new URL("../..", import.meta.url));

export type Heard = HostLine & { receivedAt: number };

export type Harness = {
  stack: TestStack;
  redis: RedisServer;
  indexerUrl: string;
  client: Redis;
  heard: Heard[];
  live: () => Promise<LiveSnapshot>;
  /** Starts (or restarts) the agent with extra env; resolves when /health answers. */
  startAgent: (env?: Record<string, string>) => Promise<{ url: string; proc: Managed }>;
  agentUrl: () => string;
  stopAgent: () => Promise<void>;
  waitForLine: (pred: (l: Heard) => boolean, what: string, timeoutMs?: number) => Promise<Heard>;
  chat: (line: Partial<ChatLine> & { text: string; displayName: string }) => Promise<void>;
  setChatName: (chatIdHash: string, name: string) => Promise<void>;
  stop: () => Promise<void>;
};

export async function startHarness(): Promise<Harness> {
  const tmp = mkdtempSync(join(tmpdir(), "agent-test-"));
  const started: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const stop of started.reverse()) await stop().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    return await start(tmp, started, cleanup);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function start(tmp: string, started: (() => Promise<unknown>)[], cleanup: () => Promise<void>): Promise<Harness> {
  const stack = await startTestStack({ intervalMs: 1000 });
  started.push(() => stack.stop());
  const redis = await startRedis();
  started.push(() => redis.stop());
  const indexer = await startIndexer({ stack, pgliteDir: join(tmp, "pglite") });
  started.push(() => indexer.stop());
  const indexerUrl = indexer.url;

  const client = new Redis(redis.url);
  const sub = new Redis(redis.url);
  const heard: Heard[] = [];
  await sub.subscribe(HOST_LINES_CHANNEL);
  sub.on("message", (_ch, msg) => heard.push({ ...(JSON.parse(msg) as HostLine), receivedAt: Date.now() }));

  let agent: { url: string; proc: Managed } | null = null;
  const agentDb = join(tmp, "eliza");
  const h: Harness = {
    stack,
    redis,
    indexerUrl,
    client,
    heard,
    live: () => fetchLiveLot(indexerUrl),
    startAgent: async (env = {}) => {
      const port = await freePort();
      const proc = await startProcess({
        name: "agent",
        command: process.execPath,
        args: [join(agentRoot, "src/main.ts")],
        cwd: agentRoot,
        env: {
          PORT: String(port),
          INDEXER_URL: indexerUrl,
          REDIS_URL: redis.url,
          PGLITE_DATA_DIR: agentDb,
          SECRET_SALT: "test-salt",
          IDLE_MS: "600000",
          LOG_LEVEL: "warn",
          ELIZA_NO_AUTO_INSTALL: "true",
          ...env,
        },
      });
      const url = `http://127.0.0.1:${port}`;
      try {
        await waitFor(
          async () => {
            if (proc.child.exitCode !== null) throw new Error("agent exited");
            // Ready for the show once the ElizaOS runtime (PGlite migrations) is up: until then its
            // first migration can hold the event loop for a long time on a busy machine.
            const health = await fetch(`${url}/health`).then((r) => r.json() as Promise<{ eliza?: string }>, () => null);
            if (health?.eliza === "failed") throw new Error("eliza runtime failed");
            return health?.eliza === "ready";
          },
          { timeoutMs: 240_000, intervalMs: 200, what: "agent /health with eliza ready" },
        );
      } catch (error) {
        await proc.stop();
        throw new Error(`${(error as Error).message}\n${proc.output().slice(-3000)}`);
      }
      agent = { url, proc };
      return agent;
    },
    agentUrl: () => agent?.url ?? "",
    stopAgent: async () => {
      await agent?.proc.stop(10_000);
      agent = null;
    },
    waitForLine: (pred, what, timeoutMs = 30_000) =>
      waitFor(() => heard.find(pred), { timeoutMs, intervalMs: 20, what }).catch((error: Error) => {
        const recent = heard.slice(-12).map((l) => `  ${new Date(l.createdAt).toISOString().slice(11, 23)} ${l.kind} [lot ${l.lotId}] ${l.text}`);
        throw new Error(`${error.message}; last lines heard:\n${recent.join("\n")}`);
      }),
    chat: async (line) => {
      const full: ChatLine = { id: `m${Math.random().toString(36).slice(2)}`, userId: "u1", sentAt: Date.now(), isMod: false, fromBot: false, ...line };
      await client.publish(CHAT_LINES_CHANNEL, JSON.stringify(full));
    },
    setChatName: async (hash, name) => {
      await client.hset(CHAT_NAMES_HASH, hash, name);
    },
    stop: async () => {
      await agent?.proc.stop(10_000).catch(() => {});
      sub.disconnect();
      client.disconnect();
      await cleanup();
    },
  };
  return h;
}
