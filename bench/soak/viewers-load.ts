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
 * { viewers, connectFailures, disconnects, missed, updates, p50, p95, max, perBid } (perBid: the first
 * viewer's latency, i.e. the pipeline without the fan-out, and the bid's p95).
 */
import { connect, type Socket } from "node:net";
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

type Viewer = { open: boolean; closedEarly: boolean; firstSnapshot: boolean; tail: Buffer | undefined; socket?: Socket };
type Watched = { needle: Buffer; seenAt: Float64Array; minedAt?: number; active: boolean };

const viewers: Viewer[] = Array.from({ length: count }, () => ({ open: false, closedEarly: false, firstSnapshot: false, tail: undefined }));
const watched = new Map<string, Watched>();
let active: Watched[] = [];
let connectFailures = 0;
let stopping = false;
const SNAPSHOT = Buffer.from("event: snapshot");
const OK = Buffer.from("HTTP/1.1 200 ");
// Longer than any needle: a needle split between two reads is found in the junction of the two.
const OVERLAP = 80;
const { hostname, port } = new URL(url);
const request = Buffer.from(`GET /live/events HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`);

function scan(index: number, bytes: Buffer, at: number) {
  const v = viewers[index];
  if (!v.firstSnapshot && bytes.includes(SNAPSHOT)) v.firstSnapshot = true;
  for (const w of active) if (Number.isNaN(w.seenAt[index]) && bytes.includes(w.needle)) w.seenAt[index] = at;
}

/**
 * Raw bytes off the socket, searched for the watched tx hashes: the HTTP chunk framing never splits an
 * event (the server writes one event per chunk), so no HTTP or SSE parsing is needed to see one, and
 * the load process stays cheap beside the server it measures (both share this machine's cores).
 */
function onData(index: number, chunk: Buffer) {
  const v = viewers[index];
  const at = now();
  if (v.tail) scan(index, Buffer.concat([v.tail, chunk.subarray(0, OVERLAP)]), at);
  scan(index, chunk, at);
  v.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - OVERLAP)));
}

function connectOne(index: number): Promise<void> {
  return new Promise((resolve) => {
    const v = viewers[index];
    let answered = false;
    const fail = () => {
      if (answered) return;
      answered = true;
      connectFailures++;
      resolve();
    };
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(request));
    v.socket = socket;
    socket.setTimeout(60_000, () => {
      if (!answered) socket.destroy();
    });
    socket.on("data", (chunk: Buffer) => {
      if (!answered) {
        if (!chunk.subarray(0, OK.length).equals(OK)) {
          fail();
          socket.destroy();
          return;
        }
        answered = true;
        v.open = true;
        socket.setTimeout(0);
        resolve();
      }
      onData(index, chunk);
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      if (!answered) return fail();
      if (v.open && !stopping) v.closedEarly = true;
      v.open = false;
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
  const perBid: { tx: string; seen: number; first: number; p95: number }[] = [];
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
    perBid.push({ tx, seen: mine.length, first: Math.round(sortedBid[0] ?? Number.NaN), p95: Math.round(percentile(sortedBid, 95)) });
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
  for (const v of viewers) v.socket?.destroy();
  process.exit(0);
});

await connectAll();
