/**
 * @module relayer
 * Wires the parts: chat (tmi.js) -> intake -> bids stream -> worker -> sender -> chain, outcomes ->
 * outbox -> chat; host lines from the agent -> outbox; HTTP for /health, /metrics, /link.
 * `startRelayer` is what main.ts runs and what tests start in-process.
 */
import { CHAT_LINES_CHANNEL, CHAT_MODERATION_CHANNEL, type ChatLine, type ChatModeration, HOST_LINES_CHANNEL, type HostLine } from "@sothebais/common/channels";
import { CONTROLS_CHANNEL, parseControlChange } from "@sothebais/common/controls";
import { loadDeployment } from "@sothebais/common/deployments";
import type { Logger } from "@sothebais/common/log";
import { createMetrics } from "@sothebais/common/metrics";
import { countInWindow } from "@sothebais/common/rate-window";
import { serve } from "@hono/node-server";
import type { Server } from "node:http";
import type { Address } from "viem";
import { createApp } from "./app.ts";
import { createReads, createChain, houseAbi } from "./chain.ts";
import { rememberChatBidder, watchOutbids } from "./outbids.ts";
import { createChat } from "./chat.ts";
import { createKeeper } from "./keeper.ts";
import { watchHead } from "./head.ts";
import { type Config, refreshCredentials, twitchIdUrl } from "./config.ts";
import { bidsPauseState, createIntake, type ChatMessage, type Job } from "./intake.ts";
import { createLinkCode, currentLinks } from "./links.ts";
import { createLotSource } from "./lots.ts";
import { createMyBids } from "./mybids.ts";
import { createOutbox } from "./outbox.ts";
import type { Outcome, Reply } from "./replies.ts";
import { createSender } from "./sender.ts";
import { createStore, keys } from "./store.ts";
import { createChainClock, createTimeline } from "./timeline.ts";
import { createTokenKeeper } from "./twitch-token.ts";
import { createWorker } from "./worker.ts";

export type RelayerHooks = {
  onOutcome?: (msgId: string, outcome: Outcome) => void;
  onQueued?: (job: Job, queuedAt: number) => void;
};

export async function startRelayer(config: Config, log: Logger, hooks: RelayerHooks = {}) {
  const deployment = loadDeployment(config.CHAIN_ID, config.DEPLOYMENTS_DIR);
  const client = createChain(config.RPC_URL, config.CHAIN_ID);
  const reads = createReads(client, deployment.auctionHouse as Address);
  const onRedisError = (e: Error) => log.debug("redis", { error: e.message });
  const redis = createStore(config.REDIS_URL, { name: `${config.RELAYER_INSTANCE}`, onError: onRedisError });
  const blocking = createStore(config.REDIS_URL, { name: `${config.RELAYER_INSTANCE}-blocking`, onError: onRedisError });
  const blocking2 = createStore(config.REDIS_URL, { name: `${config.RELAYER_INSTANCE}-outbox`, onError: onRedisError });
  const subscriber = createStore(config.REDIS_URL, { name: `${config.RELAYER_INSTANCE}-sub`, onError: onRedisError });

  const metrics = createMetrics("relayer");
  const m = {
    messages: metrics.counter("chat_messages_total", "Chat lines seen"),
    queued: metrics.counter("bids_queued_total", "Chat bids validated and queued"),
    outcomes: metrics.counter("outcomes_total", "Command outcomes by kind", ["kind"]),
    placed: metrics.counter("bids_placed_total", "Bids placed on chain"),
    failures: metrics.counter("bid_failures_total", "Bids not placed, by reason", ["reason"]),
    latency: metrics.histogram("chat_to_receipt_seconds", "Chat message -> receipt of its bid"),
    queueLatency: metrics.histogram("chat_to_queued_seconds", "Chat message -> validated and queued"),
    depth: metrics.gauge("queue_depth", "Jobs in flight in this instance"),
    outboxDepth: metrics.gauge("outbox_depth", "Replies waiting for a chat slot"),
    balance: metrics.gauge("relayer_balance_wei", "Relayer account balance"),
    chatConnected: metrics.gauge("chat_connected", "1 when the chat connection is up"),
    chatRefused: metrics.counter("chat_refused_total", "Lines chat refused (NOTICE msg-id), each said again unless it can never be posted", ["reason"]),
    lotsSettled: metrics.counter("lots_settled_total", "Lots this instance's keeper settled, by outcome (settled: NFT delivered; undeliverable: bid back to escrow)", ["outcome"]),
    settleLatency: metrics.histogram("settle_latency_seconds", "Lot's effective end -> the block of the keeper's settle (chain time)", [1, 2, 3, 4, 5, 6, 8, 10, 15, 30, 60]),
  };

  let chatLive = false;
  const notice = async (kind: string, body: string, ttlS = 60) => {
    // One notice per kind per ttl across instances.
    const first = await redis.set(keys.notice(kind), "1", "EX", ttlS, "NX");
    if (!first) return;
    for (const channel of config.TWITCH_CHANNELS) {
      const r: Reply = { channel, to: "", body, expiresAt: Date.now() + ttlS * 1000 };
      await redis.xadd(keys.outbox, "*", "reply", JSON.stringify(r));
    }
  };

  // One head poller for the sender's receipts, the outbid watcher and the live-lot cache.
  const head = watchHead({ client, pollMs: config.POLL_MS, log });
  const sender = createSender({
    client,
    head,
    redis,
    privateKey: config.RELAYER_PRIVATE_KEY,
    chainId: config.CHAIN_ID,
    gasLimit: BigInt(config.BID_GAS_LIMIT),
    lowBalance: config.LOW_BALANCE_ETH,
    maxFeePerGas: config.MAX_FEE_GWEI,
    bumpAfterBlocks: config.FEE_BUMP_AFTER_BLOCKS,
    log,
    onRpcState: (up) => void notice(up ? "rpc-up" : "rpc-down", up ? "chain connection back: queued bids are going through" : "chain connection trouble: bids are queued and will be placed once it is back").catch(() => {}),
    onBalanceState: (low) => void notice(low ? "gas-low" : "gas-ok", low ? "chat bids are paused: the relayer is low on gas (wallet bids in the dApp still work)" : "chat bids are open again").catch(() => {}),
  });

  const outcomeHook = (msgId: string, outcome: Outcome) => {
    m.outcomes.inc({ kind: outcome.kind });
    if (outcome.kind !== "placed" && outcome.kind !== "answer") m.failures.inc({ reason: outcome.kind });
    hooks.onOutcome?.(msgId, outcome);
  };
  const lots = createLotSource(reads, { indexerUrl: config.INDEXER_URL, head: head.current });
  // Chat times are wall clock, lot times chain time: each new block teaches the offset between them.
  const clock = createChainClock();
  head.onHead((n) => {
    const seenAt = Date.now();
    void client.getBlock({ blockNumber: n }).then((b) => clock.observe(n, Number(b.timestamp), seenAt), () => {});
  });
  const timeline = createTimeline(reads, clock);
  const worker = createWorker({
    redis,
    blocking,
    reads,
    sender,
    log,
    chainId: config.CHAIN_ID,
    instance: config.RELAYER_INSTANCE,
    claimIdleMs: config.CLAIM_IDLE_MS,
    maxInFlight: config.MAX_IN_FLIGHT,
    isPaused: () => sender.isLow(),
    minEscrowToLink: config.LINK_MIN_ESCROW_ETH,
    onOutcome: (job, outcome) => {
      if (outcome.kind === "placed") {
        m.placed.inc();
        m.latency.observe((Date.now() - job.at) / 1000);
        lots.changed();
      }
      outcomeHook(job.msgId, outcome);
    },
  });
  const intake = createIntake({
    redis,
    reads,
    lots,
    log,
    chainId: config.CHAIN_ID,
    instance: config.RELAYER_INSTANCE,
    userRateLimit: config.USER_RATE_LIMIT,
    globalRateLimit: config.GLOBAL_RATE_LIMIT,
    confirmFactor: config.CONFIRM_FACTOR,
    confirmTtlS: config.CONFIRM_TTL_S,
    streamDelayMs: config.STREAM_DELAY_S * 1000,
    maxLineAgeMs: config.MAX_LINE_AGE_S * 1000,
    timeline,
    deployBlock: BigInt(deployment.deployBlock),
    isPaused: () => sender.isLow(),
    onQueued: (job) => {
      m.queued.inc();
      m.queueLatency.observe((Date.now() - job.at) / 1000);
      hooks.onQueued?.(job, Date.now());
    },
    onOutcome: outcomeHook,
    onProxySet: (userId) => void worker.evaluateProxies(userId).catch(() => {}),
    myBids: createMyBids({ indexerUrl: config.INDEXER_URL, timeoutMs: config.INDEXER_TIMEOUT_MS }),
  });

  /** Handles a chat line; a failure (RPC or Redis down) is retried with backoff until it has an outcome. */
  const handle = (msg: ChatMessage) => {
    m.messages.inc();
    const attempt = (n: number): void =>
      void intake.handle(msg).catch((error) => {
        if (stopping) return;
        log.warn("message not handled yet, retrying", { id: msg.id, attempt: n, error: String(error?.message ?? error) });
        setTimeout(() => attempt(n + 1), Math.min(200 * 2 ** n, 5000)).unref();
      });
    attempt(0);
  };
  let stopping = false;

  // The bot's token, validated hourly and refreshed (twitch-token.ts); none = anonymous, read-only (local chat).
  // With the local chat server (no id server), the token is passed as it is.
  const refresh = refreshCredentials(config);
  const idUrl = twitchIdUrl(config);
  const tokens =
    idUrl && (config.TWITCH_OAUTH_TOKEN || refresh)
      ? createTokenKeeper({
          idUrl,
          accessToken: config.TWITCH_OAUTH_TOKEN,
          refresh,
          username: config.TWITCH_USERNAME,
          redis,
          log,
          checkEveryMs: config.TWITCH_TOKEN_CHECK_S * 1000,
          marginMs: config.TWITCH_TOKEN_REFRESH_MARGIN_S * 1000,
          onNewToken: () => chat.retryLogin(),
          // Twitch asks that a revoked token's sessions end; the chat logs in again at the next new token.
          onSessionRevoked: () => void chat.endSession(),
        })
      : undefined;
  // Registered only with a token: an unset gauge reads 0, which would look like an expired token.
  const tokenGauges = tokens && {
    expires: metrics.gauge("twitch_token_expires_seconds", "Seconds until the bot's Twitch token expires (0 = expired or revoked, NaN = not known yet)"),
    refreshOk: metrics.gauge("twitch_token_refresh_ok", "1 when token refresh is configured and its last attempt did not fail"),
  };

  const [host, portText] = [config.TWITCH_SERVER, config.TWITCH_PORT];
  const chat = createChat({
    server: host,
    port: portText,
    secure: config.TWITCH_SECURE,
    username: config.TWITCH_USERNAME,
    token: tokens?.token ?? config.TWITCH_OAUTH_TOKEN,
    onLoginFailed: tokens?.loginFailed,
    channels: config.TWITCH_CHANNELS,
    historyUrl: config.CHAT_HISTORY_URL,
    log,
    onMessage: handle,
    onBan: (userId, duration) => {
      void redis.set(keys.banned(userId), "1", "EX", duration && duration > 0 ? duration : 30 * 24 * 3600).catch(() => {});
      // The agent and the stream drop the user's lines too (issue 19 §5).
      const event: ChatModeration = { type: "ban", userId, ...(duration && duration > 0 ? { durationS: duration } : {}), at: Date.now() };
      void redis.publish(CHAT_MODERATION_CHANNEL, JSON.stringify(event)).catch(() => {});
    },
    onDelete: (msgId) => {
      void redis.set(keys.deleted(msgId), "1", "EX", 24 * 3600).catch(() => {});
      const event: ChatModeration = { type: "delete", id: msgId, at: Date.now() };
      void redis.publish(CHAT_MODERATION_CHANNEL, JSON.stringify(event)).catch(() => {});
    },
  });
  /** The bot's own lines, once chat took them, for the agent and the broadcaster. */
  const publishBotLine = (text: string) => {
    const line: ChatLine = { id: `bot:${Date.now()}:${Math.random().toString(36).slice(2)}`, userId: "", displayName: config.TWITCH_USERNAME, text, sentAt: Date.now(), isMod: false, fromBot: true };
    void redis.publish(CHAT_LINES_CHANNEL, JSON.stringify(line)).catch(() => {});
  };

  const outbox = createOutbox({
    redis,
    blocking: blocking2,
    instance: config.RELAYER_INSTANCE,
    log,
    limit: config.CHAT_RATE_LIMIT,
    windowMs: config.CHAT_RATE_WINDOW_MS,
    claimIdleMs: config.CLAIM_IDLE_MS,
    say: async (channel, text) => {
      const result = await chat.say(channel, text);
      if (result.ok) publishBotLine(text);
      else m.chatRefused.inc({ reason: result.reason });
      return result;
    },
  });

  // Host lines marked for chat go through the same limiter; each line once across instances.
  // The console's chat-bidding pause (operator/src/controls) is said in chat once across instances;
  // the pause itself is the intake's own key, read with every bid.
  await subscriber.subscribe(HOST_LINES_CHANNEL, CONTROLS_CHANNEL);
  subscriber.on("message", (channel: string, json: string) => {
    if (channel === CONTROLS_CHANNEL) {
      const change = parseControlChange(json);
      if (change?.control !== "bidsPaused") return;
      const body = change.on
        ? "chat bidding is paused by the operators: !bid, !max and !confirm are refused until it resumes (wallet bids in the dApp still work)"
        : "chat bidding is open again";
      void notice(`control:bidsPaused:${change.at}:${change.on}`, body).catch(() => {});
      return;
    }
    let line: HostLine;
    try {
      line = JSON.parse(json) as HostLine;
    } catch {
      return;
    }
    if (!line.chat || line.expiresAt < Date.now()) return;
    void (async () => {
      if (!(await redis.set(keys.hostLine(line.id), "1", "EX", 3600, "NX"))) return;
      for (const channel of config.TWITCH_CHANNELS) {
        const r: Reply = { channel, to: "", body: line.text, expiresAt: line.expiresAt };
        await redis.xadd(keys.outbox, "*", "reply", JSON.stringify(r));
      }
    })().catch(() => {});
  });

  const health = async () => {
    const [redisOk, block] = await Promise.all([
      redis.ping().then(() => true, () => false),
      client.getBlockNumber({ cacheTime: 0 }).then((b) => Number(b), () => undefined),
    ]);
    const c = chat.health();
    const s = sender.health();
    const t = tokens?.health();
    const ok = redisOk && block !== undefined && c.connected && !s.low;
    return {
      ok,
      chat: {
        connected: c.connected,
        // The session was ended over a revoked token and chat waits for a new one (chat.token.problem says why).
        waitingForToken: c.waitingForToken,
        secondsSinceLastMessage: c.lastMessageAt ? Math.round((Date.now() - c.lastMessageAt) / 1000) : null,
        // The bot's token: seconds left, refresh off/ok/failing/rejected, and why chat cannot (or soon will not) log in.
        tokenExpiresInS: t?.expiresInS ?? null,
        token: t ?? null,
      },
      redis: redisOk,
      rpc: { up: block !== undefined, blockNumber: block ?? null },
      relayer: { address: sender.address, balanceWei: s.balance?.toString() ?? null, low: s.low, bidsPaused: s.low },
      queue: { inFlight: worker.depth(), txInFlight: s.inFlight },
      outbox: outbox.stats(),
      // Moderators' !pausebids: the broadcaster shows a banner while it is on.
      chatBidding: await bidsPauseState(redis).catch(() => null),
      keeper: keeper?.health() ?? { enabled: false },
      instance: config.RELAYER_INSTANCE,
    };
  };

  const app = createApp({
    health,
    metrics: async () => {
      const s = sender.health();
      m.depth.set(worker.depth());
      m.outboxDepth.set(outbox.stats().queued);
      if (s.balance !== undefined) m.balance.set(Number(s.balance));
      m.chatConnected.set(chat.health().connected ? 1 : 0);
      if (tokens && tokenGauges) {
        const t = tokens.health();
        tokenGauges.expires.set(t.expiresInS ?? Number.NaN);
        tokenGauges.refreshOk.set(t.refresh === "ok" ? 1 : 0);
      }
      return { body: await metrics.render(), contentType: metrics.contentType };
    },
    link: (req) => createLinkCode(req, { reads, redis, relayer: sender.address, chainId: config.CHAIN_ID, ttlS: config.LINK_CODE_TTL_S, minEscrow: config.LINK_MIN_ESCROW_ETH }),
    linkRateLimited: async (who) => (await countInWindow(redis, keys.linkRate(who), 60_000)).count > config.LINK_RATE_LIMIT,
    trustedProxies: config.TRUSTED_PROXIES,
    proxyHeader: config.TRUSTED_PROXY_HEADER,
    maxBodyBytes: config.HTTP_MAX_BODY_BYTES,
  });

  // Settles ended lots through the same sender (nonces, fee bumps, signed-before-sent record).
  const keeper = config.KEEPER_ENABLED
    ? createKeeper({
        reads,
        sender,
        redis,
        head,
        log,
        instance: config.RELAYER_INSTANCE,
        claimTtlMs: config.KEEPER_CLAIM_TTL_MS,
        gasLimit: BigInt(config.KEEPER_GAS_LIMIT),
        onSettled: (s) => {
          m.lotsSettled.inc({ outcome: s.outcome });
          m.settleLatency.observe(Math.max(0, s.afterEndS));
          lots.changed();
        },
      })
    : undefined;

  const outbids = watchOutbids({ client, house: reads.house, redis, defaultChannel: config.TWITCH_CHANNELS[0], chainId: config.CHAIN_ID, head, log });

  await rebuildLinks();
  // Before chat connects: an expired token is refreshed first (at most a few seconds: each request times out).
  await tokens?.start();
  head.start();
  sender.start();
  await worker.start();
  outbox.start();
  outbids.start();
  keeper?.start();
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s as Server)) as Server;
  });
  await chat.connect().catch((error) => log.warn("chat connect failed, retrying", { error: String(error) }));

  /** The chat-id <-> bidder maps are a cache of the chain: rebuild them from the registration events. */
  async function rebuildLinks() {
    if ((await redis.hlen(keys.users)) > 0 && (await redis.hlen(keys.chatBidders)) > 0) return;
    try {
      const logs = await client.getContractEvents({
        address: reads.house,
        abi: houseAbi,
        eventName: "ChatAuthorizationRegistered",
        args: { relayer: sender.address },
        fromBlock: BigInt(deployment.deployBlock),
        strict: true,
      });
      const unlinked = await redis.hgetall(keys.unlinked);
      const current = currentLinks(logs.map((l) => l.args));
      for (const { bidder, chatIdHash } of current) {
        if (unlinked[chatIdHash]) continue;
        await redis.hset(keys.users, chatIdHash, bidder);
        await rememberChatBidder(redis, bidder, { chatIdHash });
      }
      log.info("links rebuilt from chain", { registrations: logs.length, links: current.length });
    } catch (error) {
      log.warn("could not rebuild links from chain", { error: String((error as Error).message) });
    }
  }

  log.info("relayer ready", { port: config.PORT, relayer: sender.address, auctionHouse: reads.house, instance: config.RELAYER_INSTANCE });

  return {
    port: config.PORT,
    address: sender.address,
    app,
    intake,
    worker,
    sender,
    keeper,
    redis,
    health,
    stop: async () => {
      stopping = true;
      keeper?.stop();
      tokens?.stop();
      worker.stop();
      outbox.stop();
      outbids.stop();
      sender.stop();
      head.stop();
      await chat.disconnect();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const r of [subscriber, blocking, blocking2, redis]) r.disconnect();
    },
  };
}

export type Relayer = Awaited<ReturnType<typeof startRelayer>>;
