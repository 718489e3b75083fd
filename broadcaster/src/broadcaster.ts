/**
 * @module broadcaster
 * Wires the parts: indexer feed + Redis inputs -> scene view -> renderer -> encoder -> RTMP, with the
 * host's voice mixed in, on a fixed frame clock. `main.ts` runs it as a service; the benchmark runs
 * it in-process to read its timings.
 */
import type { ChatLine } from "@sothebais/common/channels";
import type { LiveBid, LiveSnapshot } from "@sothebais/common/live";
import type { Logger } from "@sothebais/common/log";
import { createMetrics, type Metrics } from "@sothebais/common/metrics";
import { redactSecrets, redactUrl } from "@sothebais/common/redact";
import { createCanvas, ImageData } from "@napi-rs/canvas";
import { createArtworkLoader } from "./artwork/loader.ts";
import { startChatModeration } from "./chat-moderation.ts";
import { createChatPane, type PaneLine } from "./chat-pane.ts";
import { createSpeech } from "./audio/speech.ts";
import { createTts } from "./audio/tts.ts";
import type { Config } from "./config.ts";
import { createEncoder } from "./encoder.ts";
import { createLiveFeed } from "./feed.ts";
import { createRedisInputs } from "./inputs.ts";
import { createSlotCounter, startFrameLoop } from "./loop.ts";
import { createPreviewCache } from "./preview.ts";
import { startRelayerStatus } from "./relayer-status.ts";
import { createRenderer, HEIGHT, WIDTH } from "./scene/render.ts";
import { buildView } from "./scene/view.ts";

export type Broadcaster = {
  health: () => { status: "ok" | "degraded"; [k: string]: unknown };
  metrics: Metrics;
  snapshot: (format: "png" | "jpeg") => Promise<Buffer | null>;
  /** The lines the chat pane holds now (moderation applied). */
  chatLines: () => readonly PaneLine[];
  /**
   * Per-frame timings for the benchmark: render (draw + readback) ms, update -> frame ms, and when
   * (performance.now()) each late slot was filled, to line late slots up with GC pauses.
   */
  timings: { render: number[]; updateToFrame: number[]; lateAt: number[] };
  stop: () => Promise<void>;
};

const MAX_TIMINGS = 100_000;

/** Errors in /health may quote a URL with a key in it (the indexer's, behind a gateway). */
const redactNullable = (text: string | null) => (text === null ? null : redactSecrets(text));

export function startBroadcaster(config: Config, log: Logger, auctionHouse?: string): Broadcaster {
  const metrics = createMetrics("broadcaster");
  const mRender = metrics.histogram("render_seconds", "Frame draw + pixel readback time", [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.033, 0.05, 0.1]);
  const mUpdate = metrics.histogram("update_to_frame_seconds", "Snapshot change received -> first frame showing it");
  const mFrames = metrics.counter("frames_rendered_total", "Frames rendered");
  const mReused = metrics.counter("frames_reused_total", "Frames that repeated the previous picture (nothing visible changed) with a new marker");
  const mLate = metrics.counter("frames_late_total", "Frame slots filled by repeating the previous frame (render turn came late)");
  const mDropped = metrics.gauge("frames_dropped", "Frames ffmpeg could not take in time while connected");
  const mConnected = metrics.gauge("ingest_connected", "1 while ffmpeg streams to the ingest");
  const mSpeed = metrics.gauge("encoder_speed", "ffmpeg speed (1 = real time)");
  const mRestarts = metrics.gauge("encoder_restarts", "ffmpeg restarts since start");
  const mAge = metrics.gauge("data_age_seconds", "Age of the last indexer snapshot");

  const sampleRate = Number(config.AUDIO_SAMPLE_RATE) as 44100 | 48000;
  const samplesPerFrame = Math.round(sampleRate / config.FPS);
  const timings = { render: [] as number[], updateToFrame: [] as number[], lateAt: [] as number[] };
  const push = (a: number[], v: number) => {
    if (a.length < MAX_TIMINGS) a.push(v);
  };

  const renderer = createRenderer({ budgetMs: config.RENDER_BUDGET_MS });
  const artworkLogged = new Set<string>();
  const artwork = createArtworkLoader({
    ipfsGateways: config.IPFS_GATEWAYS,
    timeoutMs: config.ARTWORK_TIMEOUT_MS,
    maxBytes: config.ARTWORK_MAX_BYTES,
    allowHosts: config.ARTWORK_ALLOW_HOSTS ?? [],
    // Failed artwork is retried every minute; say so once per URI and reason, not at every retry.
    onError: (uri, error) => {
      const key = `${uri}|${error}`;
      if (artworkLogged.has(key)) return;
      if (artworkLogged.size > 1000) artworkLogged.clear();
      artworkLogged.add(key);
      log.warn("artwork failed; showing the placeholder", { uri: uri.slice(0, 120), error });
    },
    // A gateway that answers wrong bytes is lying or broken: worth an operator's look, even when the next one served.
    onGatewaySkip: (uri, gateway, reason) => log.warn("ipfs gateway skipped", { uri: uri.slice(0, 120), gateway, reason }),
  });
  const speech = createSpeech({
    tts: createTts({ engine: config.TTS_ENGINE, voice: config.TTS_VOICE, wordsPerMinute: config.TTS_WPM, command: config.TTS_COMMAND }),
    sampleRate,
    onError: (error) => log.warn("speech synthesis failed; caption only", { error }),
  });

  const chat = createChatPane();
  const firstSeen = new Map<string, number>();
  let changedAt: number | null = null;
  /** A new highest bid waiting for the first frame that shows it, to be logged once with that frame. */
  let newTop: LiveBid | null = null;

  const noteChange = (snap: LiveSnapshot, previous: LiveSnapshot | null) => {
    changedAt = performance.now();
    // New bids and extensions get a highlight; those already there at start do not.
    const at = previous ? Date.now() : 0;
    const top = snap.bids[0];
    if (previous && top && !firstSeen.has(`bid:${top.id}`)) newTop = top;
    for (const b of snap.bids) if (!firstSeen.has(`bid:${b.id}`)) firstSeen.set(`bid:${b.id}`, at);
    if (snap.lot?.extended) {
      const key = `ext:${snap.lot.lotId}:${snap.lot.extended}`;
      if (!firstSeen.has(key)) firstSeen.set(key, at);
    }
    if (firstSeen.size > 5000) for (const k of [...firstSeen.keys()].slice(0, 1000)) firstSeen.delete(k);
    // Start loading the artwork of this lot and the next ones before they are needed.
    for (const uri of [snap.lot?.tokenUri, ...snap.upcoming.slice(0, 3).map((u) => u.tokenUri), snap.lastSettled?.tokenUri]) if (uri) artwork.get(uri);
  };

  const feed = createLiveFeed({
    indexerUrl: config.INDEXER_URL,
    intervalMs: config.FEED_INTERVAL_MS,
    onChange: noteChange,
    onError: (error) => log.warn("indexer feed failed; keeping the last snapshot", { error: error.message }),
  });
  const redis = createRedisInputs({
    url: config.REDIS_URL,
    onChat: (line: ChatLine) => {
      chat.add(line);
    },
    onHostLine: (line) => speech.enqueue(line),
    onError: (error) => log.warn("redis unavailable; chat and host lines paused", { error: error.message }),
    onControls: (c) => log.info(c.brb ? "be right back scene on" : "be right back scene off", { by: c.brb?.by }),
  });
  const moderation = config.CHAT_URL
    ? startChatModeration({
        url: config.CHAT_URL,
        channel: config.CHAT_CHANNEL,
        onEvent: (e) => {
          if (e.kind === "delete") chat.deleteMessage(e.msgId);
          else if (e.kind === "ban") chat.banUser(e.userId, e.at);
          else chat.clear(e.at);
        },
        onState: (up, detail) => (up ? log.info("chat moderation connected", { channel: config.CHAT_CHANNEL }) : log.warn("chat moderation disconnected; reconnecting", { detail })),
      })
    : null;
  if (!moderation) log.warn("no CHAT_URL: deleted lines and banned users stay on the stream's chat pane");
  const relayer = config.RELAYER_URL
    ? startRelayerStatus({ url: config.RELAYER_URL, intervalMs: config.RELAYER_POLL_MS, onChange: (paused) => log.info(paused ? "chat bidding paused: banner on" : "chat bidding open: banner off") })
    : null;
  const encoder = createEncoder({
    url: config.RTMP_URL,
    width: WIDTH,
    height: HEIGHT,
    pixelFormat: "yuv420p",
    fps: config.FPS,
    videoKbps: config.VIDEO_KBPS,
    audioKbps: config.AUDIO_KBPS,
    sampleRate,
    keyframeSeconds: config.KEYFRAME_SECONDS,
    preset: config.X264_PRESET,
    log: (level, msg, fields) => log[level](msg, fields),
  });
  log.info("streaming", { rtmp: redactUrl(config.RTMP_URL), fps: config.FPS, videoKbps: config.VIDEO_KBPS, tts: config.TTS_ENGINE });

  /** The renderer's frame holds a picture (the first frame has been drawn). */
  let started = false;
  let rendered = 0;
  let reused = 0;
  /**
   * The last second's frame slots: `fps` counts those the stream carried (drawn on time or the previous
   * frame again, and taken by the encoder), `renderFps` those drawn on time. A repeat keeps the stream at
   * 30 fps with one picture held for two slots; a dropped or skipped slot is a frame the stream lacks.
   */
  const streamSlots = createSlotCounter(config.FPS);
  const onTimeSlots = createSlotCounter(config.FPS);
  let resetsSeen = 0;

  const loop = startFrameLoop({
    fps: config.FPS,
    frame: (index, now) => {
      const t = performance.now();
      const snap = feed.snapshot();
      // Ask for chat names of the bidders on screen (answered in the background).
      if (snap?.lot) redis.name(snap.lot.chatIdHash);
      for (const b of snap?.bids ?? []) if (b.viaRelayer) redis.name(b.chatIdHash);
      const view = buildView({
        snapshot: snap,
        receivedAt: feed.receivedAt(),
        chat: chat.rows(),
        chatBidsPaused: relayer?.chatBidsPaused() ?? false,
        caption: speech.caption(),
        names: redis.names,
        brb: redis.controls().brb !== null,
        artwork: (uri) => artwork.get(uri),
        firstSeen,
        auctionHouse,
        now,
        frame: index,
        staleAfterMs: config.STALE_AFTER_MS,
      });
      const change = changedAt;
      changedAt = null;
      if (renderer.render(view, now) > 0) {
        const done = performance.now();
        mRender.observe((done - t) / 1000);
        push(timings.render, done - t);
        rendered++;
        mFrames.inc();
      } else {
        reused++;
        mReused.inc();
      }
      started = true;
      if (change !== null) {
        const done = performance.now();
        mUpdate.observe((done - change) / 1000);
        push(timings.updateToFrame, done - change);
        // The stream end of one bid's trail (relayer "bid placed" -> txHash -> here); the frame number
        // is the one in the marker strip, so the line also points at the picture.
        if (newTop) {
          log.info("bid on stream", {
            lotId: newTop.lotId, txHash: newTop.txHash, blockNumber: newTop.blockNumber, amount: newTop.amount,
            viaRelayer: newTop.viaRelayer, frame: index, updateToFrameMs: Math.round(done - change),
          });
          newTop = null;
        }
      }
      // A reset means the loop was stopped for longer than it catches up (over a second): no frame then.
      if (loop.stats().resets !== resetsSeen) {
        resetsSeen = loop.stats().resets;
        streamSlots.clear();
        onTimeSlots.clear();
      }
      onTimeSlots.record(index, true);
      streamSlots.record(index, encoder.write(renderer.yuv.data, speech.pull(samplesPerFrame)));
    },
    repeat: (index) => {
      onTimeSlots.record(index, false);
      mLate.inc();
      push(timings.lateAt, performance.now());
      streamSlots.record(index, started && encoder.write(renderer.yuv.data, speech.pull(samplesPerFrame)));
    },
  });

  const gauges = setInterval(() => {
    const s = encoder.status();
    mDropped.set(s.framesDropped);
    mConnected.set(s.connected ? 1 : 0);
    if (s.speed !== null) mSpeed.set(s.speed);
    mRestarts.set(s.restarts);
    const at = feed.receivedAt();
    if (at) mAge.set((Date.now() - at) / 1000);
  }, 1000);
  gauges.unref();

  const previewCanvas = createCanvas(WIDTH, HEIGHT);
  const mPreview = metrics.counter("preview_encodes_total", "Preview images encoded (shared by every preview connection)", ["format"]);
  const snapshot = createPreviewCache({
    encode: async (format) => {
      if (!started) return null;
      previewCanvas.getContext("2d").putImageData(new ImageData(renderer.frame, WIDTH, HEIGHT), 0, 0);
      return format === "png" ? previewCanvas.encode("png") : previewCanvas.encode("jpeg", 70);
    },
    // The MJPEG stream's rate; a PNG (slower to encode) at most once a second.
    intervalMs: { jpeg: 1000 / config.PREVIEW_FPS, png: Math.max(1000, 1000 / config.PREVIEW_FPS) },
    onEncode: (format) => mPreview.inc({ format }),
  });

  const health = () => {
    const s = encoder.status();
    const age = feed.receivedAt() ? Date.now() - feed.receivedAt() : null;
    const feedOk = age !== null && age <= config.STALE_AFTER_MS;
    const loopStats = loop.stats();
    return {
      status: (s.connected && feedOk ? "ok" : "degraded") as "ok" | "degraded",
      fps: streamSlots.count(),
      renderFps: onTimeSlots.count(),
      framesRendered: rendered,
      framesReused: reused,
      framesSent: s.framesSent,
      droppedFrames: s.framesDropped,
      lateFrames: loopStats.late,
      ingestConnected: s.connected,
      encoder: { speed: s.speed, fps: s.fps, kbps: s.kbps, restarts: s.restarts, lastError: s.lastError },
      feed: { ok: feedOk, dataAgeMs: age, lastError: redactNullable(feed.lastError()), lotId: feed.snapshot()?.lot?.lotId ?? null },
      redisConnected: redis.connected(),
      chat: { lines: chat.lines().length, moderationConnected: moderation?.connected() ?? null, bidsPaused: relayer?.chatBidsPaused() ?? null },
      speech: speech.stats(),
      scene: { brb: redis.controls().brb !== null },
    };
  };

  return {
    health,
    metrics,
    snapshot,
    chatLines: () => chat.lines(),
    timings,
    stop: async () => {
      loop.stop();
      clearInterval(gauges);
      feed.stop();
      await encoder.close();
      await redis.close();
      moderation?.close();
      relayer?.stop();
      await artwork.close();
    },
  };
}
