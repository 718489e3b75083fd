/**
 * Real parts for the indexer tests: the indexer service itself (the shared starter in
 * @sothebais/common/testing), a private Postgres 15 cluster, and small HTTP/GraphQL helpers.
 */
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startProcess, waitFor } from "@sothebais/common/testing";

export { type RunningIndexer, startIndexer, type StartIndexerOptions } from "@sothebais/common/testing";

export async function getJson<T = unknown>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export type GraphqlResult<T> = { status: number; data?: T; errors?: { message: string }[] };

export async function graphql<T = Record<string, unknown>>(url: string, query: string, variables?: Record<string, unknown>): Promise<GraphqlResult<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
    // A stuck server fails the caller's poll instead of hanging it.
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  return { status: res.status, ...body };
}

/**
 * Waits until the indexer has indexed `blockNumber` (its /status checkpoint reached it). Ponder indexes
 * the unfinalized tail only when a new head arrives, and an automine chain sits idle, so `kick` (mine a
 * block) runs about every second while waiting.
 */
export async function waitIndexed(url: string, blockNumber: bigint | number, kick?: () => Promise<unknown>, timeoutMs = 90_000) {
  let lastKick = 0;
  await waitFor(
    async () => {
      const status = await getJson<Record<string, { block: { number: number } }>>(`${url}/status`);
      const done = (Object.values(status)[0]?.block.number ?? -1) >= Number(blockNumber);
      if (!done && kick && Date.now() - lastKick > 1000) {
        lastKick = Date.now();
        await kick();
      }
      return done;
    },
    { timeoutMs, intervalMs: 50, what: `indexer at block ${blockNumber}` },
  );
}

export type Postgres = { url: string; stop: () => Promise<void> };

const pgBin = "/usr/lib/postgresql/15/bin";

/**
 * A private Postgres 15 cluster in a temp dir on a free port (Debian's binaries, run as the `postgres`
 * user when we are root, since Postgres refuses to run as root).
 */
export async function startPostgres(): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), "sothebais-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const as = (cmd: string, args: string[]) => (asRoot ? { command: "runuser", args: ["-u", "postgres", "--", cmd, ...args] } : { command: cmd, args });
  const data = join(dir, "data");
  const init = as(`${pgBin}/initdb`, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  execFileSync(init.command, init.args, { stdio: "pipe" });
  const port = await freePort();
  const run = as(`${pgBin}/postgres`, ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"]);
  const server = await startProcess({
    name: "postgres",
    command: run.command,
    args: run.args,
    readyWhen: /database system is ready to accept connections/,
    timeoutMs: 30_000,
  });
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop(10_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
