/**
 * Sign-in with Ethereum against a real Hardhat node (roles read with hasRole, ERC-1271 signatures
 * checked on chain) and a real Redis (nonces, sessions): who gets a session and who is refused, a
 * role revoked on chain closes the session on the next request, and the routes anyone may call are
 * limited per client with the outstanding nonces bounded.
 *
 * Client addresses: the operator listens on 127.0.0.1 and Linux routes all of 127.0.0.0/8 to
 * loopback, so a request bound to 127.0.0.2 comes from another peer. The harness trusts 127.0.0.1 only
 * as a proxy: its X-Forwarded-For is believed, 127.0.0.2's is not.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi } from "@sothebais/common/abis";
import { waitFor } from "@sothebais/common/testing";
import { Redis } from "ioredis";
import solc from "solc";
import { type Address, type Hex, keccak256, toHex } from "viem";
import { authKeys } from "../src/auth/sessions.ts";
import { account, type Harness, ORIGIN, startHarness } from "./helpers.ts";

const AUCTIONEER = keccak256(toHex("AUCTIONEER_ROLE"));
const PAUSER = keccak256(toHex("PAUSER_ROLE"));

/** Per client per minute; the tests above the limits' block sign in about 25 times from 127.0.0.1. */
const NONCE_LIMIT = 40;
const LOGIN_LIMIT = 40;
const NONCE_MAX = 25;

let h: Harness;
before(async () => {
  // A role read is trusted for a minute here: a refusal within seconds of a revocation comes from the
  // RoleRevoked watcher, not from the cache running out.
  h = await startHarness({
    OPERATOR_ROLE_CACHE_MS: "60000",
    OPERATOR_TRUSTED_PROXIES: "127.0.0.1",
    OPERATOR_NONCE_RATE_LIMIT: String(NONCE_LIMIT),
    OPERATOR_LOGIN_RATE_LIMIT: String(LOGIN_LIMIT),
    OPERATOR_NONCE_MAX: String(NONCE_MAX),
  });
});
after(() => h?.stop());

const admin = () => account(0);
const grant = async (role: Hex, who: Address) => {
  const hash = await h.stack.wallet(0).writeContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "grantRole", args: [role, who] });
  return h.stack.publicClient.waitForTransactionReceipt({ hash });
};
const revoke = async (role: Hex, who: Address) => {
  const hash = await h.stack.wallet(0).writeContract({ address: h.stack.auctionHouse, abi: auctionHouseAbi, functionName: "revokeRole", args: [role, who] });
  return h.stack.publicClient.waitForTransactionReceipt({ hash });
};
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

describe("POST /auth/login", () => {
  it("gives an admin a session: HttpOnly, Secure, SameSite=Strict, Path=/ cookie; /auth/session names the address and roles", async () => {
    const { res, cookie } = await h.signIn(admin());
    assert.equal(res.status, 200, await res.clone().text());
    const set = res.headers.getSetCookie()[0] ?? "";
    assert.match(set, /^__Host-sothebais-operator=[A-Za-z0-9_-]{43};/);
    for (const attr of [/; HttpOnly/i, /; Secure/i, /; SameSite=Strict/i, /; Path=\//i, /; Max-Age=\d+/i]) assert.match(set, attr);
    const session = (await (await h.call("/auth/session", { cookie })).json()) as { address: string; roles: string[]; expiresAt: number };
    assert.equal(session.address, admin().address);
    assert.deepEqual(session.roles, ["admin", "auctioneer", "pauser"]);
    assert.ok(session.expiresAt > Date.now() + 7 * 3600_000, "default session: 8 h");
  });

  it("refuses an address without a role (403, no cookie)", async () => {
    const { res } = await h.signIn(account(5));
    assert.equal(res.status, 403);
    assert.match(await errorOf(res), /holds none of these roles on the AuctionHouse: admin, auctioneer, pauser/);
    assert.equal(res.headers.getSetCookie().length, 0);
  });

  it("refuses a replayed message: the nonce was used", async () => {
    const first = await h.signIn(admin());
    assert.equal(first.res.status, 200);
    const again = await h.call("/auth/login", { method: "POST", body: { message: first.message, signature: first.signature } });
    assert.equal(again.status, 401);
    assert.match(await errorOf(again), /nonce unknown, expired or already used/);
  });

  it("refuses a nonce the API never handed out", async () => {
    const { res } = await h.signIn(admin(), { nonce: "abcdefgh12345678" });
    assert.equal(res.status, 401);
    assert.match(await errorOf(res), /nonce unknown/);
  });

  it("refuses a message for another domain, or with its URI on another origin", async () => {
    const domain = await h.signIn(admin(), { domain: "evil.example" });
    assert.equal(domain.res.status, 401);
    assert.match(await errorOf(domain.res), /domain evil\.example is not this console's/);
    const uri = await h.signIn(admin(), { uri: "https://evil.example/login" });
    assert.equal(uri.res.status, 401);
    assert.match(await errorOf(uri.res), /uri https:\/\/evil\.example\/login is not on http:\/\/console\.test:5173/);
  });

  it("refuses a message for another chain", async () => {
    const { res } = await h.signIn(admin(), { chainId: 1 });
    assert.equal(res.status, 401);
    assert.match(await errorOf(res), /chain id 1, this console signs in on chain 31337/);
  });

  it("refuses a message past its expirationTime, or issued too long ago", async () => {
    const expired = await h.signIn(admin(), { expirationTime: new Date(Date.now() - 1000) });
    assert.equal(expired.res.status, 401);
    assert.match(await errorOf(expired.res), /expired/);
    const old = await h.signIn(admin(), { issuedAt: new Date(Date.now() - 3600_000) });
    assert.equal(old.res.status, 401);
    assert.match(await errorOf(old.res), /issued at is too old/);
  });

  it("refuses a signature by another key than the message's address", async () => {
    const { res } = await h.signIn(account(5), { address: admin().address });
    assert.equal(res.status, 401);
    assert.match(await errorOf(res), /signature does not match/);
  });

  it("refuses a body that is not JSON (415) and a login from another origin (403)", async () => {
    const text = await fetch(new URL("/auth/login", h.op.url), { method: "POST", headers: { origin: "http://console.test:5173", "content-type": "text/plain" }, body: "{}" });
    assert.equal(text.status, 415);
    const cross = await h.call("/auth/login", { method: "POST", body: {}, origin: "https://evil.example" });
    assert.equal(cross.status, 403);
  });

  it("accepts a contract wallet (ERC-1271) holding a role, and only with its owner's signature", async () => {
    const wallet = await deployErc1271Wallet(account(7).address);
    await grant(PAUSER, wallet);
    const forged = await h.signIn(account(8), { address: wallet });
    assert.equal(forged.res.status, 401);
    const { res, cookie } = await h.signIn(account(7), { address: wallet });
    assert.equal(res.status, 200, await res.clone().text());
    const session = (await (await h.call("/auth/session", { cookie })).json()) as { address: string; roles: string[] };
    assert.equal(session.address.toLowerCase(), wallet.toLowerCase());
    assert.deepEqual(session.roles, ["pauser"]);
    // A pauser reads the controls but may not change them: 403 from requireRole("admin", "auctioneer").
    assert.equal((await h.call("/controls", { cookie })).status, 200);
    const change = await h.call("/controls/brb", { method: "POST", body: { on: true }, cookie });
    assert.equal(change.status, 403);
    assert.match(await errorOf(change), /needs one of these roles on the AuctionHouse: admin, auctioneer/);
  });
});

describe("sessions", () => {
  it("an expired session is refused (401) on every route", async () => {
    const { res, cookie } = await h.signIn(admin(), { expirationTime: new Date(Date.now() + 2500) });
    assert.equal(res.status, 200);
    assert.equal((await h.call("/controls", { cookie })).status, 200);
    await new Promise((r) => setTimeout(r, 2700));
    assert.equal((await h.call("/auth/session", { cookie })).status, 401);
    assert.equal((await h.call("/controls", { cookie })).status, 401);
  });

  it("no cookie or a made-up one: 401", async () => {
    assert.equal((await h.call("/controls")).status, 401);
    assert.equal((await h.call("/controls", { cookie: `__Host-sothebais-operator=${"A".repeat(43)}` })).status, 401);
  });

  it("logout ends the session", async () => {
    const { cookie } = await h.signIn(admin());
    assert.equal((await h.call("/auth/logout", { method: "POST", body: {}, cookie })).status, 200);
    assert.equal((await h.call("/controls", { cookie })).status, 401);
  });

  it("a role revoked on chain is refused on the next request (RoleRevoked drops the session despite a 60 s role cache)", async () => {
    const who = account(6);
    await grant(AUCTIONEER, who.address);
    const { res, cookie } = await h.signIn(who);
    assert.equal(res.status, 200);
    assert.equal((await h.call("/controls", { cookie })).status, 200, "warms the role cache");
    const receipt = await revoke(AUCTIONEER, who.address);
    const minedAt = Date.now();
    await waitFor(async () => (await h.call("/controls", { cookie })).status === 401, { timeoutMs: 3000, intervalMs: 50, what: "the revoked session refused" });
    const ms = Date.now() - minedAt;
    console.log(`revoked role refused ${ms} ms after the revocation's receipt (block ${receipt.blockNumber}, poll 100 ms)`);
    assert.equal((await h.call("/auth/session", { cookie })).status, 401);
    // Granting the role back does not revive the dropped session: a new sign-in is needed.
    await grant(AUCTIONEER, who.address);
    assert.equal((await h.call("/controls", { cookie })).status, 401);
  });
});

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** A request over node:http from `from` (a loopback address: another peer for the operator). */
function requestFrom(from: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, h.op.url), { method: init.method ?? "GET", headers: init.headers, localAddress: from, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

describe("limits on the routes anyone may call", () => {
  it("a loop of nonce requests from one peer gets 429 after the limit, with Retry-After; another peer still gets nonces", async () => {
    const statuses: number[] = [];
    let refused: Answer | undefined;
    for (let i = 0; i < NONCE_LIMIT + 5; i++) {
      const a = await requestFrom("127.0.0.2", "/auth/nonce");
      statuses.push(a.status);
      if (a.status === 429) refused = a;
    }
    assert.deepEqual(statuses, [...Array(NONCE_LIMIT).fill(200), ...Array(5).fill(429)]);
    assert.ok(refused);
    const retryAfter = Number(refused.headers["retry-after"]);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${refused.headers["retry-after"]}`);
    const body = JSON.parse(refused.body) as { error: string; retryAfterS: number };
    assert.equal(body.error, `too many sign-in nonce requests from 127.0.0.2: at most ${NONCE_LIMIT} per 60 s; try again in ${retryAfter} s`);
    assert.equal(body.retryAfterS, retryAfter);
    const logged = h.logs.filter((l) => l.includes('"rate limit reached"') && l.includes('"127.0.0.2"'));
    assert.equal(logged.length, 1, "one log line per client and window, not one per refused request");

    const other = await requestFrom("127.0.0.3", "/auth/nonce");
    assert.equal(other.status, 200, other.body);
    assert.match((JSON.parse(other.body) as { nonce: string }).nonce, /^[A-Za-z0-9]{8,}$/);
  });

  it("a spoofed forwarded header from an untrusted peer does not escape it; through the trusted proxy each client has its own budget", async () => {
    // 127.0.0.2 is over its limit (the test above) and names someone else: not believed.
    assert.equal((await requestFrom("127.0.0.2", "/auth/nonce", { headers: { "x-forwarded-for": "198.51.100.77" } })).status, 429);
    assert.equal((await requestFrom("127.0.0.2", "/auth/nonce", { headers: { forwarded: "for=198.51.100.78" } })).status, 429);
    // Through the proxy (127.0.0.1, which appends the peer it saw), the client's own prefix is ignored too.
    assert.equal((await requestFrom("127.0.0.1", "/auth/nonce", { headers: { "x-forwarded-for": "198.51.100.79, 127.0.0.2" } })).status, 429);
    // Another client behind the same proxy is not charged for 127.0.0.2's requests.
    assert.equal((await requestFrom("127.0.0.1", "/auth/nonce", { headers: { "x-forwarded-for": "198.51.100.80" } })).status, 200);
  });

  it("sign-in attempts are limited per client too, before the body is read", async () => {
    const headers = { origin: ORIGIN, "content-type": "application/json" };
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT + 2; i++) statuses.push((await requestFrom("127.0.0.4", "/auth/login", { method: "POST", headers, body: "{}" })).status);
    assert.deepEqual(statuses, [...Array(LOGIN_LIMIT).fill(400), 429, 429]);
    const refused = await requestFrom("127.0.0.4", "/auth/login", { method: "POST", headers, body: "{}" });
    assert.match((JSON.parse(refused.body) as { error: string }).error, new RegExp(`^too many sign-in attempts from 127\\.0\\.0\\.4: at most ${LOGIN_LIMIT} per 60 s`));
    assert.equal((await requestFrom("127.0.0.5", "/auth/login", { method: "POST", headers, body: "{}" })).status, 400, "another peer still reaches the check");
  });

  it("outstanding nonces stay bounded: past OPERATOR_NONCE_MAX the oldest go (refused at sign-in), the newest still sign in", async () => {
    const nonces: string[] = [];
    for (let i = 0; i < NONCE_MAX + 10; i++) {
      const a = await requestFrom("127.0.0.6", "/auth/nonce");
      assert.equal(a.status, 200, a.body);
      nonces.push((JSON.parse(a.body) as { nonce: string }).nonce);
    }
    const redis = new Redis(h.redis.url);
    try {
      assert.equal(await redis.zcard(authKeys.nonces), NONCE_MAX);
      assert.equal(await redis.zscore(authKeys.nonces, nonces[0]), null, "the oldest was dropped");
    } finally {
      redis.disconnect();
    }
    const oldest = await h.signIn(admin(), { nonce: nonces[0] });
    assert.equal(oldest.res.status, 401);
    assert.match(await errorOf(oldest.res), /nonce unknown, expired or already used/);
    const newest = await h.signIn(admin(), { nonce: nonces.at(-1) });
    assert.equal(newest.res.status, 200, await newest.res.clone().text());
    const metrics = await (await fetch(new URL("/metrics", h.op.url))).text();
    const dropped = Number(/^sothebais_operator_nonces_dropped_total(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1]);
    assert.ok(dropped >= 10, `nonces dropped: ${dropped}\n${metrics.split("\n").filter((l) => /nonce|rate_limited/.test(l)).join("\n")}`);
    assert.match(metrics, /^sothebais_operator_rate_limited_total\{limit="nonce"[^}]*\} \d+/m);
  });
});

/** Compiles (solc-js) and deploys a minimal ERC-1271 wallet whose valid signatures are `owner`'s. */
async function deployErc1271Wallet(owner: Address): Promise<Address> {
  const source = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;
contract Wallet1271 {
    address public immutable owner;
    constructor(address owner_) { owner = owner_; }
    function isValidSignature(bytes32 hash, bytes calldata sig) external view returns (bytes4) {
        if (sig.length != 65) return 0xffffffff;
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        address signer = ecrecover(hash, v, r, s);
        return signer != address(0) && signer == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}`;
  const input = { language: "Solidity", sources: { "Wallet1271.sol": { content: source } }, settings: { outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } } };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const c = out.contracts["Wallet1271.sol"].Wallet1271;
  const hash = await h.stack.wallet(0).deployContract({ abi: c.abi, bytecode: `0x${c.evm.bytecode.object}`, args: [owner] });
  const receipt = await h.stack.publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error("no contract address");
  return receipt.contractAddress;
}
