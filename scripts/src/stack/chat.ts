/**
 * The local chat part of `./sothebais up`: a Twitch-compatible chat server (IRC over WebSocket, as tmi.js
 * speaks it) with a web page to chat as several users, so chat bidding works offline. The relayer's bot
 * account (`sothebais_bot`) is a moderator here, so it gets Twitch's moderator limit (100 lines / 30 s).
 * Sets chatUrl (ws, for tmi.js), chatPageUrl (the page) and chatChannel.
 */
import { join } from "node:path";
import { startProcess, waitFor } from "@sothebais/common/testing";
import type { StackService } from "./types.ts";

export const chatChannel = "sothebais";
export const chatBotName = "sothebais_bot";

export const service: StackService = {
  name: "chat",
  async start(ctx) {
    const port = ctx.ports.chat;
    const child = await startProcess({
      name: "chat",
      command: process.execPath,
      args: [join(ctx.root, "relayer/src/chat-server/main.ts")],
      cwd: join(ctx.root, "relayer"),
      env: { CHAT_PORT: String(port), CHAT_HOST: "127.0.0.1", CHAT_CHANNEL: chatChannel, CHAT_MODS: chatBotName },
      echo: ctx.echo("chat"),
      readyWhen: /chat server ready/,
      timeoutMs: 60_000,
    });
    ctx.onStop("chat", () => child.stop());
    await waitFor(() => fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false), { what: "chat server /health", timeoutMs: 10_000 });
    ctx.urls.chatUrl = `ws://127.0.0.1:${port}`;
    ctx.urls.chatPageUrl = `http://127.0.0.1:${port}/`;
    ctx.urls.chatChannel = chatChannel;
    ctx.progress(`local chat on ${ctx.urls.chatPageUrl} (channel #${chatChannel})`);
  },
};
