/**
 * Test harness: a deployed stack on a fresh Hardhat node, a real Redis, the local chat server, and the
 * relayer (in-process, or as a child process for kill -9). Chat lines go in through the chat server's
 * API; the relayer reads them over real tmi.js; replies are read back from the chat server.
 */
import { CHAT_NAMES_HASH } from "@sothebais/common/channels";
import { chatIdHash } from "../src/chain.ts";
import { createLogger } from "@sothebais/common/log";
import { freePort, localPrivateKey, type RedisServer, startProcess, startRedis, startTestStack, type TestStack, waitFor } from "@sothebais/common/testing";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { parseEther } from "viem";
import { type ChatServer, type ChatServerOptions, startChatServer } from "../src/chat-server/server.ts";
import { loadConfig } from "../src/config.ts";
import { type Relayer, startRelayer } from "../src/relayer.ts";
import type { Outcome } from "../src/replies.ts";
import { createStore, keys, type Store } from "../src/store.ts";

export const relayerDir = join(import.meta.dirname, "..");

export type Harness = {
  stack: TestStack;
  redis: RedisServer;
  chat: ChatServer;
  store: Store;
  env: (overrides?: Record<string, string>) => Record<string, string>;
  stop: () => Promise<void>;
};

/** Redis with AOF (fsync on every write), so a Redis restart keeps work in flight, as in production. */
export async function startDurableRedis(port?: number, dataDir?: string): Promise<RedisServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "sothebais-redis-"));
  const p = port ?? (await freePort());
  const server = await startProcess({
    name: "redis-server",
    command: "redis-server",
    args: ["--port", String(p), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "no"],
    readyWhen: /Ready to accept connections/,
    timeoutMs: 10_000,
  });
  const self: RedisServer = { ...server, port: p, url: `redis://127.0.0.1:${p}`, restart: async () => {
    await server.stop();
    return startDurableRedis(p, dir);
  } };
  return self;
}

export async function startHarness(options: { intervalMs?: number; durableRedis?: boolean; chatLimit?: number; chat?: Partial<ChatServerOptions> } = {}): Promise<Harness> {
  const [stack, redis, chat] = await Promise.all([
    startTestStack({ intervalMs: options.intervalMs }),
    options.durableRedis ? startDurableRedis() : startRedis(),
    freePort().then((port) => startChatServer({ port, mods: ["sothebais_bot"], rateLimit: { limit: options.chatLimit ?? 10_000, modLimit: options.chatLimit ?? 10_000, windowMs: 30_000 }, ...options.chat })),
  ]);
  const store = createStore(redis.url);
  const env = (overrides: Record<string, string> = {}) => ({
    ...stack.env,
    RELAYER_PRIVATE_KEY: localPrivateKey(1),
    REDIS_URL: redis.url,
    TWITCH_SERVER: "127.0.0.1",
    TWITCH_PORT: String(chat.port),
    TWITCH_SECURE: "false",
    TWITCH_USERNAME: "sothebais_bot",
    TWITCH_OAUTH_TOKEN: "oauth:local",
    TWITCH_CHANNELS: "sothebais",
    CHAT_HISTORY_URL: `http://127.0.0.1:${chat.port}`,
    CHAT_RATE_LIMIT: "10000",
    USER_RATE_LIMIT: "1000",
    CLAIM_IDLE_MS: "3000",
    POLL_MS: "50",
    // Lines are typed by the tests with no stream in between (no delay), and the kill -9 tests on a busy
    // machine take longer than the production age limit to restart; tests of those set their own.
    STREAM_DELAY_S: "0",
    MAX_LINE_AGE_S: "600",
    // Tests that settle lots themselves (or wait on an ended lot) would race the keeper: it runs only
    // where a test turns it on (keeper.test.ts).
    KEEPER_ENABLED: "false",
    LOG_LEVEL: "error",
    ...overrides,
  });
  return {
    stack,
    redis,
    chat,
    store,
    env,
    stop: async () => {
      store.disconnect();
      await Promise.allSettled([stack.stop(), redis.stop(), chat.close()]);
    },
  };
}

export async function startInProcess(h: Harness, overrides: Record<string, string> = {}): Promise<Relayer> {
  const port = await freePort();
  const config = loadConfig({ ...h.env(overrides), PORT: String(port) });
  const relayer = await startRelayer(config, createLogger({ service: "relayer-test", level: "error" }));
  await waitFor(async () => (await relayer.health()).chat.connected, { what: "relayer chat connection", timeoutMs: 20_000 });
  return relayer;
}

export async function startAsProcess(h: Harness, overrides: Record<string, string> = {}) {
  const port = await freePort();
  const proc = await startProcess({
    name: "relayer",
    command: process.execPath,
    args: [join(relayerDir, "src/main.ts")],
    cwd: relayerDir,
    env: { ...h.env(overrides), PORT: String(port), LOG_LEVEL: "info" },
    readyWhen: /relayer ready/,
    timeoutMs: 30_000,
  });
  return { ...proc, port, url: `http://127.0.0.1:${port}` };
}

/** Outcome recorded for a message id, if any. */
export async function outcomeOf(store: Store, msgId: string): Promise<Outcome | undefined> {
  const raw = await store.get(keys.outcome(msgId));
  return raw ? (JSON.parse(raw) as Outcome) : undefined;
}

export const waitOutcome = (store: Store, msgId: string, timeoutMs = 20_000) =>
  waitFor(() => outcomeOf(store, msgId), { what: `outcome of ${msgId}`, timeoutMs });

/** Bot lines in chat that mention `name`. */
export const repliesTo = (chat: ChatServer, name: string) =>
  chat.events().filter((e) => e.type === "message" && e.bot && e.text.includes(`@${name}`)).map((e) => (e.type === "message" ? e.text : ""));

export const waitReply = (chat: ChatServer, name: string, pattern: RegExp, timeoutMs = 20_000) =>
  waitFor(() => repliesTo(chat, name).find((t) => pattern.test(t)), { what: `reply to @${name} matching ${pattern}`, timeoutMs });

/** Links chat user `userId` to local account `index` through POST /link and `!link CODE`, with escrow. */
export async function linkUser(
  h: Harness,
  relayerUrl: string | ((req: Request) => Promise<Response>),
  index: number,
  userId: string,
  name: string,
  caps: { maxBid?: bigint; totalCap?: bigint; deposit?: bigint } = {},
) {
  if (caps.deposit !== 0n) await h.stack.deposit(index, caps.deposit ?? parseEther("10"));
  const expiry = (await h.stack.now()) + 24 * 3600;
  const signed = await h.stack.signChatAuthorization(index, { maxBid: caps.maxBid ?? parseEther("5"), totalCap: caps.totalCap ?? parseEther("10"), expiry: BigInt(expiry), chatId: `twitch:${userId}` });
  const body = JSON.stringify({
    authorization: Object.fromEntries(Object.entries(signed.authorization).map(([k, v]) => [k, String(v)])),
    signature: signed.signature,
  });
  const req = new Request("http://relayer/link", { method: "POST", headers: { "content-type": "application/json" }, body });
  const res = typeof relayerUrl === "string" ? await fetch(new URL("/link", relayerUrl), { method: "POST", headers: { "content-type": "application/json" }, body }) : await relayerUrl(req);
  const { code } = (await res.json()) as { code: string };
  if (!code) throw new Error(`no link code (${res.status})`);
  const msg = h.chat.say({ userId, displayName: name, text: `!link ${code}` });
  const outcome = await waitOutcome(h.store, msg.id, 30_000);
  if (outcome.kind !== "linked") throw new Error(`link failed: ${JSON.stringify(outcome)}`);
  return h.stack.address(index);
}

/** A TCP proxy in front of the RPC: `cut()` drops every connection and refuses new ones until `restore()`. */
export async function startTcpProxy(targetPort: number) {
  const { createServer, connect } = await import("node:net");
  const sockets = new Set<import("node:net").Socket>();
  let up = true;
  const server = createServer((client) => {
    if (!up) return client.destroy();
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    cut: () => {
      up = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore: () => {
      up = true;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** `count` chat users on local accounts from `firstIndex`, funded, with escrow and an authorization registered for the relayer. */
export async function registerUsers(h: Harness, count: number, firstIndex = 20, caps = { maxBid: parseEther("50"), totalCap: parseEther("500"), deposit: parseEther("100") }) {
  const { rpc } = await import("@sothebais/common/testing");
  const users: { userId: string; name: string; index: number; address: `0x${string}` }[] = [];
  for (let i = 0; i < count; i++) {
    const index = firstIndex + i;
    users.push({ userId: String(50_000 + i), name: `bidder${i}`, index, address: h.stack.address(index) });
  }
  // A busy node closes keep-alive sockets under the client now and then ("other side closed"): retry.
  const again = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (error) {
        if (i >= 4 || !/fetch failed|other side closed|socket|ECONNRESET/i.test(String((error as Error)?.message) + String((error as Error)?.cause))) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  for (let i = 0; i < users.length; i += 10) {
    const chunk = users.slice(i, i + 10);
    await Promise.all(chunk.map((u) => again(() => rpc(h.stack.rpcUrl, "hardhat_setBalance", [u.address, "0x3635C9ADC5DEA00000"]))));
    await Promise.all(chunk.map((u) => again(() => h.stack.deposit(u.index, caps.deposit))));
  }
  const expiry = BigInt((await h.stack.now()) + 7 * 24 * 3600);
  for (const u of users) {
    const signed = await again(() => h.stack.signChatAuthorization(u.index, { maxBid: caps.maxBid, totalCap: caps.totalCap, expiry, chatId: `twitch:${u.userId}` }));
    await again(() => h.stack.registerAuthorization(signed));
    // What !link records besides the chain: the name to mention.
    await h.store.hset(CHAT_NAMES_HASH, chatIdHash(u.userId), u.name);
  }
  return users;
}

/** Every chat-command message of the run has exactly one outcome, and the chain agrees with the outcomes. */
export async function checkExactlyOnce(h: Harness, msgIds: string[], lotId: bigint) {
  const { auctionHouseAbi } = await import("@sothebais/common/abis");
  const outcomes = new Map<string, Outcome>();
  for (const id of msgIds) {
    const o = await outcomeOf(h.store, id);
    if (!o) throw new Error(`message ${id} has no outcome`);
    outcomes.set(id, o);
  }
  const events = await h.stack.publicClient.getContractEvents({ address: h.stack.auctionHouse, abi: auctionHouseAbi, eventName: "BidPlaced", args: { lotId }, fromBlock: 0n });
  const placed = [...outcomes.values()].filter((o): o is Extract<Outcome, { kind: "placed" }> => o.kind === "placed");
  return { outcomes, events, placed };
}
