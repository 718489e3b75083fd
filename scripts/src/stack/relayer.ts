/**
 * The relayer part of `./sothebais up`: chat commands from the local chat -> validated, queued in Redis
 * -> relayBid transactions from local account 1 (the relayer role), replies in chat; its keeper settles
 * every ended lot (the campaign's next lot opens after the intermission). Needs the chain,
 * redis and chat parts (and uses the indexer's /live when it runs). Sets relayerUrl.
 */
import { join } from "node:path";
import { localPrivateKey, localRoles, type Managed, startProcess, waitFor } from "@sothebais/common/testing";
import type { StackContext, StackService } from "./types.ts";

/**
 * Starts the relayer process on `ctx.ports.relayer` with the local stack's environment, `env` on top (a
 * key set to undefined is left out): the red team's stack starts it this way with its own settings.
 * Resolves once it logged that it is ready.
 */
export function startRelayerProcess(ctx: StackContext, env: Record<string, string | undefined> = {}, echo = ctx.echo("relayer")): Promise<Managed> {
  const { rpcUrl, redisUrl, indexerUrl, chatPageUrl, deploymentsDir } = ctx.urls;
  if (!ctx.deployment || !rpcUrl) throw new Error("the relayer needs the chain part first (no deployment in the stack context)");
  if (!redisUrl) throw new Error("the relayer needs the redis part first (no redisUrl)");
  if (!chatPageUrl) throw new Error("the relayer needs the chat part first (no chatPageUrl)");
  const all: Record<string, string | undefined> = {
    PORT: String(ctx.ports.relayer),
    HOST: "127.0.0.1",
    RPC_URL: rpcUrl,
    CHAIN_ID: String(ctx.chainId),
    DEPLOYMENTS_DIR: deploymentsDir,
    RELAYER_PRIVATE_KEY: localPrivateKey(localRoles.relayer),
    REDIS_URL: redisUrl,
    INDEXER_URL: indexerUrl,
    TWITCH_SERVER: "127.0.0.1",
    TWITCH_PORT: String(ctx.ports.chat),
    TWITCH_SECURE: "false",
    TWITCH_USERNAME: "sothebais_bot",
    TWITCH_OAUTH_TOKEN: "oauth:local",
    TWITCH_CHANNELS: ctx.urls.chatChannel ?? "sothebais",
    CHAT_HISTORY_URL: new URL(chatPageUrl).origin,
    // The bot is a moderator of the local channel: Twitch's moderator limit.
    CHAT_RATE_LIMIT: "100",
    RELAYER_INSTANCE: "relayer-local",
    // The local stream has no Twitch delay: a chat bid is for the lot on screen when it was typed.
    STREAM_DELAY_S: "0",
    // The keeper settles each ended lot, which opens the campaign's next: the show runs by itself.
    // KEEPER_ENABLED=false in the environment of `up` leaves settling to the dApp's button or the CLI.
    KEEPER_ENABLED: process.env.KEEPER_ENABLED ?? "true",
    ...env,
  };
  return startProcess({
    name: "relayer",
    command: process.execPath,
    args: [join(ctx.root, "relayer/src/main.ts")],
    cwd: join(ctx.root, "relayer"),
    env: Object.fromEntries(Object.entries(all).filter((kv): kv is [string, string] => kv[1] !== undefined)),
    echo,
    readyWhen: /relayer ready/,
    timeoutMs: 90_000,
  });
}

export const service: StackService = {
  name: "relayer",
  async start(ctx) {
    const child = await startRelayerProcess(ctx);
    ctx.onStop("relayer", () => child.stop());
    const url = `http://127.0.0.1:${ctx.ports.relayer}`;
    await waitFor(() => fetch(`${url}/health`).then((r) => r.ok, () => false), { what: "relayer /health", timeoutMs: 30_000 });
    ctx.urls.relayerUrl = url;
    ctx.progress(`relayer on ${url} (chat bids from #${ctx.urls.chatChannel ?? "sothebais"})`);
  },
};
