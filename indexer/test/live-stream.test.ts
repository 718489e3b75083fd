/**
 * `GET /live/events` against a real Hardhat node and a real Ponder (PGlite): the snapshot at connect, a
 * new bid reaching every one of 200 subscribers, head events for blocks that change nothing else,
 * heartbeats, `Last-Event-ID`, the subscriber cap (503) and its slots freed on disconnect, and a stuck
 * subscriber that never reads: the others get every bid while it is connected, and it is dropped once
 * its unsent bytes pass the cap. No timing assertions: every wait is on a condition.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { LiveSnapshot } from "@sothebais/common/live";
import { startTestStack, type TestStack, waitFor } from "@sothebais/common/testing";
import { parseEther } from "viem";
import { getJson, type RunningIndexer, startIndexer, waitIndexed } from "./helpers.ts";

const FANOUT = 200;
const CAP = FANOUT + 1;

type SseEvent = { event: string; id?: string; data: string };

type Subscriber = {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body of a non-200 answer. */
  body: string;
  retry?: number;
  events: SseEvent[];
  comments: string[];
  /** The last snapshot event, parsed (events keep only the raw text of older ones). */
  latest?: LiveSnapshot;
  /** Every (lot amount, bidder) pair seen in a snapshot. */
  seen: Set<string>;
  closed: boolean;
  close: () => void;
};

/** An EventSource-like reader over node:http, resolved once the response headers are in. */
function subscribe(url: string, headers: Record<string, string> = {}): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/live/events`, { headers: { accept: "text/event-stream", ...headers }, agent: false }, (res) => {
      const sub: Subscriber = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: "",
        events: [],
        comments: [],
        seen: new Set(),
        closed: false,
        close: () => req.destroy(),
      };
      let pending = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (sub.status !== 200) {
          sub.body += chunk;
          return;
        }
        pending += chunk;
        let end = pending.indexOf("\n\n");
        while (end >= 0) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          end = pending.indexOf("\n\n");
          const event: SseEvent = { event: "message", data: "" };
          let fields = 0;
          for (const line of block.split("\n")) {
            const colon = line.indexOf(":");
            const [name, value] = colon < 0 ? [line, ""] : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, "")];
            if (name === "") sub.comments.push(value);
            else if (name === "retry") sub.retry = Number(value);
            else if (name === "id") (event.id = value), fields++;
            else if (name === "event") (event.event = value), fields++;
            else if (name === "data") (event.data = value), fields++;
          }
          if (fields === 0) continue;
          sub.events.push(event);
          if (event.event === "snapshot") {
            sub.latest = JSON.parse(event.data) as LiveSnapshot;
            if (sub.latest.lot) sub.seen.add(`${sub.latest.lot.amount}:${sub.latest.lot.bidder.toLowerCase()}`);
            event.data = ""; // 200 subscribers x 100-bid snapshots: keep memory small
          }
        }
      });
      res.on("close", () => (sub.closed = true));
      res.on("error", () => (sub.closed = true));
      resolve(sub);
    });
    req.on("error", reject);
  });
}

/** A subscriber that sends its request and never reads a byte: its buffers can only grow. */
function stuckSubscriber(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET /live/events HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
    socket.on("error", () => {}); // reset by the server when it drops us: expected
    socket.once("error", reject);
  });
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics/indexer`)).text();
  const match = new RegExp(`^sothebais_indexer_${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

const key = (amount: bigint, bidder: string) => `${amount}:${bidder.toLowerCase()}`;

describe("GET /live/events: the live lot over server-sent events", () => {
  let stack: TestStack;
  let indexer: RunningIndexer;
  let pgliteDir: string;
  let lotId: bigint;
  let amount = parseEther("0.01");
  const open: Subscriber[] = [];

  /** The next bid on the lot, alternating bidders 4 and 5; returns what every snapshot should show. */
  async function bid() {
    amount += parseEther("0.001");
    const bidder = 4 + Number((amount / parseEther("0.001")) % 2n);
    const receipt = await stack.bid(bidder, lotId, amount);
    return { amount, bidder: stack.address(bidder), block: receipt.blockNumber };
  }

  before(async () => {
    stack = await startTestStack();
    pgliteDir = join(mkdtempSync(join(tmpdir(), "sothebais-live-stream-")), "pglite");
    lotId = await stack.mintAndCreateLot({ duration: 86_400, minIncrementBps: 0, minIncrementFloor: 1n });
    await stack.bid(4, lotId, amount);
    indexer = await startIndexer({
      stack,
      pgliteDir,
      env: {
        LIVE_BIDS: "100",
        LIVE_EVENTS_MAX_SUBSCRIBERS: String(CAP),
        LIVE_EVENTS_MAX_BUFFER_BYTES: "65536",
        LIVE_EVENTS_HEARTBEAT_MS: "500",
        // Every subscriber here is one client (127.0.0.1): lift the per-address cap above the fan-out.
        LIVE_STREAMS_PER_ADDRESS: String(CAP * 2),
      },
    });
    await stack.mine();
    await waitIndexed(indexer.url, await stack.publicClient.getBlockNumber(), stack.mine);
  });

  after(async () => {
    for (const s of open) s.close();
    await indexer?.stop(30_000);
    await stack?.stop();
    if (pgliteDir) rmSync(join(pgliteDir, ".."), { recursive: true, force: true });
  });

  it("sends the /live snapshot at connect, with an id, a retry and SSE headers", async () => {
    const sub = await subscribe(indexer.url);
    open.push(sub);
    assert.equal(sub.status, 200);
    assert.match(String(sub.headers["content-type"]), /^text\/event-stream/);
    assert.match(String(sub.headers["cache-control"]), /no-cache/);
    await waitFor(() => sub.latest, { what: "the first snapshot" });
    assert.equal(sub.events[0].event, "snapshot");
    assert.match(sub.events[0].id ?? "", /^[0-9a-f]{16}$/);
    assert.ok((sub.retry ?? 0) >= 2000 && (sub.retry ?? 0) < 4000, `retry ${sub.retry}`);
    const { indexedAt: _a, ...live } = await getJson<LiveSnapshot>(`${indexer.url}/live`);
    const { indexedAt: _b, ...pushed } = sub.latest as LiveSnapshot;
    assert.deepEqual(pushed, live);
    assert.equal(pushed.lot?.lotId, lotId.toString());
    assert.equal(pushed.lot?.amount, amount.toString());
  });

  it(`pushes a new bid to every one of ${FANOUT} subscribers with its amount and bidder`, async () => {
    const subs = await Promise.all(Array.from({ length: FANOUT - 1 }, () => subscribe(indexer.url)));
    open.push(...subs);
    const all = open.slice(0, FANOUT);
    assert.ok(all.every((s) => s.status === 200));
    await waitFor(() => all.every((s) => s.latest), { timeoutMs: 30_000, what: "a snapshot on every subscriber" });
    assert.equal(await metric(indexer.url, "live_events_subscribers"), FANOUT);

    const placed = await bid();
    await waitFor(() => all.every((s) => s.seen.has(key(placed.amount, placed.bidder))), {
      timeoutMs: 30_000,
      what: `bid ${placed.amount} on all ${FANOUT} subscribers`,
    });
    for (const s of all) {
      assert.equal(s.latest?.lot?.amount, placed.amount.toString());
      assert.equal(s.latest?.lot?.bidder.toLowerCase(), placed.bidder.toLowerCase());
      assert.equal(s.latest?.bids[0]?.amount, placed.amount.toString());
    }
  });

  it("sends a head event, not the snapshot, for a block that changes only the head", async () => {
    const sub = open[0];
    const before = sub.events.length;
    await stack.mine();
    const block = Number(await stack.publicClient.getBlockNumber());
    const head = await waitFor(
      () => sub.events.slice(before).find((e) => e.event === "head" && (JSON.parse(e.data) as { blockNumber: number }).blockNumber >= block),
      { timeoutMs: 30_000, what: `a head event for block ${block}` },
    );
    assert.deepEqual(Object.keys(JSON.parse(head.data)).sort(), ["blockNumber", "blockTimestamp", "finalizedBlockNumber", "indexedAt"]);
    assert.equal(sub.events.slice(before).filter((e) => e.event === "snapshot").length, 0);
  });

  it("keeps an idle stream open with keepalive comments", async () => {
    const sub = open[0];
    const before = sub.comments.length;
    await waitFor(() => sub.comments.length > before, { timeoutMs: 30_000, what: "a keepalive comment" });
    assert.equal(sub.comments.at(-1), "keepalive");
  });

  it("skips the snapshot for a Last-Event-ID that names the current content, sends it for a stale one", async () => {
    // Slots: close one of the 200 for this test's two connections' turn.
    const last = open.pop() as Subscriber;
    last.close();
    await waitFor(async () => (await metric(indexer.url, "live_events_subscribers")) === FANOUT - 1, { what: "a free slot" });
    const currentId = open[0].events.filter((e) => e.event === "snapshot").at(-1)?.id as string;
    const resumed = await subscribe(indexer.url, { "last-event-id": currentId });
    await waitFor(() => resumed.events.length > 0, { what: "the first event after resuming" });
    assert.equal(resumed.events[0].event, "head");
    assert.equal(resumed.events.filter((e) => e.event === "snapshot").length, 0);
    resumed.close();
    await waitFor(async () => (await metric(indexer.url, "live_events_subscribers")) === FANOUT - 1, { what: "the slot back" });
    const stale = await subscribe(indexer.url, { "last-event-id": "0000000000000000" });
    open.push(stale);
    await waitFor(() => stale.latest, { what: "a snapshot after a stale Last-Event-ID" });
    assert.equal(stale.events[0].event, "snapshot");
    assert.equal(stale.events[0].id, currentId);
  });

  it(`answers 503 with the limit beyond ${CAP} subscribers, and a disconnect frees the slot`, async () => {
    assert.equal(await metric(indexer.url, "live_events_subscribers"), FANOUT);
    const last = await subscribe(indexer.url);
    assert.equal(last.status, 200);
    const refused = await subscribe(indexer.url);
    assert.equal(refused.status, 503);
    await waitFor(() => refused.closed, { what: "the 503 body" });
    const body = JSON.parse(refused.body) as { error: string };
    assert.match(body.error, new RegExp(`subscriber limit reached \\(${CAP}, LIVE_EVENTS_MAX_SUBSCRIBERS\\)`));
    assert.ok(Number(refused.headers["retry-after"]) > 0);
    assert.equal(await metric(indexer.url, "live_events_rejected_total"), 1);

    last.close();
    await waitFor(async () => (await metric(indexer.url, "live_events_subscribers")) === FANOUT, { what: "the slot freed" });
    const again = await subscribe(indexer.url);
    assert.equal(again.status, 200);
    await waitFor(() => again.latest, { what: "a snapshot in the freed slot" });
    again.close();
    await waitFor(async () => (await metric(indexer.url, "live_events_subscribers")) === FANOUT, { what: "the slot freed again" });
  });

  it("does not hold the others back for a stuck subscriber, and drops it once its buffer passes the cap", async () => {
    const stuck = await stuckSubscriber(indexer.url);
    await waitFor(async () => (await metric(indexer.url, "live_events_subscribers")) === CAP, { what: "the stuck subscriber counted" });

    // While it is connected and reads nothing, a bid reaches every other subscriber.
    const placed = await bid();
    await waitFor(() => open.every((s) => s.seen.has(key(placed.amount, placed.bidder))), { timeoutMs: 30_000, what: "the bid on every reading subscriber" });
    assert.equal(await metric(indexer.url, "live_events_subscribers"), CAP);
    assert.equal(await metric(indexer.url, "live_events_dropped_total"), 0);

    // Keep one reader; bid until the kernel's socket buffers and then the 64 KB cap fill up (each
    // 100-bid snapshot is ~45 KB). The reader must see every bid meanwhile.
    const pacer = open[0];
    for (const s of open.splice(1)) s.close();
    const bids = [placed];
    for (let i = 0; i < 600 && (await metric(indexer.url, "live_events_dropped_total")) === 0; i++) {
      const next = await bid();
      bids.push(next);
      await waitFor(() => pacer.seen.has(key(next.amount, next.bidder)), { timeoutMs: 30_000, what: `bid ${next.amount} on the reading subscriber` });
    }
    assert.equal(await metric(indexer.url, "live_events_dropped_total"), 1, `the stuck subscriber was not dropped after ${bids.length} bids`);
    await waitFor(async () => (await metric(indexer.url, "live_events_subscribers")) === 1, { what: "only the reader left" });
    for (const b of bids) assert.ok(pacer.seen.has(key(b.amount, b.bidder)), `the reader missed bid ${b.amount}`);
    assert.equal(pacer.closed, false);
    stuck.destroy();
  });
});
