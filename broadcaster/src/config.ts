/**
 * @module config
 * The broadcaster's configuration, from the environment, validated at start (one line per bad key).
 */
import { env, type EnvSource, type Field, parseEnv } from "@sothebais/common/env";
import { parseGateways } from "@sothebais/common/ipfs";

const rtmpUrl: Field<string> = {
  ...env.url("rtmp://127.0.0.1:1935/live/sothebais", ["rtmp:", "rtmps:"]),
  // The path carries the stream key, a secret on Twitch.
  secret: true,
};

export function readConfig(source: EnvSource = process.env) {
  return parseEnv(
    {
      PORT: env.port(8790),
      HOST: env.string({ fallback: "127.0.0.1" }),
      INDEXER_URL: env.url("http://127.0.0.1:42069"),
      REDIS_URL: env.url("redis://127.0.0.1:6390", ["redis:", "rediss:"]),
      RTMP_URL: rtmpUrl,
      CHAIN_ID: env.int({ fallback: 31337, min: 1 }),
      AUCTION_HOUSE_ADDRESS: env.address({ optional: true }),
      FPS: env.int({ fallback: 30, min: 10, max: 60 }),
      // Drawing time per frame; changed regions past it wait for the next frame (scene/render.ts).
      RENDER_BUDGET_MS: env.int({ fallback: 4, min: 1, max: 1000 }),
      VIDEO_KBPS: env.int({ fallback: 4500, min: 500, max: 6000 }),
      AUDIO_KBPS: env.int({ fallback: 128, min: 64, max: 320 }),
      AUDIO_SAMPLE_RATE: env.oneOf(["44100", "48000"] as const, "44100"),
      // Twitch wants 2 s. The local stack sends 0.5 s: nginx-rtmp cuts HLS fragments at keyframes, and short
      // fragments keep the local stream page's live edge short (PERFORMANCE.md, glass to glass: p95 2.9 s
      // with 0.5 s against 4.9 s with 1 s, on a quiet machine).
      KEYFRAME_SECONDS: {
        fallback: 2,
        parse: (v: string): number => {
          const n = Number(v);
          if (!/^\d+(\.5)?$/.test(v) || n < 0.5 || n > 4) throw new Error("0.5 to 4 seconds, in steps of 0.5");
          return n;
        },
      },
      X264_PRESET: env.oneOf(["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"] as const, "veryfast"),
      // ipfs:// is read through these in order (comma-separated), each answer checked against the CID.
      IPFS_GATEWAYS: { fallback: parseGateways("https://ipfs.io/ipfs/"), parse: parseGateways } satisfies Field<string[]>,
      ARTWORK_TIMEOUT_MS: env.int({ fallback: 5000, min: 100, max: 60_000 }),
      ARTWORK_MAX_BYTES: env.int({ fallback: 8 * 1024 * 1024, min: 1024, max: 64 * 1024 * 1024 }),
      // Non-public hosts artwork may come from (host or host:port); default none: token URIs are untrusted.
      ARTWORK_ALLOW_HOSTS: env.list({ optional: true }),
      TTS_ENGINE: env.oneOf(["espeak-ng", "command", "none"] as const, "espeak-ng"),
      TTS_VOICE: env.string({ fallback: "en-gb" }),
      TTS_WPM: env.int({ fallback: 165, min: 80, max: 400 }),
      TTS_COMMAND: env.list({ optional: true }),
      FEED_INTERVAL_MS: env.int({ fallback: 100, min: 50, max: 10_000 }),
      STALE_AFTER_MS: env.int({ fallback: 5000, min: 500, max: 120_000 }),
      PREVIEW_FPS: env.int({ fallback: 2, min: 1, max: 10 }),
      // Read-only chat connection for moderation (deleted lines, bans) on the chat pane; unset = none.
      CHAT_URL: { ...env.url(undefined, ["ws:", "wss:"]), optional: true },
      CHAT_CHANNEL: env.string({ fallback: "sothebais" }),
      // The relayer's /health says whether chat bidding is paused (banner); unset = no banner.
      RELAYER_URL: { ...env.url(undefined, ["http:", "https:"]), optional: true },
      RELAYER_POLL_MS: env.int({ fallback: 1000, min: 200, max: 60_000 }),
    },
    source,
  );
}

export type Config = ReturnType<typeof readConfig>;
