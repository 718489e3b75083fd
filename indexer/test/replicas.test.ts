/**
 * Scale-out as it is deployed: one writer (`ponder start`) and two API replicas (`INDEXER_MODE=serve`,
 * `ponder serve`) over one private Postgres. The replicas are started first and wait for the writer's
 * schema; they get a dead RPC, so they prove they need none (and never run the writer's genesis check
 * or cache clearing). Every route answers the same on all three, and a new bid reaches both replicas.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient, eq } from "@ponder/client";
import { startProcess, startTestStack, type TestStack, waitFor } from "@sothebais/common/testing";
import { parseEther } from "viem";
import * as schema from "../ponder.schema.ts";
import { getJson, graphql, type Postgres, type RunningIndexer, startIndexer, startPostgres, waitIndexed } from "./helpers.ts";

// Nothing listens on the discard port: a replica that touched the RPC would fail to start.
const deadRpc = { RPC_URL: "http://127.0.0.1:9", RPC_WS_URL: "ws://127.0.0.1:9" };
// The /sql checks below need Ponder's SQL over HTTP, off by default.
const sqlOn = { INDEXER_SQL_OVER_HTTP: "1" };

const lotQuery = `query Lot($id: BigInt!) {
  lot(id: $id) { id amount bidder bidCount minimumNextBid endTime state
    bids(orderBy: "blockNumber", orderDirection: "desc") { items { id amount bidder viaRelayer blockNumber txHash logIndex } } }
}`;

/** `/live` without `indexedAt`, the wall-clock time each instance built its snapshot. */
async function liveWithoutTime(url: string) {
  const { indexedAt: _indexedAt, ...rest } = await getJson<Record<string, unknown>>(`${url}/live`);
  return rest;
}

async function lotGraphql(url: string, id: bigint) {
  const result = await graphql(url, lotQuery, { id: id.toString() });
  assert.equal(result.status, 200, JSON.stringify(result.errors));
  return result.data;
}

/** The bids of `lotId` over `@ponder/client` SQL (the `/sql/*` routes). */
async function sqlBids(url: string, lotId: bigint) {
  const client = createClient(`${url}/sql`, { schema });
  // @ponder/client carries its own drizzle-orm copy: same runtime shapes, separate TS declarations.
  const rows = (await client.db.select().from(schema.bid as never).where(eq(schema.bid.lotId as never, lotId))) as { id: string; amount: bigint }[];
  return rows.map((r) => `${r.id}:${r.amount}`).sort();
}

/** Ponder's `/status` latest block and our `/metrics/indexer` gauge of it. */
async function indexedBlocks(url: string) {
  const status = await getJson<Record<string, { block: { number: number } }>>(`${url}/status`);
  const metrics = await (await fetch(`${url}/metrics/indexer`)).text();
  return { status: Object.values(status)[0]?.block.number, metric: Number(/^sothebais_indexer_indexed_block\{[^}]*\} (\d+)/m.exec(metrics)?.[1]) };
}

/** Follows `/live/events` (src/api/live-stream.ts): the last snapshot pushed and its content id. */
function followLiveEvents(url: string) {
  const last: { id?: string; lot?: { amount: string; bidder: string } | null } = {};
  const controller = new AbortController();
  void (async () => {
    const res = await fetch(`${url}/live/events`, { signal: controller.signal });
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!/^event: snapshot$/m.test(event)) continue;
        last.id = /^id: (.+)$/m.exec(event)?.[1];
        last.lot = (JSON.parse(/^data: (.+)$/m.exec(event)?.[1] ?? "{}") as { lot?: typeof last.lot }).lot;
      }
    }
  })().catch(() => {});
  return { last, close: () => controller.abort() };
}

describe("API replicas: one writer and two ponder serve over one Postgres", () => {
  let pg: Postgres;
  let stack: TestStack;
  let writer: RunningIndexer;
  let replicas: RunningIndexer[] = [];
  let lotId: bigint;
  const running: RunningIndexer[] = [];

  /** Asks the writer and both replicas; reads land at slightly different instants, so retry until they agree. */
  async function sameOnAll<T>(ask: (url: string) => Promise<T>, what: string): Promise<T> {
    const urls = [writer.url, ...replicas.map((r) => r.url)];
    let last: T[] | undefined;
    const answers = await waitFor(
      async () => {
        last = await Promise.all(urls.map(ask));
        return last.every((a) => JSON.stringify(a) === JSON.stringify(last?.[0])) ? last : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: `the same ${what} on the writer and both replicas` },
    ).catch((error: unknown) => {
      // Still different after 10 s: show the difference below; never answered at all: fail with why.
      if (!last) throw error;
      return last;
    });
    for (const answer of answers.slice(1)) assert.deepEqual(answer, answers[0], `${what} differs between the writer and a replica`);
    return answers[0];
  }

  before(async () => {
    [pg, stack] = await Promise.all([startPostgres(), startTestStack()]);
    lotId = await stack.mintAndCreateLot({ duration: 3600 });
    await stack.bid(4, lotId, parseEther("0.1"));
    await stack.bid(5, lotId, parseEther("0.2"));
    const last = await stack.bid(6, lotId, parseEther("0.3"));

    // Replicas first: they must wait for the schema instead of exiting (ponder serve alone would).
    const replicaStarts = [0, 1].map(() => startIndexer({ stack, databaseUrl: pg.url, ready: false, env: { INDEXER_MODE: "serve", ...deadRpc, ...sqlOn } }));
    const started = await Promise.allSettled([startIndexer({ stack, databaseUrl: pg.url, env: sqlOn }), ...replicaStarts]);
    for (const s of started) if (s.status === "fulfilled") running.push(s.value);
    for (const s of started) if (s.status === "rejected") throw s.reason;
    [writer, ...replicas] = running;

    await stack.mine();
    await waitIndexed(writer.url, last.blockNumber, stack.mine);
  }, { timeout: 240_000 });

  after(async () => {
    await Promise.all(running.map((r) => r.stop(30_000)));
    await stack?.stop();
    await pg?.stop();
  });

  it("behavior: replicas wait for the writer's schema, need no RPC and never run the writer's cache checks", async () => {
    assert.match(writer.output(), /"mode":"start"/);
    for (const replica of replicas) {
      const out = replica.output();
      assert.match(out, /waiting for the writer/);
      assert.match(out, /starting ponder serve/);
      assert.equal(/"schema":"(sb_[^"]+)"/.exec(out)?.[1], /"schema":"(sb_[^"]+)"/.exec(writer.output())?.[1], "the same schema name as the writer");
      assert.doesNotMatch(out, /genesis|clearing/);
      for (const path of ["/health", "/ready"]) assert.equal((await fetch(`${replica.url}${path}`)).status, 200, `${path} on a replica`);
    }
  });

  it("behavior: /live, GraphQL, /lots/:id, /sql and /metrics/indexer give the writer's answers on both replicas", async () => {
    const live = await sameOnAll(liveWithoutTime, "/live");
    assert.equal((live.lot as { amount: string } | null)?.amount, parseEther("0.3").toString());
    assert.equal((live.bids as unknown[]).length, 3);

    const gql = await sameOnAll((url) => lotGraphql(url, lotId), "GraphQL lot with bids");
    assert.equal((gql?.lot as { bids: { items: unknown[] } } | undefined)?.bids.items.length, 3);

    const lot = await sameOnAll((url) => getJson<{ lot: { amount: string } }>(`${url}/lots/${lotId}`), "/lots/:id");
    assert.equal(lot.lot.amount, parseEther("0.3").toString());

    assert.equal((await sameOnAll((url) => sqlBids(url, lotId), "@ponder/client SQL")).length, 3);
    const blocks = await sameOnAll(indexedBlocks, "indexed block");
    assert.equal(blocks.metric, blocks.status);
  });

  it("behavior: a new bid reaches both replicas: over /lots/:id and pushed to a live query on each", async () => {
    const amount = parseEther("0.5");
    const pushed = replicas.map(() => new Set<bigint>());
    const subscriptions = replicas.map((replica, i) =>
      createClient(`${replica.url}/sql`, { schema }).live(
        (db) => db.select().from(schema.lot as never).where(eq(schema.lot.id as never, lotId)),
        (rows) => {
          for (const row of rows as { amount: bigint }[]) pushed[i].add(BigInt(row.amount));
        },
      ),
    );
    try {
      // The server pushes on change only and a subscription may still be connecting: outbid every 2 s
      // until both replicas have pushed the latest bid.
      let latest = amount;
      let lastBid = 0;
      await waitFor(
        async () => {
          if (pushed.every((seen) => seen.has(latest))) return true;
          if (Date.now() - lastBid > 2000) {
            if (lastBid) latest += parseEther("0.1");
            lastBid = Date.now();
            await stack.bid(7, lotId, latest);
          }
          return false;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: "the new bid pushed by both replicas" },
      );
      for (const replica of replicas) {
        const lot = await getJson<{ lot: { amount: string; bidder: string } }>(`${replica.url}/lots/${lotId}`);
        assert.equal(lot.lot.amount, latest.toString());
        assert.equal(lot.lot.bidder.toLowerCase(), stack.address(7).toLowerCase());
      }
      await sameOnAll(liveWithoutTime, "/live after the new bid");
    } finally {
      for (const s of subscriptions) s.unsubscribe();
    }
  });

  it("behavior: /live/events on each replica pushes a new bid, with the writer's content id", async () => {
    const streams = [writer, ...replicas].map((r) => followLiveEvents(r.url));
    try {
      await waitFor(() => streams.every((s) => s.last.lot), { timeoutMs: 30_000, what: "a snapshot on every stream" });
      const amount = parseEther("5");
      await stack.bid(8, lotId, amount);
      await waitFor(() => streams.every((s) => s.last.lot?.amount === amount.toString()), { timeoutMs: 30_000, what: "the bid pushed by the writer and both replicas" });
      for (const s of streams) assert.equal(s.last.lot?.bidder.toLowerCase(), stack.address(8).toLowerCase());
      // Equal content, equal id on every instance (the replicas may trail the writer by a checkpoint).
      await waitFor(() => streams.every((s) => s.last.id === streams[0].last.id), { timeoutMs: 30_000, what: "one content id on all three" });
    } finally {
      for (const s of streams) s.close();
    }
  });

  it("behavior: INDEXER_MODE=serve without DATABASE_URL is refused in one line naming the variable", async () => {
    const child = await startProcess({
      name: "indexer",
      command: process.execPath,
      args: [new URL("../service/main.ts", import.meta.url).pathname],
      env: { CHAIN_ID: "31337", DEPLOYMENTS_DIR: stack.deploymentsDir, INDEXER_MODE: "serve", ...deadRpc },
    });
    assert.equal(await child.exited, 2);
    assert.match(child.output(), /DATABASE_URL: missing, expected the writer's Postgres URL \(INDEXER_MODE=serve/);
  });
});
