/**
 * `./sothebais up`: the whole local stack in one command, in dependency order, with a progress line
 * per part, then one screen of where to look. Ctrl-C stops everything in reverse order.
 *
 * Each part lives in scripts/src/stack/<part>.ts and exports `service: StackService`.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "@sothebais/common/deployments";
import { env, parseEnv } from "@sothebais/common/env";
import { ConfigError } from "@sothebais/common/errors";
import { type RunningStack, startStack } from "./stack/start.ts";
import type { StackContext, StackPorts } from "./stack/types.ts";

const usage = `Usage: ./sothebais up [--no-audience] [--verbose]

Runs the local stack: Hardhat node (chain 31337, 1 s blocks), contracts and a demo campaign, Redis,
the indexer, an RTMP server with HLS, a local Twitch-compatible chat, the relayer, the agent, the
broadcaster and the dApp. Ports come from env (CHAIN_PORT, REDIS_PORT, INDEXER_PORT, RELAYER_PORT,
BROADCASTER_PORT, AGENT_PORT, OPERATOR_PORT, CHAT_PORT, RTMP_PORT, HLS_PORT, DAPP_PORT).

  --no-audience   do not start the simulated chat and wallet bidders
  --verbose       print every service's log lines (always kept in .tmp/stack/logs/)`;

function readPorts(): StackPorts {
  const c = parseEnv({
    CHAIN_PORT: env.port(8545),
    REDIS_PORT: env.port(6390),
    INDEXER_PORT: env.port(42069),
    RELAYER_PORT: env.port(8788),
    BROADCASTER_PORT: env.port(8790),
    AGENT_PORT: env.port(8791),
    OPERATOR_PORT: env.port(8794),
    CHAT_PORT: env.port(8792),
    RTMP_PORT: env.port(1935),
    HLS_PORT: env.port(8793),
    DAPP_PORT: env.port(5173),
  });
  return {
    chain: c.CHAIN_PORT,
    redis: c.REDIS_PORT,
    indexer: c.INDEXER_PORT,
    relayer: c.RELAYER_PORT,
    broadcaster: c.BROADCASTER_PORT,
    agent: c.AGENT_PORT,
    operator: c.OPERATOR_PORT,
    chat: c.CHAT_PORT,
    rtmp: c.RTMP_PORT,
    hls: c.HLS_PORT,
    dapp: c.DAPP_PORT,
  };
}

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

async function main() {
  const { values } = parseArgs({
    options: { "no-audience": { type: "boolean" }, verbose: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) return console.log(usage);

  let ports: StackPorts;
  try {
    ports = readPorts();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const dataDir = join(repoRoot, ".tmp/stack");
  const logDir = join(dataDir, "logs");
  const logs = new Map<string, ReturnType<typeof createWriteStream>>();
  const started = Date.now();
  const progress = (message: string) => console.log(`  ${dim(`${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`)} ${message}`);
  const echo = (name: string) => {
    let file = logs.get(name);
    if (!file) {
      mkdirSync(logDir, { recursive: true });
      file = createWriteStream(join(logDir, `${name}.log`), { flags: "a" });
      logs.set(name, file);
    }
    const out = file;
    return (line: string) => {
      out.write(`${line}\n`);
      if (values.verbose) console.log(dim(`[${name}] ${line}`));
    };
  };

  console.log(bold("SothebAIs local stack"));
  let stack: RunningStack | undefined;
  const shutdown = async (reason: string) => {
    console.log(`\n${bold("stopping")} (${reason})`);
    await stack?.stop(reason);
    for (const file of logs.values()) file.end();
    console.log("stopped");
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("Ctrl-C"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  try {
    stack = await startStack({
      ports,
      dataDir,
      flags: { simulateAudience: !values["no-audience"], verbose: Boolean(values.verbose) },
      echo,
      progress,
      onPart: (name, phase, seconds) => progress(phase === "starting" ? `starting ${name} …` : `${name} ready (${seconds.toFixed(1)} s)`),
    });
  } catch (error) {
    console.error(`\n✗ ${(error as Error).message}`);
    console.error(dim(`  logs: ${logDir}/`));
    process.exit(1);
  }
  const ctx = stack.ctx;

  printScreen(ctx);
  await new Promise(() => {});
}

function printScreen(ctx: StackContext) {
  const u = ctx.urls;
  const row = (label: string, value?: string) => (value ? `  ${label.padEnd(18)} ${value}\n` : "");
  let out = `\n${bold("SothebAIs is live")}\n\n`;
  out += row("dApp", u.dappUrl);
  out += row("admin console", u.adminUrl);
  out += row("stream (HLS page)", u.streamPageUrl ?? u.hlsUrl);
  out += row("stream (RTMP)", u.rtmpUrl);
  out += row("chat page", u.chatPageUrl);
  out += row("GraphQL", u.graphqlUrl);
  out += row("live lot (JSON)", u.indexerUrl ? `${u.indexerUrl}/live` : undefined);
  out += row("stream preview", u.previewUrl);
  out += row("relayer", u.relayerUrl);
  out += row("agent", u.agentUrl);
  out += row("chain RPC", u.rpcUrl);
  if (ctx.deployment) {
    out += `\n${bold("contracts")} (chain ${ctx.deployment.chainId})\n`;
    out += row("AuctionHouse", ctx.deployment.auctionHouse);
    out += row("Collection", ctx.deployment.collection);
  }
  if (u.accountsNote) out += `\n${u.accountsNote}\n`;
  out += `\nlogs in .tmp/stack/logs/ · Ctrl-C stops everything\n`;
  console.log(out);
}

await main();
