/**
 * The API's abuse limits and `/live` HTTP caching, against a real Hardhat node and a real Ponder
 * (PGlite). Each abuse is sent to the running indexer and must be refused fast (status, error naming
 * the limit, answered within REFUSAL_MS at the median of a few tries), and a bid mined while the
 * abuses are flooding in must reach `/live` within PACE_MS: the refusals do not starve indexing.
 *
 * Addresses: Ponder listens on 127.0.0.1, and Linux routes all of 127.0.0.0/8 to loopback, so a
 * client bound to 127.0.0.2 is another peer. The indexer trusts 127.0.0.1 as a proxy
 * (INDEXER_TRUSTED_PROXIES), so its X-Forwarded-For is believed and 127.0.0.2's is not.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import type { LiveSnapshot } from "@sothebais/common/live";
import { startTestStack, type TestStack, waitFor } from "@sothebais/common/testing";
import { parseEther } from "viem";
import { type RunningIndexer, startIndexer, waitIndexed } from "./helpers.ts";

const REFUSAL_MS = 200;
const PACE_MS = 2000;
const PER_ADDRESS = 20;

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string; ms: number };

/** A request over node:http (so a client address and a body that never ends are possible); resolves on the whole answer. */
function request(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string; localAddress?: string; endBody?: boolean },
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${options.path}`,
      { method: options.method ?? "GET", headers: options.headers, localAddress: options.localAddress, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: performance.now() - started });
          req.destroy();
        });
      },
    );
    // The server may answer and close while we are still uploading: that answer is what we want.
    req.on("error", (error) => (req.writableEnded ? undefined : reject(error)));
    if (options.body !== undefined) req.write(options.body);
    if (options.endBody !== false) req.end();
  });
}

function postGraphql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer & { errors?: { message: string; extensions?: { code?: string } }[]; data?: unknown }> {
  return request(url, { method: "POST", path: "/graphql", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) }).then((a) => {
    const parsed = JSON.parse(a.body) as { errors?: { message: string }[]; data?: unknown };
    return { ...a, ...parsed };
  });
}

type Stream = { status: number; headers: http.IncomingHttpHeaders; body: Promise<string>; close: () => void };

/** Opens `GET /live/events` and resolves at its headers; a refusal's body is read in full. */
function openStream(url: string, options: { localAddress?: string; forwardedFor?: string; path?: string } = {}): Promise<Stream & { ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (options.forwardedFor) headers["x-forwarded-for"] = options.forwardedFor;
    const req = http.get(`${url}${options.path ?? "/live/events"}`, { headers, localAddress: options.localAddress, agent: false }, (res) => {
      const body = new Promise<string>((done) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += res.statusCode === 200 ? "" : chunk));
        res.on("end", () => done(text));
        res.on("close", () => done(text));
      });
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body, close: () => req.destroy(), ms: performance.now() - started });
    });
    req.on("error", reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs an abuse five times one after another: every answer must pass `check`, and the median time be under REFUSAL_MS. */
async function refusedFast(what: string, send: () => Promise<Answer>, check: (a: Answer) => void) {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const answer = await send();
    check(answer);
    times.push(answer.ms);
  }
  assert.ok(median(times) < REFUSAL_MS, `${what}: median refusal ${median(times).toFixed(0)} ms (all: ${times.map((t) => t.toFixed(0)).join(", ")})`);
}

// Pages of one row: deep, but cheap, so the depth limit is what refuses it.
const deepQuery = `{ lot(id: "1") { bids(limit: 1) { items { lot { bids(limit: 1) { items { lot { bids(limit: 1) { items { lot { bids(limit: 1) { items { id } } } } } } } } } } } } }`;
const aliasQuery = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: lot(id: "${i}") { id }`).join(" ")} }`;
const costlyQuery = `{ lots(limit: 1000) { items { bids(limit: 1000) { items { id amount } } } } }`;
const tokenFlood = `{ lots { items { ${"id ".repeat(20_000)} } } }`;
/** Each fragment spreads the previous one twice: 2^25 fields once expanded, from ~300 tokens. */
const fragmentBomb = (() => {
  let defs = "fragment F0 on lot { id }";
  for (let i = 1; i <= 25; i++) defs += ` fragment F${i} on lot { ...F${i - 1} ...F${i - 1} }`;
  return `{ lot(id: "1") { ...F25 } } ${defs}`;
})();

describe("API abuse limits and /live caching (real Ponder)", () => {
  let stack: TestStack;
  let indexer: RunningIndexer;
  let lotId: bigint;
  let amount = parseEther("0.01");

  async function bid() {
    amount += parseEther("0.001");
    await stack.bid(4, lotId, amount);
    return amount;
  }

  /** Mines a bid and returns how long until `/live` shows it. */
  async function bidToLive(): Promise<number> {
    const placed = await bid();
    const started = performance.now();
    await waitFor(
      async () => {
        const res = await fetch(`${indexer.url}/live`);
        return ((await res.json()) as LiveSnapshot).lot?.amount === placed.toString();
      },
      { timeoutMs: 30_000, intervalMs: 20, what: `bid ${placed} on /live` },
    );
    return performance.now() - started;
  }

  before(async () => {
    stack = await startTestStack();
    lotId = await stack.mintAndCreateLot({ duration: 86_400, minIncrementBps: 0, minIncrementFloor: 1n });
    await stack.bid(4, lotId, amount);
    indexer = await startIndexer({ stack, env: { INDEXER_TRUSTED_PROXIES: "127.0.0.1" } });
    await stack.mine();
    await waitIndexed(indexer.url, await stack.publicClient.getBlockNumber(), stack.mine);
  });

  after(async () => {
    await indexer?.stop(30_000);
    await stack?.stop();
  });

  describe("request bodies", () => {
    it("refuses a body over 64 KiB with 413 naming API_MAX_BODY_BYTES, before reading it", async () => {
      // Declares 10 MB, sends 1 MB and never finishes: the answer must not wait for the rest.
      await refusedFast(
        "declared 10 MB body",
        () => request(indexer.url, { method: "POST", path: "/graphql", headers: { "content-type": "application/json", "content-length": String(10 * 1024 * 1024) }, body: "x".repeat(1024 * 1024), endBody: false }),
        (a) => {
          assert.equal(a.status, 413);
          assert.match(a.body, /request body over 65536 bytes \(API_MAX_BODY_BYTES=65536\)/);
        },
      );
    });

    it("refuses a chunked body once it passes the limit", async () => {
      const a = await request(indexer.url, { method: "POST", path: "/graphql", headers: { "content-type": "application/json", "transfer-encoding": "chunked" }, body: "x".repeat(200 * 1024) });
      assert.equal(a.status, 413);
      assert.match(a.body, /API_MAX_BODY_BYTES/);
    });
  });

  describe("GraphQL limits", () => {
    it("refuses 20,000 tokens before parsing them, naming GRAPHQL_MAX_TOKENS", async () => {
      await refusedFast("token flood", () => postGraphql(indexer.url, tokenFlood), (a) => {
        assert.equal(a.status, 400);
        assert.match(a.body, /more than 1000 tokens \(GRAPHQL_MAX_TOKENS=1000\)/);
      });
    });

    it("refuses depth 13 over cyclic relations, naming GRAPHQL_MAX_DEPTH", async () => {
      await refusedFast("deep query", () => postGraphql(indexer.url, deepQuery), (a) => {
        assert.equal(a.status, 400);
        assert.match(a.body, /depth 13 is over the limit of 8 \(GRAPHQL_MAX_DEPTH/);
      });
    });

    it("refuses 30 aliases, naming GRAPHQL_MAX_ALIASES, and answers 15", async () => {
      await refusedFast("aliases", () => postGraphql(indexer.url, aliasQuery(30)), (a) => {
        assert.equal(a.status, 400);
        assert.match(a.body, /30 aliases, over the limit of 15 \(GRAPHQL_MAX_ALIASES\)/);
      });
      const ok = await postGraphql(indexer.url, aliasQuery(15));
      assert.equal(ok.status, 200);
      assert.equal(ok.errors, undefined);
    });

    it("refuses nested pages over the cost budget, naming GRAPHQL_MAX_COST", async () => {
      await refusedFast("costly query", () => postGraphql(indexer.url, costlyQuery), (a) => {
        assert.equal(a.status, 400);
        assert.match(a.body, /cost over the limit of 50000 \(GRAPHQL_MAX_COST/);
      });
    });

    it("refuses a fragment bomb (2^25 fields from 300 tokens) by its cost, without expanding it", async () => {
      await refusedFast("fragment bomb", () => postGraphql(indexer.url, fragmentBomb), (a) => {
        assert.equal(a.status, 400);
        assert.match(a.body, /GRAPHQL_MAX_COST/);
      });
    });

    it("still answers the dApp's largest query (a 1,000-row page of 20 lot fields) and the one-query live lot", async () => {
      const fields = "id campaignId campaignName nft tokenId tokenUri seller reserve startTime endTime state amount bidder viaRelayer bidCount minIncrementBps minIncrementFloor timeBuffer extended winner";
      const page = await postGraphql(indexer.url, `query($after: String) { page: lots(orderBy: "startTime", orderDirection: "asc", limit: 1000, after: $after) { items { ${fields} } pageInfo { hasNextPage endCursor } } }`, { after: null });
      assert.equal(page.status, 200, page.body);
      assert.equal(page.errors, undefined);
      const live = await postGraphql(
        indexer.url,
        `query Live($now: Int!) { lots(where: { state: "open", startTime_lte: $now, endTime_gt: $now }, orderBy: "endTime", limit: 1) {
          items { id tokenUri amount bidder endTime minimumNextBid bids(orderBy: "blockNumber", orderDirection: "desc", limit: 10) { items { amount bidder txHash } } } } }`,
        { now: Math.floor(Date.now() / 1000) },
      );
      assert.equal(live.status, 200, live.body);
      assert.equal(live.errors, undefined);
    });
  });

  describe("SQL over HTTP", () => {
    it("is off unless INDEXER_SQL_OVER_HTTP enables it: /sql/db and /sql/live answer 404 naming it", async () => {
      const query = encodeURIComponent(JSON.stringify({ json: { sql: "select 1", params: [] } }));
      for (const path of [`/sql/db?sql=${query}`, `/sql/live?sql=${query}`]) {
        await refusedFast(path, () => request(indexer.url, { path }), (a) => {
          assert.equal(a.status, 404);
          assert.match(a.body, /INDEXER_SQL_OVER_HTTP=1/);
        });
      }
    });
  });

  describe("streams per address", () => {
    const open: Stream[] = [];
    after(() => {
      for (const s of open) s.close();
    });

    async function fill(options: { localAddress?: string; forwardedFor?: (i: number) => string }) {
      const streams = await Promise.all(Array.from({ length: PER_ADDRESS }, (_, i) => openStream(indexer.url, { localAddress: options.localAddress, forwardedFor: options.forwardedFor?.(i) })));
      open.push(...streams);
      assert.deepEqual(new Set(streams.map((s) => s.status)), new Set([200]));
      return streams;
    }

    it(`answers 429 naming LIVE_STREAMS_PER_ADDRESS past ${PER_ADDRESS} streams from one peer; other peers are not affected`, async () => {
      const mine = await fill({});
      const refused = await openStream(indexer.url);
      assert.equal(refused.status, 429);
      assert.match(await refused.body, /too many open streams from 127\.0\.0\.1: 20 \(LIVE_STREAMS_PER_ADDRESS=20\)/);
      assert.ok(Number(refused.headers["retry-after"]) > 0);
      assert.ok(refused.ms < REFUSAL_MS, `refused in ${refused.ms.toFixed(0)} ms`);
      const other = await openStream(indexer.url, { localAddress: "127.0.0.3" });
      open.push(other);
      assert.equal(other.status, 200);

      // A closed stream gives its slot back.
      mine[0].close();
      await waitFor(async () => {
        const again = await openStream(indexer.url);
        if (again.status === 200) open.push(again);
        else again.close();
        return again.status === 200;
      }, { what: "a slot freed by a closed stream" });
    });

    it("keys a trusted proxy's requests on the X-Forwarded-For client", async () => {
      await fill({ forwardedFor: () => "198.51.100.7, 127.0.0.1" });
      const refused = await openStream(indexer.url, { forwardedFor: "198.51.100.7" });
      assert.equal(refused.status, 429);
      assert.match(await refused.body, /from 198\.51\.100\.7/);
      const other = await openStream(indexer.url, { forwardedFor: "198.51.100.8" });
      open.push(other);
      assert.equal(other.status, 200);
    });

    it("ignores X-Forwarded-For from an untrusted peer: a new forwarded address per request does not get past the cap", async () => {
      await fill({ localAddress: "127.0.0.2", forwardedFor: (i) => `203.0.113.${i + 1}` });
      const refused = await openStream(indexer.url, { localAddress: "127.0.0.2", forwardedFor: "203.0.113.99" });
      assert.equal(refused.status, 429);
      assert.match(await refused.body, /from 127\.0\.0\.2/);
    });
  });

  describe("indexing under abuse", () => {
    it(`a bid mined during a flood of every abuse reaches /live within ${PACE_MS} ms`, async () => {
      const baseline = await bidToLive();
      let flooding = true;
      const answers: number[] = [];
      const abuses: (() => Promise<Answer>)[] = [
        () => request(indexer.url, { method: "POST", path: "/graphql", headers: { "content-type": "application/json", "content-length": String(10 * 1024 * 1024) }, body: "x".repeat(256 * 1024), endBody: false }),
        () => postGraphql(indexer.url, tokenFlood),
        () => postGraphql(indexer.url, deepQuery),
        () => postGraphql(indexer.url, aliasQuery(30)),
        () => postGraphql(indexer.url, costlyQuery),
        () => postGraphql(indexer.url, fragmentBomb),
        () => request(indexer.url, { path: "/sql/db?sql=x" }),
      ];
      const flood = Array.from({ length: 4 }, async (_, worker) => {
        for (let i = worker; flooding; i++) answers.push((await abuses[i % abuses.length]()).status);
      });
      try {
        await new Promise((r) => setTimeout(r, 1000)); // the flood is under way
        const underAbuse = await bidToLive();
        console.log(`bid -> /live: ${baseline.toFixed(0)} ms alone, ${underAbuse.toFixed(0)} ms during the flood (${answers.length} abusive requests so far)`);
        assert.ok(underAbuse < PACE_MS, `bid reached /live after ${underAbuse.toFixed(0)} ms under abuse (${baseline.toFixed(0)} ms alone)`);
      } finally {
        flooding = false;
        await Promise.all(flood);
      }
      assert.ok(answers.length > 20, `only ${answers.length} abusive requests were answered`);
      assert.deepEqual(new Set(answers.filter((s) => ![400, 404, 413].includes(s))), new Set(), "every abuse was refused");
    });
  });

  describe("GET /live caching", () => {
    it("sends an ETag per checkpoint and Cache-Control; the same checkpoint gives the same bytes", async () => {
      // Two reads at one checkpoint: the chain is idle (automine), so nothing moves between them.
      const first = await request(indexer.url, { path: "/live" });
      const second = await request(indexer.url, { path: "/live" });
      assert.equal(first.status, 200);
      assert.match(String(first.headers.etag), /^W\/"[0-9a-f]{20}"$/);
      assert.equal(first.headers["cache-control"], "public, max-age=1, stale-while-revalidate=2");
      assert.equal(second.headers.etag, first.headers.etag);
      assert.equal(second.body, first.body);
    });

    it("answers If-None-Match with 304 and no body while the checkpoint stands, 200 with a new ETag after a new block", async () => {
      const first = await request(indexer.url, { path: "/live" });
      const etag = String(first.headers.etag);
      const notModified = await request(indexer.url, { path: "/live", headers: { "if-none-match": etag } });
      assert.equal(notModified.status, 304);
      assert.equal(notModified.body, "");
      assert.equal(notModified.headers.etag, etag);
      assert.equal(notModified.headers["cache-control"], "public, max-age=1, stale-while-revalidate=2");
      const inList = await request(indexer.url, { path: "/live", headers: { "if-none-match": `"other", ${etag.replace(/^W\//, "")}` } });
      assert.equal(inList.status, 304);

      const block = Number((JSON.parse(first.body) as LiveSnapshot).blockNumber);
      await stack.mine();
      const moved = await waitFor(
        async () => {
          const a = await request(indexer.url, { path: "/live", headers: { "if-none-match": etag } });
          return a.status === 200 && (JSON.parse(a.body) as LiveSnapshot).blockNumber > block ? a : undefined;
        },
        { timeoutMs: 30_000, what: "a new checkpoint on /live" },
      );
      assert.notEqual(moved.headers.etag, etag);
      assert.match(String(moved.headers.etag), /^W\/"[0-9a-f]{20}"$/);
    });
  });
});
