/**
 * `./sothebais doctor`: checks configuration and connectivity of a deployment of SothebAIs and says,
 * one line per check, what is fine and what is wrong (with what to do). Exit 1 when anything failed.
 *
 * It only reads: env, the deployment record, the RPC, Redis, each service's /health, local tools.
 */
import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { parseArgs } from "node:util";
import { createPublicClient, formatEther, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { networkByName, networkNames } from "@sothebais/common/chains";
import { roles } from "@sothebais/common/deploy";
import { type Deployment, loadDeployment } from "@sothebais/common/deployments";

export type CheckResult = { ok: boolean; name: string; detail: string; warn?: boolean };

const usage = `Usage: ./sothebais doctor [--network local|shapeSepolia|shape]

Checks, each on one line: local tools, RPC reachability and chain id, the deployment record and code at
its addresses, Redis, the indexer's readiness and lag, the relayer, broadcaster and agent health, the
relayer's RELAYER_ROLE and gas balance, whether the house is paused and the project collection allowed,
and the Twitch / RTMP configuration. Reads the same env as the services:
RPC_URL (or SHAPE_SEPOLIA_RPC_URL / SHAPE_RPC_URL), REDIS_URL, INDEXER_URL, RELAYER_URL,
BROADCASTER_URL, AGENT_URL, RELAYER_PRIVATE_KEY or RELAYER_ADDRESS, TWITCH_CHANNELS,
TWITCH_OAUTH_TOKEN, RTMP_URL.`;

const rpcEnvByNetwork: Record<string, string> = { local: "RPC_URL", shapeSepolia: "SHAPE_SEPOLIA_RPC_URL", shape: "SHAPE_RPC_URL" };

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** PING over a raw socket: the doctor needs no Redis client to ask whether Redis is there. */
export function pingRedis(url: string, timeoutMs = 2000): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 6379) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${u.host} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once("connect", () => {
      const auth = u.password ? `AUTH ${decodeURIComponent(u.username || "default")} ${decodeURIComponent(u.password)}\r\n` : "";
      socket.write(`${auth}PING\r\n`);
    });
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      if (buffer.includes("PONG") || buffer.startsWith("-")) {
        clearTimeout(timer);
        socket.end();
        buffer.includes("PONG") ? resolve("PONG") : reject(new Error(buffer.trim()));
      }
    });
  });
}

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await withTimeout(fetch(url), 3000, url);
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: { text: text.slice(0, 200) } };
  }
}

function tool(name: string, args: string[]): CheckResult {
  const r = spawnSync(name, args, { encoding: "utf8" });
  if (r.error || (r.status !== 0 && r.status !== 1)) return { ok: false, name: `tool ${name}`, detail: "not found: run ./sothebais setup (installs Debian packages)" };
  const version = `${r.stdout}${r.stderr}`.split("\n").find((l) => l.trim()) ?? "";
  return { ok: true, name: `tool ${name}`, detail: version.trim().slice(0, 70) };
}

export async function runChecks(network: string, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (r: CheckResult) => {
    results.push(r);
    print(r);
  };
  const chain = networkByName(network);
  const local = network === "local";

  if (local) {
    add(tool("ffmpeg", ["-version"]));
    add(tool("nginx", ["-v"]));
    add(tool("redis-server", ["--version"]));
    add(tool("espeak-ng", ["--version"]));
  }

  const rpcKey = rpcEnvByNetwork[network];
  const rpcUrl = env[rpcKey] ?? (local ? "http://127.0.0.1:8545" : undefined);
  let client: PublicClient | undefined;
  if (!rpcUrl) {
    add({ ok: false, name: "rpc", detail: `${rpcKey} is not set: set it to a ${chain.name} RPC URL` });
  } else {
    try {
      client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 4000 }) });
      const chainId = await client.getChainId();
      if (chainId !== chain.id) add({ ok: false, name: "rpc", detail: `${rpcUrl} is chain ${chainId}, expected ${chain.id} (${network})` });
      else add({ ok: true, name: "rpc", detail: `${rpcUrl} chain ${chainId}, block ${await client.getBlockNumber()}` });
    } catch (error) {
      client = undefined;
      add({ ok: false, name: "rpc", detail: `${rpcUrl} unreachable: ${(error as Error).message.split("\n")[0]}${local ? " (start it with ./sothebais up)" : ""}` });
    }
  }

  let deployment: Deployment | undefined;
  try {
    deployment = loadDeployment(chain.id);
    add({ ok: true, name: "deployment", detail: `AuctionHouse ${deployment.auctionHouse}, from block ${deployment.deployBlock}` });
  } catch (error) {
    add({ ok: false, name: "deployment", detail: (error as Error).message });
  }

  if (client && deployment) {
    const code = await client.getCode({ address: deployment.auctionHouse }).catch(() => undefined);
    if (!code || code === "0x") add({ ok: false, name: "contracts", detail: `no code at ${deployment.auctionHouse}: the record is stale (chain restarted?) — redeploy` });
    else add({ ok: true, name: "contracts", detail: "code found at the recorded addresses" });
    // Every chain, not only the local one: a record written on a rehearsal node (same chain id, see
    // docs/GO-LIVE.md) and then pointed at the real network must not pass.
    const genesis = await client.getBlock({ blockNumber: 0n }).catch(() => undefined);
    if (genesis && genesis.hash !== deployment.genesisHash) {
      add({ ok: false, name: "genesis", detail: local ? "the local chain was restarted since the deployment record was written — redeploy" : `the record was written on another chain with id ${chain.id} (genesis ${deployment.genesisHash.slice(0, 10)}…, the RPC has ${genesis.hash?.slice(0, 10)}…): wrong RPC URL or a rehearsal record` });
    }
    if (code && code !== "0x") {
      const read = <T>(functionName: string, args: readonly unknown[] = []) =>
        client!.readContract({ address: deployment!.auctionHouse, abi: auctionHouseAbi, functionName, args } as never) as Promise<T>;
      try {
        const [paused, allowed] = await Promise.all([read<boolean>("paused"), read<boolean>("isCollectionAllowed", [deployment.collection])]);
        if (paused) add({ ok: false, name: "paused", detail: "the AuctionHouse is paused: no bids or new lots until ./sothebais unpause", warn: true });
        add({ ok: allowed, name: "collection", detail: allowed ? `${deployment.collection} allowed for lots` : `${deployment.collection} is not allowed for lots: ./sothebais collection allow ${deployment.collection} --network ${network}` });
      } catch (error) {
        add({ ok: false, name: "contracts", detail: `reading the AuctionHouse failed: ${(error as Error).message.split("\n")[0]}` });
      }
    }
  }

  const redisUrl = env.REDIS_URL ?? (local ? "redis://127.0.0.1:6390" : undefined);
  if (redisUrl) {
    try {
      await pingRedis(redisUrl);
      add({ ok: true, name: "redis", detail: `${new URL(redisUrl).host} answers PING` });
    } catch (error) {
      add({ ok: false, name: "redis", detail: `${new URL(redisUrl).host}: ${(error as Error).message}` });
    }
  } else add({ ok: false, name: "redis", detail: "REDIS_URL is not set" });

  const services: [string, string | undefined, string][] = [
    ["indexer", env.INDEXER_URL ?? (local ? "http://127.0.0.1:42069" : undefined), "/ready"],
    ["relayer", env.RELAYER_URL ?? (local ? "http://127.0.0.1:8788" : undefined), "/health"],
    ["broadcaster", env.BROADCASTER_URL ?? (local ? "http://127.0.0.1:8790" : undefined), "/health"],
    ["agent", env.AGENT_URL ?? (local ? "http://127.0.0.1:8791" : undefined), "/health"],
  ];
  for (const [name, base, path] of services) {
    if (!base) {
      add({ ok: false, name, detail: `${name.toUpperCase()}_URL is not set`, warn: true });
      continue;
    }
    try {
      const { status, body } = await health(`${base}${path}`);
      add({ ok: status === 200, name, detail: `${base}${path} -> ${status}${status === 200 ? "" : ` ${JSON.stringify(body).slice(0, 120)}`}` });
    } catch (error) {
      add({ ok: false, name, detail: `${base} unreachable: ${(error as Error).message}` });
    }
  }
  if (client) {
    const indexerUrl = services[0][1];
    try {
      const live = (await (await withTimeout(fetch(`${indexerUrl}/live`), 3000, "indexer /live")).json()) as { blockNumber?: number | string };
      const head = await client.getBlockNumber();
      const lag = Number(head) - Number(live.blockNumber ?? 0);
      add({ ok: lag <= 5, name: "indexer lag", detail: `${lag} block(s) behind the chain head${lag > 5 ? ": the indexer is catching up or stalled" : ""}` });
    } catch {
      // Reported by the indexer check above.
    }
  }

  const relayerKey = env.RELAYER_PRIVATE_KEY;
  let relayerAddress = env.RELAYER_ADDRESS as `0x${string}` | undefined;
  if (relayerKey) {
    try {
      relayerAddress = privateKeyToAccount((relayerKey.startsWith("0x") ? relayerKey : `0x${relayerKey}`) as `0x${string}`).address;
    } catch {
      add({ ok: false, name: "relayer key", detail: "RELAYER_PRIVATE_KEY is not a 32-byte hex private key" });
    }
  }
  if (client && relayerAddress && deployment) {
    const has = await client
      .readContract({ address: deployment.auctionHouse, abi: auctionHouseAbi, functionName: "hasRole", args: [roles.RELAYER_ROLE, relayerAddress] })
      .catch(() => undefined);
    if (has !== undefined) {
      add({ ok: has, name: "relayer role", detail: has ? `${relayerAddress} holds RELAYER_ROLE` : `${relayerAddress} lacks RELAYER_ROLE: chat bids would revert — ./sothebais role grant relayer ${relayerAddress} --network ${network}` });
    }
  }
  if (client && relayerAddress) {
    const balance = await client.getBalance({ address: relayerAddress }).catch(() => undefined);
    if (balance !== undefined) {
      const low = balance < 10n ** 15n;
      add({ ok: !low, name: "relayer gas", detail: `${relayerAddress} holds ${formatEther(balance)} ETH${low ? ": fund it, chat bids pause below 0.001 ETH" : ""}` });
    }
  }

  if (!local || env.TWITCH_CHANNELS || env.TWITCH_OAUTH_TOKEN) {
    if (!env.TWITCH_CHANNELS) add({ ok: false, name: "twitch", detail: "TWITCH_CHANNELS is not set (comma-separated channel names)" });
    else if (!env.TWITCH_OAUTH_TOKEN) add({ ok: false, name: "twitch", detail: "TWITCH_OAUTH_TOKEN is not set (a chat token for the bot account)" });
    else if (!/^(oauth:)?[a-z0-9]{20,}$/i.test(env.TWITCH_OAUTH_TOKEN)) add({ ok: false, name: "twitch", detail: "TWITCH_OAUTH_TOKEN does not look like a Twitch chat token (oauth:…)" });
    else {
      // The relayer renews its token only with all three (relayer/src/twitch-token.ts); it refuses to start
      // with some of them, so say which are missing here, before the show.
      const refresh = ["TWITCH_CLIENT_ID", "TWITCH_CLIENT_SECRET", "TWITCH_REFRESH_TOKEN"];
      const missing = refresh.filter((name) => !env[name]);
      if (missing.length > 0 && missing.length < refresh.length) add({ ok: false, name: "twitch", detail: `token refresh half set: ${missing.join(", ")} missing (set all three, or none)` });
      else add({ ok: true, name: "twitch", detail: `channels ${env.TWITCH_CHANNELS}, token set, refresh ${missing.length ? "off: renew the token by hand before it expires (docs/GO-LIVE.md 4.2)" : "on"}` });
    }
  }
  if (env.RTMP_URL) {
    const ok = /^rtmps?:\/\/[^/]+\/.+/.test(env.RTMP_URL);
    add({ ok, name: "rtmp", detail: ok ? `ingest ${new URL(env.RTMP_URL).host}` : "RTMP_URL must look like rtmp://host/app/streamkey" });
  }
  return results;
}

function print(r: CheckResult) {
  const mark = r.ok ? "\x1b[32m✓\x1b[0m" : r.warn ? "\x1b[33m!\x1b[0m" : "\x1b[31m✗\x1b[0m";
  console.log(`${mark} ${r.name.padEnd(14)} ${r.detail}`);
}

async function main() {
  const { values } = parseArgs({ options: { network: { type: "string", default: "local" }, help: { type: "boolean", short: "h" } } });
  if (values.help) return console.log(usage);
  if (!networkNames.includes(values.network as never)) {
    console.error(`unknown network "${values.network}": expected one of ${networkNames.join(", ")}`);
    process.exit(1);
  }
  const results = await runChecks(values.network as string);
  const failed = results.filter((r) => !r.ok && !r.warn);
  console.log(failed.length ? `\n${failed.length} problem(s) found` : "\nall checks passed");
  process.exit(failed.length ? 1 : 0);
}

if (import.meta.main) await main();
