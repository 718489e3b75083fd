/**
 * The broadcaster part of `./sothebais up`: renders the live lot from the indexer, chat and the host's
 * lines from Redis, and streams to the local RTMP server (rtmp part). Publishes broadcasterUrl and
 * previewUrl. Needs the chain, redis, indexer and rtmp parts before it.
 */
import { join } from "node:path";
import { BROADCASTER_NODE_FLAGS } from "@sothebais/broadcaster/node-flags";
import { startProcess, waitFor } from "@sothebais/common/testing";
import type { StackService } from "./types.ts";

export const service: StackService = {
  name: "broadcaster",
  async start(ctx) {
    const { indexerUrl, redisUrl, rtmpUrl } = ctx.urls;
    if (!indexerUrl || !redisUrl || !rtmpUrl) throw new Error("the broadcaster needs the redis, indexer and rtmp parts first");
    const url = `http://127.0.0.1:${ctx.ports.broadcaster}`;
    const child = await startProcess({
      name: "broadcaster",
      command: process.execPath,
      args: [...BROADCASTER_NODE_FLAGS, join(ctx.root, "broadcaster/src/main.ts")],
      cwd: join(ctx.root, "broadcaster"),
      env: {
        PORT: String(ctx.ports.broadcaster),
        INDEXER_URL: indexerUrl,
        REDIS_URL: redisUrl,
        RTMP_URL: rtmpUrl,
        CHAIN_ID: String(ctx.chainId),
        DEPLOYMENTS_DIR: ctx.urls.deploymentsDir,
        AUCTION_HOUSE_ADDRESS: ctx.deployment?.auctionHouse,
        // A keyframe every 0.5 s: nginx-rtmp cuts HLS fragments only at keyframes, and 0.5 s fragments cut
        // the local stream page's glass-to-glass p95 from 4.9 s to 2.9 s against 1 s ones (issue 21,
        // PERFORMANCE.md "Glass to glass"). Twitch's ingest wants 2 s, the service default: set
        // KEYFRAME_SECONDS=2 when streaming there.
        KEYFRAME_SECONDS: process.env.KEYFRAME_SECONDS ?? "0.5",
        // Moderation on the chat pane, and the "chat bidding paused" banner (parts started before this one).
        ...(ctx.urls.chatUrl ? { CHAT_URL: ctx.urls.chatUrl, CHAT_CHANNEL: ctx.urls.chatChannel ?? "sothebais" } : {}),
        ...(ctx.urls.relayerUrl ? { RELAYER_URL: ctx.urls.relayerUrl } : {}),
        // ipfs:// first through the local operator's gateway (started after this part; its port is known), which
        // holds what was uploaded here; the public one next. Every answer is checked against the CID.
        IPFS_GATEWAYS: process.env.IPFS_GATEWAYS ?? `http://127.0.0.1:${ctx.ports.operator}/ipfs/,https://ipfs.io/ipfs/`,
        ARTWORK_ALLOW_HOSTS: [process.env.ARTWORK_ALLOW_HOSTS, `127.0.0.1:${ctx.ports.operator}`].filter(Boolean).join(","),
      },
      echo: ctx.echo("broadcaster"),
      readyWhen: /"msg":"listening"/,
      timeoutMs: 60_000,
    });
    ctx.onStop("broadcaster", () => child.stop(10_000));
    ctx.progress("broadcaster started; waiting for the ingest to accept the stream");
    // Streaming is not worth failing the whole stack for: on a busy machine ffmpeg can take a while.
    const connected = await waitFor(async () => ((await (await fetch(`${url}/health`)).json()) as { ingestConnected: boolean }).ingestConnected, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: "broadcaster streaming to the RTMP server",
    }).then(
      () => true,
      () => false,
    );
    if (!connected) ctx.progress(`broadcaster not streaming yet; it keeps retrying (see ${url}/health)`);
    ctx.urls.broadcasterUrl = url;
    ctx.urls.previewUrl = `${url}/preview.png`;
  },
};
