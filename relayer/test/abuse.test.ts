/**
 * Issue 19 §3: nobody drains the relayer's gas or its attention. Real node, Redis, chat server and
 * relayer; requests over real sockets, so the limiter sees the real peer address.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { rpc } from "@sothebais/common/testing";
import { parseEther } from "viem";
import type { Relayer } from "../src/relayer.ts";
import { keys } from "../src/store.ts";
import { type Harness, startHarness, startInProcess, waitOutcome } from "./helpers.ts";

type Signed = Awaited<ReturnType<Harness["stack"]["signChatAuthorization"]>>;
const asBody = (s: Signed) => JSON.stringify({ authorization: Object.fromEntries(Object.entries(s.authorization).map(([k, v]) => [k, String(v)])), signature: s.signature });

describe("abuse limits (real node, Redis, tmi.js, HTTP over real sockets)", () => {
  let h: Harness;
  let relayer: Relayer;
  const url = (path: string) => `http://127.0.0.1:${relayer.port}${path}`;
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(url("/link"), { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const restart = async (env: Record<string, string>) => {
    await relayer?.stop();
    await h.store.flushall();
    relayer = await startInProcess(h, env);
  };

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await relayer?.stop();
    await h?.stop();
  });

  it("a loop of link registrations with fresh keys and no escrow costs the relayer no gas", async () => {
    await restart({ LINK_MIN_ESCROW_ETH: "0.001", TRUSTED_PROXIES: "none" });
    const client = h.stack.publicClient;
    const before = { nonce: await client.getTransactionCount({ address: relayer.address }), balance: await client.getBalance({ address: relayer.address }) };
    const expiry = BigInt((await h.stack.now()) + 3600);
    // Fresh accounts: never deposited. The dApp's POST /link refuses them with the balance and the minimum.
    for (let index = 60; index < 70; index++) {
      const signed = await h.stack.signChatAuthorization(index, { maxBid: parseEther("1"), totalCap: parseEther("1"), expiry });
      const res = await post(asBody(signed));
      assert.equal(res.status, 402);
      const { error } = (await res.json()) as { error: string };
      assert.match(error, /escrow 0 ETH is below the 0\.001 ETH minimum to link/);
    }
    // Escrow withdrawn after the code was given: `!link` is refused before any gas is spent.
    const attackers = [70, 71, 72];
    const codes: string[] = [];
    for (const index of attackers) {
      await rpc(h.stack.rpcUrl, "hardhat_setBalance", [h.stack.address(index), "0xDE0B6B3A7640000"]); // 1 ETH for gas
      await h.stack.deposit(index, parseEther("0.002"));
      const signed = await h.stack.signChatAuthorization(index, { maxBid: parseEther("1"), totalCap: parseEther("1"), expiry, chatId: `twitch:7000${attackers.indexOf(index)}` });
      const res = await post(asBody(signed));
      assert.equal(res.status, 200);
      codes.push(((await res.json()) as { code: string }).code);
      const w = h.stack.wallet(index);
      await client.waitForTransactionReceipt({ hash: await w.writeContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "withdrawAll", args: [] }) });
    }
    for (const [i, code] of codes.entries()) {
      const m = h.chat.say({ userId: `7000${i}`, displayName: `drainer${i}`, text: `!link ${code}` });
      const o = await waitOutcome(h.store, m.id);
      assert.equal(o.kind, "link_failed");
      assert.match(o.kind === "link_failed" ? o.reason : "", /escrow 0 ETH is below the 0\.001 ETH minimum/);
    }
    assert.equal(await client.getTransactionCount({ address: relayer.address }), before.nonce, "no transaction sent");
    assert.equal(await client.getBalance({ address: relayer.address }), before.balance, "no gas spent");
  });

  it("an untrusted peer's X-Forwarded-For / Forwarded does not escape the /link limit", async () => {
    await restart({ LINK_RATE_LIMIT: "5", TRUSTED_PROXIES: "none" });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await post("{}", { "x-forwarded-for": `198.51.100.${i}`, forwarded: `for=198.51.100.${i}` });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429, 429, 429], "one bucket: the peer's");
  });

  it("through a trusted proxy, distinct clients have distinct buckets; a client's own prefix changes nothing", async () => {
    await restart({ LINK_RATE_LIMIT: "5", TRUSTED_PROXIES: "127.0.0.1/32" });
    for (let i = 0; i < 8; i++) {
      const res = await post("{}", { "x-forwarded-for": `203.0.113.${i}` });
      assert.equal(res.status, 400, `client ${i} has its own bucket`);
      await res.body?.cancel();
    }
    // The client wrote the left part; the proxy appended what it saw (203.0.113.50): that is the key.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await post("{}", { "x-forwarded-for": `10.9.9.${i}, 203.0.113.50` });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429, 429]);
    // Forwarded is not the header this relayer was told its proxy sets: ignored, so it cannot add a bucket.
    const other = await post("{}", { "x-forwarded-for": "203.0.113.50", forwarded: "for=192.0.2.1" });
    assert.equal(other.status, 429);
  });

  it("a limiter counter without an expiry (crash between INCR and EXPIRE) gets one", async () => {
    const key = keys.linkRate("127.0.0.1");
    await h.store.set(key, "3");
    await (await post("{}", { "x-forwarded-for": "127.0.0.1" })).body?.cancel();
    const ttl = await h.store.pttl(key);
    assert.ok(ttl > 0 && ttl <= 60_000, `counter expires (pttl ${ttl})`);
  });

  it("refuses a body over HTTP_MAX_BODY_BYTES with 413, declared or chunked", async () => {
    await restart({ HTTP_MAX_BODY_BYTES: "8192" });
    const big = JSON.stringify({ authorization: {}, signature: `0x${"ab".repeat(8192)}` });
    const res = await post(big);
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: string }).error, /request body too large: at most 8192 bytes/);
    // No content-length: counted as it streams.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        controller.close();
      },
    });
    const chunked = await fetch(url("/link"), { method: "POST", headers: { "content-type": "application/json" }, body: chunks, duplex: "half" } as RequestInit);
    assert.equal(chunked.status, 413);
    const ok = await post("{}");
    assert.equal(ok.status, 400, "a small body still reaches the handler");
  });
});
