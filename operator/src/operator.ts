/**
 * @module operator
 * Builds the operator API from its configuration (Redis, the chain, the deployment record), starts the
 * chain-events poller and listens. main.ts calls it; tests call it too, with their own Redis and chain.
 * A route group added to app.ts gets its dependencies built here.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { chainById } from "@sothebais/common/chains";
import { loadDeployment } from "@sothebais/common/deployments";
import type { Logger } from "@sothebais/common/log";
import { createMetrics } from "@sothebais/common/metrics";
import { Redis } from "ioredis";
import { createPublicClient, http, type PublicClient } from "viem";
import { createApp } from "./app.ts";
import { clientResolver, rateLimit, redisWindowCounter } from "./auth/rate-limit.ts";
import { createRoleReader } from "./auth/roles.ts";
import { createSessionStore } from "./auth/sessions.ts";
import { watchChainEvents } from "./chain-events.ts";
import type { Config } from "./config.ts";
import { createControlStore } from "./controls/store.ts";
import { createArtworkDeps } from "./artwork/deps.ts";
import { createLogSource } from "./logs/configure.ts";

export type RunningOperator = { url: string; app: ReturnType<typeof createApp>; stop: () => Promise<void> };

export async function startOperator(config: Config, log: Logger): Promise<RunningOperator> {
  const deployment = loadDeployment(config.CHAIN_ID, config.DEPLOYMENTS_DIR);
  const house = deployment.auctionHouse;
  let chain;
  try {
    chain = chainById(config.CHAIN_ID);
  } catch {
    chain = undefined;
  }
  const client = createPublicClient({ chain, transport: http(config.RPC_URL, { timeout: 10_000 }) }) as PublicClient;
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
  redis.on("error", (error) => log.warn("redis error", { error }));
  await redis.connect();
  const metrics = createMetrics("operator");
  const signIns = metrics.counter("sign_ins_total", "Sign-in attempts, by outcome", ["outcome"]);
  const revoked = metrics.counter("sessions_revoked_total", "Sessions dropped because a role was revoked on chain");

  const sessions = createSessionStore(redis, { nonceTtlS: config.OPERATOR_NONCE_TTL_S, nonceMax: config.OPERATOR_NONCE_MAX });
  const rateLimited = metrics.counter("rate_limited_total", "Requests refused with 429, by limit", ["limit"]);
  const noncesDropped = metrics.counter("nonces_dropped_total", "Outstanding sign-in nonces dropped to stay within OPERATOR_NONCE_MAX");
  const limitOf = (name: string, what: string, limit: number) =>
    rateLimit({
      name,
      what,
      limit,
      windowMs: 60_000,
      count: redisWindowCounter(redis),
      clientOf: clientResolver(config.OPERATOR_TRUSTED_PROXIES, config.OPERATOR_TRUSTED_PROXY_HEADER),
      onLimited: (r) => {
        rateLimited.inc({ limit: r.name });
        if (r.first) log.warn("rate limit reached", { limit: r.name, client: r.client, perMinute: limit });
      },
    });
  const roles = createRoleReader({ client, house, cacheMs: config.OPERATOR_ROLE_CACHE_MS });
  const controls = createControlStore({ redis, log, auditMax: config.OPERATOR_AUDIT_MAX });
  const events = watchChainEvents({
    client,
    house,
    pollMs: config.OPERATOR_POLL_MS,
    log,
    async onRoleRevoked(account, role) {
      roles.forget(account);
      // Another role may remain: the next request reads them and keeps the session if one does.
      if ((await roles.rolesOf(account)).length) return;
      const n = await sessions.dropAll(account);
      revoked.inc(n);
      log.info("role revoked on chain: sessions dropped", { address: account, role, sessions: n });
    },
    onRoleGranted: (account) => roles.forget(account),
    onPause: (paused, account, tx) => controls.recordChainPause(paused, account, tx),
  });

  const logSource = createLogSource(config, (message) => log.warn("log source problem", { error: message }));
  const logLinesDropped = metrics.counter("log_stream_dropped_total", "Log lines a slow Logs page stream skipped");

  const artwork = await createArtworkDeps(config, log, metrics);
  const app = createApp({
    log,
    metrics,
    origins: config.OPERATOR_ORIGINS,
    maxBodyBytes: config.OPERATOR_MAX_BODY_BYTES,
    auth: { sessions, roles, cookieName: config.OPERATOR_COOKIE_SECURE ? "__Host-sothebais-operator" : "sothebais-operator" },
    signInLimits: {
      nonce: limitOf("nonce", "sign-in nonce requests", config.OPERATOR_NONCE_RATE_LIMIT),
      login: limitOf("login", "sign-in attempts", config.OPERATOR_LOGIN_RATE_LIMIT),
    },
    authRoutes: {
      client,
      origins: config.OPERATOR_ORIGINS,
      chainId: config.CHAIN_ID,
      sessionTtlMs: config.OPERATOR_SESSION_TTL_S * 1000,
      nonceTtlMs: config.OPERATOR_NONCE_TTL_S * 1000,
      messageMaxAgeMs: config.OPERATOR_MESSAGE_MAX_AGE_S * 1000,
      cookieSecure: config.OPERATOR_COOKIE_SECURE,
      log,
      onOutcome: (outcome) => signIns.inc({ outcome }),
      onNoncesDropped: (n) => noncesDropped.inc(n),
    },
    artwork,
    controls: {
      store: controls,
      chainPaused: () => client.readContract({ address: house, abi: auctionHouseAbi, functionName: "paused" }).catch(() => undefined),
    },
    logs: logSource && { source: logSource, heartbeatMs: config.LOG_STREAM_HEARTBEAT_MS, onDropped: (n) => logLinesDropped.inc(n) },
    health: async () => {
      const [redisOk, block] = await Promise.all([
        redis.ping().then(() => true, () => false),
        client.getBlockNumber({ cacheTime: 0 }).then((b) => Number(b), () => undefined),
      ]);
      return { ok: redisOk && block !== undefined, redis: redisOk, rpc: { up: block !== undefined, blockNumber: block ?? null }, chainEvents: { secondsSincePoll: events.lagS() } };
    },
  });

  events.start();
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.OPERATOR_PORT, hostname: config.OPERATOR_HOST }, () => resolve(s as Server)) as Server;
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.OPERATOR_HOST}:${port}`;
  log.info("operator ready", { url, auctionHouse: house, chainId: config.CHAIN_ID, origins: config.OPERATOR_ORIGINS });
  return {
    url,
    app,
    async stop() {
      events.stop();
      await logSource?.close();
      // Open log streams (SSE) never end on their own: close every connection, or close() waits forever.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await closed;
      await redis.quit().catch(() => redis.disconnect());
      await artwork.node.stop();
    },
  };
}
