/**
 * @module replica
 * An API replica (`INDEXER_MODE=serve`) runs `ponder serve` over the tables the writer (`ponder start`)
 * keeps in the same Postgres schema. `ponder serve` exits at once when that schema does not exist yet,
 * so a replica started before its writer (or beside it, as compose does) waits here for the writer's
 * tables instead of crash-looping. It only reads: a replica never creates, clears or deletes anything.
 */
import pg from "pg";
import type { Logger } from "@sothebais/common/log";

export type WaitForSchemaOptions = { log: Logger; signal: AbortSignal; intervalMs?: number; remindMs?: number };

/** Whether the writer has created `schema`: Ponder creates the schema, its tables and `_ponder_meta` in one transaction. */
async function schemaReady(url: string, schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ ready: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ready", [`"${schema.replaceAll('"', "")}"._ponder_meta`]);
    return rows[0]?.ready === true;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Resolves once the writer's schema exists; returns false if `signal` aborted first. Postgres being
 * down counts as not ready yet. Logs when it starts waiting and again every `remindMs`.
 */
export async function waitForWriterSchema(url: string, schema: string, options: WaitForSchemaOptions): Promise<boolean> {
  const { log, signal, intervalMs = 1000, remindMs = 60_000 } = options;
  let remindAt = 0;
  while (!signal.aborted) {
    let problem: string | undefined;
    try {
      if (await schemaReady(url, schema)) return true;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= remindAt) {
      remindAt = Date.now() + remindMs;
      log.warn("waiting for the writer (INDEXER_MODE=start) to create the schema", {
        schema,
        ...(problem ? { problem } : {}),
        hints: ["the writer runs the same indexer code and deployment record, on the same DATABASE_URL"],
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}
