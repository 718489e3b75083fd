/**
 * A load generator for the live lot page's stream: `n` viewers, each one raw HTTP/1.1 connection on
 * loopback to `GET /svc/indexer/live/events` of the dApp server (what EventSource sends), in this process.
 * A viewer reads the bytes as they come and notes when a given string (a bid's transaction hash) first
 * arrives; no JSON is parsed, so one process can follow 10,000 streams.
 */
import { connect, type Socket } from "node:net";

export type Viewer = {
  socket: Socket;
  /** Response headers read and the status was 200. */
  open: boolean;
  /** What went wrong, if anything (refused, non-200, closed by the server). */
  error?: string;
  /** The first snapshot event arrived. */
  snapshot: boolean;
  /** When each watched string was first seen (ms since epoch). */
  seen: Map<string, number>;
  tail: Buffer;
  headerBuf: string;
};

export type Viewers = {
  viewers: Viewer[];
  /** The string every viewer looks for from now on (replaces the previous one). */
  watch: (needle: string) => void;
  errors: () => number;
  close: () => void;
};

const SNAPSHOT = Buffer.from("event: snapshot");

/** Opens `n` viewers, `concurrency` connecting at a time; resolves once each is open or failed. */
export async function openViewers(url: string, n: number, options: { concurrency?: number; timeoutMs?: number } = {}): Promise<Viewers> {
  const target = new URL(url);
  const port = Number(target.port);
  const request = `GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n`;
  /** The needles still being looked for (only the latest bid's: older ones arrived or were missed). */
  let active: Buffer[] = [];
  const viewers: Viewer[] = [];
  let closing = false;

  // Longer than any needle: a needle split between two reads is found in the junction of the two.
  const OVERLAP = 96;
  /** Raw bytes searched for the unseen needles: the server writes one event per HTTP chunk, so no parsing. */
  const search = (v: Viewer, bytes: Buffer, now: number) => {
    if (!v.snapshot && bytes.includes(SNAPSHOT)) v.snapshot = true;
    for (const needle of active) {
      const key = needle.toString();
      if (!v.seen.has(key) && bytes.includes(needle)) v.seen.set(key, now);
    }
  };
  const scan = (v: Viewer, data: Buffer) => {
    const now = Date.now();
    if (v.tail.length) search(v, Buffer.concat([v.tail, data.subarray(0, OVERLAP)]), now);
    search(v, data, now);
    v.tail = Buffer.from(data.subarray(Math.max(0, data.length - OVERLAP)));
  };

  const openOne = () =>
    new Promise<void>((resolve) => {
      const socket = connect({ host: target.hostname, port });
      const v: Viewer = { socket, open: false, snapshot: false, seen: new Map(), tail: Buffer.alloc(0), headerBuf: "" };
      viewers.push(v);
      const timer = setTimeout(() => {
        v.error ??= "no response in time";
        socket.destroy();
        resolve();
      }, options.timeoutMs ?? 30_000);
      socket.setNoDelay(true);
      socket.on("connect", () => socket.write(request));
      socket.on("data", (chunk: Buffer) => {
        if (!v.open) {
          v.headerBuf += chunk.toString("latin1");
          const end = v.headerBuf.indexOf("\r\n\r\n");
          if (end === -1) return;
          if (!/^HTTP\/1\.1 200/.test(v.headerBuf)) {
            v.error = v.headerBuf.split("\r\n")[0];
            socket.destroy();
          } else {
            v.open = true;
            scan(v, Buffer.from(v.headerBuf.slice(end + 4), "latin1"));
          }
          v.headerBuf = "";
          clearTimeout(timer);
          resolve();
          return;
        }
        scan(v, chunk);
      });
      socket.on("error", (e) => {
        v.error ??= e.message;
      });
      socket.on("close", () => {
        if (!closing) v.error ??= "closed by the server";
        clearTimeout(timer);
        resolve();
      });
    });

  const concurrency = options.concurrency ?? 256;
  for (let i = 0; i < n; i += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, n - i) }, openOne));
  }
  return {
    viewers,
    watch: (needle) => {
      active = [Buffer.from(needle)];
    },
    errors: () => viewers.filter((v) => v.error !== undefined).length,
    close: () => {
      closing = true;
      for (const v of viewers) v.socket.destroy();
    },
  };
}
