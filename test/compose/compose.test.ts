/**
 * compose.yaml for real: a container engine from Debian (docker.io, installed by `./sothebais setup`;
 * dockerd started when none runs), the base images (pulled, or stand-ins built from Debian where no
 * registry answers: scripts/test/compose/base-images.sh), every image built from the Dockerfile with
 * BuildKit (scripts/src/images.ts), and the whole stack started with compose against a local Hardhat node
 * (with the contracts and the demo campaign), the local chat server, a stand-in for id.twitch.tv and the
 * local RTMP ingest, which run on the host and are forwarded to the engine's bridge address. Then
 * `./sothebais doctor`'s checks against the published ports, the relayer's token validated, the TLS
 * proxy (Caddy, local CA for *.localhost), the Redis ACL users and the agent's read-only role, and
 * `compose down -v`.
 *
 * `./sothebais test` starts the image build in the background at its start (SOTHEBAIS_IMAGES_STATUS names
 * its status file) and this suite waits for it; run alone, it builds the images itself. Skips, saying why,
 * only where no container engine can start (no docker CLI, or dockerd fails: its error is printed).
 * COMPOSE_TEST=0 skips it too (a quick local run).
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { repoRoot } from "@sothebais/common/deployments";
import { freePort, localPrivateKey, localRoles, waitFor } from "@sothebais/common/testing";
import { startTwitchId } from "../../relayer/test/twitch-id.ts";
import { runChecks } from "../../scripts/src/doctor.ts";
import { buildImages, ensureEngine, type ImagesStatus, run, runLogged, waitForImages } from "../../scripts/src/images.ts";
import { freeStackPorts, type RunningStack, startStack } from "../../scripts/src/stack/start.ts";

const work = join(repoRoot, ".tmp/compose-test");
const log = (line: string) => console.log(`[compose-test] ${line}`);

/** The images built (by the background build `./sothebais test` started, or here), or why the engine cannot run. */
async function images(): Promise<{ ready: true; daemonPid?: number } | { ready: false; skip?: string; error?: string }> {
  if (process.env.COMPOSE_TEST === "0") return { ready: false, skip: "COMPOSE_TEST=0" };
  const statusFile = process.env.SOTHEBAIS_IMAGES_STATUS;
  if (statusFile) {
    log(`waiting for the image build started with the run (${statusFile})`);
    const status: ImagesStatus = await waitForImages(statusFile);
    if (status.state === "skipped") return { ready: false, skip: status.reason };
    if (status.state === "failed") return { ready: false, error: status.error };
    log(`images built in the background in ${status.seconds} s (${Object.entries(status.images).map(([k, v]) => `${k} ${v}`).join(", ")})`);
    return { ready: true, daemonPid: status.daemonPid };
  }
  const engine = await ensureEngine(work);
  if (!engine.ok) return { ready: false, skip: engine.reason };
  try {
    await buildImages({ tag: "local", logDir: join(work, "images"), progress: log });
    return { ready: true, daemonPid: engine.startedDaemon?.pid };
  } catch (error) {
    return { ready: false, error: (error as Error).message };
  }
}

/** `docker compose` (v2) where the plugin exists, else Debian's docker-compose (v1, --compatibility for deploy.replicas). */
function composeCommand(): string[] | undefined {
  if (run("docker", ["compose", "version"]).status === 0) return ["docker", "compose"];
  if (run("docker-compose", ["version"]).status === 0) return ["docker-compose", "--compatibility"];
  return undefined;
}

/** Forwards host:port on the engine's bridge address to 127.0.0.1:port, so containers reach what runs on loopback. */
function forward(host: string, port: number, to: number): Promise<{ close: () => Promise<void> }> {
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    const upstream = connect({ host: "127.0.0.1", port: to });
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
      open.delete(socket);
      open.delete(upstream);
    };
    for (const s of [socket, upstream]) {
      open.add(s);
      s.on("error", close);
      s.on("close", close);
    }
  });
  // Closing waits for no connection: whatever is still open (keep-alive, half-closed) is destroyed.
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of open) s.destroy();
    });
  return new Promise((resolve, reject) => server.once("error", reject).listen(port, host, () => resolve({ close })));
}

/** `count` consecutive free ports (for a published range). */
async function freeRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const free = await Promise.all(
      Array.from({ length: count }, (_, i) => new Promise<boolean>((resolve) => {
        const s = createServer().once("error", () => resolve(false)).listen(base + i, "127.0.0.1", () => s.close(() => resolve(true)));
      })),
    );
    if (free.every(Boolean)) return base;
  }
  throw new Error("no free port range");
}

const secret = () => Array.from(crypto.getRandomValues(new Uint8Array(18)), (b) => b.toString(16).padStart(2, "0")).join("");

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const built = await images();
const composeCmd = built.ready ? composeCommand() : undefined;
const skipReason = !built.ready ? built.skip : !composeCmd ? "no compose (docker compose plugin or Debian's docker-compose)" : undefined;
if (skipReason) log(`skipped: ${skipReason}`);

describe("compose.yaml in a container engine", { timeout: 30 * 60_000 }, () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  after(async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch((error: Error) => log(`cleanup: ${error.message.split("\n")[0]}`));
    // The engine started for this run (here or by the background build) stops with it.
    if (built.ready && built.daemonPid) {
      try {
        process.kill(built.daemonPid, "SIGTERM");
        log("stopped the dockerd started for this run");
      } catch {}
      await new Promise((r) => setTimeout(r, 3000));
    }
  });

  it("builds every image, runs the stack with compose, and ./sothebais doctor passes against it", { skip: skipReason }, async () => {
    // A build that failed fails here, with its log's tail (a skip is only for an engine that cannot start).
    if (!built.ready) throw new Error(`building the images failed: ${built.error}`);

    // The chain (contracts + demo campaign), the chat server and the RTMP ingest, on the host.
    const deployments = join(work, "deployments");
    mkdirSync(deployments, { recursive: true });
    process.env.DEPLOYMENTS_DIR = deployments;
    const stack: RunningStack = await startStack({ ports: await freeStackPorts(), dataDir: join(work, "stack"), parts: ["chain", "rtmp", "chat"], progress: log });
    cleanups.push(() => stack.stop("compose test over"));
    const urls = stack.ctx.urls;
    const gateway = run("docker", ["network", "inspect", "bridge", "-f", "{{(index .IPAM.Config 0).Gateway}}"]).stdout.trim() || "172.17.0.1";
    const fwd = { chain: await freePort(), chat: await freePort(), rtmp: await freePort() };
    for (const [name, to] of [["chain", stack.ctx.ports.chain], ["chat", stack.ctx.ports.chat], ["rtmp", stack.ctx.ports.rtmp]] as const) {
      const forwarder = await forward(gateway, fwd[name], to);
      cleanups.push(() => forwarder.close());
    }
    const rtmpPath = new URL(urls.rtmpUrl).pathname;
    // id.twitch.tv's stand-in: the relayer validates the bot's token there at start (never the real one).
    const twitchId = await startTwitchId({ login: "sothebais_bot" });
    cleanups.push(() => twitchId.close());
    const pair = twitchId.issue();
    const idPort = await freePort();
    const idForwarder = await forward(gateway, idPort, Number(new URL(twitchId.url).port));
    cleanups.push(() => idForwarder.close());

    const ports = { http: await freePort(), https: await freePort(), redis: await freePort(), relayer: await freePort(), agent: await freePort(), broadcaster: await freePort(), dapp: await freePort(), api: await freeRange(4) };
    const env: Record<string, string> = {
      COMPOSE_PROJECT_NAME: "sothebais-test",
      CHAIN_ID: "31337",
      RPC_URL: `http://${gateway}:${fwd.chain}`,
      PUBLIC_RPC_URL: `http://127.0.0.1:${stack.ctx.ports.chain}`,
      DEPLOYMENTS_PATH: deployments,
      POSTGRES_PASSWORD: secret(),
      AGENT_DB_PASSWORD: secret(),
      REDIS_RELAYER_PASSWORD: secret(),
      REDIS_AGENT_PASSWORD: secret(),
      REDIS_BROADCASTER_PASSWORD: secret(),
      REDIS_OPERATOR_PASSWORD: secret(),
      REDIS_MONITOR_PASSWORD: secret(),
      RELAYER_PRIVATE_KEY: localPrivateKey(localRoles.relayer),
      TWITCH_SERVER: gateway,
      TWITCH_PORT: String(fwd.chat),
      TWITCH_SECURE: "false",
      TWITCH_USERNAME: "sothebais_bot",
      TWITCH_OAUTH_TOKEN: `oauth:${pair.accessToken}`,
      TWITCH_CLIENT_ID: twitchId.clientId,
      TWITCH_CLIENT_SECRET: twitchId.clientSecret,
      TWITCH_REFRESH_TOKEN: pair.refreshToken,
      TWITCH_ID_URL: `http://${gateway}:${idPort}`,
      IMAGE_TAG: "local",
      TWITCH_CHANNELS: urls.chatChannel ?? "sothebais",
      CHAT_URL: `ws://${gateway}:${fwd.chat}`,
      CHAT_CHANNEL: urls.chatChannel ?? "sothebais",
      SECRET_SALT: secret(),
      RTMP_URL: `rtmp://${gateway}:${fwd.rtmp}${rtmpPath}`,
      ACME_EMAIL: "ops@sothebais.localhost",
      DAPP_DOMAIN: "dapp.localhost",
      API_DOMAIN: "api.localhost",
      STREAM_DOMAIN: "stream.localhost",
      HTTP_PORT: String(ports.http),
      HTTPS_PORT: String(ports.https),
      PUBLISH_HOST: "127.0.0.1",
      REDIS_HOST_PORT: String(ports.redis),
      INDEXER_API_HOST_PORTS: `${ports.api}-${ports.api + 3}`,
      RELAYER_HOST_PORT: String(ports.relayer),
      AGENT_HOST_PORT: String(ports.agent),
      BROADCASTER_HOST_PORT: String(ports.broadcaster),
      DAPP_HOST_PORT: String(ports.dapp),
      // No more open files than the engine itself may have (this machine's hard limit, not raisable here).
      DAPP_NOFILE: String(Math.min(65536, Number(run("sh", ["-c", "ulimit -Hn"]).stdout.trim()) || 65536)),
      LOG_LEVEL: "info",
    };
    // Every variable compose reads is in .env.production.example; this run sets each one it needs.
    const envFile = join(work, "compose.env");
    writeFileSync(envFile, `${Object.entries(env).map(([k, v]) => `${k}=${v}`).join("\n")}\n`);
    chmodSync(envFile, 0o600);
    const [composeBin, ...composeArgs] = composeCmd as string[];
    const compose = (...args: string[]) => [...composeArgs, "--project-name", env.COMPOSE_PROJECT_NAME, "--env-file", envFile, "-f", join(repoRoot, "compose.yaml"), ...args];
    const composeEnv = { ...process.env, COMPOSE_PROJECT_NAME: env.COMPOSE_PROJECT_NAME };
    cleanups.push(async () => {
      const logs = run(composeBin, compose("logs", "--no-color", "--tail", "200"), { env: composeEnv, timeoutMs: 60_000 });
      writeFileSync(join(work, "compose-services.log"), `${logs.stdout}${logs.stderr}`);
      const down = run(composeBin, compose("down", "-v", "--remove-orphans", "--timeout", "20"), { env: composeEnv, timeoutMs: 180_000 });
      log(`compose down: exit ${down.status}`);
    });

    log("starting the stack (compose up -d) on the images built");
    await runLogged(composeBin, compose("up", "-d", "--no-build"), join(work, "compose-up.log"), composeEnv, 10 * 60_000);

    // The published API replica ports (the engine picks them from the range).
    const apiPorts = () =>
      [1, 2].map((i) => run(composeBin, compose("port", "--index", String(i), "indexer-api", "42069"), { env: composeEnv }).stdout.trim().split(":").at(-1)).filter(Boolean);
    const doctorEnv: NodeJS.ProcessEnv = {
      RPC_URL: urls.rpcUrl,
      REDIS_URL: `redis://monitor:${env.REDIS_MONITOR_PASSWORD}@127.0.0.1:${ports.redis}`,
      RELAYER_URL: `http://127.0.0.1:${ports.relayer}`,
      BROADCASTER_URL: `http://127.0.0.1:${ports.broadcaster}`,
      AGENT_URL: `http://127.0.0.1:${ports.agent}`,
      RELAYER_PRIVATE_KEY: env.RELAYER_PRIVATE_KEY,
      TWITCH_CHANNELS: env.TWITCH_CHANNELS,
      TWITCH_OAUTH_TOKEN: env.TWITCH_OAUTH_TOKEN,
      RTMP_URL: env.RTMP_URL,
      DEPLOYMENTS_DIR: deployments,
    };
    let failing: string[] = ["not run yet"];
    await waitFor(
      async () => {
        const published = apiPorts();
        if (published.length < 2) {
          failing = ["indexer-api replicas not published yet"];
          return false;
        }
        const results = await runChecks("local", { ...doctorEnv, INDEXER_URL: `http://127.0.0.1:${published[0]}` });
        failing = results.filter((r) => !r.ok && !r.warn).map((r) => `${r.name}: ${r.detail}`);
        return failing.length === 0;
      },
      { timeoutMs: 8 * 60_000, intervalMs: 10_000, what: "doctor passing against compose" },
    ).catch((error: Error) => {
      const ps = run(composeBin, compose("ps"), { env: composeEnv }).stdout;
      throw new Error(`${error.message}\nstill failing: ${failing.join("; ")}\n${ps}\nservice logs: ${join(work, "compose-services.log")}`);
    });
    log("doctor: all checks passed against the compose stack");
    // The relayer in its container validated the bot's token at the stand-in, with refresh on.
    const relayerHealth = (await (await fetch(`http://127.0.0.1:${ports.relayer}/health`)).json()) as {
      chat: { tokenExpiresInS: number | null; token: { refresh: string; login: string | null; problem?: string | null } | null };
    };
    assert.ok(twitchId.counts().validate >= 1, "the relayer never asked the id.twitch.tv stand-in");
    assert.equal(relayerHealth.chat.token?.login, "sothebais_bot", JSON.stringify(relayerHealth.chat));
    assert.equal(relayerHealth.chat.token?.refresh, "ok");
    assert.ok((relayerHealth.chat.tokenExpiresInS ?? 0) > 3600, `token expires in ${relayerHealth.chat.tokenExpiresInS} s`);
    // Both replicas serve.
    for (const port of apiPorts()) assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200, `replica on ${port}`);

    // TLS through Caddy (its local CA for *.localhost): only what a browser needs.
    const https = (host: string, path: string) => {
      const r = run("curl", ["-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", `https://${host}:${ports.https}${path}`]);
      return Number(r.stdout.trim());
    };
    await waitFor(async () => https("api.localhost", "/live") === 200, { timeoutMs: 60_000, intervalMs: 1000, what: "https://api.localhost/live through Caddy" });
    assert.equal(https("api.localhost", "/metrics"), 404, "the indexer's /metrics is not public");
    assert.equal(https("stream.localhost", "/"), 200, "the stream page through Caddy");
    assert.equal(https("stream.localhost", "/metrics"), 404, "the broadcaster's /metrics is not public");
    assert.equal(https("dapp.localhost", "/config.json"), 200, "the dApp's /config.json through Caddy");
    const config = JSON.parse(run("curl", ["-sk", "--max-time", "10", `https://dapp.localhost:${ports.https}/config.json`]).stdout) as { chainId?: number; deployment?: unknown };
    assert.equal(config.chainId, 31337);
    assert.ok(config.deployment, "the dApp read the mounted deployment record");

    // Redis: one user per service; only the relayer writes its keys; no anonymous access.
    const cli = (user: string | undefined, password: string | undefined, ...args: string[]) =>
      run("redis-cli", ["-h", "127.0.0.1", "-p", String(ports.redis), "--no-auth-warning", ...(user ? ["--user", user, "--pass", password as string] : []), ...args]).stdout.trim();
    assert.match(cli(undefined, undefined, "ping"), /NOAUTH/);
    assert.match(cli("agent", env.REDIS_AGENT_PASSWORD, "xadd", "sothebais:relayer:bids", "*", "x", "1"), /NOPERM/);
    assert.match(cli("broadcaster", env.REDIS_BROADCASTER_PASSWORD, "hset", "sothebais:chat:names", "x", "y"), /NOPERM/);
    assert.match(cli("relayer", env.REDIS_RELAYER_PASSWORD, "exists", "sothebais:relayer:epoch"), /^[01]$/);
    assert.match(cli("monitor", env.REDIS_MONITOR_PASSWORD, "config", "get", "appendfsync"), /NOPERM/);
    const persistence = cli("relayer", env.REDIS_RELAYER_PASSWORD, "info", "persistence");
    assert.match(persistence, /aof_enabled:1/);

    // Postgres: the agent's role reads the indexer's tables and cannot write them.
    const psql = (sql: string) => run(composeBin, compose("exec", "-T", "postgres", "psql", "-U", "agent", "-d", "sothebais", "-tAc", sql), { env: composeEnv });
    const tables = psql("select count(*) from information_schema.tables where table_schema like 'sb_%'");
    assert.equal(tables.status, 0, tables.stderr);
    assert.ok(Number(tables.stdout.trim()) > 0, "the agent role sees the indexer's tables");
    const write = psql("create table public.agent_probe(a int)");
    assert.notEqual(write.status, 0, "the agent role could create a table in the indexer's database");
    assert.ok(existsSync(envFile));
  });
});
