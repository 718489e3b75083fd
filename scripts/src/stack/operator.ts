/**
 * The operator part of `./sothebais up`: the operator API (sign-in with a wallet that holds a role on
 * the AuctionHouse, service controls and their audit), which the dApp proxies at /svc/operator so the
 * admin page and its session cookie share the dApp's origin. Needs the chain and redis parts; started
 * after the relayer, agent and broadcaster (whose controls it sets), before the dApp (which proxies it).
 * Sets operatorUrl.
 */
import { join } from "node:path";
import { startProcess, waitFor } from "@sothebais/common/testing";
import type { StackService } from "./types.ts";

export const service: StackService = {
  name: "operator",
  async start(ctx) {
    const { rpcUrl, redisUrl, deploymentsDir } = ctx.urls;
    if (!ctx.deployment || !rpcUrl) throw new Error("the operator needs the chain part first (no deployment in the stack context)");
    if (!redisUrl) throw new Error("the operator needs the redis part first (no redisUrl)");
    const port = ctx.ports.operator;
    const child = await startProcess({
      name: "operator",
      command: process.execPath,
      args: [join(ctx.root, "operator/src/main.ts")],
      cwd: join(ctx.root, "operator"),
      env: Object.fromEntries(
        Object.entries({
          OPERATOR_PORT: String(port),
          OPERATOR_HOST: "127.0.0.1",
          RPC_URL: rpcUrl,
          CHAIN_ID: String(ctx.chainId),
          DEPLOYMENTS_DIR: deploymentsDir,
          REDIS_URL: redisUrl,
          // The console is the dApp, under either name of the loopback address.
          OPERATOR_ORIGINS: `http://127.0.0.1:${ctx.ports.dapp},http://localhost:${ctx.ports.dapp}`,
          // The Logs page tails the parts' output where `./sothebais up` writes it (<dataDir>/logs/<part>.log).
          LOG_DIR: process.env.LOG_DIR ?? join(ctx.dataDir, "logs"),
          // Uploaded artwork (the IPFS node's blocks and pins) lives and goes with the stack's chain.
          IPFS_DIR: join(ctx.dataDir, "ipfs"),
        }).filter(([, v]) => v !== undefined),
      ),
      echo: ctx.echo("operator"),
      readyWhen: /operator ready/,
      timeoutMs: 60_000,
    });
    ctx.onStop("operator", () => child.stop());
    const url = `http://127.0.0.1:${port}`;
    await waitFor(() => fetch(`${url}/health`).then((r) => r.ok, () => false), { what: "operator /health", timeoutMs: 30_000 });
    ctx.urls.operatorUrl = url;
    ctx.progress(`operator API on ${url} (the admin page signs in through the dApp at /svc/operator)`);
  },
};
