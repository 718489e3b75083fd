/**
 * The viewers' load process (issue 9): opens COUNT server-sent-event streams to the indexer's
 * `/live/events` on loopback and records, for every viewer, when each watched bid first appears in a
 * pushed snapshot. Bounded: it exits by itself after MAX_SECONDS, or when its stdin closes.
 *
 *   ulimit -n 20000; node bench/soak/viewers-load.ts <indexerUrl> <count> <maxSeconds>
 *
 * Protocol, one JSON object per line. In (stdin): { watch: txHash } before the bid can be mined,
 * { mined: txHash, at: unixMs } once it is, { unwatch: txHash } for a bid that did not land,
 * { report: true }. Out (stdout): { connected, failed, ms } once the streams are open,
 * { snapshots } when asked how many viewers have their first snapshot ({ ready: true }), and the report:
 * { viewers, connectFailures, disconnects, missed, updates, p50, p95, max, perBid }.
 */
import http from "node:http";
import { createInterface } from "node:readline";

const [url, countArg, maxSecondsArg] = process.argv.slice(2);
const count = Number(countArg);
const maxSeconds = Number(maxSecondsArg ?? 600);
if (!url || !(count > 0)) throw new Error("usage: viewers-load.ts <indexerUrl> <count> <maxSeconds>");

const now = () => performance.timeOrigin + performance.now();
const out = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
// Bounded whatever the parent does.
setTimeout(() => {
  out({ error: `stopped after ${maxSeconds} s` });
  process.exit(3);
}, maxSeconds * 1000);

type Viewer = { open: boolean; closedEarly: boolean; firstSnapshot: boolean; tail: Buffer | undefined; req?: http.ClientRequest };
type Watched = { needle: Buffer; seenAt: Float64Array; minedAt?: number; active: boolean };

const viewers: Viewer[] = Array.from({ length: count }, () => ({ open: false, closedEarly: false, firstSnapshot: false, tail: undefined }));
const watched = new Map<string, Watched>();
let active: Watched[] = [];
let connectFailures = 0;
let stopping = false;
const SNAPSHOT = Buffer.from("event: snapshot");
const BOUNDARY = Buffer.from("\n\n");

/** Scans the complete events of one chunk for watched tx hashes this viewer has not seen yet. */
function scan(index: number, events: Buffer) {
  const v = viewers[index];
  if (!v.firstSnapshot && events.includes(SNAPSHOT)) v.firstSnapshot = true;
  if (active.length === 0) return;
  const at = now();
  for (const w of active) if (Number.isNaN(w.seenAt[index]) && events.includes(w.needle)) w.seenAt[index] = at;
}

function onData(index: number, chunk: Buffer) {
  const v = viewers[index];
  const data = v.tail ? Buffer.concat([v.tail, chunk]) : chunk;
  const last = data.lastIndexOf(BOUNDARY);
  if (last < 0) {
    v.tail = data;
    return;
  }
  scan(index, data.subarray(0, last));
  v.tail = last + 2 < data.length ? Buffer.from(data.subarray(last + 2)) : undefined;
}

function connectOne(index: number): Promise<void> {
  return new Promise((resolve) => {
    const v = viewers[index];
    const req = http.get(`${url}/live/events`, { agent: false, headers: { accept: "text/event-stream" } }, (res) => {
      if (res.statusCode !== 200) {
        connectFailures++;
        res.resume();
        resolve();
        return;
      }
      v.open = true;
      resolve();
      res.on("data", (chunk: Buffer) => onData(index, chunk));
      res.on("close", () => {
        if (v.open && !stopping) v.closedEarly = true;
        v.open = false;
      });
    });
    v.req = req;
    req.on("error", () => {
      if (!v.open) {
        connectFailures++;
        resolve();
      }
    });
    req.setTimeout(60_000, () => {
      if (!v.open) req.destroy(new Error("connect timeout"));
    });
  });
}

async function connectAll() {
  const t0 = now();
  // A bounded number of connects in flight: the server's accept backlog is finite.
  let next = 0;
  const worker = async () => {
    while (next < count) await connectOne(next++);
  };
  await Promise.all(Array.from({ length: 200 }, worker));
  out({ connected: viewers.filter((v) => v.open).length, failed: connectFailures, ms: Math.round(now() - t0) });
}

function percentile(sorted: Float64Array, p: number) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function report() {
  const measured = [...watched.entries()].filter(([, w]) => w.minedAt !== undefined);
  const latencies: number[] = [];
  let missed = 0;
  const perBid: { tx: string; seen: number; p95: number }[] = [];
  for (const [tx, w] of measured) {
    const mine: number[] = [];
    for (let i = 0; i < count; i++) {
      // Never connected (a connect failure) or gone (a disconnect): counted once, as that.
      if (!viewers[i].open) continue;
      const t = w.seenAt[i];
      if (Number.isNaN(t)) missed++;
      else mine.push(t - (w.minedAt as number));
    }
    latencies.push(...mine);
    const sortedBid = Float64Array.from(mine).sort();
    perBid.push({ tx, seen: mine.length, p95: Math.round(percentile(sortedBid, 95)) });
  }
  const sorted = Float64Array.from(latencies).sort();
  out({
    viewers: viewers.filter((v) => v.open || v.closedEarly).length,
    connectFailures,
    disconnects: viewers.filter((v) => v.closedEarly).length,
    missed,
    bids: measured.length,
    updates: latencies.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    perBid,
  });
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const m = JSON.parse(line) as { watch?: string; mined?: string; at?: number; unwatch?: string; ready?: boolean; report?: boolean };
  if (m.watch) {
    // A bid unseen 30 s after it was mined is missed: stop scanning for it.
    for (const x of watched.values()) if (x.minedAt !== undefined && now() - x.minedAt > 30_000) x.active = false;
    const w: Watched = { needle: Buffer.from(m.watch.toLowerCase()), seenAt: new Float64Array(count).fill(Number.NaN), active: true };
    watched.set(m.watch.toLowerCase(), w);
    active = [...watched.values()].filter((x) => x.active);
  } else if (m.mined) {
    const w = watched.get(m.mined.toLowerCase());
    if (w) w.minedAt = m.at;
  } else if (m.unwatch) {
    watched.delete(m.unwatch.toLowerCase());
    active = [...watched.values()].filter((x) => x.active);
  } else if (m.ready) {
    out({ snapshots: viewers.filter((v) => v.firstSnapshot).length });
  } else if (m.report) {
    report();
  }
});
lines.on("close", () => {
  stopping = true;
  for (const v of viewers) v.req?.destroy();
  process.exit(0);
});

await connectAll();
