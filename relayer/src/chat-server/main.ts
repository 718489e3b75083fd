/**
 * @module chat-server/main
 * Runs the local Twitch-compatible chat server: `npm run chat -w @sothebais/relayer`.
 */
import { parseEnv, env } from "@sothebais/common/env";
import { createLogger } from "@sothebais/common/log";
import { createShutdown } from "@sothebais/common/shutdown";
import { startChatServer } from "./server.ts";

const log = createLogger({ service: "chat-server" });
const config = parseEnv({
  CHAT_PORT: env.port(8792),
  CHAT_HOST: env.string({ fallback: "127.0.0.1" }),
  CHAT_CHANNEL: env.string({ fallback: "sothebais" }),
  CHAT_MODS: env.list({ optional: true }),
  CHAT_RATE_LIMIT: env.int({ fallback: 20, min: 1 }),
  CHAT_MOD_RATE_LIMIT: env.int({ fallback: 100, min: 1 }),
  // Browser origins besides the server's own page allowed to post (e.g. a dApp page embedding the chat).
  CHAT_ALLOWED_ORIGINS: env.list({ optional: true }),
});
const shutdown = createShutdown({ log: log.info });
const server = await startChatServer({
  port: config.CHAT_PORT,
  host: config.CHAT_HOST,
  defaultChannel: config.CHAT_CHANNEL,
  mods: config.CHAT_MODS ?? [],
  rateLimit: { limit: config.CHAT_RATE_LIMIT, modLimit: config.CHAT_MOD_RATE_LIMIT, windowMs: 30_000 },
  allowedOrigins: config.CHAT_ALLOWED_ORIGINS ?? [],
  log: log.info,
});
shutdown.onShutdown("chat server", () => server.close());
log.info("chat server ready", { url: server.url, page: server.pageUrl, channel: config.CHAT_CHANNEL });
