/**
 * @module main
 * The agent service: the ElizaOS host runtime, the indexer watcher, Redis in (chat lines, chat
 * names) and out (host lines), and the HTTP server. Every part is registered with shutdown; the start
 * (bad environment, crash, SIGTERM) is the services' shared one, runService.
 */
import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { CHAT_LINES_CHANNEL, CHAT_MODERATION_CHANNEL, type ChatLine, HOST_LINES_CHANNEL, type HostLine } from "@sothebais/common/channels";
import { CONTROLS_CHANNEL, createControlsView } from "@sothebais/common/controls";
import type { Logger } from "@sothebais/common/log";
import { createMetrics } from "@sothebais/common/metrics";
import { runService } from "@sothebais/common/service";
import type { Shutdown } from "@sothebais/common/shutdown";
import { Redis } from "ioredis";
import { createApp } from "./app.ts";
import { handlesOf, loadCharacter } from "./character.ts";
import { parseModeration } from "./chat.ts";
import { createChainClock } from "./clock.ts";
import { type Config, loadConfig } from "./config.ts";
import { createHostRuntime } from "./eliza.ts";
import { createHost } from "./host.ts";
import { createNameBook } from "./names.ts";
import { createSpeaker } from "./queue.ts";
import { watchLive } from "./watcher.ts";

await runService({
  service: "agent",
  loadConfig,
  // A bad environment exits 2, as the indexer's launcher does (1 is a crash or a failed start).
  configExitCode: 2,
  start: ({ config, log, shutdown }) => startAgent(config, log, shutdown),
});

/** Every part of the agent, each registered with `shutdown`; returns once the HTTP server is created. */
function startAgent(config: Config, log: Logger, shutdown: Shutdown) {
  const metrics = createMetrics("agent");
  const linesTotal = metrics.counter("lines_total", "Host lines published", ["kind", "source"]);
  const dropped = metrics.counter("lines_dropped_total", "Lines dropped before publishing", ["reason"]);
  const modelLatency = metrics.histogram("model_latency_seconds", "Model call latency", undefined, ["outcome"]);
  const fallbacks = metrics.counter("model_fallbacks_total", "Template lines used instead of the model", ["kind", "reason"]);
  const guardRejections = metrics.counter("guard_rejections_total", "Lines rejected by the truth guard, once per distinct reason of each line", ["kind", "reason"]);
  const questionsDropped = metrics.counter("chat_questions_dropped_total", "Chat questions dropped before an answer", ["reason"]);
  const questions = metrics.counter("chat_questions_total", "Chat questions to the host", ["topic"]);
  const snapshots = metrics.counter("snapshots_total", "Indexer snapshots read");
  const indexerErrors = metrics.counter("indexer_errors_total", "Failed reads of the indexer's /live");
  const eventToLine = metrics.histogram("event_to_line_seconds", "Snapshot seen -> line published, by kind", undefined, ["kind"]);
  const chainOffset = metrics.gauge("chain_clock_offset_seconds", "Estimated chain clock minus wall clock");

  const character = loadCharacter(config.CHARACTER_FILE);
  const llm = config.LLM_BASE_URL && config.LLM_MODEL ? { baseUrl: config.LLM_BASE_URL, model: config.LLM_MODEL, apiKey: config.LLM_API_KEY, timeoutMs: config.LLM_TIMEOUT_MS } : undefined;
  log.info("starting", { mode: llm ? "model" : "offline", model: llm?.model, llmBaseUrl: llm?.baseUrl, character: character.name, indexer: config.INDEXER_URL });

  const redisOptions = { maxRetriesPerRequest: 2, retryStrategy: (n: number) => Math.min(2000, 50 * 2 ** n), lazyConnect: false };
  const pub = new Redis(config.REDIS_URL, redisOptions);
  const sub = new Redis(config.REDIS_URL, redisOptions);
  for (const [name, r] of [["pub", pub], ["sub", sub]] as const) r.on("error", (error) => log.warn("redis error", { conn: name, error: error.message }));
  shutdown.onShutdown("redis", async () => {
    pub.disconnect();
    sub.disconnect();
  });
  const names = createNameBook(pub);
  shutdown.onShutdown("names", () => names.stop());

  // The console's "mute the host" (common/src/controls.ts): while on, no line is published at all
  // (nothing spoken, captioned or posted in chat); lines due meanwhile are dropped, not saved for later.
  const controls = createControlsView(pub, {
    onChange: (c) => log.info(c.hostMuted ? "host muted from the console" : "host unmuted", { by: c.hostMuted?.by }),
    onError: (error) => log.warn("controls read failed", { error: (error as Error).message }),
  });
  shutdown.onShutdown("controls", () => controls.stop());

  const recent: HostLine[] = [];
  const clock = createChainClock();
  let lastSnapshotSeenAt = 0;
  const speaker = createSpeaker({
    minGapMs: config.MIN_GAP_MS,
    wordsPerSecond: config.WORDS_PER_SECOND,
    onDrop: (line, reason) => {
      dropped.inc({ reason });
      log.debug("line dropped", { kind: line.kind, reason, text: line.text });
    },
    publish: async (line) => {
      if (pub.status !== "ready") {
        dropped.inc({ reason: "redis_down" });
        return;
      }
      if (controls.current().hostMuted) {
        dropped.inc({ reason: "muted" });
        log.debug("line dropped: host muted", { kind: line.kind, text: line.text });
        return;
      }
      await pub.publish(HOST_LINES_CHANNEL, JSON.stringify(line));
      eventToLine.observe({ kind: line.kind }, Math.max(0, Date.now() - lastSnapshotSeenAt) / 1000);
      recent.push(line);
      if (recent.length > 100) recent.shift();
      log.info("line", { kind: line.kind, priority: line.priority, lotId: line.lotId, text: line.text });
    },
  });
  shutdown.onShutdown("speaker", () => speaker.stop());

  // ElizaOS (with PGlite's first migration) can take seconds on a busy machine: the show starts at
  // once on templates and in-memory recall, and uses the runtime as soon as it is ready.
  const salt = config.SECRET_SALT ?? randomBytes(16).toString("hex");
  let elizaState: "starting" | "ready" | "failed" = "starting";
  const elizaReady = createHostRuntime({
    character,
    liveState: () => host.describe(),
    llm,
    pgliteDir: config.POSTGRES_URL ? undefined : config.PGLITE_DATA_DIR,
    postgresUrl: config.POSTGRES_URL,
    secretSalt: salt,
  });
  elizaReady.then(
    (eliza) => {
      elizaState = "ready";
      log.info("eliza runtime ready", { agentId: eliza.runtime.agentId, storage: config.POSTGRES_URL ? "postgres" : "pglite" });
      shutdown.onShutdown("eliza", () => eliza.stop());
    },
    (error) => {
      elizaState = "failed";
      log.error("eliza runtime failed to start; the show goes on with templates and no memory", { error });
    },
  );
  const memoryFallback = new Map<string, unknown>();
  const withEliza = <T>(fn: (e: Awaited<typeof elizaReady>) => Promise<T>, fallback: () => T) => elizaReady.then(fn, () => fallback());

  let watcher: ReturnType<typeof watchLive> | null = null;
  const host = createHost({
    hostName: character.name,
    handles: handlesOf(character),
    speaker,
    clock,
    names,
    generate: llm ? (moment, chat) => elizaReady.then((e) => e.generate(moment, chat)) : undefined,
    recall: <T>(key: string) => withEliza((e) => e.recall<T>(key), () => memoryFallback.get(key) as T | undefined),
    remember: <T>(key: string, value: T) => withEliza((e) => e.remember(key, value), () => void memoryFallback.set(key, value)),
    refresh: async () => watcher?.refresh(),
    modelDeadlineMs: config.LLM_DEADLINE_MS,
    hammerGraceMs: config.HAMMER_GRACE_MS,
    idleMs: config.IDLE_MS,
    dappUrl: config.DAPP_URL,
    hooks: {
      onLine: (line, source) => linesTotal.inc({ kind: line.kind, source }),
      onModel: (ms, outcome) => modelLatency.observe({ outcome }, ms / 1000),
      onGuardReject: (kind, reasons, problems, text) => {
        for (const reason of reasons) guardRejections.inc({ kind, reason });
        log.warn("truth guard rejected a line", { kind, reasons, problems, text });
      },
      onQuestionDropped: (reason) => questionsDropped.inc({ reason }),
      onFallback: (kind, reason) => fallbacks.inc({ kind, reason }),
      onQuestion: (topic) => questions.inc({ topic }),
      onError: (what, error) => log.warn(`${what} failed`, { error }),
      onBid: (b) => log.info("bid seen", { lotId: b.lot.lotId, amount: b.amount, txHash: b.txHash, blockNumber: b.blockNumber, bidder: b.bidder.address, extended: b.extended }),
    },
  });
  shutdown.onShutdown("host", () => host.stop());
  // Earlier versions kept recent chat (link codes included) in ElizaOS storage: forget it.
  void withEliza((e) => e.remember("sothebais:chat:recent", []), () => undefined).catch(() => {});

  watcher = watchLive({
    indexerUrl: config.INDEXER_URL,
    pollMs: config.LIVE_POLL_MS,
    onSnapshot: (snap, seenAt) => {
      lastSnapshotSeenAt = seenAt;
      snapshots.inc();
      host.onSnapshot(snap, snap.indexedAt && Math.abs(snap.indexedAt - seenAt) < 5000 ? Math.min(seenAt, snap.indexedAt) : seenAt);
      chainOffset.set(clock.offsetMs() / 1000);
    },
    onError: (error, n) => {
      indexerErrors.inc();
      if (n === 1 || n % 50 === 0) log.warn("indexer /live unavailable", { error: (error as Error).message, failures: n });
    },
  });
  shutdown.onShutdown("watcher", () => watcher?.stop());

  sub.on("message", (channel, message) => {
    controls.onMessage(channel);
    if (channel === CHAT_MODERATION_CHANNEL) {
      const event = parseModeration(message);
      if (event) host.onModeration(event);
      else log.warn("bad moderation event");
      return;
    }
    if (channel !== CHAT_LINES_CHANNEL) return;
    try {
      host.onChat(JSON.parse(message) as ChatLine);
    } catch (error) {
      log.warn("bad chat line", { error: (error as Error).message });
    }
  });
  // Not awaited: with Redis down the command waits in ioredis' offline queue, and ioredis
  // re-subscribes after every reconnect; the show must not wait for chat.
  sub.subscribe(CHAT_LINES_CHANNEL, CHAT_MODERATION_CHANNEL, CONTROLS_CHANNEL).catch((error) => log.warn("subscribe failed; ioredis retries on reconnect", { error: (error as Error).message }));

  const app = createApp({
    metrics,
    recentLines: () => recent.slice(-50),
    state: () => host.describe(),
    health: () => {
      const seen = watcher?.lastSnapshotAt() ?? null;
      const indexerOk = seen !== null && Date.now() - seen < 10_000;
      const redisOk = pub.status === "ready" && sub.status === "ready";
      return {
        status: indexerOk && redisOk ? "ok" : "degraded",
        mode: llm ? "model" : "offline",
        character: character.name,
        indexer: { ok: indexerOk, lastSnapshotAgoMs: seen === null ? null : Date.now() - seen },
        redis: { ok: redisOk },
        eliza: elizaState,
        queued: speaker.size(),
        muted: controls.current().hostMuted !== null,
        chainClockOffsetMs: clock.offsetMs(),
      };
    },
  });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.BIND_HOST }, (info) => log.info("listening", { port: info.port, host: config.BIND_HOST }));
  shutdown.onShutdown("http", () => new Promise((resolve) => server.close(() => resolve(undefined))));
}
