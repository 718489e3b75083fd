/**
 * Fan-out helper for the indexer bench, run as its own process: opens N `@ponder/client` live queries
 * of one lot and reports over IPC when every subscriber has seen a given amount (unix ms of the last
 * one). Messages in: { wait: amount }. Messages out: { connected }, { amount, last, first, count }.
 *
 *   node bench/subscribers.ts <indexerUrl> <lotId> <count>
 */
import { createClient, eq } from "@ponder/client";
import * as schema from "../ponder.schema.ts";

const [url, lotArg, countArg] = process.argv.slice(2);
const lotId = BigInt(lotArg);
const count = Number(countArg ?? 1000);
// No `schema` option: a select needs none, and with it @ponder/client rebuilds Drizzle's relational
// config from the whole schema for every message (~0.5 ms). One viewer per browser pays that once per
// update; 1,000 subscribers in this one process paid it 1,000 times in a row, which was most of the
// measured fan-out (p95 520 ms) and none of the server's.
const client = createClient(`${url}/sql`);

/** amount (decimal string) -> receive times (ms) of the subscribers that saw it. */
const seen = new Map<string, number[]>();
const subs: { unsubscribe: () => void }[] = [];
let errors = 0;
for (let i = 0; i < count; i++) {
  subs.push(
    client.live(
      (db) => db.select().from(schema.lot as never).where(eq(schema.lot.id as never, lotId)),
      (rows) => {
        const at = performance.timeOrigin + performance.now();
        for (const row of rows as { amount: bigint }[]) {
          const key = String(row.amount);
          const list = seen.get(key) ?? [];
          list.push(at);
          seen.set(key, list);
        }
      },
      () => {
        errors++;
      },
    ),
  );
}
process.send?.({ connected: count });

process.on("message", (message: { wait?: string; stop?: boolean }) => {
  if (message.stop) {
    for (const s of subs) s.unsubscribe();
    process.exit(0);
  }
  const amount = message.wait;
  if (!amount) return;
  const deadline = Date.now() + 10_000;
  const check = () => {
    const times = seen.get(amount) ?? [];
    if (times.length >= count || Date.now() > deadline) {
      process.send?.({ amount, count: times.length, first: Math.min(...times), last: Math.max(...times), errors });
      return;
    }
    setTimeout(check, 2);
  };
  check();
});
