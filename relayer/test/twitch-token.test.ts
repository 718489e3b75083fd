/**
 * Issue 20 §4: the relayer keeps its Twitch token alive. Real Redis, the local chat server checking logins
 * against a stand-in for id.twitch.tv (test/twitch-id.ts), tmi.js, and the relayer in-process on the test
 * chain: an expired token at start, the hourly validate, a token revoked mid-show, a refresh token Twitch
 * rejects, and two instances refreshing at once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError } from "@sothebais/common/errors";
import { createLogger } from "@sothebais/common/log";
import { freePort, waitFor } from "@sothebais/common/testing";
import { loadConfig, twitchIdUrl } from "../src/config.ts";
import { type Relayer, startRelayer } from "../src/relayer.ts";
import { createStore, type Store } from "../src/store.ts";
import { createTokenKeeper, type TokenPair, tokenKeys } from "../src/twitch-token.ts";
import { type Harness, startHarness, waitReply } from "./helpers.ts";
import { startTwitchId, type TwitchId } from "./twitch-id.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("behavior: the Twitch token is validated, refreshed and used on every login", () => {
  let h: Harness;
  let id: TwitchId;
  let relayer: Relayer | undefined;
  const lines: string[] = [];
  let first: { accessToken: string; refreshToken: string };

  before(async () => {
    id = await startTwitchId({ login: "sothebais_bot" });
    h = await startHarness({ chat: { acceptsToken: (t) => id.accepts(t) } });
    id.onRevoke((t) => h.chat.disconnectToken(t));
  });
  after(async () => {
    await relayer?.stop();
    await h?.stop();
    await id?.close();
  });

  const start = async (env: Record<string, string>) => {
    const config = loadConfig({ ...h.env(env), PORT: String(await freePort()) });
    relayer = await startRelayer(config, createLogger({ service: "relayer-test", level: "debug", write: (l) => lines.push(l) }));
  };
  const refreshEnv = (pair: { accessToken: string; refreshToken: string }, checkS: number) => ({
    TWITCH_OAUTH_TOKEN: `oauth:${pair.accessToken}`,
    TWITCH_REFRESH_TOKEN: pair.refreshToken,
    TWITCH_CLIENT_ID: id.clientId,
    TWITCH_CLIENT_SECRET: id.clientSecret,
    TWITCH_ID_URL: id.url,
    TWITCH_TOKEN_CHECK_S: String(checkS),
  });
  const stored = async () => JSON.parse((await h.store.get(tokenKeys.pair)) ?? "null") as TokenPair;
  type ChatHealth = { connected: boolean; tokenExpiresInS: number | null; token: { refresh: string; problem: string | null; login: string | null } };
  const chatHealth = async () => (await relayer?.health())?.chat as ChatHealth;

  it("starts with an expired token and a refresh token: refreshes, logs in, answers !help", { timeout: 30_000 }, async () => {
    first = id.issue();
    id.revoke(first.accessToken);
    await start(refreshEnv(first, 1));
    await waitFor(async () => (await chatHealth()).connected, { what: "chat login with the refreshed token", timeoutMs: 10_000 });
    assert.equal(id.counts().refreshed, 1);
    const pair = await stored();
    assert.notEqual(pair.accessToken, first.accessToken);
    assert.notEqual(pair.refreshToken, first.refreshToken, "the newest refresh token is kept");
    assert.ok(id.accepts(pair.accessToken));
    assert.equal(h.chat.stats().loginsRefused, 0, "the expired token was never tried at chat");
    h.chat.say({ userId: "7001", displayName: "viewer1", text: "!help" });
    await waitReply(h.chat, "viewer1", /!bid/);
    const c = await chatHealth();
    assert.ok((c.tokenExpiresInS ?? 0) > 14_000, `tokenExpiresInS ${c.tokenExpiresInS}`);
    assert.equal(c.token.refresh, "ok");
    assert.equal(c.token.login, "sothebais_bot");
  });

  it("validates every TWITCH_TOKEN_CHECK_S, and refreshes a token with less than the margin left", { timeout: 15_000 }, async () => {
    const validates = id.counts().validate;
    await waitFor(() => id.counts().validate >= validates + 2, { what: "two periodic validates", timeoutMs: 4000 });
    const current = (await stored()).accessToken;
    const logins = h.chat.stats().logins;
    id.setExpiresIn(current, 120); // under the 600 s margin: refreshed before it expires
    await waitFor(async () => (await stored()).accessToken !== current, { what: "a refresh ahead of expiry", timeoutMs: 4000 });
    assert.equal(id.counts().refreshed, 2);
    assert.ok((await chatHealth()).connected);
    assert.equal(h.chat.stats().logins, logins, "the open chat session was kept");
  });

  it("a restart takes the newest pair from Redis; a token revoked mid-show is refreshed and chat answers again", { timeout: 30_000 }, async () => {
    await relayer?.stop();
    relayer = undefined;
    // Same env as the first start (its pair long dead), and no periodic check to race the chat's refusal.
    await start(refreshEnv(first, 3600));
    await waitFor(async () => (await chatHealth()).connected, { what: "chat login with the pair from Redis", timeoutMs: 10_000 });
    assert.equal(id.counts().refreshed, 2, "no refresh: the pair in Redis was still good");
    const current = (await stored()).accessToken;
    const refused = h.chat.stats().loginsRefused;
    id.revoke(current); // chat ends the session; tmi.js logs in again with the revoked token
    await waitFor(() => h.chat.stats().loginsRefused > refused, { what: "the revoked token refused at login", timeoutMs: 10_000 });
    await waitFor(async () => (await chatHealth()).connected && (await stored()).accessToken !== current, { what: "back in chat with a new token", timeoutMs: 10_000 });
    assert.equal(id.counts().refreshed, 3);
    h.chat.say({ userId: "7002", displayName: "viewer2", text: "!help" });
    await waitReply(h.chat, "viewer2", /!bid/);
  });

  it("a rejected refresh token: /health and the gauges say so, nothing loops, no token in any log line", { timeout: 20_000 }, async () => {
    const pair = await stored();
    const before = { ...id.counts(), refused: h.chat.stats().loginsRefused };
    id.revokeRefresh(pair.refreshToken ?? "");
    id.revoke(pair.accessToken);
    await waitFor(async () => (await chatHealth()).token.refresh === "rejected", { what: "refresh reported rejected", timeoutMs: 10_000 });
    const res = await (relayer as Relayer).app.request("/health");
    assert.equal(res.status, 503);
    const c = ((await res.json()) as { chat: ChatHealth }).chat;
    assert.equal(c.connected, false);
    assert.equal(c.tokenExpiresInS, 0);
    assert.match(c.token.problem ?? "", /rejected the refresh token .*400 Invalid refresh token.*new authorization/);
    const metrics = await (await relayer?.app.request("/metrics"))?.text();
    assert.match(metrics ?? "", /^sothebais_relayer_twitch_token_expires_seconds\{[^}]*\} 0$/m);
    assert.match(metrics ?? "", /^sothebais_relayer_twitch_token_refresh_ok\{[^}]*\} 0$/m);
    // Long enough for a hot loop to show: one login refused, one refresh sent, nothing since.
    await sleep(3000);
    const after = id.counts();
    assert.equal(after.token - before.token, 1, "one refresh request");
    assert.equal(after.validate, before.validate, "no validate outside the period");
    assert.equal(h.chat.stats().loginsRefused - before.refused, 1, "one refused login, the retry waits");
    assert.equal(lines.filter((l) => l.includes("refresh token rejected")).length, 1, "said once");
    const secrets = [...id.issued(), id.clientSecret];
    for (const line of lines) for (const s of secrets) assert.ok(!line.includes(s), `a token in a log line: ${line.slice(0, 200)}`);
    assert.ok(lines.length > 20, "the relayer logged at debug level");
  });

  it("two instances refreshing at once: one request to Twitch, both take the new pair", { timeout: 15_000 }, async () => {
    await relayer?.stop();
    relayer = undefined;
    await h.store.del(tokenKeys.pair, tokenKeys.lock, tokenKeys.seeds);
    const pair = id.issue();
    const stores: Store[] = [createStore(h.redis.url), createStore(h.redis.url)];
    const keepers = stores.map((redis) =>
      createTokenKeeper({ idUrl: id.url, accessToken: pair.accessToken, refresh: { clientId: id.clientId, clientSecret: id.clientSecret, refreshToken: pair.refreshToken }, username: "sothebais_bot", redis, log: createLogger({ service: "t", level: "error" }), checkEveryMs: 3_600_000, marginMs: 600_000 }),
    );
    try {
      for (const k of keepers) await k.start();
      for (const k of keepers) assert.equal(await k.token(), `oauth:${pair.accessToken}`);
      const before = id.counts();
      id.revoke(pair.accessToken);
      assert.deepEqual(await Promise.all(keepers.map((k) => k.loginFailed())), [true, true]);
      assert.equal(id.counts().token - before.token, 1, "one refresh between the two");
      const [a, b] = await Promise.all(keepers.map((k) => k.token()));
      assert.equal(a, b);
      assert.ok(id.accepts(a.slice("oauth:".length)));
    } finally {
      for (const k of keepers) k.stop();
      for (const s of stores) s.disconnect();
    }
  });
});

describe("loadConfig() Twitch token keys", () => {
  const base = { RELAYER_PRIVATE_KEY: `0x${"11".repeat(32)}` };

  it("names what is missing when only some of the three are set", () => {
    assert.throws(
      () => loadConfig({ ...base, TWITCH_CLIENT_ID: "abc" }),
      (e: unknown) => e instanceof ConfigError && /TWITCH_CLIENT_SECRET, TWITCH_REFRESH_TOKEN: missing, expected with TWITCH_CLIENT_ID/.test(e.message),
    );
  });

  it("accepts none or all three, and a bad TWITCH_ID_URL is its own line", () => {
    assert.equal(twitchIdUrl(loadConfig(base)), "https://id.twitch.tv");
    assert.equal(twitchIdUrl(loadConfig({ ...base, TWITCH_SERVER: "127.0.0.1" })), undefined, "the local chat server: no id server");
    assert.equal(twitchIdUrl(loadConfig({ ...base, TWITCH_SERVER: "127.0.0.1", TWITCH_ID_URL: "http://127.0.0.1:9" })), "http://127.0.0.1:9");
    assert.equal(loadConfig({ ...base, TWITCH_CLIENT_ID: "a", TWITCH_CLIENT_SECRET: "b", TWITCH_REFRESH_TOKEN: "c" }).TWITCH_REFRESH_TOKEN, "c");
    assert.throws(() => loadConfig({ ...base, TWITCH_ID_URL: "id.twitch.tv", TWITCH_CLIENT_SECRET: "s3cr3t" }), (e: unknown) => {
      const text = (e as Error).message;
      return /TWITCH_ID_URL: got "id.twitch.tv"/.test(text) && /TWITCH_CLIENT_ID, TWITCH_REFRESH_TOKEN: missing/.test(text) && !text.includes("s3cr3t");
    });
  });
});
