/**
 * behavior: the console's "be right back" scene (common/src/controls.ts, set by the operator API).
 * The real broadcaster streaming to a real nginx-rtmp with a real Redis: the control switches the
 * stream to the BRB scene (its marker flag, decoded from the pulled stream, as viewers get it), the
 * stream keeps 30 fps meanwhile, /health reports it, a restart keeps it (read from Redis at start),
 * and switching it off brings the lot back.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CONTROLS_CHANNEL, CONTROLS_HASH } from "@sothebais/common/controls";
import { type RedisServer, startRedis, waitFor } from "@sothebais/common/testing";
import { Redis } from "ioredis";
import { type RtmpServer, startRtmpServer } from "../src/rtmp-server.ts";
import { markerFlags } from "../src/scene/marker.ts";
import { sampleBid, sampleSnapshot } from "./helpers/snapshot.ts";
import { type BroadcasterProcess, type LiveServer, type MarkerReader, readMarkers, startBroadcasterProcess, startLiveServer } from "./helpers/stream.ts";

let rtmp: RtmpServer;
let redis: RedisServer;
let live: LiveServer;
let bc: BroadcasterProcess;
let reader: MarkerReader;
let pub: Redis;
const LONG = { timeoutMs: 90_000, intervalMs: 100 };
// Same output format as production; the lighter preset spares the 2 shared cores.
const bcEnv = () => ({ INDEXER_URL: live.url, REDIS_URL: redis.url, RTMP_URL: rtmp.rtmpUrl, X264_PRESET: "superfast" });

before(async () => {
  rtmp = await startRtmpServer();
  redis = await startRedis();
  live = await startLiveServer(sampleSnapshot({ bids: [sampleBid({ n: 3 })] }));
  bc = await startBroadcasterProcess(bcEnv());
  pub = new Redis(redis.url);
  reader = readMarkers(rtmp.rtmpUrl);
  await waitFor(() => reader.markers.length > 10, { ...LONG, what: "markers decoded from the pulled stream" });
});
after(async () => {
  reader?.stop();
  pub?.disconnect();
  await bc?.stop();
  await live?.close();
  await redis?.stop();
  await rtmp?.stop();
});

const health = async () => (await (await fetch(`${bc.url}/health`)).json()) as { fps: number; scene?: { brb: boolean } };
const setBrb = async (on: boolean) => {
  if (on) await pub.hset(CONTROLS_HASH, "brb", JSON.stringify({ by: "0xtest", at: Date.now() }));
  else await pub.hdel(CONTROLS_HASH, "brb");
  await pub.publish(CONTROLS_CHANNEL, JSON.stringify({ control: "brb", on, by: "0xtest", at: Date.now() }));
};
/** Markers of frames decoded after `since`. */
const framesSince = (since: number) => reader.markers.filter((m) => m.at >= since).map((m) => m.marker);

describe("be right back", () => {
  it("switches the stream to the BRB scene, at 30 fps, and back to the lot", { timeout: 120_000 }, async () => {
    assert.equal((framesSince(0).at(-1)?.flags ?? 0) & markerFlags.brb, 0);
    const t0 = Date.now();
    await setBrb(true);
    const first = await waitFor(() => reader.markers.find((m) => m.at >= t0 && m.marker.flags & markerFlags.brb), { ...LONG, what: "a BRB frame in the pulled stream" });
    console.log(`BRB on the pulled stream ${first.at - t0} ms after the control was set (pull latency included)`);
    assert.equal((await health()).scene?.brb, true);
    // Three seconds of BRB: every frame pulled carries the flag and no lot, and the broadcaster keeps 30 fps
    // (its own count; how many frames the pull decodes depends on how busy the machine is).
    const since = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const frames = framesSince(since);
    assert.ok(frames.length >= 30, `frames decoded in 3 s: ${frames.length}`);
    assert.ok(frames.every((m) => m.flags & markerFlags.brb), "every frame BRB");
    assert.ok(frames.every((m) => !(m.flags & markerFlags.hasLot)), "no lot shown under BRB");
    assert.ok((await health()).fps >= 28, `fps while BRB: ${(await health()).fps}`);

    const t1 = Date.now();
    await setBrb(false);
    await waitFor(() => reader.markers.find((m) => m.at >= t1 && !(m.marker.flags & markerFlags.brb) && m.marker.flags & markerFlags.hasLot), { ...LONG, what: "the lot back on the stream" });
    assert.equal((await health()).scene?.brb, false);
  });

  it("a restarted broadcaster comes back on the BRB scene: the state is read from Redis at start", { timeout: 120_000 }, async () => {
    await setBrb(true);
    await waitFor(async () => (await health()).scene?.brb === true, { ...LONG, what: "BRB on" });
    await bc.stop();
    bc = await startBroadcasterProcess(bcEnv());
    try {
      await waitFor(async () => (await health()).scene?.brb === true, { timeoutMs: 10_000, intervalMs: 100, what: "BRB after the restart" });
    } finally {
      await setBrb(false);
    }
  });
});
