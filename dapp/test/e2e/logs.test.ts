/**
 * The Logs page in Debian's headless Chromium against a running stack, kept to the parts a chat bid
 * needs (chain + demo lot, Redis, indexer, local chat, relayer) plus the operator API and the dApp.
 * Each part's output goes to <dataDir>/logs/<part>.log, as `./sothebais up` writes it, and the operator
 * tails that folder. A chat user links and bids with `!bid`; the relayer's `bid placed` line (carrying
 * the chat message id) must be on the signed-in admin's Logs page within 2 s of being written, and the
 * chat message id as correlation id must bring the trail (the relayer's line, then the indexer's line of
 * the same tx). The admin signs in through the page (a test wallet, EIP-4361 message, the operator's
 * cookie); a browser without a session, and a wallet without a role that tries to sign in, get the
 * sign-in prompt and no line. Screenshot: dapp/test-results/e2e/logs-page.png.
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type Address, parseEther } from "viem";
import { repoRoot } from "@sothebais/common/deployments";
import { localRoles, waitFor } from "@sothebais/common/testing";
import { type ChatUser, linkChatUserInStack, say } from "../../../scripts/src/audience/chat-bidders.ts";
import { freeStackPorts, type RunningStack, startStack } from "../../../scripts/src/stack/start.ts";
import { launchChromium } from "./stack.ts";
import { injectWallet } from "./wallet.ts";

const T = 120_000; // the machine is shared: set-up waits are generous, the measured hop is not
// Copied by hand to docs/images/logs-page.png when the page changes (a test does not write into docs/).
const screenshot = join(repoRoot, "dapp/test-results/e2e/logs-page.png");
mkdirSync(join(screenshot, ".."), { recursive: true });

describe("the Logs page in a real browser", { timeout: 15 * 60_000 }, () => {
  let stack: RunningStack;
  let browser: Browser;
  let dappUrl: string;
  const chatUser: ChatUser = { userId: "515151", displayName: "LogWatcher", account: 8 };

  /** A page with a test wallet of local account `index`, connected; signed in to the operator API when asked. */
  async function openAs(index: number, signIn: boolean): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    await injectWallet(context, { rpcUrl: stack.ctx.urls.rpcUrl, accountIndex: index });
    const page = await context.newPage();
    page.setDefaultTimeout(T);
    await page.goto(`${dappUrl}/admin/logs`);
    await page.getByTestId("logs-sign-in").waitFor();
    await page.getByRole("banner").getByRole("button", { name: "Connect wallet", exact: true }).click();
    await page.getByTestId("account-chip").waitFor();
    if (signIn) await page.getByTestId("operator-sign-in").click();
    return { page, context };
  }

  before(async () => {
    process.env.DEMO_LOTS = "1";
    process.env.DEMO_LOT_SECONDS = "3600";
    // The production build, as the image serves it: the dev server transforms each module on first load,
    // which takes minutes on a busy 2-core machine.
    process.env.DAPP_MODE ??= "production";
    const dataDir = mkdtempSync(join(tmpdir(), "sothebais-logs-e2e-"));
    process.env.DEPLOYMENTS_DIR = join(dataDir, "deployments");
    const logDir = join(dataDir, "logs");
    stack = await startStack({
      ports: await freeStackPorts(),
      dataDir,
      parts: ["chain", "redis", "indexer", "chat", "relayer", "operator", "dapp"],
      // What `./sothebais up` does with each part's output (scripts/src/up.ts): the operator tails it.
      echo: (name) => (line) => {
        mkdirSync(logDir, { recursive: true });
        appendFileSync(join(logDir, `${name}.log`), `${line}\n`);
        if (process.env.E2E_VERBOSE === "1") console.log(`[${name}] ${line}`);
      },
      onPart: (name, phase, s) => console.log(`  ${phase === "starting" ? "starting" : "ready   "} ${name}${phase === "ready" ? ` (${s.toFixed(1)} s)` : ""}`),
    });
    const { urls } = stack.ctx;
    assert.ok(urls.dappUrl && urls.operatorUrl && urls.relayerUrl && urls.chatPageUrl, "the parts started");
    dappUrl = urls.dappUrl;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stack?.stop("logs e2e done");
  });

  it("shows a chat bid's line to a signed-in admin within 2 s, and finds its trail by the chat message id", async () => {
    const { urls, deployment } = stack.ctx;
    const house = deployment?.auctionHouse as Address;
    const channel = urls.chatChannel ?? "sothebais";
    const chatHttp = new URL(urls.chatPageUrl).origin;
    await linkChatUserInStack(urls, house, chatUser, parseEther("1"), T);

    const { page, context } = await openAs(localRoles.admin, true);
    await page.getByTestId("log-state").getByText("Live").waitFor();
    await page.getByRole("button", { name: "relayer", exact: true }).click();
    await page.waitForURL(/service=relayer/);
    await page.getByTestId("log-state").getByText("Live").waitFor();

    const sent = await say(chatHttp, channel, chatUser, "!bid 0.1");
    const row = page.getByTestId("log-line").filter({ hasText: sent.id });
    await row.first().waitFor({ timeout: T });
    const shownAt = Date.now();
    const line = await waitFor(
      async () => {
        const res = await page.evaluate(async (id) => (await fetch(`/svc/operator/logs?service=relayer&correlation=${id}`)).json(), sent.id);
        return (res as { entries: { msg: string; time: number; fields: Record<string, unknown> }[] }).entries.find((e) => e.msg === "bid placed");
      },
      { what: "the relayer's bid placed line through the API" },
    );
    const writtenToShown = shownAt - line.time;
    console.log(`  chat -> on the Logs page: ${shownAt - sent.sentAt} ms; line written -> shown: ${writtenToShown} ms`);
    assert.ok(writtenToShown < 2000, `the line took ${writtenToShown} ms to reach the page`);

    // The chat message id as correlation id: the relayer's line brings the indexer's line of its tx.
    await page.getByRole("button", { name: "All services" }).click();
    await page.getByLabel("Correlation id").fill(sent.id);
    await page.getByRole("button", { name: "Apply" }).click();
    const txHash = String(line.fields.txHash);
    await page.getByTestId("log-line").filter({ hasText: "bid indexed" }).first().waitFor({ timeout: T });
    const rows = await page.getByTestId("log-line").allTextContents();
    assert.ok(rows.some((r) => r.includes("bid placed") && r.includes(sent.id)), "the relayer's line");
    assert.ok(rows.some((r) => r.includes("bid indexed") && r.includes(txHash.slice(0, 20))), "the indexer's line of the same tx");
    // Only the trail: every line shown carries the message id or the tx hash in some field (the relayer's
    // retry lines name the message as `job`), as the API says.
    const api = (await page.evaluate(async (id) => (await fetch(`/svc/operator/logs?correlation=${id}`)).json(), sent.id)) as { entries: { fields: Record<string, unknown> }[] };
    const ids = [sent.id, txHash.toLowerCase()];
    assert.ok(api.entries.every((e) => Object.values(e.fields).some((v) => ids.includes(String(v).toLowerCase()))), JSON.stringify(api.entries));
    assert.equal(rows.length, api.entries.length, `the page shows the API's lines: ${rows.join(" | ")}`);
    await page.getByTestId("log-line").filter({ hasText: "bid placed" }).first().getByRole("button").click();
    await page.screenshot({ path: screenshot, fullPage: false });
    await context.close();
  });

  it("shows no line without a session, nor to an account without a role", async () => {
    const anonymous = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await anonymous.newPage();
    await page.goto(`${dappUrl}/admin/logs`);
    await page.getByTestId("logs-sign-in").waitFor({ timeout: T });
    assert.equal(await page.getByTestId("log-line").count(), 0);
    const direct = await page.evaluate(async () => {
      const res = await fetch("/svc/operator/logs?limit=5");
      return { status: res.status, body: await res.text() };
    });
    assert.equal(direct.status, 401);
    assert.ok(!direct.body.includes("bid placed"), "the API served a line");
    await anonymous.close();

    // The chat bidder's wallet holds no role: the sign-in is refused and the page stays a prompt.
    const bidder = await openAs(chatUser.account, true);
    await bidder.page.getByRole("alert").filter({ hasText: /holds none of these roles/ }).waitFor();
    assert.equal(await bidder.page.getByTestId("log-line").count(), 0);
    await bidder.page.reload();
    await bidder.page.getByTestId("logs-sign-in").waitFor();
    assert.equal(await bidder.page.getByTestId("log-line").count(), 0);
    await bidder.context.close();
  });
});
