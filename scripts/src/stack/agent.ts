/**
 * The agent part of `./sothebais up`: the AI auctioneer (ElizaOS) reading the indexer's /live and
 * the chat from Redis, publishing host lines on Redis for the broadcaster (voice, captions) and the
 * relayer (chat). Offline templates by default; set LLM_BASE_URL + LLM_MODEL (and LLM_API_KEY if the
 * endpoint wants one) in the environment of `./sothebais up` to use a model. Sets agentUrl.
 */
import { join } from "node:path";
import { startProcess, waitFor } from "@sothebais/common/testing";
import type { StackService } from "./types.ts";

export const service: StackService = {
  name: "agent",
  async start(ctx) {
    const { redisUrl, indexerUrl } = ctx.urls;
    if (!redisUrl) throw new Error("the agent needs the redis part first (no redisUrl)");
    if (!indexerUrl) throw new Error("the agent needs the indexer part first (no indexerUrl)");
    const port = ctx.ports.agent;
    const llm = process.env.LLM_BASE_URL;
    const child = await startProcess({
      name: "agent",
      command: process.execPath,
      args: [join(ctx.root, "agent/src/main.ts")],
      cwd: join(ctx.root, "agent"),
      env: {
        PORT: String(port),
        BIND_HOST: "127.0.0.1",
        INDEXER_URL: indexerUrl,
        REDIS_URL: redisUrl,
        // The stack's scratch space is wiped at each start: the host's memory lasts one run here.
        PGLITE_DATA_DIR: join(ctx.dataDir, "agent", "pglite"),
        SECRET_SALT: "sothebais-local-stack",
        ELIZA_NO_AUTO_INSTALL: "true",
        ...(ctx.urls.dappUrl ? { DAPP_URL: ctx.urls.dappUrl } : {}),
        ...(llm ? { LLM_BASE_URL: llm, LLM_MODEL: process.env.LLM_MODEL, LLM_API_KEY: process.env.LLM_API_KEY } : {}),
      },
      echo: ctx.echo("agent"),
    });
    ctx.onStop("agent", () => child.stop(10_000));
    const url = `http://127.0.0.1:${port}`;
    await waitFor(() => fetch(`${url}/health`).then((r) => r.status > 0, () => false), { what: "agent /health", timeoutMs: 120_000, intervalMs: 200 });
    ctx.urls.agentUrl = url;
    ctx.progress(`agent on ${url} (${llm ? `model ${process.env.LLM_MODEL} at ${llm}` : "offline templates; set LLM_BASE_URL and LLM_MODEL for a model"})`);
  },
};
