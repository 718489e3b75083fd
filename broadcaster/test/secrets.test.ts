/**
 * Secrets never leave the broadcaster (issue 19 §7): the real service pushing to an ingest that refuses
 * the connection, with a stream key in RTMP_URL. ffmpeg's error lines name the output URL; the key
 * must appear in no log line, nor in /health or /metrics.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { freePort, type RedisServer, startRedis, waitFor } from "@sothebais/common/testing";
import { sampleBid, sampleSnapshot } from "./helpers/snapshot.ts";
import { type BroadcasterProcess, type LiveServer, startBroadcasterProcess, startLiveServer } from "./helpers/stream.ts";

const STREAM_KEY = "SECRETKEY_abc123";
let redis: RedisServer;
let live: LiveServer;
let bc: BroadcasterProcess;
let ingestUrl: string;

before(async () => {
  redis = await startRedis();
  live = await startLiveServer(sampleSnapshot({ bids: [sampleBid({ n: 3 })] }));
  // A port nothing listens on: ffmpeg fails at once with "Connection refused", naming the URL.
  ingestUrl = `rtmp://127.0.0.1:${await freePort()}/live/${STREAM_KEY}`;
  bc = await startBroadcasterProcess({ INDEXER_URL: live.url, REDIS_URL: redis.url, RTMP_URL: ingestUrl, X264_PRESET: "superfast", TTS_ENGINE: "none" });
});

after(async () => {
  await bc?.stop();
  await live?.close();
  await redis?.stop();
});

describe("stream key redaction (real broadcaster, real ffmpeg, refused ingest)", () => {
  it("keeps ffmpeg's error as lastError with the key masked, and never prints or serves the key", async () => {
    const health = async () => (await (await fetch(`${bc.url}/health`)).json()) as { encoder: { restarts: number; lastError: string | null } };
    await waitFor(async () => (await health()).encoder.restarts >= 2, { timeoutMs: 60_000, intervalMs: 250, what: "ffmpeg failed and restarted twice" });
    const h = await health();
    // ffmpeg's line names the URL: it is there, with the app name and the key masked.
    assert.match(h.encoder.lastError ?? "", /rtmp:\/\/127\.0\.0\.1:\d+\/live\/\[redacted\]: Connection refused/, `lastError: ${h.encoder.lastError}`);
    const metrics = await (await fetch(`${bc.url}/metrics`)).text();
    const output = bc.output();
    assert.match(output, /encoder stopped; restarting/, "the failure was logged");
    for (const [where, text] of [["/health", JSON.stringify(h)], ["/metrics", metrics], ["stdout/stderr", output]] as const) {
      assert.ok(!text.includes(STREAM_KEY), `stream key in ${where}: ${text.split("\n").find((l) => l.includes(STREAM_KEY))}`);
    }
    assert.match(output, /rtmp:\/\/127\.0\.0\.1:\d+\/live\/\[redacted\]/, "logs name the ingest without its key");
  });
});
