/**
 * Issue 20 §4: the relayer keeps its Twitch token alive. Real Redis, the local chat server checking logins
 * against a stand-in for id.twitch.tv (test/twitch-id.ts), tmi.js, and the relayer in-process on the test
 * chain: an expired token at start, the hourly validate, a token revoked mid-show, a refresh token Twitch
 * rejects, a token revoked while Twitch's chat keeps its session (the relayer ends it), and two instances
 * refreshing at once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError } from "@sothebais/common/errors";
import { createLogger } from "@sothebais/common/log";
import { freePort, waitFor } from "@sothebais/common/testing";
import { createChat } from "../src/chat.ts";
import { startChatServer } from "../src/chat-server/server.ts";
import { loadConfig, twitchIdUrl } from "../src/config.ts";
import { type Relayer, startRelayer } from "../src/relayer.ts";
import { createStore, type Store } from "../src/store.ts";
import { createTokenKeeper, type TokenPair, tokenKeys } from "../src/twitch-token.ts";
import { type Harness, repliesTo, startHarness, waitReply } from "./helpers.ts";
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
  type ChatHealth = { connected: boolean; waitingForToken: boolean; tokenExpiresInS: number | null; token: { refresh: string; problem: string | null; login: string | null } };
  const ended = () => lines.filter((l) => l.includes("ending the chat session that uses it")).length;
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

  // Twitch: a token invalid for a reason other than expiry must have all its sessions ended by the app
  // (https://dev.twitch.tv/docs/authentication/validate-tokens). Here the chat keeps the revoked token's
  // session open, so only the relayer's periodic validate (every second) can end it.
  it("a token revoked while chat keeps its session: the relayer ends that session and logs in once with the refreshed token", { timeout: 30_000 }, async () => {
    await relayer?.stop();
    relayer = undefined;
    await h.store.del(tokenKeys.pair, tokenKeys.lock, tokenKeys.seeds);
    const pair = id.issue();
    await start(refreshEnv(pair, 1));
    await waitFor(async () => (await chatHealth()).connected, { what: "chat login", timeoutMs: 10_000 });
    assert.deepEqual(h.chat.sessions(), [pair.accessToken]);
    h.chat.say({ userId: "7003", displayName: "viewer3", text: "!help" });
    await waitReply(h.chat, "viewer3", /!bid/);
    const before = { ...id.counts(), ...h.chat.stats(), ended: ended() };
    id.revoke(pair.accessToken, { chatKeepsSessions: true });
    // Typed as the session is about to end: handled once, live or from the history replayed after the next login.
    h.chat.say({ userId: "7004", displayName: "viewer4", text: "!help" });
    await waitFor(() => h.chat.sessions().length === 1 && h.chat.sessions()[0] !== pair.accessToken, {
      what: "the revoked token's session closed and a login with a new token",
      timeoutMs: 4000, // two validate periods and a refresh
    });
    const current = (await stored()).accessToken;
    assert.deepEqual(h.chat.sessions(), [current], "the session runs on the refreshed token");
    assert.equal(id.counts().refreshed, before.refreshed + 1);
    assert.equal(h.chat.stats().logins, before.logins + 1, "one new login");
    assert.equal(h.chat.stats().loginsRefused, before.loginsRefused, "the revoked token was never tried at chat");
    await waitReply(h.chat, "viewer4", /!bid/);
    // Two more validate periods: no second reconnect, and the replayed history answered nothing twice.
    await sleep(2000);
    assert.equal(h.chat.stats().logins, before.logins + 1, "no reconnect loop");
    assert.deepEqual(h.chat.sessions(), [current]);
    assert.equal(repliesTo(h.chat, "viewer3").length, 1, "a line handled before the reconnect is not handled again");
    assert.equal(repliesTo(h.chat, "viewer4").length, 1, "the line of the gap is handled once");
    assert.equal(ended() - before.ended, 1, "one session ended");
    const c = await chatHealth();
    assert.equal(c.connected, true);
    assert.equal(c.waitingForToken, false);
    assert.equal(c.token.problem, null);
  });

  it("a token revoked while chat keeps its session, and its refresh refused: the session ends, chat stays out, /health says why, nothing loops", { timeout: 20_000 }, async () => {
    const pair = await stored();
    const before = { ...id.counts(), ...h.chat.stats(), ended: ended() };
    id.revokeRefresh(pair.refreshToken ?? "");
    id.revoke(pair.accessToken, { chatKeepsSessions: true });
    await waitFor(async () => !(await chatHealth()).connected && (await chatHealth()).token.refresh === "rejected", { what: "session ended, refresh rejected", timeoutMs: 4000 });
    assert.deepEqual(h.chat.sessions(), [], "the revoked token's session was closed");
    const res = await (relayer as Relayer).app.request("/health");
    assert.equal(res.status, 503);
    const body = await res.text();
    const c = (JSON.parse(body) as { chat: ChatHealth }).chat;
    assert.equal(c.connected, false);
    assert.equal(c.waitingForToken, true);
    assert.equal(c.tokenExpiresInS, 0);
    assert.match(c.token.problem ?? "", /token invalid before its expiry .*the session was ended/);
    assert.match(c.token.problem ?? "", /rejected the refresh token .*400 Invalid refresh token.*new authorization/);
    for (const s of [...id.issued(), id.clientSecret]) assert.ok(!body.includes(s), "no token or secret in /health");
    const metrics = await (await (relayer as Relayer).app.request("/metrics")).text();
    assert.match(metrics, /^sothebais_relayer_chat_connected\{[^}]*\} 0$/m);
    assert.match(metrics, /^sothebais_relayer_twitch_token_expires_seconds\{[^}]*\} 0$/m);
    assert.match(metrics, /^sothebais_relayer_twitch_token_refresh_ok\{[^}]*\} 0$/m);
    // Two validate periods: the checks go on, but no login is tried with the dead token and no refresh is resent.
    const validates = id.counts().validate;
    await sleep(2000);
    assert.ok(id.counts().validate > validates, "still validating every period");
    assert.equal(h.chat.stats().logins, before.logins, "no login");
    assert.equal(h.chat.stats().loginsRefused, before.loginsRefused, "the dead token was never tried at chat");
    assert.equal(id.counts().token - before.token, 1, "one refresh request");
    assert.deepEqual(h.chat.sessions(), []);
    assert.equal(ended() - before.ended, 1, "one session ended");
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

describe("createChat().endSession()", () => {
  it("closes the session and logs in again only at retryLogin(), also when the new token comes before the close is done", { timeout: 15_000 }, async () => {
    const server = await startChatServer({ port: await freePort() });
    let n = 0;
    const chat = createChat({
      server: "127.0.0.1",
      port: server.port,
      secure: false,
      username: "sothebais_bot",
      token: async () => `oauth:token${++n}`,
      channels: ["sothebais"],
      log: createLogger({ service: "t", level: "error" }),
      onMessage: () => {},
      onBan: () => {},
      onDelete: () => {},
    });
    const loggedIn = (token: string) => () => chat.health().connected && server.sessions().join() === token;
    try {
      await chat.connect();
      await waitFor(loggedIn("token1"), { what: "first login" });
      // The token is there before the close completes: the login follows the close.
      assert.equal(chat.endSession(), true);
      chat.retryLogin();
      await waitFor(loggedIn("token2"), { what: "login with the next token", timeoutMs: 3000 });
      // No token yet: the session ends and no login follows.
      assert.equal(chat.endSession(), true);
      await waitFor(() => !chat.health().connected && server.sessions().length === 0, { what: "session closed", timeoutMs: 3000 });
      await sleep(500);
      assert.equal(server.stats().logins, 2);
      assert.equal(chat.health().waitingForToken, true);
      assert.equal(chat.endSession(), false, "nothing to end");
      chat.retryLogin();
      await waitFor(loggedIn("token3"), { what: "login once the token came", timeoutMs: 3000 });
      assert.equal(server.stats().logins, 3);
      assert.equal(chat.health().waitingForToken, false);
    } finally {
      await chat.disconnect();
      await server.close();
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
