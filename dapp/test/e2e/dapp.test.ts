/**
 * End to end in Debian's headless Chromium against the real stack (Hardhat node + demo campaign, Redis,
 * indexer, local chat, relayer, operator API, dApp preview). A test EIP-1193 wallet injected into each page signs with
 * a local node account, so every step sends real transactions. Screenshots of each step go to
 * dapp/test-results/e2e/.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createPublicClient, createWalletClient, http, parseEther, type Address } from "viem";
import { hardhat } from "viem/chains";
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import { chatIdHashOf } from "@sothebais/common/chat-auth";
import { formatCid, rawCid } from "@sothebais/common/ipfs";
import { localAccount, waitFor } from "@sothebais/common/testing";
import { type E2eStack, launchChromium, startE2eStack } from "./stack.ts";
import { injectWallet, type TestWallet } from "./wallet.ts";
import { png } from "../../../operator/test/helpers/images.ts";

const shots = join(import.meta.dirname, "../../test-results/e2e");
mkdirSync(shots, { recursive: true });
const T = 60_000; // generous: 2 shared cores, often busy with other suites

describe("dApp in a real browser against the real stack", { timeout: 25 * 60_000 }, () => {
  let stack: E2eStack;
  let browser: Browser;
  let url: string;
  let house: Address;
  let collection: Address;
  let publicClient: ReturnType<typeof createPublicClient>;
  const pages: Record<string, { context: BrowserContext; page: Page; wallet: TestWallet }> = {};
  const pageErrors: string[] = [];

  async function open(name: string, accountIndex: number, viewport = { width: 1360, height: 900 }) {
    const context = await browser.newContext({ viewport });
    const wallet = await injectWallet(context, { rpcUrl: stack.ctx.urls.rpcUrl, accountIndex });
    const page = await context.newPage();
    page.setDefaultTimeout(T);
    page.on("pageerror", (e) => pageErrors.push(`${name}: ${e.message}`));
    pages[name] = { context, page, wallet };
    return pages[name];
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
  const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? "").trim();
  /** The indexer has caught up with `lotId` (it can lag by tens of seconds when the machine is busy). */
  const indexed = (lotId: bigint) =>
    waitFor(
      async () => {
        const res = await fetch(`${stack.ctx.urls.indexerUrl}/lots/${lotId}`);
        return res.ok;
      },
      { timeoutMs: 180_000, intervalMs: 500, what: `the indexer to have lot ${lotId}` },
    );
  const escrowOf = (a: Address) => publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "escrowOf", args: [a] }) as Promise<bigint>;

  const nav = (page: Page, name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
  const bidInput = (page: Page) => page.getByRole("textbox", { name: /^Your bid/ });

  async function connect(page: Page, address: Address) {
    await page.getByRole("banner").getByRole("button", { name: "Connect wallet", exact: true }).click();
    await page.getByTestId("account-chip").waitFor();
    assert.match(await text(page, "account-chip"), new RegExp(`${address.slice(0, 6)}…${address.slice(-4)}`));
  }

  before(async () => {
    stack = await startE2eStack();
    browser = await launchChromium();
    url = stack.ctx.urls.dappUrl;
    house = stack.ctx.deployment!.auctionHouse;
    collection = stack.ctx.deployment!.collection;
    publicClient = createPublicClient({ chain: hardhat, transport: http(stack.ctx.urls.rpcUrl) });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stack?.stop("tests done");
  });

  it("connects an injected wallet announced over EIP-6963 and shows the live lot", async () => {
    const { page, wallet } = await open("alice", 4);
    await page.goto(url);
    await page.getByRole("heading", { level: 1 }).waitFor();
    assert.equal(await page.getByTestId("current-bid").textContent(), "0.05 ETH", "reserve shown before the first bid");
    await shot(page, "01-live-lot");
    await connect(page, wallet.address);
    assert.ok(wallet.calls.includes("eth_requestAccounts"));
    await shot(page, "02-connected");
  });

  it("deposits into escrow from the account page", async () => {
    const { page, wallet } = pages.alice;
    await nav(page, "Account");
    await page.getByRole("textbox", { name: /^Deposit/ }).fill("1");
    await page.getByRole("button", { name: "Deposit", exact: true }).click();
    await page.getByText("Deposit confirmed.").waitFor();
    await waitFor(async () => (await text(page, "escrow-balance")) === "1 ETH", { timeoutMs: T, what: "escrow balance 1 ETH on the page" });
    assert.equal(await escrowOf(wallet.address), parseEther("1"));
    await shot(page, "03-deposit");
  });

  it("bids from escrow and leads, with the bid in the history", async () => {
    const { page, wallet } = pages.alice;
    await nav(page, "Live");
    await page.getByLabel(/Escrow first/).waitFor();
    assert.equal(await page.getByLabel(/Escrow first/).isChecked(), true, "escrow preselected when there is escrow");
    await page.getByRole("button", { name: "Place bid · 0.05 ETH" }).click();
    await page.getByText("Bid confirmed.").or(page.getByText("Bid confirmed. You are the highest bidder.")).first().waitFor();
    await page.getByText("You lead").waitFor();
    await waitFor(async () => (await page.getByTestId("bid-history").locator("li").count()) === 1, { timeoutMs: T, what: "one bid in the history" });
    const lot = (await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "lot", args: [1n] })) as { bidder: Address; amount: bigint };
    assert.equal(lot.bidder, wallet.address);
    assert.equal(lot.amount, parseEther("0.05"));
    assert.equal(await escrowOf(wallet.address), parseEther("0.95"), "the bid came out of escrow");
    await shot(page, "04-bid-leading");
  });

  it("shows a second account's higher bid live, without a reload", async () => {
    const bob = await open("bob", 5);
    await bob.page.goto(url);
    await connect(bob.page, bob.wallet.address);
    await bob.page.getByRole("button", { name: /Place bid · 0.0525 ETH/ }).click();
    await bob.page.getByText(/Bid confirmed/).first().waitFor();
    const { page } = pages.alice;
    // Alice's page was never reloaded: the indexer pushed the new bid.
    await waitFor(async () => (await page.getByTestId("current-bid").textContent()) === "0.0525 ETH", { timeoutMs: T, what: "outbid shown on alice's page" });
    await waitFor(async () => (await page.getByTestId("bid-history").locator("li").count()) === 2, { timeoutMs: T, what: "two bids in alice's history" });
    assert.equal(await page.getByText("You lead").count(), 0);
    await shot(page, "05-outbid-live");
    await shot(bob.page, "05b-bob-leads");
  });

  it("explains errors in words: below the minimum, and a rejected signature", async () => {
    const { page, wallet } = pages.alice;
    const input = bidInput(page);
    await input.fill("0.01");
    await page.getByText(/The minimum bid is 0.055125 ETH/).waitFor();
    await input.fill("0.1");
    wallet.rejectNext();
    await page.getByRole("button", { name: "Place bid · 0.1 ETH" }).click();
    await page.getByText("You rejected the request in your wallet. Nothing was sent.").waitFor();
    await shot(page, "06-rejected");
  });

  it("links chat: caps and expiry, EIP-712 signature, one-time code, !link in chat, confirmed on chain, revoke", async () => {
    const { page, wallet } = pages.alice;
    await nav(page, "Account");
    // The chat account the authorization binds: the relayer resolves the login when it can; the id is typed here.
    await page.getByLabel("Twitch account").fill("alice_chat");
    await page.getByLabel(/^Twitch user id/).fill("424242");
    assert.match(await text(page, "signing-for"), /^Signing for Twitch account alice_chat \(user id 424242\)/);
    await page.getByLabel("Per-bid cap").fill("0.3");
    await page.getByLabel(/^Budget from now on/).fill("0.9");
    await page.getByLabel("30 days").check();
    await page.getByRole("button", { name: "Sign & get a chat code" }).click();
    await page.getByTestId("link-code").waitFor();
    assert.ok(wallet.calls.includes("eth_signTypedData_v4"));
    const command = (await text(page, "link-code")).replace(/\s+/g, " ");
    assert.match(command, /^!link [A-Z2-9]{6,10}$/);
    await shot(page, "07-link-code");
    await stack.say("424242", "alice_chat", command);
    await page.getByTestId("chat-linked").waitFor({ timeout: 60_000 });
    const auth = (await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "authorizationOf", args: [wallet.address] })) as {
      chatIdHash: `0x${string}`;
      maxBid: bigint;
      totalCap: bigint;
      revoked: boolean;
    };
    assert.equal(auth.maxBid, parseEther("0.3"));
    assert.equal(auth.totalCap, parseEther("0.9"));
    assert.equal(auth.revoked, false);
    assert.equal(auth.chatIdHash, chatIdHashOf({ platform: "twitch", userId: "424242" }), "the chat identity shown and signed");
    assert.equal(await text(page, "linked-twitch"), "alice_chat");
    await shot(page, "08-chat-linked");
    await page.getByRole("button", { name: "Revoke chat bidding" }).click();
    await page.getByText("Revoked: the relayer can no longer bid for you.").waitFor();
    const after = (await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "authorizationOf", args: [wallet.address] })) as { revoked: boolean };
    assert.equal(after.revoked, true);
  });

  let newLotId = 0n;
  it("admin mints an artwork, approves the auction house and creates a lot", async () => {
    const admin = await open("admin", 0);
    await admin.page.goto(`${url}/admin`);
    await connect(admin.page, admin.wallet.address);
    await admin.page.getByTestId("admin-console").waitFor();

    const uri = `data:application/json,${encodeURIComponent(JSON.stringify({ name: "E2E Sunrise", description: "Minted by the end-to-end test.", image: "data:image/svg+xml," + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#f4a261"/><circle cx="5" cy="6" r="3" fill="#e76f51"/></svg>') }))}`;
    await admin.page.getByLabel(/Mint a new artwork/).fill(uri);
    await admin.page.getByRole("button", { name: "Mint", exact: true }).click();
    await admin.page.getByText(/Minted token #\d+/).waitFor();
    const tokenId = BigInt(await admin.page.getByLabel("Token id").inputValue());
    assert.equal(((await publicClient.readContract({ address: collection, abi: sothebaisCollectionAbi, functionName: "ownerOf", args: [tokenId] })) as string).toLowerCase(), admin.wallet.address.toLowerCase());
    // The admin is the seller of this token: approve the auction house from the console, then create the lot.
    const approve = admin.page.getByRole("button", { name: "Approve now" });
    await approve.waitFor();
    await approve.click();
    await admin.page.getByText("Approve confirmed.").waitFor();
    await admin.page.getByLabel("Reserve (ETH)").fill("0.1");
    await admin.page.getByLabel("Duration (min)").fill("3");
    await admin.page.getByLabel("Late-bid extension (s)").fill("10");
    await admin.page.getByRole("button", { name: "Create lot" }).click();
    await admin.page.getByText("Lot created. It appears in the schedule once indexed.").waitFor();
    newLotId = (await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "lotCount" })) as bigint;
    const lot = (await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "lot", args: [newLotId] })) as { seller: Address; tokenId: bigint };
    assert.equal(lot.tokenId, tokenId);
    assert.equal(lot.seller, admin.wallet.address);
    await indexed(newLotId);
    await admin.page.locator(`[data-testid=admin-lots] tr[data-lot-id="${newLotId}"]`).waitFor({ timeout: 60_000 });
    await admin.page.evaluate(() => window.scrollTo(0, 0));
    await shot(admin.page, "11-admin-console");
  });

  it("never shows the console to a non-admin, whose admin calls fail on chain anyway", async () => {
    const { page, wallet } = pages.alice;
    assert.equal(await page.getByRole("link", { name: "Admin" }).count(), 0, "no Admin link for a bidder");
    await page.goto(`${url}/admin`);
    await page.getByText("This page is for the auction team.").waitFor();
    assert.equal(await page.getByTestId("admin-console").count(), 0);
    await shot(page, "12-non-admin");
    const bidder = createWalletClient({ account: localAccount(4), chain: hardhat, transport: http(stack.ctx.urls.rpcUrl) });
    await assert.rejects(
      publicClient.simulateContract({ account: localAccount(4), address: house, abi: auctionHouseAbi, functionName: "pause" }),
      (e: Error) => /AccessControlUnauthorizedAccount/.test(e.message),
    );
    await assert.rejects(bidder.writeContract({ address: house, abi: auctionHouseAbi, functionName: "pause", gas: 100_000n }).then((hash) => publicClient.waitForTransactionReceipt({ hash })).then((r) => {
      if (r.status !== "success") throw new Error("reverted");
    }));
    assert.equal(await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "paused" }), false);
    void wallet;
  });

  it("wins a lot, settles it from the account page and receives the artwork", async () => {
    const { page, wallet } = pages.alice;
    assert.ok(newLotId > 0n, "the admin step created a lot");
    await indexed(newLotId);
    await page.goto(`${url}/lot/${newLotId}`);
    await page.getByRole("button", { name: "Place bid · 0.1 ETH" }).click();
    await page.getByText(/Bid confirmed/).first().waitFor();
    const lot = (await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "lot", args: [newLotId] })) as { endTime: number; tokenId: bigint };
    await waitFor(async () => Date.now() / 1000 > Number(lot.endTime) + 1, { timeoutMs: 300_000, intervalMs: 1000, what: "the new lot to end" });
    await nav(page, "Account");
    const row = page.locator(`[data-testid=my-bids] tr[data-standing=won]`);
    await row.waitFor({ timeout: 60_000 });
    await shot(page, "13-won");
    await row.getByRole("button", { name: "Settle & claim" }).click();
    await page.getByText("Lot settled: the artwork is in your wallet.").waitFor();
    const owner = (await publicClient.readContract({ address: collection, abi: sothebaisCollectionAbi, functionName: "ownerOf", args: [lot.tokenId] })) as string;
    assert.equal(owner.toLowerCase(), wallet.address.toLowerCase());
    await shot(page, "14-settled");
  });

  it("withdraws all escrow", async () => {
    const { page, wallet } = pages.alice;
    const before = await escrowOf(wallet.address);
    assert.ok(before > 0n);
    await nav(page, "Account");
    await page.getByRole("button", { name: "Withdraw all" }).click();
    await page.getByText("Withdraw confirmed.").waitFor();
    await waitFor(async () => (await text(page, "escrow-balance")) === "0 ETH", { timeoutMs: T, what: "escrow 0 on the page" });
    assert.equal(await escrowOf(wallet.address), 0n);
    await shot(page, "15-withdrawn");
  });

  it("admin pauses auctions, bidding then says why it cannot, and resumes", async () => {
    const admin = pages.admin;
    await admin.page.goto(`${url}/admin`);
    await admin.page.getByTestId("admin-console").waitFor();
    await admin.page.getByRole("button", { name: "Pause auctions" }).click();
    await waitFor(async () => (await text(admin.page, "paused-state")) === "Paused", { timeoutMs: T, what: "paused shown" });
    assert.equal(await publicClient.readContract({ address: house, abi: auctionHouseAbi, functionName: "paused" }), true);
    await shot(admin.page, "09-admin-paused");
    const { page } = pages.alice;
    await nav(page, "Live");
    await page.getByText("Auctions are paused right now. Withdrawals and settlement still work.").waitFor();
    await shot(page, "10-bid-while-paused");
    await admin.page.getByRole("button", { name: "Resume auctions" }).click();
    await waitFor(async () => (await text(admin.page, "paused-state")) === "Running", { timeoutMs: T, what: "running shown" });

  });

  it("admin signs in with the wallet (SIWE), pauses chat bidding from the console, and the audit names them", async () => {
    const admin = pages.admin;
    await admin.page.goto(`${url}/admin`);
    await admin.page.getByTestId("admin-console").waitFor();
    await admin.page.getByTestId("operator-sign-in").click();
    await waitFor(async () => (await text(admin.page, "operator-session")) === "Signed in", { timeoutMs: T, what: "signed in" });
    // Chromium keeps the Secure, __Host- cookie on http://127.0.0.1 (a potentially trustworthy origin).
    const cookie = (await admin.context.cookies(url)).find((c) => c.name === "__Host-sothebais-operator");
    assert.ok(cookie, "session cookie kept");
    assert.deepEqual([cookie.secure, cookie.httpOnly, cookie.sameSite, cookie.path], [true, true, "Strict", "/"]);
    const row = (name: string) => admin.page.locator(`[data-testid=service-controls] li[data-control=${name}]`);
    await row("bidsPaused").getByRole("button", { name: "Pause chat bidding" }).click();
    await row("bidsPaused").and(admin.page.locator("[data-on=true]")).waitFor();
    const relayerHealth = async () => (await (await fetch(`${stack.ctx.urls.relayerUrl}/health`)).json()) as { chatBidding?: { paused: boolean } };
    assert.equal((await relayerHealth()).chatBidding?.paused, true, "the relayer's pause is on");
    await admin.page.getByTestId("control-audit").getByText("Chat bidding: Open → Paused").waitFor();
    assert.match(await text(admin.page, "control-audit"), new RegExp(`${admin.wallet.address.slice(0, 6)}…${admin.wallet.address.slice(-4)}`));
    await shot(admin.page, "13-operator-controls");
    await row("bidsPaused").getByRole("button", { name: "Resume chat bidding" }).click();
    await row("bidsPaused").and(admin.page.locator("[data-on=false]")).waitFor();
    assert.equal((await relayerHealth()).chatBidding?.paused, false);
    // A bidder's page gets nothing from the operator API: no session.
    const status = await pages.alice.page.evaluate(() => fetch("/svc/operator/controls").then((r) => r.status));
    assert.equal(status, 401);
  });

  it("admin uploads an artwork in the console: pinned, read back verified through the IPFS gateway, CID the operator's, then minted with it", async () => {
    const admin = pages.admin; // signed in to the operator API by the step above
    const colour: [number, number, number] = [200, 40, 150];
    const image = png(256, 256, { fill: colour });
    const panel = admin.page.getByRole("group", { name: "Upload an artwork" });
    await panel.getByLabel("Image file").setInputFiles({ name: "dawn.png", mimeType: "image/png", buffer: image });
    await panel.getByLabel("Title").fill("Dawn over Shape");
    await panel.getByLabel("Artist").fill("Ada Vega");
    await panel.getByLabel("Description").fill("Uploaded from the console by the end-to-end test.");
    const ipfsReads: string[] = [];
    const onRequest = (r: { url: () => string }) => void (r.url().includes("/svc/operator/ipfs/") && ipfsReads.push(new URL(r.url()).pathname));
    admin.page.on("request", onRequest);
    const answered = admin.page.waitForResponse((r) => r.url().endsWith("/svc/operator/artwork") && r.request().method() === "POST");
    await panel.getByRole("button", { name: "Upload and pin" }).click();
    const res = await answered;
    assert.equal(res.status(), 201, await res.text());
    const pinned = (await res.json()) as { imageCid: string; metadataCid: string; tokenURI: string };
    // The CID of these bytes, computed here (CIDv1, raw, sha-256: a file under 1 MiB is one block).
    assert.equal(pinned.imageCid, formatCid(await rawCid(image)));
    assert.equal(pinned.tokenURI, `ipfs://${pinned.metadataCid}`);
    assert.equal(await text(admin.page, "artwork-image-uri"), `ipfs://${pinned.imageCid}`);
    assert.equal(await text(admin.page, "artwork-token-uri"), pinned.tokenURI);
    assert.equal(await admin.page.getByLabel(/Mint a new artwork/).inputValue(), pinned.tokenURI);
    // The preview is read back through the gateways and checked against the CIDs, not the file picked.
    const preview = admin.page.locator("[data-testid=artwork-preview][data-verified=true] img");
    await preview.waitFor();
    const pixel = await preview.evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const c = document.createElement("canvas");
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext("2d") as CanvasRenderingContext2D;
      ctx.drawImage(img, 0, 0);
      return { src: img.src, size: [img.naturalWidth, img.naturalHeight], rgb: Array.from(ctx.getImageData(128, 128, 1, 1).data.slice(0, 3)) };
    });
    admin.page.off("request", onRequest);
    // Read back through the operator's gateway by CID: the metadata, then the image it names.
    assert.ok(ipfsReads.some((p) => p.startsWith(`/svc/operator/ipfs/${pinned.metadataCid}`)), ipfsReads.join(", "));
    assert.ok(ipfsReads.some((p) => p.startsWith(`/svc/operator/ipfs/${pinned.imageCid}`)), ipfsReads.join(", "));
    assert.match(pixel.src, /^blob:/, "the verified bytes, not a gateway URL");
    assert.deepEqual(pixel.size, [256, 256]);
    assert.deepEqual(pixel.rgb, colour);
    await panel.evaluate((el) => el.scrollIntoView({ block: "center" }));
    await shot(admin.page, "13b-operator-artwork");
    // Minted with that URI, from the same form: the chain holds ipfs://<metadata CID>.
    await admin.page.getByRole("button", { name: "Mint", exact: true }).click();
    await admin.page.getByText(/Minted token #\d+/).waitFor();
    const tokenId = BigInt(await admin.page.getByLabel("Token id").inputValue());
    assert.equal(await publicClient.readContract({ address: collection, abi: sothebaisCollectionAbi, functionName: "tokenURI", args: [tokenId] }), pinned.tokenURI);
  });

  it("works at phone width", async () => {
    const phone = await open("phone", 6, { width: 390, height: 844 });
    await phone.page.goto(url);
    await phone.page.getByRole("heading", { level: 1 }).waitFor();
    const overflow = await phone.page.evaluate(() => {
      const wide = [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest("nav"))
        .map((e) => `${e.tagName}.${e.className}(${Math.round(e.getBoundingClientRect().width)})`);
      return { px: document.documentElement.scrollWidth - window.innerWidth, wide: wide.slice(0, 12) };
    });
    assert.ok(overflow.px <= 0, `no horizontal scroll at 390 px (overflow ${overflow.px}px: ${overflow.wide.join(", ")})`);
    await shot(phone.page, "16-phone-lot");
    await nav(phone.page, "Campaigns");
    await phone.page.getByRole("heading", { name: "Campaigns" }).waitFor();
    await shot(phone.page, "17-phone-campaigns");
  });

  it("left no uncaught errors in any page", () => {
    assert.deepEqual(pageErrors, []);
  });
});

