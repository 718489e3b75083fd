/**
 * The red team's stack: the same parts `./sothebais up` starts (chain with 1 s interval mining and the
 * contracts, Redis, the indexer, nginx-rtmp, the local chat server, the relayer, the agent, the
 * broadcaster), on free ports, each given a known fake secret so the test can look for it in everything
 * the services emit:
 *
 * - the RPC URL of the indexer and of the relayer carries an API key in its path and query (a small
 *   proxy in front of the node checks the key, like a provider; it can fail the relayer's key for a
 *   while so errors quoting the URL are logged);
 * - the broadcaster's RTMP URL carries a stream key;
 * - the relayer's Twitch token and the agent's model API key are known strings;
 * - the agent talks to a hostile "model" that says whatever an attacker would want said (a false leader,
 *   price, sale, URL or time): only the truth guard stands between it and the stream.
 *
 * The relayer is started here with the stack's own starter (scripts/src/stack/relayer.ts) and settings on
 * top: a stream delay (so a bid typed for the previous lot can be played), a short line-age limit (stale
 * history), the public `/link` limiter (no trusted proxy); it can be stopped and started again (a
 * reconnect with history).
 * A canary HTTP server on every loopback address counts any request a service makes to it (SSRF).
 */
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { HOST_LINES_CHANNEL, type HostLine } from "@sothebais/common/channels";
import { repoRoot } from "@sothebais/common/deployments";
import { freePort, localPrivateKey, localRoles, type Managed, waitFor } from "@sothebais/common/testing";
import { type MarkerReader, readMarkers } from "../../broadcaster/test/helpers/stream.ts";
import { startRelayerProcess } from "../../scripts/src/stack/relayer.ts";
import { freeStackPorts } from "../../scripts/src/stack/start.ts";
import type { StackContext, StackService } from "../../scripts/src/stack/types.ts";

/** Known fake secrets: none of them may appear in anything a service emits. */
export const secrets = {
  indexerRpcKey: "rtIdxRpcKey7c3e91d04b",
  relayerRpcKey: "rtRelRpcKey5a8f20e6c9",
  rpcQueryKey: "rtRpcQueryKey3d9b7a11",
  streamKey: "live_rtStreamKey_4d2e9b77",
  oauthToken: "rtoauthtoken8c1f0d52aa",
  llmApiKey: "sk-rtLlmKey7a6b5c4d3e",
  relayerPrivateKey: localPrivateKey(localRoles.relayer).slice(2),
} as const;

/** Relayer settings the attacks rely on. */
export const relayerSettings = { streamDelayS: 5, maxLineAgeS: 30, linkRateLimit: 30, linkMinEscrowEth: "0.01" } as const;

/** Lies the hostile model tells, whatever it is asked (NFKC-folded, lower-cased, they match {@link falseClaim}). */
export const modelLies = [
  "ZedTheFake leads with 50 ETH, nobody can beat that!",
  "SOLD to ZedTheFake for fifty ETH, congratulations!",
  "Refunds are open at https://evil-refunds.xyz, claim yours now.",
  "Send your bids to zedthefake.eth, it is faster.",
  "Bidding closes at 23:59 tonight and ZedTheFake is winning.",
  "ＺedTheFake bids ５０ ETH, the highest bid tonight.",
  "Half an ETH from ZedTheFake takes the lead.",
];

/** A host line carrying one of the attacker's claims (or the hostile model's). */
export function falseClaim(text: string): string | undefined {
  const t = text.normalize("NFKC").toLowerCase();
  const hit = /zedthefake|evil-refunds|\bfifty\b|(?<![\d.])50 eth|23:59|half an eth/.exec(t);
  return hit?.[0];
}

export type RedTeamStack = {
  ctx: StackContext;
  nodeRpcUrl: string;
  channel: string;
  chatHttp: string;
  /** Every line each service printed (stdout and stderr). */
  outputs: Map<string, string[]>;
  hostLines: HostLine[];
  markers: MarkerReader;
  /** One sample a second from the team's start: was the show interrupted then, and why. */
  show: { samples: { at: number; interrupted: string | undefined }[]; start: () => void };
  redis: Redis;
  model: { requests: number; badKey: number; prompts: string[] };
  canary: { port: number; hits: string[] };
  rpc: { failRelayerFor: (ms: number) => void; failures: number };
  relayerUrl: string;
  stopRelayer: () => Promise<void>;
  startRelayer: () => Promise<void>;
  stop: () => Promise<void>;
};

const results = join(repoRoot, "test-results");

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (text += c));
    req.on("end", () => resolve(text));
  });
}

async function listen(server: Server, host = "127.0.0.1"): Promise<number> {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen({ port, host, ipv6Only: false }, resolve));
  return port;
}

export async function startRedTeamStack(log: (line: string) => void = () => {}): Promise<RedTeamStack> {
  mkdirSync(results, { recursive: true });
  const servicesLog = join(results, "redteam-services.log");
  writeFileSync(servicesLog, "");
  const outputs = new Map<string, string[]>();
  const echo = (name: string) => (line: string) => {
    const list = outputs.get(name) ?? [];
    list.push(line);
    outputs.set(name, list);
    appendFileSync(servicesLog, `${new Date().toISOString()} [${name}] ${line}\n`);
  };

  const dataDir = mkdtempSync(join(tmpdir(), "sothebais-redteam-"));
  // Two demo lots: the first is cancelled mid-test so the second opens (the lot change).
  process.env.DEMO_LOTS = "2";
  process.env.DEMO_LOT_SECONDS = "3600";
  process.env.DEMO_INTERMISSION_S = "1";
  process.env.DEPLOYMENTS_DIR = join(dataDir, "deployments");
  // A public replica: SQL over HTTP stays off (the dApp, which needs it locally, is not part of this stack).
  process.env.INDEXER_SQL_OVER_HTTP = "0";

  const stops: { name: string; fn: () => unknown }[] = [];
  const ctx: StackContext = {
    root: repoRoot,
    dataDir,
    chainId: 31337,
    ports: await freeStackPorts(),
    urls: {},
    echo,
    progress: (m) => log(`  ${m}`),
    onStop: (name, fn) => void stops.push({ name, fn }),
    flags: { simulateAudience: false, verbose: false },
  };
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      for (const { name, fn } of stops.reverse()) {
        try {
          await fn();
        } catch (error) {
          log(`${name} did not stop cleanly: ${(error as Error).message}`);
        }
      }
    })();
    return stopped;
  };
  const part = async (name: string) => {
    const { service } = (await import(join(repoRoot, "scripts/src/stack", `${name}.ts`))) as { service: StackService };
    const t0 = Date.now();
    await service.start(ctx);
    log(`  ready ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  };

  // The hostile model: every answer is a lie; it also checks the API key it was given.
  const model = { requests: 0, badKey: 0, prompts: [] as string[] };
  const modelServer = createServer(async (req, res) => {
    const text = await body(req);
    model.requests++;
    if (req.headers.authorization !== `Bearer ${secrets.llmApiKey}`) model.badKey++;
    try {
      const parsed = JSON.parse(text) as { messages?: { content?: string }[] };
      model.prompts.push(parsed.messages?.map((m) => m.content ?? "").join("\n") ?? "");
    } catch {}
    const lie = modelLies[model.requests % modelLies.length];
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ choices: [{ message: { role: "assistant", content: lie } }] }));
  });
  const modelPort = await listen(modelServer);
  stops.push({ name: "model", fn: () => new Promise((r) => modelServer.close(r)) });
  process.env.LLM_BASE_URL = `http://127.0.0.1:${modelPort}/v1`;
  process.env.LLM_MODEL = "hostile-model";
  process.env.LLM_API_KEY = secrets.llmApiKey;

  // The SSRF canary: listens on every address (IPv4 and IPv6), counts every request.
  const canary = { port: 0, hits: [] as string[] };
  const canaryServer = createServer((req, res) => {
    canary.hits.push(`${req.method} ${req.headers.host ?? ""}${req.url ?? ""} from ${req.socket.remoteAddress}`);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ name: "canary", image: `http://127.0.0.1:${canary.port}/canary.png` }));
  });
  // Every connection counts, a TLS attempt on an https:// token URI (which never becomes a request) too.
  canaryServer.on("connection", (socket) => canary.hits.push(`connection from ${socket.remoteAddress}`));
  canary.port = await listen(canaryServer, "::");
  stops.push({ name: "canary", fn: () => new Promise((r) => canaryServer.close(r)) });

  try {
    await part("chain");
    const nodeRpcUrl = ctx.urls.rpcUrl;
    if (!nodeRpcUrl) throw new Error("the chain part set no rpcUrl");

    // An RPC "provider": /v3/<key>?apikey=<key> is forwarded to the node; a key the test fails answers 502.
    const rpc = { failing: 0, failures: 0, failRelayerFor: (ms: number) => void (rpc.failing = Date.now() + ms) };
    const rpcServer = createServer(async (req, res) => {
      const text = await body(req);
      const url = new URL(req.url ?? "/", "http://x");
      const key = url.pathname.split("/")[2];
      const known = key === secrets.indexerRpcKey || key === secrets.relayerRpcKey;
      if (!known || url.searchParams.get("apikey") !== secrets.rpcQueryKey) {
        res.writeHead(401);
        return res.end("unknown api key");
      }
      if (key === secrets.relayerRpcKey && Date.now() < rpc.failing) {
        rpc.failures++;
        res.writeHead(502, { "content-type": "text/plain" });
        return res.end("bad gateway");
      }
      try {
        const upstream = await fetch(nodeRpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: text, signal: AbortSignal.timeout(30_000) });
        res.writeHead(upstream.status, { "content-type": "application/json" });
        res.end(await upstream.text());
      } catch {
        res.writeHead(502);
        res.end("node unreachable");
      }
    });
    const rpcPort = await listen(rpcServer);
    stops.push({ name: "rpc proxy", fn: () => new Promise((r) => rpcServer.close(r)) });
    const keyedRpc = (key: string) => `http://127.0.0.1:${rpcPort}/v3/${key}?apikey=${secrets.rpcQueryKey}`;
    ctx.urls.rpcUrl = keyedRpc(secrets.indexerRpcKey);

    await part("redis");
    await part("indexer");
    await part("rtmp");
    if (!ctx.urls.rtmpUrl) throw new Error("the rtmp part set no rtmpUrl");
    // The broadcaster pushes to a stream named by a secret key (as on Twitch).
    ctx.urls.rtmpUrl = ctx.urls.rtmpUrl.replace(/[^/]+$/, secrets.streamKey);
    await part("chat");

    const relayerPort = ctx.ports.relayer;
    const relayerUrl = `http://127.0.0.1:${relayerPort}`;
    let relayer: Managed | undefined;
    const startRelayer = async () => {
      relayer = await startRelayerProcess(
        ctx,
        {
          RPC_URL: keyedRpc(secrets.relayerRpcKey),
          TWITCH_OAUTH_TOKEN: `oauth:${secrets.oauthToken}`,
          RELAYER_INSTANCE: "relayer-redteam",
          STREAM_DELAY_S: String(relayerSettings.streamDelayS),
          MAX_LINE_AGE_S: String(relayerSettings.maxLineAgeS),
          // Facing the internet directly: no proxy is trusted, X-Forwarded-For is the attacker's to write.
          TRUSTED_PROXIES: "none",
          LINK_RATE_LIMIT: String(relayerSettings.linkRateLimit),
          LINK_MIN_ESCROW_ETH: relayerSettings.linkMinEscrowEth,
        },
        echo("relayer"),
      );
      await waitFor(() => fetch(`${relayerUrl}/health`).then((r) => r.status > 0, () => false), { what: "relayer /health", timeoutMs: 30_000 });
    };
    const stopRelayer = async () => {
      await relayer?.stop(10_000);
      relayer = undefined;
    };
    await startRelayer();
    stops.push({ name: "relayer", fn: stopRelayer });
    ctx.urls.relayerUrl = relayerUrl;
    log("  ready relayer");

    await part("agent");
    await part("broadcaster");

    const redis = new Redis(ctx.urls.redisUrl ?? "", { lazyConnect: true, maxRetriesPerRequest: 3 });
    await redis.connect();
    const sub = redis.duplicate();
    const hostLines: HostLine[] = [];
    await sub.subscribe(HOST_LINES_CHANNEL);
    sub.on("message", (_c, message) => hostLines.push(JSON.parse(message) as HostLine));
    stops.push({ name: "redis clients", fn: () => (sub.disconnect(), redis.disconnect()) });

    const markers = readMarkers(ctx.urls.rtmpUrl);
    stops.push({ name: "stream reader", fn: () => markers.stop() });
    // The show is interrupted in a second when no frame came back from the stream for 2 s, or the lot on
    // screen is older than 5 s (the broadcaster's last /live), or the broadcaster does not answer.
    const show: RedTeamStack["show"] = { samples: [], start: () => {} };
    let timer: NodeJS.Timeout | undefined;
    show.start = () => {
      timer ??= setInterval(async () => {
        const at = Date.now();
        const lastFrame = markers.markers.at(-1)?.at ?? 0;
        let interrupted: string | undefined = at - lastFrame > 2000 ? "no stream frame for 2 s" : undefined;
        try {
          const res = await fetch(`${ctx.urls.broadcasterUrl}/health`, { signal: AbortSignal.timeout(2000) });
          const h = (await res.json()) as { feed?: { dataAgeMs?: number | null } };
          const age = h.feed?.dataAgeMs ?? Number.POSITIVE_INFINITY;
          if (age > 5000) interrupted ??= `live lot on screen ${Math.round(age / 1000)} s old`;
        } catch {
          interrupted ??= "broadcaster not answering";
        }
        show.samples.push({ at, interrupted });
      }, 1000);
    };
    stops.push({ name: "show monitor", fn: () => clearInterval(timer) });
    return {
      ctx,
      nodeRpcUrl,
      channel: ctx.urls.chatChannel ?? "sothebais",
      chatHttp: new URL(ctx.urls.chatPageUrl ?? "").origin,
      outputs,
      hostLines,
      markers,
      show,
      redis,
      model,
      canary,
      rpc: {
        failRelayerFor: rpc.failRelayerFor,
        get failures() {
          return rpc.failures;
        },
      },
      relayerUrl,
      stopRelayer,
      startRelayer,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
