/**
 * The dApp part of `./sothebais up`: the Vite dev server (hot reload) or, with DAPP_MODE=production
 * (`preview` is the old name, same thing), a production build served by the dApp's own server
 * (dapp/server/main.ts, what the image runs), on ctx.ports.dapp. Either reads the deployment record per
 * request and proxies the services under /svc/<name>, so it gets the URLs the earlier parts published
 * (rpcUrl, indexerUrl, relayerUrl, broadcasterUrl, agentUrl, operatorUrl, hlsUrl, chatPageUrl).
 * Publishes dappUrl, adminUrl and (production) dappMetricsUrl.
 *
 * Env: DAPP_MODE (dev | production, default dev), TWITCH_CHANNEL (embed Twitch's player instead of HLS),
 * WALLETCONNECT_PROJECT_ID (offer WalletConnect).
 */
import { join } from "node:path";
import { freePort, startProcess, waitFor } from "@sothebais/common/testing";
import type { StackContext, StackService } from "./types.ts";

/** The environment the dApp's server (dapp/server/config.ts) reads, from the stack's published URLs. */
export function dappEnv(ctx: StackContext): Record<string, string | undefined> {
  const u = ctx.urls;
  return {
    DAPP_PORT: String(ctx.ports.dapp),
    DAPP_HOST: "127.0.0.1",
    CHAIN_ID: String(ctx.chainId),
    RPC_URL: u.rpcUrl ?? `http://127.0.0.1:${ctx.ports.chain}`,
    // The local node has no key in its URL: wallets adding the local chain are given it too.
    PUBLIC_RPC_URL: u.rpcUrl ?? `http://127.0.0.1:${ctx.ports.chain}`,
    INDEXER_URL: u.indexerUrl ?? `http://127.0.0.1:${ctx.ports.indexer}`,
    RELAYER_URL: u.relayerUrl,
    BROADCASTER_URL: u.broadcasterUrl,
    AGENT_URL: u.agentUrl,
    OPERATOR_URL: u.operatorUrl,
    HLS_URL: u.hlsUrl,
    CHAT_PAGE_URL: u.chatPageUrl,
    DEPLOYMENTS_DIR: u.deploymentsDir,
    TWITCH_CHANNEL: process.env.TWITCH_CHANNEL,
    WALLETCONNECT_PROJECT_ID: process.env.WALLETCONNECT_PROJECT_ID,
  };
}

export const service: StackService = {
  name: "dapp",
  async start(ctx) {
    const mode = process.env.DAPP_MODE === "preview" || process.env.DAPP_MODE === "production" ? "production" : "dev";
    const cwd = join(ctx.root, "dapp");
    const vite = join(ctx.root, "node_modules/.bin/vite");
    const env = dappEnv(ctx);
    // Each stack builds into its own data dir, so two stacks (or a test and a benchmark) never share files.
    const outDir = join(ctx.dataDir, "dapp-dist");
    if (mode === "production") {
      ctx.progress("building the dApp (vite build) …");
      const build = await startProcess({ name: "dapp build", command: vite, args: ["build", "--logLevel", "warn", "--outDir", outDir, "--emptyOutDir"], cwd, env, echo: ctx.echo("dapp") });
      const code = await build.exited;
      if (code !== 0) throw new Error(`vite build failed (exit ${code}):\n${build.output().slice(-2000)}`);
    }
    const metricsPort = mode === "production" ? await freePort() : undefined;
    const server = await startProcess({
      name: "dapp",
      command: mode === "production" ? process.execPath : vite,
      args: mode === "production" ? [join(cwd, "server/main.ts")] : [],
      cwd,
      env: mode === "production" ? { ...env, DAPP_DIST_DIR: outDir, DAPP_METRICS_PORT: String(metricsPort) } : env,
      echo: ctx.echo("dapp"),
      readyWhen: /Local:|ready in|dapp ready/,
      timeoutMs: 60_000,
    });
    ctx.onStop("dapp", () => server.stop(5000));
    const url = `http://127.0.0.1:${ctx.ports.dapp}`;
    await waitFor(() => fetch(`${url}/config.json`).then((r) => r.ok, () => false), { timeoutMs: 30_000, intervalMs: 200, what: "the dApp's /config.json" });
    ctx.urls.dappUrl = url;
    ctx.urls.adminUrl = `${url}/admin`;
    if (metricsPort) ctx.urls.dappMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    ctx.progress(`dApp (${mode}) at ${url}`);
  },
};
