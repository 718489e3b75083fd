/**
 * The local chat server's write API (`/api/say`, `/api/ban`, `/api/delete`) against cross-site
 * requests, on a real server: a real Chromium page on another origin submitting a plain HTML form
 * (the attack: no preflight, urlencoded or text/plain body), the same requests sent by hand with the
 * headers browsers send (foreign Origin, `null`, a DNS-rebound Host), and the clients that must keep
 * working (the server's own page in the browser, Node clients without Origin, a configured origin).
 */
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { freePort, waitFor } from "@sothebais/common/testing";
import { type Browser, chromium } from "playwright-core";
import { type ChatServer, startChatServer } from "../src/chat-server/server.ts";

type Answer = { status: number; body: string };

/** A POST over node:http: it sends the headers given, `Host` included (fetch would not let a test forge it). */
function post(url: string, path: string, body: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("chat server write API: cross-site requests", () => {
  let chat: ChatServer;
  let base: string;
  let browser: Browser;
  /** The attacker's page, on another origin (another port), with forms aimed at the chat server. */
  let attacker: Server;
  let attackerUrl: string;

  const said = (text: string) => chat.events().some((e) => e.type === "message" && e.text === text);
  const banned = (userId: string) => chat.events().some((e) => e.type === "clearchat" && e.userId === userId);

  before(async () => {
    chat = await startChatServer({ port: await freePort(), allowedOrigins: ["https://dapp.example"] });
    base = `http://127.0.0.1:${chat.port}`;
    attacker = createServer((req, res) => {
      res.setHeader("content-type", "text/html");
      // text/plain smuggles a JSON body in one field: `{"userId":"666","text":"!bid 99","x":"=1"}`.
      const page = (req.url ?? "").startsWith("/plain")
        ? `<form method="POST" enctype="text/plain" action="${base}/api/say"><input name='{"userId":"666","text":"!bid 99 plain","x":"' value='1"}'></form>`
        : `<form method="POST" action="${base}/api/ban"><input name="userId" value="667"><input name="duration" value="600"></form>`;
      res.end(`<!doctype html><html><body>${page}<script>document.forms[0].submit()</script></body></html>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await chat?.close();
  });

  it("refuses a real browser's cross-site form posts (text/plain JSON to /api/say, urlencoded to /api/ban)", async () => {
    const page = await browser.newPage();
    try {
      for (const path of ["/plain", "/form"]) {
        const answer = page.waitForResponse((r) => r.url().startsWith(base));
        await page.goto(`${attackerUrl}${path}`);
        const res = await answer;
        assert.equal(res.status(), 403, `${path}: ${await res.text()}`);
        assert.match(await res.text(), /cross-origin request refused: Origin http:\/\/127\.0\.0\.1:\d+ is not this chat server's/);
      }
    } finally {
      await page.close();
    }
    assert.equal(said("!bid 99 plain"), false, "the smuggled line was not posted");
    assert.equal(banned("667"), false, "the forged ban did not happen");
  });

  it("lets the server's own page post from the browser", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/`);
      await page.fill("#text", "hello from the page");
      await page.click("form#f button");
      await waitFor(() => said("hello from the page"), { what: "the page's line in the chat" });
    } finally {
      await page.close();
    }
  });

  it("refuses JSON from a foreign, a null or a DNS-rebound origin on every write route (403), and posts nothing", async () => {
    const json = { "content-type": "application/json" };
    const foreign = [
      { origin: "https://evil.example" },
      { origin: "null" },
      // A rebound name: the browser thinks it is same-origin with evil.example, and so is the Host header.
      { origin: `http://evil.example:${chat.port}`, host: `evil.example:${chat.port}` },
    ];
    for (const { origin, host } of foreign) {
      const headers = { ...json, origin, ...(host ? { host } : {}) };
      for (const [path, body] of [
        ["/api/say", JSON.stringify({ userId: "668", text: `!bid 1 from ${origin}` })],
        ["/api/ban", JSON.stringify({ userId: "669" })],
        ["/api/delete", JSON.stringify({ id: "x" })],
      ] as const) {
        const a = await post(base, path, body, headers);
        assert.equal(a.status, 403, `${path} from ${origin}: ${a.body}`);
        assert.match(a.body, /CHAT_ALLOWED_ORIGINS/);
      }
      assert.equal(said(`!bid 1 from ${origin}`), false);
    }
    assert.equal(banned("669"), false);
  });

  it("refuses anything but application/json (415), even without an Origin", async () => {
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const a = await post(base, "/api/say", JSON.stringify({ userId: "670", text: "typed as a form" }), { "content-type": contentType });
      assert.equal(a.status, 415, `${contentType}: ${a.body}`);
      assert.match(a.body, /expected Content-Type: application\/json/);
    }
    assert.equal(said("typed as a form"), false);
  });

  it("accepts JSON without an Origin (CLI, scripts), from its own origin and from a configured one", async () => {
    const cases: Record<string, string>[] = [
      { "content-type": "application/json" },
      { "content-type": "application/json; charset=utf-8", origin: base },
      { "content-type": "application/json", origin: "https://dapp.example" },
    ];
    for (const [i, headers] of cases.entries()) {
      const a = await post(base, "/api/say", JSON.stringify({ userId: "671", text: `allowed ${i}` }), headers);
      assert.equal(a.status, 200, `${JSON.stringify(headers)}: ${a.body}`);
      assert.ok(said(`allowed ${i}`));
    }
    const ban = await post(base, "/api/ban", JSON.stringify({ userId: "672" }), { "content-type": "application/json", origin: base });
    assert.equal(ban.status, 200);
    assert.ok(banned("672"));
  });
});
