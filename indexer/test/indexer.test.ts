/**
 * The indexer against a real Hardhat node and a real Ponder (PGlite): a scripted auction history is
 * indexed and every number compared with the contract's own views; then /live, GraphQL, live queries,
 * bad queries, a reorg and a restart. One node and one indexer serve the whole file (2 cores).
 */
import assert from "node:assert/strict";
import http from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient, eq } from "@ponder/client";
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import type { LiveSnapshot } from "@sothebais/common/live";
import { fetchLiveLot } from "@sothebais/common/live";
import { hashChatId, localRoles, startTestStack, type TestStack, waitFor } from "@sothebais/common/testing";
import { type Abi, type Address, type Hex, parseEther, parseEventLogs, type TransactionReceipt } from "viem";
import * as schema from "../ponder.schema.ts";
import { getJson, graphql, type RunningIndexer, startIndexer, waitIndexed } from "./helpers.ts";

const ZERO = "0x0000000000000000000000000000000000000000";
const statusNames = ["none", "scheduled", "live", "ended", "settled", "cancelled", "queued", "undeliverable"] as const;

let stack: TestStack;
let indexer: RunningIndexer;
let pgliteDir: string;
const lots: Record<string, bigint> = {};
const settledEvents = new Map<bigint, { winner: Address; amount: bigint; royaltyReceiver: Address; royalty: bigint; protocolFee: bigint; sellerProceeds: bigint }>();
let lastBlock = 0n;
// The live query test below needs Ponder's /sql/* routes, off by default.
const sqlOn = { INDEXER_SQL_OVER_HTTP: "1" };

const track = (r: TransactionReceipt) => {
  if (r.blockNumber > lastBlock) lastBlock = r.blockNumber;
  for (const e of parseEventLogs({ abi: auctionHouseAbi, logs: r.logs, eventName: "LotSettled" })) {
    settledEvents.set(e.args.lotId, e.args);
  }
  return r;
};

const house = () => ({ address: stack.auctionHouse, abi: auctionHouseAbi }) as const;
const write = async (index: number, functionName: string, args: readonly unknown[]) =>
  track(
    await stack.publicClient.waitForTransactionReceipt({
      hash: await stack.wallet(index).writeContract({ ...house(), functionName, args } as never),
    }),
  );

type LotGql = {
  id: string;
  campaignId: string;
  campaignName: string;
  nft: string;
  tokenId: string;
  tokenUri: string;
  seller: string;
  reserve: string;
  startTime: number;
  endTime: number;
  minIncrementBps: number;
  minIncrementFloor: string;
  timeBuffer: number;
  protocolFeeBps: number;
  maxRoyaltyBps: number;
  campaignPosition: number;
  queued: boolean;
  state: string;
  amount: string;
  bidder: string;
  viaRelayer: boolean;
  minimumNextBid: string;
  bidCount: number;
  extended: number;
  winner: string;
};

const lotFields = `id campaignId campaignName nft tokenId tokenUri seller reserve startTime endTime minIncrementBps minIncrementFloor timeBuffer protocolFeeBps maxRoyaltyBps campaignPosition queued state amount bidder viaRelayer minimumNextBid bidCount extended winner`;

before(async () => {
  stack = await startTestStack();
  pgliteDir = join(mkdtempSync(join(tmpdir(), "sothebais-indexer-")), "pglite");
  await scriptHistory();
  indexer = await startIndexer({ stack, pgliteDir, env: sqlOn });
  // Ponder indexes the unfinalized tail only when a new block arrives; an automine chain sits idle.
  await stack.mine();
  await waitIndexed(indexer.url, lastBlock, stack.mine).catch((error: Error) => {
    throw new Error(`${error.message}\n${indexer.output().slice(-3000)}`);
  });
});

after(async () => {
  await indexer?.stop(30_000);
  await stack?.stop();
  if (pgliteDir) rmSync(join(pgliteDir, ".."), { recursive: true, force: true });
});

/** Several lots, wallet and relayer bids, outbids, an extension, withdrawals, royalties, a cancel, no-sale, settles. */
async function scriptHistory() {
  const { admin } = localRoles;
  const campaignId = await stack.createCampaign("Autumn sale", "ipfs://campaign");
  lots.main = await stack.mintAndCreateLot({ campaignId, reserve: parseEther("0.1"), duration: 3600, minIncrementFloor: parseEther("0.01"), timeBuffer: 300 });
  lots.noSale = await stack.mintAndCreateLot({ reserve: parseEther("1"), duration: 600 });
  lots.cancelled = await stack.mintAndCreateLot({ campaignId, duration: 600 });
  lots.extended = await stack.mintAndCreateLot({ duration: 1200, timeBuffer: 300, minIncrementBps: 1000 });

  track(await stack.bid(4, lots.main, parseEther("0.1")));
  track(await stack.bid(5, lots.main, parseEther("0.2")));
  track(await stack.deposit(6, parseEther("2")));
  const signed = await stack.signChatAuthorization(6, { maxBid: parseEther("1"), totalCap: parseEther("1.5"), expiry: (await stack.now()) + 30 * 86_400, chatId: "twitch:6" });
  track(await stack.registerAuthorization(signed));
  track(await stack.relayBid(lots.main, 6, parseEther("0.3")));
  track(await stack.bid(4, lots.main, parseEther("0.4"))); // outbids the chat bid: back to 6's escrow
  track(await stack.relayBid(lots.main, 6, parseEther("0.5")));
  track(await stack.deposit(7, parseEther("1")));
  await write(7, "bidWithEscrow", [lots.extended, parseEther("0.3")]);
  await write(admin, "cancelLot", [lots.cancelled]);

  await stack.increaseTime(1000); // lot "extended" is inside its 300 s buffer; "noSale" has ended unsold
  track(await stack.bid(5, lots.extended, parseEther("0.4"))); // moves the end
  track(await stack.settle(lots.noSale));
  await stack.increaseTime(400);
  track(await stack.settle(lots.extended));
  await stack.increaseTime(3600);
  track(await stack.settle(lots.main));

  await write(6, "withdraw", [parseEther("0.2")]);
  await write(7, "withdrawAll", []);
  await write(6, "revokeChatAuthorization", []);
  await write(admin, "setProtocolFee", [300]);

  lots.upcoming = await stack.mintAndCreateLot({ startTime: (await stack.now()) + 7200, duration: 600 });
  lots.live = await stack.mintAndCreateLot({ campaignId, duration: 3600, reserve: parseEther("0.05") });
  track(await stack.bid(7, lots.live, parseEther("0.05")));
  track(await stack.bid(8, lots.live, parseEther("0.06")));
  lastBlock = await stack.publicClient.getBlockNumber();
}

describe("scripted history", () => {
  it("behavior: every lot field equals the contract's lot() view, and statuses match lotStatus()", async () => {
    const { data, errors } = await graphql<{ lots: { items: LotGql[] } }>(indexer.url, `{ lots(limit: 100, orderBy: "id") { items { ${lotFields} } } }`);
    assert.equal(errors, undefined);
    const rows = data!.lots.items;
    const count = await stack.publicClient.readContract({ ...house(), functionName: "lotCount" });
    assert.equal(rows.length, Number(count));
    for (const row of rows) {
      const id = BigInt(row.id);
      const view = await stack.publicClient.readContract({ ...house(), functionName: "lot", args: [id] });
      const where = `lot ${id}`;
      const lotView = await getJson<{ lot: { status: string; minimumNextBid: string } }>(`${indexer.url}/lots/${id}`);
      assert.equal(lotView.lot.status, statusNames[view.status], `${where} status`);
      // The contract clears a settled lot's storage (gas refunds): its details live on in the events only.
      if (lotView.lot.status === "settled") {
        const e = settledEvents.get(id);
        assert.ok(e, `${where} has a LotSettled event`);
        assert.equal(row.winner.toLowerCase(), e.winner.toLowerCase(), `${where} winner`);
        if (e.winner !== ZERO) assert.equal(BigInt(row.amount), e.amount, `${where} amount`);
        continue;
      }
      assert.equal(BigInt(row.campaignId), BigInt(view.campaignId), `${where} campaignId`);
      assert.equal(row.nft.toLowerCase(), view.nft.toLowerCase(), `${where} nft`);
      assert.equal(BigInt(row.tokenId), view.tokenId, `${where} tokenId`);
      assert.equal(row.seller.toLowerCase(), view.seller.toLowerCase(), `${where} seller`);
      assert.equal(BigInt(row.reserve), BigInt(view.reserve), `${where} reserve`);
      assert.equal(row.startTime, Number(view.startTime), `${where} startTime`);
      assert.equal(row.endTime, Number(view.endTime), `${where} endTime`);
      assert.equal(row.minIncrementBps, Number(view.minIncrementBps), `${where} minIncrementBps`);
      assert.equal(BigInt(row.minIncrementFloor), BigInt(view.minIncrementFloor), `${where} minIncrementFloor`);
      assert.equal(row.timeBuffer, Number(view.timeBuffer), `${where} timeBuffer`);
      assert.equal(row.protocolFeeBps, Number(view.protocolFeeBps), `${where} protocolFeeBps`);
      assert.equal(row.maxRoyaltyBps, Number(view.maxRoyaltyBps), `${where} maxRoyaltyBps`);
      assert.equal(row.campaignPosition, Number(view.campaignPosition), `${where} campaignPosition`);
      assert.equal(row.bidder.toLowerCase(), view.bidder.toLowerCase(), `${where} bidder`);
      assert.equal(BigInt(row.amount), view.amount, `${where} amount`);
      assert.equal(row.viaRelayer, view.viaRelayer, `${where} viaRelayer`);
      // The contract quotes a next bid only for a live lot (minimumNextBid reverts otherwise).
      if (lotView.lot.status === "live") {
        const minimum = await stack.publicClient.readContract({ ...house(), functionName: "minimumNextBid", args: [id] });
        assert.equal(BigInt(row.minimumNextBid), minimum, `${where} minimumNextBid`);
      }
      const uri = await stack.publicClient.readContract({ address: stack.collection, abi: sothebaisCollectionAbi, functionName: "tokenURI", args: [BigInt(row.tokenId)] });
      assert.equal(row.tokenUri, uri, `${where} tokenUri`);
    }
    const byId = new Map(rows.map((r) => [BigInt(r.id), r]));
    assert.equal(byId.get(lots.main)!.campaignName, "Autumn sale");
    assert.equal(byId.get(lots.main)!.bidCount, 5);
    assert.equal(byId.get(lots.extended)!.extended, 1);
    assert.equal(byId.get(lots.cancelled)!.state, "cancelled");
    assert.equal(byId.get(lots.noSale)!.winner, ZERO);
    assert.equal(byId.get(lots.main)!.winner.toLowerCase(), stack.address(6).toLowerCase());
    // v2: fee and royalty cap fixed per lot at creation, the running order of the campaign.
    assert.equal(byId.get(lots.main)!.protocolFeeBps, 500);
    assert.equal(byId.get(lots.live)!.protocolFeeBps, 300, "created after setProtocolFee(300)");
    assert.equal(byId.get(lots.live)!.maxRoyaltyBps, 1000);
    assert.equal(byId.get(lots.main)!.campaignPosition, 1);
    assert.equal(byId.get(lots.cancelled)!.queued, true, "created behind the open lot of its campaign");
    assert.equal(byId.get(lots.live)!.campaignPosition, 2, "the cancelled last lot left the running order");
    assert.equal(byId.get(lots.noSale)!.campaignPosition, 0);
  });

  it("behavior: escrow balances, totals and wins equal escrowOf() and the history", async () => {
    const { data } = await graphql<{ bidders: { items: { id: string; escrowBalance: string; lotsWon: number; totalWon: string; bidCount: number }[] } }>(
      indexer.url,
      `{ bidders(limit: 100) { items { id escrowBalance lotsWon totalWon bidCount } } }`,
    );
    const rows = data!.bidders.items;
    assert.ok(rows.length >= 6);
    for (const row of rows) {
      const escrow = await stack.publicClient.readContract({ ...house(), functionName: "escrowOf", args: [row.id as Address] });
      assert.equal(BigInt(row.escrowBalance), escrow, `escrow of ${row.id}`);
    }
    const six = rows.find((r) => r.id.toLowerCase() === stack.address(6).toLowerCase())!;
    assert.equal(six.lotsWon, 1);
    assert.equal(BigInt(six.totalWon), parseEther("0.5"));
    assert.equal(six.bidCount, 2);
    const treasury = rows.find((r) => r.id.toLowerCase() === stack.accounts.treasury.toLowerCase());
    assert.ok(treasury && BigInt(treasury.escrowBalance) > 0n, "the protocol fee is credited to the treasury's escrow");
  });

  it("behavior: chat authorizations and links equal authorizationOf()", async () => {
    const { data } = await graphql<{ chatAuthorizations: { items: Record<string, string | boolean>[] }; chatLinks: { items: { id: string; bidder: string }[] } }>(
      indexer.url,
      `{ chatAuthorizations { items { id relayer chatIdHash maxBid totalCap expiry nonce exposure revoked } } chatLinks { items { id bidder } } }`,
    );
    const [auth] = data!.chatAuthorizations.items;
    const view = await stack.publicClient.readContract({ ...house(), functionName: "authorizationOf", args: [stack.address(6)] });
    assert.equal(String(auth.relayer).toLowerCase(), view.relayer.toLowerCase());
    assert.equal(auth.chatIdHash, view.chatIdHash);
    assert.equal(BigInt(auth.maxBid as string), view.maxBid);
    assert.equal(BigInt(auth.totalCap as string), view.totalCap);
    assert.equal(BigInt(auth.expiry as string), view.expiry);
    assert.equal(BigInt(auth.nonce as string), view.nonce);
    assert.equal(BigInt(auth.exposure as string), view.exposure);
    assert.equal(auth.revoked, view.revoked);
    assert.equal(auth.revoked, true);
    assert.deepEqual(data!.chatLinks.items.map((l) => [l.id, l.bidder.toLowerCase()]), [[hashChatId("twitch:6"), stack.address(6).toLowerCase()]]);
  });

  it("behavior: settlements equal the LotSettled events; tokens equal ownerOf(); protocol equals its views", async () => {
    const { data } = await graphql<{
      settlements: { items: { id: string; winner: string; amount: string; royaltyReceiver: string; royalty: string; protocolFee: string; sellerProceeds: string; txHash: string }[] };
      tokens: { items: { tokenId: string; owner: string; uri: string }[] };
      protocol: { feeBps: number; treasury: string };
    }>(
      indexer.url,
      `{ settlements { items { id winner amount royaltyReceiver royalty protocolFee sellerProceeds txHash } }
         tokens(limit: 100) { items { tokenId owner uri } }
         protocol(id: 1) { feeBps treasury } }`,
    );
    assert.equal(data!.settlements.items.length, settledEvents.size);
    for (const s of data!.settlements.items) {
      const e = settledEvents.get(BigInt(s.id))!;
      assert.equal(s.winner.toLowerCase(), e.winner.toLowerCase());
      assert.equal(BigInt(s.amount), e.amount);
      assert.equal(s.royaltyReceiver.toLowerCase(), e.royaltyReceiver.toLowerCase());
      assert.equal(BigInt(s.royalty), e.royalty);
      assert.equal(BigInt(s.protocolFee), e.protocolFee);
      assert.equal(BigInt(s.sellerProceeds), e.sellerProceeds);
    }
    const main = data!.settlements.items.find((s) => BigInt(s.id) === lots.main)!;
    assert.ok(BigInt(main.royalty) > 0n, "the sold lot paid a royalty");
    for (const t of data!.tokens.items) {
      const owner = await stack.publicClient.readContract({ address: stack.collection, abi: sothebaisCollectionAbi, functionName: "ownerOf", args: [BigInt(t.tokenId)] });
      assert.equal(t.owner.toLowerCase(), owner.toLowerCase(), `owner of token ${t.tokenId}`);
    }
    assert.equal(data!.protocol.feeBps, Number(await stack.publicClient.readContract({ ...house(), functionName: "protocolFeeBps" })));
    assert.equal(data!.protocol.treasury.toLowerCase(), (await stack.publicClient.readContract({ ...house(), functionName: "treasury" })).toLowerCase());
  });

  it("behavior: every bid row traces to its BidPlaced log (block, tx hash, log index)", async () => {
    const logs = await stack.publicClient.getContractEvents({ ...house(), eventName: "BidPlaced", fromBlock: 0n });
    const { data } = await graphql<{ bids: { items: { id: string; blockNumber: string; txHash: string; logIndex: number; amount: string; outbid: boolean }[] } }>(
      indexer.url,
      `{ bids(limit: 1000) { items { id blockNumber txHash logIndex amount outbid } } }`,
    );
    const rows = data!.bids.items;
    assert.equal(rows.length, logs.length);
    for (const log of logs) {
      const row = rows.find((r) => r.txHash === log.transactionHash && r.logIndex === log.logIndex);
      assert.ok(row, `bid of tx ${log.transactionHash}`);
      assert.equal(BigInt(row.blockNumber), log.blockNumber);
      assert.equal(BigInt(row.amount), log.args.amount);
    }
    assert.equal(rows.filter((r) => !r.outbid).length, 3, "one standing bid per lot that got bids");
  });
});

describe("/live", () => {
  it("behavior: shows the live lot, its bids newest first, the upcoming lot and the last settlement", async () => {
    const snap = await fetchLiveLot(indexer.url);
    assert.equal(snap.chainId, 31337);
    assert.ok(snap.lot);
    assert.equal(snap.lot.lotId, lots.live.toString());
    assert.equal(snap.lot.status, "live");
    assert.equal(snap.lot.campaignName, "Autumn sale");
    assert.equal(snap.lot.bidder.toLowerCase(), stack.address(8).toLowerCase());
    assert.equal(snap.lot.amount, parseEther("0.06").toString());
    const minimum = await stack.publicClient.readContract({ ...house(), functionName: "minimumNextBid", args: [lots.live] });
    assert.equal(snap.lot.minimumNextBid, minimum.toString());
    assert.equal(snap.lot.protocolFeeBps, 300);
    assert.equal(snap.lot.maxRoyaltyBps, 1000);
    assert.equal(snap.lot.paused, false);
    assert.equal(snap.paused, false);
    assert.deepEqual(
      snap.bids.map((b) => b.amount),
      [parseEther("0.06"), parseEther("0.05")].map(String),
    );
    assert.equal(snap.bids[0].blockNumber, Number(snap.lot.lastBidBlock));
    assert.deepEqual(snap.upcoming.map((u) => u.lotId), [lots.upcoming.toString()]);
    // Known before anyone bids: the fee and royalty cap the lot settles with.
    assert.equal(snap.upcoming[0].protocolFeeBps, 300);
    assert.equal(snap.upcoming[0].maxRoyaltyBps, 1000);
    assert.equal(snap.upcoming[0].queued, false);
    assert.equal(snap.lastSettled?.lotId, lots.main.toString());
    assert.ok(snap.blockNumber >= Number(lastBlock));
  });

  it("behavior: GraphQL gives the live lot and its last bids in one query", async () => {
    const snap = await fetchLiveLot(indexer.url);
    const { data, errors } = await graphql<{ lots: { items: { id: string; amount: string; bids: { items: { amount: string; bidder: string }[] } }[] } }>(
      indexer.url,
      `query Live($now: Int!) {
        lots(where: { state: "open", startTime_lte: $now, endTime_gt: $now }, orderBy: "endTime", limit: 1) {
          items { id amount bids(orderBy: "blockNumber", orderDirection: "desc", limit: 10) { items { amount bidder } } }
        }
      }`,
      { now: snap.blockTimestamp },
    );
    assert.equal(errors, undefined);
    const [lot] = data!.lots.items;
    assert.equal(lot.id, lots.live.toString());
    assert.deepEqual(lot.bids.items.map((b) => b.amount), snap.bids.map((b) => b.amount));
  });
});

describe("bad queries", () => {
  it("behavior: an unknown lot is null over GraphQL and 404 over REST, not a 500", async () => {
    const r = await graphql<{ lot: null }>(indexer.url, `{ lot(id: "999999") { id } }`);
    assert.equal(r.status, 200);
    assert.equal(r.data?.lot, null);
    const res = await fetch(`${indexer.url}/lots/999999`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /no lot 999999/);
    const bad = await fetch(`${indexer.url}/lots/abc`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /decimal integer/);
  });

  it("behavior: a malformed address gets a GraphQL error that names the problem", async () => {
    const r = await graphql(indexer.url, `{ bidder(id: "0xnot-an-address") { id } }`);
    assert.notEqual(r.status, 500);
    assert.ok(r.errors?.length, JSON.stringify(r));
    assert.match(r.errors![0].message, /hex|address|invalid/i);
  });

  it("behavior: an oversized page gets a GraphQL error about the limit", async () => {
    const r = await graphql(indexer.url, `{ bids(limit: 5000) { items { id } } }`);
    assert.notEqual(r.status, 500);
    assert.ok(r.errors?.length, JSON.stringify(r));
    assert.match(r.errors![0].message, /limit/i);
  });

  it("behavior: an unknown field gets a validation error, not a 500", async () => {
    const r = await graphql(indexer.url, `{ lots { items { noSuchField } } }`);
    assert.notEqual(r.status, 500);
    assert.match(r.errors![0].message, /noSuchField/);
  });
});

describe("live queries", () => {
  it("behavior: a @ponder/client live query of the live lot is pushed the next bid", async () => {
    const client = createClient(`${indexer.url}/sql`, { schema });
    const seen: bigint[] = [];
    const live = client.live(
      // @ponder/client carries its own drizzle-orm copy: same runtime shapes, separate TS declarations.
      (db) => db.select().from(schema.lot as never).where(eq(schema.lot.id as never, lots.live)),
      (rows) => {
        for (const row of rows as { amount: bigint }[]) seen.push(BigInt(row.amount));
      },
    );
    try {
      // The server pushes on change only (no initial result), and the subscription may still be
      // connecting: bid higher every 2 s until a push carries the latest bid.
      let amount = parseEther("0.07");
      let lastBid = 0;
      await waitFor(
        async () => {
          if (seen.includes(amount)) return true;
          if (Date.now() - lastBid > 2000) {
            amount += parseEther("0.01");
            lastBid = Date.now();
            track(await stack.bid(9, lots.live, amount));
          }
          return false;
        },
        { timeoutMs: 30_000, what: "a pushed bid" },
      );
      assert.equal(seen.at(-1), amount, "the last push is the current bid");
    } finally {
      live.unsubscribe();
    }
  });
});

describe("streams per address", () => {
  it("behavior: live queries (/sql/live) and /live/events share the per-address cap of 20: the 21st gets a 429", async () => {
    const streams: http.ClientRequest[] = [];
    const open = (path: string) =>
      new Promise<{ status: number; body: Promise<string> }>((resolve, reject) => {
        const req = http.get(`${indexer.url}${path}`, { agent: false, headers: { accept: "text/event-stream" } }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          if (res.statusCode !== 200) res.on("data", (c: string) => (text += c));
          resolve({ status: res.statusCode ?? 0, body: new Promise((done) => res.on("close", () => done(text))) });
        });
        req.on("error", reject);
        streams.push(req);
      });
    const sql = `/sql/live?sql=${encodeURIComponent(JSON.stringify({ json: { sql: "select id from lot", params: [] } }))}`;
    // The live query of the test before may still be closing: start from no open stream.
    await waitFor(async () => /^sothebais_indexer_streams_open(?:\{[^}]*\})? 0$/m.test(await (await fetch(`${indexer.url}/metrics/indexer`)).text()), { what: "no open stream" });
    try {
      const first = await Promise.all(Array.from({ length: 10 }, () => open("/live/events")));
      const second = await Promise.all(Array.from({ length: 10 }, () => open(sql)));
      assert.deepEqual(new Set([...first, ...second].map((s) => s.status)), new Set([200]));
      const refused = await open(sql);
      assert.equal(refused.status, 429);
      assert.match(await refused.body, /LIVE_STREAMS_PER_ADDRESS=20/);
      assert.equal((await open("/live/events")).status, 429);
    } finally {
      for (const req of streams) req.destroy();
    }
  });
});

describe("GraphQL answer cache", () => {
  it("behavior: an identical read is answered from memory at one checkpoint, and never outlives it", async () => {
    const query = `{ lot(id: "${lots.live}") { amount bidCount } }`;
    const ask = async () => {
      const res = await fetch(`${indexer.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
      return { hit: res.headers.get("x-sothebais-cache") === "hit", body: (await res.json()) as { data: { lot: { amount: string; bidCount: number } } } };
    };
    // Some answer is a hit within a burst of identical reads (the head is re-read every 10 ms).
    const burst = await Promise.all(Array.from({ length: 20 }, ask));
    assert.ok(burst.some((a) => a.hit), "identical reads at one checkpoint are served from memory");
    assert.equal(new Set(burst.map((a) => JSON.stringify(a.body))).size, 1);
    const before = burst[0].body.data.lot;
    const amount = BigInt(before.amount) + parseEther("0.05");
    track(await stack.bid(8, lots.live, amount));
    await waitFor(async () => (await ask()).body.data.lot.amount === amount.toString(), { timeoutMs: 30_000, what: "the new bid in the cached query's answer" });
    assert.equal((await ask()).body.data.lot.bidCount, before.bidCount + 1);
    // Errors are never cached: a bad query still gets its error, and a good one still works after it.
    const bad = await graphql(indexer.url, `{ lot(id: "${lots.live}") { noSuchField } }`);
    assert.match(bad.errors?.[0]?.message ?? "", /noSuchField/);
    assert.equal((await graphql(indexer.url, `{ lot(id: "${lots.live}") { noSuchField } }`)).errors?.length, 1);
  });
});

describe("reorg", () => {
  it("behavior: evm_revert then different transactions leaves no orphaned bid", async () => {
    const snapshot = await stack.snapshot();
    const orphan = track(await stack.bid(10, lots.live, parseEther("0.9")));
    await waitIndexed(indexer.url, orphan.blockNumber, stack.mine);
    const before = await fetchLiveLot(indexer.url);
    assert.equal(before.lot?.amount, parseEther("0.9").toString(), "the soon-orphaned bid was indexed");

    await stack.revert(snapshot);
    const replacement = track(await stack.bid(11, lots.live, parseEther("0.6")));
    await stack.mine();
    await stack.mine();
    const head = await stack.publicClient.getBlockNumber();
    let snap: LiveSnapshot | undefined;
    await waitFor(
      async () => {
        snap = await fetchLiveLot(indexer.url);
        return snap.blockNumber >= Number(head) && snap.lot?.amount === parseEther("0.6").toString();
      },
      { timeoutMs: 30_000, what: "reorg handled" },
    );
    const { data } = await graphql<{ bids: { items: { txHash: string; bidder: string }[] } }>(
      indexer.url,
      `{ bids(where: { lotId: "${lots.live}" }, limit: 100) { items { txHash bidder } } }`,
    );
    const hashes = data!.bids.items.map((b) => b.txHash);
    assert.ok(!hashes.includes(orphan.transactionHash), "orphaned bid removed");
    assert.ok(hashes.includes(replacement.transactionHash), "replacement bid indexed");
    const view = await stack.publicClient.readContract({ ...house(), functionName: "lot", args: [lots.live] });
    assert.equal(snap!.lot!.amount, view.amount.toString());
    assert.equal(snap!.lot!.bidder.toLowerCase(), view.bidder.toLowerCase());
  });
});

describe("restart", () => {
  it("behavior: a restarted indexer resumes where it stopped, without duplicates", async () => {
    await indexer.stop(30_000);
    const missed = track(await stack.bid(12, lots.live, parseEther("1")));
    indexer = await startIndexer({ stack, pgliteDir, port: indexer.port, env: sqlOn });
    assert.match(indexer.output(), /crash recovery|Detected/i, "Ponder resumed the same schema");
    await stack.mine();
    await waitIndexed(indexer.url, missed.blockNumber, stack.mine);
    const logs = await stack.publicClient.getContractEvents({ ...house(), eventName: "BidPlaced", fromBlock: 0n });
    const { data } = await graphql<{ bids: { items: { id: string; txHash: string }[] }; lot: { bidCount: number } }>(
      indexer.url,
      `{ bids(limit: 1000) { items { id txHash } } lot(id: "${lots.live}") { bidCount } }`,
    );
    const ids = data!.bids.items.map((b) => b.id);
    assert.equal(new Set(ids).size, ids.length, "no duplicate bid rows");
    assert.equal(ids.length, logs.length, "one row per BidPlaced log on the canonical chain");
    assert.ok(data!.bids.items.some((b) => b.txHash === missed.transactionHash), "the bid placed while down is indexed");
    assert.equal(data!.lot.bidCount, logs.filter((l) => l.args.lotId === lots.live).length);
  });
});

type LotRowGql = { id: string; state: string; startTime: number; endTime: number; queued: boolean; undeliverableAmount: string | null; tokenReturnedAt: number | null };
const lotRow = async (id: bigint) =>
  (await graphql<{ lot: LotRowGql }>(indexer.url, `{ lot(id: "${id}") { id state startTime endTime queued undeliverableAmount tokenReturnedAt } }`)).data!.lot;
const indexedTo = async (r: TransactionReceipt) => {
  track(r);
  await waitIndexed(indexer.url, r.blockNumber, stack.mine);
};

describe("campaign running order", () => {
  it("behavior: lot 2 shows queued until lot 1 settles, then CampaignAdvanced moves its times and it opens", async () => {
    const intermission = 30;
    const campaignId = await stack.createCampaign("Duo", "", intermission);
    const first = await stack.mintAndCreateLot({ campaignId, duration: 120 });
    const second = await stack.mintAndCreateLot({ campaignId, duration: 90 });
    await stack.mine();
    await waitIndexed(indexer.url, await stack.publicClient.getBlockNumber(), stack.mine);

    const { data } = await graphql<{ campaign: { intermission: number; lotCount: number; lotsClosed: number } }>(
      indexer.url,
      `{ campaign(id: "${campaignId}") { intermission lotCount lotsClosed } }`,
    );
    assert.deepEqual(data!.campaign, { intermission, lotCount: 2, lotsClosed: 0 });
    const queued = await lotRow(second);
    assert.equal(queued.state, "queued");
    assert.equal(queued.queued, true);
    const queuedView = await getJson<{ lot: { status: string } }>(`${indexer.url}/lots/${second}`);
    assert.equal(queuedView.lot.status, "queued");
    assert.equal(await stack.publicClient.readContract({ ...house(), functionName: "lotStatus", args: [second] }), 6);
    let snap = await fetchLiveLot(indexer.url);
    assert.notEqual(snap.lot?.lotId, second.toString(), "a queued lot is never the live one");
    const upcoming = snap.upcoming.find((u) => u.lotId === second.toString());
    assert.ok(upcoming?.queued, "the queued lot is listed as upcoming, marked queued");
    assert.equal(upcoming.campaignPosition, 2);

    // Its nominal start passes while lot 1 is open: still queued, not live.
    await stack.increaseTime(125);
    await waitIndexed(indexer.url, await stack.publicClient.getBlockNumber(), stack.mine);
    assert.equal((await lotRow(second)).state, "queued");
    snap = await fetchLiveLot(indexer.url);
    assert.notEqual(snap.lot?.lotId, second.toString());

    const settled = await stack.settle(first);
    const [advanced] = parseEventLogs({ abi: auctionHouseAbi, logs: settled.logs, eventName: "CampaignAdvanced" });
    assert.ok(advanced, "settling lot 1 advanced the campaign");
    await indexedTo(settled);
    const opened = await lotRow(second);
    const start = Math.max(queued.startTime, advanced.args.releaseTime);
    assert.equal(opened.state, "open");
    assert.equal(opened.startTime, start);
    assert.equal(opened.endTime, start + 90);
    const view = await stack.publicClient.readContract({ ...house(), functionName: "lot", args: [second] });
    assert.equal(opened.startTime, Number(view.startTime));
    assert.equal(opened.endTime, Number(view.endTime));
    const campaignAfter = (await graphql<{ campaign: { lotsClosed: number; releaseTime: number } }>(indexer.url, `{ campaign(id: "${campaignId}") { lotsClosed releaseTime } }`)).data!.campaign;
    assert.deepEqual(campaignAfter, { lotsClosed: 1, releaseTime: advanced.args.releaseTime });

    // Once the intermission is over it is live, and /live shows it (it ends before the other live lot).
    await stack.increaseTime(intermission + 5);
    await waitIndexed(indexer.url, await stack.publicClient.getBlockNumber(), stack.mine);
    snap = await fetchLiveLot(indexer.url);
    assert.equal(snap.lot?.lotId, second.toString());
    assert.equal(snap.lot?.status, "live");
    assert.equal(snap.lot?.endTime, start + 90);
    assert.equal(snap.lot?.campaignPosition, 2);
    const bid = await stack.bid(5, second, parseEther("0.01"));
    await indexedTo(bid);
    assert.equal((await lotRow(second)).endTime, Number((await stack.publicClient.readContract({ ...house(), functionName: "lot", args: [second] })).endTime));
    // Close it, so that the lots of the earlier tests are what /live shows again.
    await stack.increaseTime(120);
    await indexedTo(await stack.settle(second));
    assert.equal((await lotRow(second)).state, "settled");
  });
});

describe("undeliverable lot", () => {
  it("behavior: an NFT that refuses delivery leaves the lot undeliverable and the winner's bid in their escrow", async () => {
    const artifact = JSON.parse(readFileSync(new URL("../../artifacts/contracts/test/helpers/HostileNFT.sol/HostileNFT.json", import.meta.url), "utf8")) as {
      abi: Abi;
      bytecode: Hex;
    };
    const admin = stack.wallet(localRoles.admin);
    const deployed = await stack.publicClient.waitForTransactionReceipt({ hash: await admin.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode }) });
    const nft = deployed.contractAddress!;
    const hostile = { address: nft, abi: artifact.abi } as const;
    const seller = stack.wallet(localRoles.seller);
    const send = async (w: typeof admin, target: { address: Address; abi: Abi }, functionName: string, args: readonly unknown[]) =>
      track(await stack.publicClient.waitForTransactionReceipt({ hash: await w.writeContract({ ...target, functionName, args } as never) }));

    await write(localRoles.admin, "setCollectionAllowed", [nft, true]);
    await send(seller, hostile, "mint", [stack.accounts.seller, 7n]);
    await send(seller, hostile, "setApprovalForAll", [stack.auctionHouse, true]);
    const created = await write(localRoles.admin, "createLot", [
      { campaignId: 0n, nft, tokenId: 7n, seller: stack.accounts.seller, reserve: 0n, startTime: 0, duration: 120, minIncrementBps: 500, minIncrementFloor: 10n ** 15n, timeBuffer: 60 },
    ]);
    const lotId = parseEventLogs({ abi: auctionHouseAbi, logs: created.logs, eventName: "LotCreated" })[0].args.lotId;
    const winner = stack.address(13);
    const before = await stack.publicClient.readContract({ ...house(), functionName: "escrowOf", args: [winner] });
    track(await stack.bid(13, lotId, parseEther("0.25")));
    await send(admin, hostile, "setMode", [1, "0x0000000000000000000000000000000000000000"]); // Revert: transfers paused
    await stack.increaseTime(125);
    const settled = await stack.settle(lotId);
    assert.equal(parseEventLogs({ abi: auctionHouseAbi, logs: settled.logs, eventName: "LotUndeliverable" }).length, 1);
    await indexedTo(settled);

    const row = await lotRow(lotId);
    assert.equal(row.state, "undeliverable");
    assert.equal(BigInt(row.undeliverableAmount!), parseEther("0.25"));
    assert.equal(await stack.publicClient.readContract({ ...house(), functionName: "lotStatus", args: [lotId] }), 7);
    const lotView = await getJson<{ lot: { status: string } }>(`${indexer.url}/lots/${lotId}`);
    assert.equal(lotView.lot.status, "undeliverable");
    const { data } = await graphql<{ bidder: { escrowBalance: string; lotsWon: number }; escrowEvents: { items: { reason: string; delta: string }[] }; collection: { allowed: boolean }; settlement: null }>(
      indexer.url,
      `{ bidder(id: "${winner}") { escrowBalance lotsWon }
         escrowEvents(where: { account: "${winner}", kind: "credit" }) { items { reason delta } }
         collection(id: "${nft}") { allowed }
         settlement(id: "${lotId}") { id } }`,
    );
    const escrow = await stack.publicClient.readContract({ ...house(), functionName: "escrowOf", args: [winner] });
    assert.equal(escrow, before + parseEther("0.25"), "the contract credited the whole bid");
    assert.equal(BigInt(data!.bidder.escrowBalance), escrow, "the indexed escrow equals escrowOf()");
    assert.equal(data!.bidder.lotsWon, 0, "nobody won an undeliverable lot");
    assert.deepEqual(data!.escrowEvents.items, [{ reason: "DeliveryFailed", delta: parseEther("0.25").toString() }]);
    assert.equal(data!.collection.allowed, true);
    assert.equal(data!.settlement, null);

    // Once the collection lets it move, anyone sends the token back to the seller.
    await send(admin, hostile, "setMode", [0, "0x0000000000000000000000000000000000000000"]);
    await indexedTo(await write(4, "returnUndeliverable", [lotId]));
    const returned = await lotRow(lotId);
    assert.equal(returned.state, "undeliverable");
    assert.ok(returned.tokenReturnedAt, "LotTokenReturned recorded");
  });
});
