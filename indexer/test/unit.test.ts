/** Pure parts: the contract's bid arithmetic, statuses, checkpoints, schema names, GraphQL input checks. */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { Hono } from "hono";
import { lotEffectiveEnd, lotStatus, minimumNextBid } from "@sothebais/common/live";
import type { Deployment } from "@sothebais/common/deployments";
import * as schema from "../ponder.schema.ts";
import { decodeCheckpointBlock } from "../src/api/checkpoint.ts";
import { hexColumnsOf, hexInputProblems } from "../src/api/validate.ts";
import { checkGraphqlRequest, countTokens } from "../src/api/graphql-limits.ts";
import { liveEtag, matchesIfNoneMatch } from "../src/api/live-cache.ts";
import { addressKey, clientAddress, parseTrustedProxies } from "../src/api/peer.ts";
import { readApiLimits } from "../src/api/config.ts";
import { limitBody } from "../src/api/guards.ts";
import { schemaName } from "../service/schema.ts";
import { chainHeadClient, initialWatchdogState, readChainHead, watchdogStep } from "../service/watchdog.ts";

describe("minimumNextBid()", () => {
  const lot = { reserve: 0n, minIncrementBps: 500, minIncrementFloor: 0n };
  const cases: [string, Parameters<typeof minimumNextBid>[0], bigint][] = [
    ["first bid without reserve is 1 wei", { ...lot, amount: 0n }, 1n],
    ["first bid is the reserve", { ...lot, amount: 0n, reserve: 10n ** 17n }, 10n ** 17n],
    ["then amount + bps", { ...lot, amount: 10n ** 18n }, 105n * 10n ** 16n],
    ["the floor wins when larger", { ...lot, amount: 100n, minIncrementFloor: 50n }, 150n],
    ["never less than +1 wei", { ...lot, amount: 10n, minIncrementBps: 0 }, 11n],
    ["bps rounds down like Solidity", { ...lot, amount: 199n, minIncrementBps: 100 }, 200n],
  ];
  for (const [name, input, expected] of cases) it(name, () => assert.equal(minimumNextBid(input), expected));
});

describe("lotStatus()", () => {
  const lot = { state: "open" as const, startTime: 100, endTime: 200 };
  it("is scheduled before the start, live until the end (exclusive), then ended", () => {
    assert.equal(lotStatus(lot, 99), "scheduled");
    assert.equal(lotStatus(lot, 100), "live");
    assert.equal(lotStatus(lot, 199), "live");
    assert.equal(lotStatus(lot, 200), "ended");
  });
  it("keeps settled, cancelled, queued and undeliverable whatever the time", () => {
    assert.equal(lotStatus({ ...lot, state: "settled" }, 150), "settled");
    assert.equal(lotStatus({ ...lot, state: "cancelled" }, 50), "cancelled");
    assert.equal(lotStatus({ ...lot, state: "queued" }, 150), "queued", "a queued lot is never live, even inside its nominal times");
    assert.equal(lotStatus({ ...lot, state: "undeliverable" }, 250), "undeliverable");
  });
  it("a pause that began before the end stops the clock; the lot ends no earlier than unpause + timeBuffer", () => {
    const timed = { ...lot, timeBuffer: 60 };
    assert.equal(lotStatus(timed, 250, { pausedAt: 150, unpausedAt: 0 }), "live", "not ended while paused");
    assert.equal(lotEffectiveEnd(timed, 250, { pausedAt: 150, unpausedAt: 0 }), Infinity);
    assert.equal(lotEffectiveEnd(timed, 300, { pausedAt: 150, unpausedAt: 300 }), 360);
    assert.equal(lotStatus(timed, 359, { pausedAt: 150, unpausedAt: 300 }), "live");
    assert.equal(lotStatus(timed, 360, { pausedAt: 150, unpausedAt: 300 }), "ended");
    assert.equal(lotEffectiveEnd(timed, 170, { pausedAt: 150, unpausedAt: 120 + 40 }), 220, "the stored end when later than unpause + buffer");
    assert.equal(lotStatus(timed, 250, { pausedAt: 210, unpausedAt: 0 }), "ended", "a lot that ended before the pause stays ended");
  });
  it("a pause does not stretch a lot opened after it; the last two windows are kept, as in the contract", () => {
    const after = { ...lot, startTime: 400, endTime: 430, timeBuffer: 300 };
    assert.equal(lotEffectiveEnd(after, 420, { pausedAt: 300, unpausedAt: 350 }), 430, "opened after the unpause");
    // Ended in the grace of the first pause, before the second began: stays ended.
    const timed = { ...lot, timeBuffer: 60 };
    const twoPauses = { pausedAt: 400, unpausedAt: 500, prevPausedAt: 190, prevUnpausedAt: 191 };
    assert.equal(lotEffectiveEnd(timed, 520, twoPauses), 251);
    assert.equal(lotStatus(timed, 520, twoPauses), "ended");
    // Still in its first grace when the second pause began: protected by both.
    const inGrace = { pausedAt: 230, unpausedAt: 300, prevPausedAt: 190, prevUnpausedAt: 200 };
    assert.equal(lotEffectiveEnd(timed, 310, inGrace), 360);
  });
});

describe("decodeCheckpointBlock()", () => {
  it("reads the timestamp and the block number of a Ponder checkpoint", () => {
    const checkpoint = `${"1795616856"}${"31337".padStart(16, "0")}${"42".padStart(16, "0")}${"0".repeat(16)}5${"3".padStart(16, "0")}`;
    assert.equal(checkpoint.length, 75);
    assert.deepEqual(decodeCheckpointBlock(checkpoint), { blockTimestamp: 1795616856, blockNumber: 42 });
  });
});

describe("schemaName()", () => {
  const deployment: Deployment = {
    chainId: 31337,
    auctionHouse: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    collection: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    deployBlock: 1,
    deployer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    genesisHash: `0x${"ab".repeat(32)}`,
    deployedAt: "2026-01-01T00:00:00Z",
  };
  it("differs per genesis and per contract, and fits Ponder's 45 characters", () => {
    const a = schemaName(deployment, "c0ffee");
    assert.equal(a, "sb_31337_5fbdb231_ababab_c0ffee");
    assert.ok(a.length <= 45);
    assert.notEqual(schemaName({ ...deployment, genesisHash: `0x${"cd".repeat(32)}` }, "c0ffee"), a);
    assert.notEqual(schemaName({ ...deployment, auctionHouse: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0" }, "c0ffee"), a);
  });
});

describe("hexInputProblems()", () => {
  const columns = hexColumnsOf(schema);
  it("rejects a malformed id of a hex-keyed table and names it", () => {
    const [problem] = hexInputProblems(`{ bidder(id: "0xnope") { id } }`, {}, columns);
    assert.match(problem, /bidder\(id\): got "0xnope", expected 0x-prefixed hex/);
  });
  it("checks where filters, lists and variables", () => {
    assert.equal(hexInputProblems(`{ bids(where: { bidder_in: ["0x12", "zz"] }) { items { id } } }`, {}, columns).length, 1);
    assert.equal(hexInputProblems(`query($a: String) { lots(where: { seller: $a }) { items { id } } }`, { a: "nope" }, columns).length, 1);
  });
  it("accepts well-formed hex and leaves non-hex ids alone", () => {
    assert.deepEqual(hexInputProblems(`{ bidder(id: "0x5FbDB2315678afecb367f032d93F642f64180aa3") { id } lot(id: "7") { id } bid(id: "abc") { id } }`, {}, columns), []);
  });
});

describe("watchdogStep()", () => {
  const options = { stallMs: 30_000, toleranceBlocks: 2 };
  const run = (samples: [number, number | undefined, number | undefined][]) => {
    let state = initialWatchdogState(0);
    return samples.map(([at, chainHead, indexed]) => {
      const step = watchdogStep(state, { at, chainHead, indexed }, options);
      state = step.state;
      return step.stalled;
    });
  };

  it("calls a stall when the chain moves on and the indexed block does not, for the whole window", () => {
    assert.deepEqual(run([[0, 10, 10], [10_000, 15, 10], [29_000, 30, 10], [40_000, 40, 10]]), [false, false, false, true]);
  });

  it("never calls a stall while the indexed block moves, or while it keeps up within the tolerance", () => {
    assert.deepEqual(run([[0, 10, 10], [20_000, 30, 25], [45_000, 50, 40], [80_000, 90, 80]]), [false, false, false, false]);
    assert.deepEqual(run([[0, 10, 10], [60_000, 12, 10]]), [false, false], "an idle chain is not a stall");
  });

  it("does not restart on unknowns: an RPC or a Ponder that does not answer", () => {
    assert.deepEqual(run([[0, 10, 10], [40_000, undefined, 10], [50_000, 60, undefined]]), [false, false, false]);
  });
});

describe("readChainHead()", () => {
  it("reads eth_blockNumber through viem, and a node that does not answer is unknown, not an error", async () => {
    // A stand-in JSON-RPC endpoint (the outside node): answers eth_blockNumber only.
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(method === "eth_blockNumber" ? { jsonrpc: "2.0", id, result: "0x2a" } : { jsonrpc: "2.0", id, error: { code: -32601, message: "no" } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      assert.equal(await readChainHead(chainHeadClient(`http://127.0.0.1:${port}`)), 42);
    } finally {
      server.close();
    }
    assert.equal(await readChainHead(chainHeadClient("http://127.0.0.1:9")), undefined);
  });
});

describe("GraphQL limits", () => {
  const limits = { maxTokens: 1000, maxDepth: 8, maxAliases: 15, maxCost: 50_000 };
  const codes = (query: string, variables: Record<string, unknown> = {}) => checkGraphqlRequest(query, variables, limits).errors.map((e) => e.extensions.code);

  it("counts tokens without comments and stops past the limit", () => {
    assert.equal(countTokens("{ a # comment\n b }", 100), 4);
    assert.equal(countTokens(`{ ${"a ".repeat(10_000)} }`, 10), 11);
    assert.deepEqual(codes(`{ lots { items { ${"id ".repeat(1000)} } } }`), ["QUERY_TOO_LARGE"]);
  });

  it("counts depth as graphql-armor does (a field or inline fragment is a level, a spread two)", () => {
    assert.deepEqual(codes(`{ a { b { c { d { e { f { g { h } } } } } } } }`), []);
    assert.deepEqual(codes(`{ a { b { c { d { e { f { g { h { i } } } } } } } } }`), ["QUERY_TOO_DEEP"]);
    assert.deepEqual(codes(`{ a { b { c { d { e { f { ...F } } } } } } } fragment F on X { g }`), ["QUERY_TOO_DEEP"]);
  });

  it("counts aliases inside fragments once per use", () => {
    const fragment = `fragment F on X { ${Array.from({ length: 8 }, (_, i) => `a${i}: id`).join(" ")} }`;
    assert.deepEqual(codes(`{ x { ...F } } ${fragment}`), []);
    assert.deepEqual(codes(`{ x { ...F } y { ...F } } ${fragment}`), ["TOO_MANY_ALIASES"]);
  });

  it("multiplies the cost under a page's items by its limit (50 by default, variables read)", () => {
    assert.deepEqual(codes(`{ bids(limit: 1000) { items { id amount bidder } } }`), []);
    assert.deepEqual(codes(`{ lots(limit: 1000) { items { bids { items { id } } } } }`), ["QUERY_TOO_COSTLY"]);
    assert.deepEqual(codes(`query($n: Int) { lots(limit: $n) { items { bids(limit: 1000) { items { id } } } } }`, { n: 1 }), []);
    assert.deepEqual(codes(`query($n: Int) { lots(limit: $n) { items { bids(limit: 1000) { items { id } } } } }`, { n: 100 }), ["QUERY_TOO_COSTLY"]);
  });

  it("leaves syntax errors to yoga and answers valid queries with their document", () => {
    assert.deepEqual(checkGraphqlRequest("{ lots {", {}, limits), { errors: [] });
    assert.ok(checkGraphqlRequest("{ lots { items { id } } }", {}, limits).document);
  });
});

describe("clientAddress()", () => {
  const trusted = parseTrustedProxies(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);
  it("is the peer unless the peer is a trusted proxy", () => {
    assert.equal(clientAddress("192.0.2.1", "198.51.100.1", trusted), "192.0.2.1");
    assert.equal(clientAddress("::ffff:127.0.0.1", "198.51.100.1", trusted), "198.51.100.1");
  });
  it("walks X-Forwarded-For from the right past trusted proxies only", () => {
    assert.equal(clientAddress("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3", trusted), "198.51.100.1");
    assert.equal(clientAddress("127.0.0.1", "10.0.0.1, 10.0.0.2", trusted), "10.0.0.1");
    assert.equal(clientAddress("127.0.0.1", "not-an-ip, 10.0.0.2", trusted), "10.0.0.2");
  });
  it("keys IPv6 clients by their /64", () => {
    assert.equal(addressKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
    assert.equal(addressKey("2001:db8::1"), addressKey("2001:db8:0:0:ffff::9"));
    assert.equal(addressKey("192.0.2.1"), "192.0.2.1");
  });
  it("refuses a malformed proxy entry at start, naming it", () => {
    assert.throws(() => readApiLimits({ INDEXER_TRUSTED_PROXIES: "10.0.0.0/8, nope" }), /INDEXER_TRUSTED_PROXIES: got "10.0.0.0\/8, nope", expected an IP address, a CIDR block or "loopback", got "nope"/);
    assert.equal(readApiLimits({}).sqlOverHttp, false);
  });
});

describe("/live ETag", () => {
  it("is weak, one per (schema, checkpoint), and If-None-Match compares weakly over a list", () => {
    const etag = liveEtag("sb_1", "0001");
    assert.match(etag, /^W\/"[0-9a-f]{20}"$/);
    assert.equal(liveEtag("sb_1", "0001"), etag);
    assert.notEqual(liveEtag("sb_1", "0002"), etag);
    assert.notEqual(liveEtag("sb_2", "0001"), etag);
    assert.ok(matchesIfNoneMatch(etag, etag));
    assert.ok(matchesIfNoneMatch(`"x", ${etag.slice(2)}`, etag));
    assert.ok(matchesIfNoneMatch("*", etag));
    assert.ok(!matchesIfNoneMatch(`"x"`, etag));
    assert.ok(!matchesIfNoneMatch(undefined, etag));
  });
});

describe("limitBody()", () => {
  const app = new Hono();
  app.use("*", limitBody(1024));
  app.all("/x", async (c) => c.text(c.req.method === "POST" ? `read ${(await c.req.text()).length}` : "ok"));

  it("lets GET and HEAD through without asking for their body (that builds Ponder's full Request, ~30 µs each)", async () => {
    for (const method of ["GET", "HEAD"]) {
      let asked = 0;
      const request = new Request("http://indexer/x", { method });
      Object.defineProperty(request, "body", {
        get: () => {
          asked++;
          return null;
        },
      });
      const res = await app.request(request);
      assert.equal(res.status, 200, method);
      assert.equal(asked, 0, `${method}: the guard asked for the body`);
    }
  });

  it("still refuses a POST body over the limit with 413 naming API_MAX_BODY_BYTES, and passes one within it", async () => {
    const over = await app.request("http://indexer/x", { method: "POST", body: "x".repeat(1025), headers: { "content-length": "1025" } });
    assert.equal(over.status, 413);
    assert.match(JSON.stringify(await over.json()), /API_MAX_BODY_BYTES=1024/);
    const within = await app.request("http://indexer/x", { method: "POST", body: "x".repeat(1024), headers: { "content-length": "1024" } });
    assert.equal(within.status, 200);
    assert.equal(await within.text(), "read 1024");
  });
});
