/**
 * Moderation reaches the stream (issue 19 §5): the real broadcaster, the real local chat server (the
 * relayer's Twitch-compatible one, IRC over WebSocket) and Redis. Lines reach the broadcaster the way
 * the relayer publishes them (Redis `sothebais:chat:lines`); deletions and bans come from the chat.
 * Checked on the chat pane's model (`/chat`) and on the rendered frame (`/preview.png`).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { createCanvas, Image } from "@napi-rs/canvas";
import { CHAT_LINES_CHANNEL, type ChatLine } from "@sothebais/common/channels";
import { freePort, type RedisServer, startRedis, waitFor } from "@sothebais/common/testing";
import { Redis } from "ioredis";
import { type ChatEvent, type ChatServer, startChatServer } from "../../relayer/src/chat-server/server.ts";
import { markerFlags, readMarkerFromRgba } from "../src/scene/marker.ts";
import { CHAT_PANE } from "../src/scene/render.ts";
import { sampleBid, sampleSnapshot } from "./helpers/snapshot.ts";
import { type BroadcasterProcess, type LiveServer, startBroadcasterProcess, startLiveServer } from "./helpers/stream.ts";

let redis: RedisServer;
let pub: Redis;
let live: LiveServer;
let chat: ChatServer;
let bc: BroadcasterProcess;
/** Stands in for the relayer's /health (the relayer needs a chain; its pause is tested in relayer/). */
let relayer: Server;
let relayerHealth: Record<string, unknown> = { ok: true, relayer: { bidsPaused: false }, chatBidding: { paused: false, by: null, since: null } };

before(async () => {
  redis = await startRedis();
  pub = new Redis(redis.url);
  live = await startLiveServer(sampleSnapshot({ bids: [sampleBid({ n: 3 })] }));
  chat = await startChatServer({ port: await freePort(), defaultChannel: "sothebais" });
  relayer = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(relayerHealth)));
  const relayerPort = await freePort();
  await new Promise<void>((r) => relayer.listen(relayerPort, "127.0.0.1", r));
  bc = await startBroadcasterProcess({
    INDEXER_URL: live.url,
    REDIS_URL: redis.url,
    // No ingest needed: the pane and the preview are drawn whether or not ffmpeg streams.
    RTMP_URL: `rtmp://127.0.0.1:${await freePort()}/live/x`,
    TTS_ENGINE: "none",
    CHAT_URL: chat.url,
    CHAT_CHANNEL: "sothebais",
    RELAYER_URL: `http://127.0.0.1:${relayerPort}`,
    RELAYER_POLL_MS: "200",
  });
  await waitFor(async () => (await health()).chat.moderationConnected === true && (await health()).redisConnected === true, { timeoutMs: 30_000, what: "chat and redis connected" });
});

after(async () => {
  await bc?.stop();
  pub?.disconnect();
  await chat?.close();
  await live?.close();
  await redis?.stop();
  relayer?.closeAllConnections();
  await new Promise<void>((r) => (relayer ? relayer.close(() => r()) : r()));
});

const health = async () => (await (await fetch(`${bc.url}/health`)).json()) as { redisConnected: boolean; chat: { moderationConnected: boolean | null; bidsPaused: boolean | null } };
const paneIds = async () => ((await (await fetch(`${bc.url}/chat`)).json()) as { lines: { id: string }[] }).lines.map((l) => l.id);

/** Says a line in the chat and publishes it as the relayer does. */
async function sayAndRelay(userId: string, displayName: string, text: string): Promise<ChatEvent & { type: "message" }> {
  const e = chat.say({ userId, displayName, text });
  await relay(e);
  return e;
}
async function relay(e: ChatEvent & { type: "message" }): Promise<void> {
  const line: ChatLine = { id: e.id, userId: e.userId, displayName: e.displayName, text: e.text, sentAt: e.sentAt, isMod: e.mod, fromBot: false };
  await pub.publish(CHAT_LINES_CHANNEL, JSON.stringify(line));
}

/** Milliseconds until `check` holds, polled every 20 ms; fails past `limitMs`. */
async function within(limitMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > limitMs) assert.fail(`${what}: not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The preview PNG's pixels: the chat pane's box, and the marker read from the whole frame. */
async function preview(): Promise<{ pane: Buffer; flags: number }> {
  const img = new Image();
  img.src = Buffer.from(await (await fetch(`${bc.url}/preview.png`)).arrayBuffer());
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const whole = ctx.getImageData(0, 0, img.width, img.height);
  const marker = readMarkerFromRgba(new Uint8Array(whole.data.buffer), img.width, img.height);
  const pane = ctx.getImageData(CHAT_PANE.x, CHAT_PANE.y, CHAT_PANE.w, CHAT_PANE.h);
  return { pane: Buffer.from(pane.data.buffer), flags: marker?.flags ?? -1 };
}

/** The pane once two previews a second apart agree (at start, regions may still be due for drawing). */
async function steadyPane(): Promise<Buffer> {
  let last = (await preview()).pane;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1100));
    const next = (await preview()).pane;
    if (next.equals(last)) return next;
    last = next;
  }
}

describe("moderation on the stream's chat pane (real broadcaster, real chat server)", () => {
  it("a deleted line (CLEARMSG) leaves the pane within a second, and the rendered pane with it", async () => {
    const empty = await steadyPane();
    const e = await sayAndRelay("1001", "alice", "hello from alice");
    await within(5000, "line on the pane", async () => (await paneIds()).includes(e.id));
    await waitFor(async () => !(await preview()).pane.equals(empty), { timeoutMs: 10_000, intervalMs: 200, what: "line drawn in the preview" });
    chat.deleteMessage({ id: e.id });
    const ms = await within(1000, "deleted line gone from the pane", async () => !(await paneIds()).includes(e.id));
    assert.ok(ms < 1000, `${ms} ms`);
    // The frame: the pane is drawn as it was before the line (the PNG preview refreshes once a second).
    await waitFor(async () => (await preview()).pane.equals(empty), { timeoutMs: 5000, intervalMs: 200, what: "rendered pane back to empty" });
  });

  it("a banned user's lines (CLEARCHAT) vanish within a second; others' stay; lines in flight from before the ban never show", async () => {
    const b1 = await sayAndRelay("2002", "bob", "bob one");
    const b2 = await sayAndRelay("2002", "bob", "bob two");
    const c1 = await sayAndRelay("3003", "carol", "carol stays");
    // Said before the ban, relayed after it (the relayer lagging).
    const late = chat.say({ userId: "2002", displayName: "bob", text: "bob in flight" });
    await within(5000, "lines on the pane", async () => (await paneIds()).includes(c1.id));
    chat.ban({ userId: "2002", login: "bob" });
    await within(1000, "banned user's lines gone", async () => {
      const ids = await paneIds();
      return !ids.includes(b1.id) && !ids.includes(b2.id);
    });
    assert.ok((await paneIds()).includes(c1.id), "another user's line stays");
    await relay(late);
    const marker = await sayAndRelay("3003", "carol", "after the ban");
    await within(5000, "later line shown", async () => (await paneIds()).includes(marker.id));
    assert.ok(!(await paneIds()).includes(late.id), "a line from before the ban, relayed late, is not shown");
  });

  it("a timed-out user's lines (CLEARCHAT with ban-duration) vanish within a second", async () => {
    const d = await sayAndRelay("4004", "dave", "dave says hi");
    await within(5000, "line on the pane", async () => (await paneIds()).includes(d.id));
    chat.ban({ userId: "4004", login: "dave", duration: 600 });
    await within(1000, "timed-out user's line gone", async () => !(await paneIds()).includes(d.id));
  });

  it("a line deleted before the relayer publishes it never shows", async () => {
    const e = chat.say({ userId: "5005", displayName: "erin", text: "quickly deleted" });
    chat.deleteMessage({ id: e.id });
    await new Promise((r) => setTimeout(r, 300));
    await relay(e);
    const after = await sayAndRelay("6006", "frank", "next line");
    await within(5000, "next line shown", async () => (await paneIds()).includes(after.id));
    assert.ok(!(await paneIds()).includes(e.id));
  });

  it("link codes never reach the pane, however the line is dressed", async () => {
    const lines = ["!link ABCD2345", "  !link EFGH6789", "\u200b!link JKLM2345", "!LINK NPQR6789", "！ｌｉｎｋ STUV2345", "!lin\u212a WXYZ6789", "my code: !link Q2W3E4R5"];
    const sent = [];
    for (const text of lines) sent.push(await sayAndRelay("7007", "gina", text));
    const after = await sayAndRelay("7007", "gina", "and a normal line");
    await within(5000, "normal line shown", async () => (await paneIds()).includes(after.id));
    const ids = await paneIds();
    for (const e of sent) assert.ok(!ids.includes(e.id), `shown: ${e.text}`);
    const text = JSON.stringify(await (await fetch(`${bc.url}/chat`)).json());
    for (const code of ["ABCD2345", "EFGH6789", "JKLM2345", "NPQR6789", "STUV2345", "WXYZ6789", "Q2W3E4R5"]) assert.ok(!text.includes(code));
  });

  it("shows a 'chat bidding paused' banner while the relayer reports chat bids paused, and removes it", async () => {
    assert.equal((await preview()).flags & markerFlags.chatBidsPaused, 0);
    relayerHealth = { ...relayerHealth, chatBidding: { paused: true, by: "mod", since: Date.now() } };
    await within(2000, "pause seen", async () => (await health()).chat.bidsPaused === true);
    const on = await waitFor(async () => {
      const p = await preview();
      return p.flags & markerFlags.chatBidsPaused ? p : null;
    }, { timeoutMs: 5000, intervalMs: 200, what: "banner flag in the rendered frame" });
    assert.ok(on);
    if (process.env.SAVE_FRAME) {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(process.env.SAVE_FRAME, Buffer.from(await (await fetch(`${bc.url}/preview.png`)).arrayBuffer()));
    }
    // Low on gas pauses chat bids too.
    relayerHealth = { ...relayerHealth, chatBidding: { paused: false, by: null, since: null }, relayer: { bidsPaused: true } };
    await new Promise((r) => setTimeout(r, 600));
    assert.equal((await health()).chat.bidsPaused, true);
    relayerHealth = { ...relayerHealth, relayer: { bidsPaused: false } };
    await within(2000, "resume seen", async () => (await health()).chat.bidsPaused === false);
    await waitFor(async () => ((await preview()).flags & markerFlags.chatBidsPaused) === 0, { timeoutMs: 5000, intervalMs: 200, what: "banner gone" });
  });
});
