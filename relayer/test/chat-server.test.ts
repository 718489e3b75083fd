import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { freePort, waitFor } from "@sothebais/common/testing";
import tmi from "tmi.js";
import { type ChatServer, startChatServer } from "../src/chat-server/server.ts";
import { parseIrc } from "../src/irc.ts";

describe("chat server", () => {
  let server: ChatServer;
  let client: tmi.Client;
  const seen: { tags: tmi.ChatUserstate; text: string; self: boolean }[] = [];
  const bans: string[] = [];
  const deleted: string[] = [];

  before(async () => {
    server = await startChatServer({ port: await freePort(), rateLimit: { limit: 3, modLimit: 100, windowMs: 30_000 } });
    client = new tmi.Client({
      options: { skipUpdatingEmotesets: true },
      connection: { server: "127.0.0.1", port: server.port, secure: false, reconnect: false },
      identity: { username: "auctionbot", password: "oauth:local" },
      channels: ["sothebais"],
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
    client.on("message", (_c, tags, text, self) => seen.push({ tags, text, self }));
    client.on("ban", (_c, _u, _r, tags) => bans.push(String(tags["target-user-id"])));
    client.on("timeout", (_c, _u, _r, _d, tags) => bans.push(String(tags["target-user-id"])));
    client.on("messagedeleted", (_c, _u, _m, tags) => deleted.push(String(tags["target-msg-id"])));
    await client.connect();
    await waitFor(() => client.getChannels().length === 1, { what: "join" });
  });
  after(async () => {
    await client.disconnect().catch(() => {});
    await server.close();
  });

  it("tmi.js connects and joins (001/376, JOIN echo, ROOMSTATE)", () => {
    assert.deepEqual(client.getChannels(), ["#sothebais"]);
  });

  it("delivers PRIVMSG with the IRCv3 tags tmi.js parses", async () => {
    const sent = server.say({ userId: "4242", displayName: "Alice_W", text: "!bid 0.5 \u{E0000}", mod: true });
    const got = await waitFor(() => seen.find((m) => m.tags.id === sent.id), { what: "message" });
    assert.equal(got.tags["user-id"], "4242");
    assert.equal(got.tags["display-name"], "Alice_W");
    assert.equal(got.tags.mod, true);
    assert.equal(got.tags["tmi-sent-ts"], String(sent.sentAt));
    assert.equal(got.text, "!bid 0.5 \u{E0000}");
    assert.equal(got.self, false);
  });

  it("CLEARCHAT and CLEARMSG reach tmi.js with the target ids", async () => {
    server.ban({ userId: "777", duration: 60 });
    server.ban({ userId: "778" });
    const m = server.say({ userId: "779", text: "hello" });
    server.deleteMessage({ id: m.id });
    await waitFor(() => bans.length === 2 && deleted.length === 1, { what: "moderation events" });
    assert.deepEqual(bans, ["777", "778"]);
    assert.deepEqual(deleted, [m.id]);
  });

  it("records the bot's messages and enforces the per-account rate limit", async () => {
    for (let i = 0; i < 5; i++) await client.say("sothebais", `reply ${i}`);
    await waitFor(() => server.stats().botMessages + server.stats().rateLimited === 5, { what: "bot messages" });
    assert.equal(server.stats().botMessages, 3);
    assert.equal(server.stats().rateLimited, 2);
    const botLines = server.events().filter((e) => e.type === "message" && e.bot);
    assert.deepEqual(botLines.map((e) => e.type === "message" && e.text), ["reply 0", "reply 1", "reply 2"]);
  });

  it("answers each line like Twitch: USERSTATE when posted, NOTICE msg_ratelimit / msg_duplicate when refused", async () => {
    const answers: string[] = [];
    const onRaw = (_copy: unknown, m: { command?: string; tags?: Record<string, unknown> }) => {
      if (m.command === "USERSTATE") answers.push("posted");
      if (m.command === "NOTICE") answers.push(String(m.tags?.["msg-id"]));
    };
    const other = await startChatServer({ port: await freePort(), rateLimit: { limit: 3, modLimit: 100, windowMs: 30_000 } });
    const bot = new tmi.Client({
      options: { skipUpdatingEmotesets: true },
      connection: { server: "127.0.0.1", port: other.port, secure: false, reconnect: false },
      identity: { username: "otherbot", password: "oauth:local" },
      channels: ["sothebais"],
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
    await bot.connect();
    await waitFor(() => bot.getChannels().length === 1, { what: "join" });
    bot.on("raw_message", onRaw);
    for (const text of ["same", "same", "other", "third", "fourth"]) await bot.say("sothebais", text);
    await waitFor(() => answers.length === 5, { what: "an answer per line" });
    assert.deepEqual(answers, ["posted", "msg_duplicate", "posted", "posted", "msg_ratelimit"]);
    assert.deepEqual(other.events().filter((e) => e.type === "message" && e.bot).map((e) => e.type === "message" && e.text), ["same", "other", "third"]);
    await bot.disconnect().catch(() => {});
    await other.close();
  });

  it("serves recent messages as raw IRC lines, parseable back to the same message", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/v2/recent-messages/sothebais?limit=2`);
    const body = (await res.json()) as { messages: string[] };
    assert.equal(body.messages.length, 2);
    const last = parseIrc(body.messages[1]);
    assert.equal(last?.command, "PRIVMSG");
    assert.equal(last?.params[1], "reply 2");
  });

  it("HTTP API posts as a user and the page is served", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/say`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId: "5", displayName: "bob", text: "hi; there \\ x" }) });
    const { id } = (await res.json()) as { id: string };
    const got = await waitFor(() => seen.find((m) => m.tags.id === id), { what: "api message" });
    assert.equal(got.text, "hi; there \\ x");
    const page = await (await fetch(server.pageUrl)).text();
    assert.match(page, /#sothebais/);
    const bad = await fetch(`http://127.0.0.1:${server.port}/api/say`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(bad.status, 400);
  });
});
