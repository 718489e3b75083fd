/**
 * @module e2e/stack
 * The real stack for the browser tests, started the way `./sothebais up` starts it (scripts/src/stack)
 * on free ports in a temp dir: chain + demo campaign, Redis, indexer, local chat, relayer, then the dApp
 * (production build served by the dApp's own server). While the chat and relayer stack parts are not in the repo, they are started here
 * the way the relayer's own tests start them (chat server in-process, relayer as a child process).
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { freePort, localPrivateKey, startProcess } from "@sothebais/common/testing";
import { freeStackPorts, type RunningStack, startStack } from "../../../scripts/src/stack/start.ts";
import { service as dappPart } from "../../../scripts/src/stack/dapp.ts";

const root = join(import.meta.dirname, "../../..");
const hasPart = (name: string) => existsSync(join(root, "scripts/src/stack", `${name}.ts`));

export type E2eStack = RunningStack & { chatUrl: string; say: (userId: string, name: string, text: string) => Promise<void> };

export async function startE2eStack(options: { relayer?: boolean } = {}): Promise<E2eStack> {
  // The production server (dapp/server), as the image runs it.
  process.env.DAPP_MODE ??= "production";
  // Settlement from the dApp's button is what these tests exercise: the relayer's keeper would settle first.
  process.env.KEEPER_ENABLED ??= "false";
  process.env.DEMO_LOTS ??= "3";
  process.env.DEMO_LOT_SECONDS ??= "1200";
  const dataDir = mkdtempSync(join(tmpdir(), "sothebais-dapp-e2e-"));
  // Our own deployment record: other stacks on this machine write deployments/31337.json too.
  process.env.DEPLOYMENTS_DIR = join(dataDir, "deployments");
  const ports = await freeStackPorts();
  const verbose = process.env.E2E_VERBOSE === "1";
  const withRelayer = options.relayer !== false;
  const own = withRelayer && !(hasPart("chat") && hasPart("relayer"));
  const stack = await startStack({
    ports,
    dataDir,
    // The operator API (sign-in, service controls) is proxied by the dApp at /svc/operator.
    parts: own || !withRelayer ? ["chain", "redis", "indexer", "operator"] : ["chain", "redis", "indexer", "chat", "relayer", "operator"],
    echo: (name) => (line) => verbose && console.log(`[${name}] ${line}`),
    progress: (m) => verbose && console.log(`  ${m}`),
  });
  const { ctx } = stack;
  try {
    if (own) {
      const { startChatServer } = await import("../../../relayer/src/chat-server/server.ts");
      const chat = await startChatServer({ port: ports.chat, mods: ["sothebais_bot"] });
      ctx.onStop("chat", () => chat.close());
      ctx.urls.chatUrl = `http://127.0.0.1:${ports.chat}`;
      ctx.urls.chatPageUrl = ctx.urls.chatUrl;
      const relayer = await startProcess({
        name: "relayer",
        command: process.execPath,
        args: [join(root, "relayer/src/main.ts")],
        cwd: join(root, "relayer"),
        env: {
          PORT: String(ports.relayer),
          RPC_URL: ctx.urls.rpcUrl,
          CHAIN_ID: "31337",
          DEPLOYMENTS_DIR: ctx.urls.deploymentsDir,
          RELAYER_PRIVATE_KEY: localPrivateKey(1),
          REDIS_URL: ctx.urls.redisUrl,
          INDEXER_URL: ctx.urls.indexerUrl,
          TWITCH_SERVER: "127.0.0.1",
          TWITCH_PORT: String(ports.chat),
          TWITCH_SECURE: "false",
          TWITCH_OAUTH_TOKEN: "oauth:local",
          CHAT_HISTORY_URL: ctx.urls.chatUrl,
          LOG_LEVEL: "info",
        },
        echo: verbose ? (line) => console.log(`[relayer] ${line}`) : undefined,
        readyWhen: /relayer ready/,
        timeoutMs: 60_000,
      });
      ctx.onStop("relayer", () => relayer.stop(5000));
      ctx.urls.relayerUrl = `http://127.0.0.1:${ports.relayer}`;
    }
    await dappPart.start(ctx);
  } catch (error) {
    await stack.stop("e2e set-up failed");
    throw error;
  }
  // The chat part publishes chatUrl as ws:// (for IRC clients); its HTTP API lives on the page's origin.
  const chatUrl = new URL(ctx.urls.chatPageUrl ?? `http://127.0.0.1:${ports.chat}/`).origin;
  const say = async (userId: string, name: string, text: string) => {
    const res = await fetch(`${chatUrl}/api/say`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId, displayName: name, text }) });
    if (!res.ok) throw new Error(`chat /api/say: HTTP ${res.status} ${await res.text()}`);
  };
  return { ...stack, chatUrl, say };
}

/** Debian's Chromium, headless, with the flags docs/TOOLCHAIN.md lists; a fresh profile per launch. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export { freePort };
