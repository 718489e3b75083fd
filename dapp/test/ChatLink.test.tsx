/**
 * The chat link form signs for the Twitch account it shows: the EIP-712 ChatAuthorization carries
 * chatIdHashOf({platform: "twitch", userId}) of that account (recovered from the real signature), the
 * relayer gets it in POST /link, the budget means "this much more" (totalCap = exposure + budget), and
 * "linked" needs the chain's chatIdHash to be that account's, not only the nonce.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type Hex, parseEther, recoverTypedDataAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { chatIdHashOf } from "@sothebais/common/chat-auth";

const bidder = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const relayerAddress = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const house = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const zero32 = `0x${"0".repeat(64)}` as Hex;

// What the chain answers (authorizationOf, nonces); tests change it to play the relayer registering.
const chain = {
  auth: { relayer: "0x0000000000000000000000000000000000000000", chatIdHash: zero32, maxBid: 0n, totalCap: 0n, expiry: 0n, nonce: 0n, exposure: 0n, revoked: false },
  nonce: 0n,
};
const signed: { message?: Record<string, unknown>; signature?: Hex; typed?: unknown }[] = [];

vi.mock("wagmi", () => ({
  useConfig: () => ({}),
  useReadContracts: () => ({ data: [{ status: "success", result: chain.auth }, { status: "success", result: chain.nonce }] }),
}));
vi.mock("wagmi/actions", () => ({
  // The wallet: a real secp256k1 signature over exactly the typed data the page asks for.
  signTypedData: async (_config: unknown, request: Parameters<typeof bidder.signTypedData>[0] & { account: string }) => {
    const { account: _a, ...typed } = request;
    const signature = await bidder.signTypedData(typed);
    signed.push({ message: typed.message as Record<string, unknown>, signature, typed });
    return signature;
  },
  getConnection: () => ({}),
  simulateContract: vi.fn(),
  switchChain: vi.fn(),
  waitForTransactionReceipt: vi.fn(),
  writeContract: vi.fn(),
}));

const { ChatLinkCard } = await import("../src/pages/AccountPage.tsx");
const { AppProvider } = await import("../src/state.tsx");

const config = { chainId: 31337, deployment: { auctionHouse: house, collection: house, deployBlock: 0 }, services: ["relayer"], walletRpcUrl: "" } as const;
let linkBodies: Record<string, any>[] = [];
let knownLogins: Record<string, string> = {};

const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
const tree = () => (
  <QueryClientProvider client={client}>
    <AppProvider config={{ ...config, services: [...config.services] }}>
      <ChatLinkCard account={bidder.address} />
    </AppProvider>
  </QueryClientProvider>
);
const renderCard = () => render(tree());

beforeEach(() => {
  client.clear();
  localStorage.clear();
  signed.length = 0;
  linkBodies = [];
  knownLogins = {};
  chain.auth = { ...chain.auth, relayer: "0x0000000000000000000000000000000000000000", chatIdHash: zero32, exposure: 0n, nonce: 0n, revoked: false, expiry: 0n };
  chain.nonce = 0n;
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    const url = new URL(String(input), "http://localhost");
    if (url.pathname.endsWith("/health")) return Response.json({ relayerAddress });
    if (url.pathname.endsWith("/twitch/users")) {
      const id = knownLogins[url.searchParams.get("login") ?? ""];
      return id ? Response.json({ userId: id, login: url.searchParams.get("login") }) : Response.json({ error: "unknown login" }, { status: 404 });
    }
    if (url.pathname.endsWith("/link")) {
      linkBodies.push(JSON.parse(String(init?.body)));
      return Response.json({ code: "ABCD2345", expiresAt: Date.now() + 600_000 });
    }
    return new Response("not found", { status: 404 });
  });
});
afterEach(() => vi.unstubAllGlobals());

const fill = (label: RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe("ChatLinkCard", () => {
  it("signs for the Twitch account it shows: chatIdHash of its user id, in the signature and in POST /link", async () => {
    renderCard();
    fill(/^Twitch account/, "@Alice_Chat");
    fill(/^Twitch user id/, "424242");
    expect(screen.getByTestId("signing-for").textContent).toMatch(/^Signing for Twitch account alice_chat \(user id 424242\)/);
    fill(/^Per-bid cap/, "0.3");
    fill(/^Budget from now on/, "0.9");
    await waitFor(() => expect((screen.getByRole("button", { name: "Sign & get a chat code" }) as HTMLButtonElement).disabled).toBe(false));
    // The relayer address query must have landed before signing.
    await act(async () => new Promise((r) => setTimeout(r, 50)));
    fireEvent.click(screen.getByRole("button", { name: "Sign & get a chat code" }));
    await screen.findByTestId("link-code");
    expect(screen.getByTestId("link-code-step").textContent).toContain("as alice_chat");

    const [{ message, signature, typed }] = signed;
    const expected = chatIdHashOf({ platform: "twitch", userId: "424242" });
    expect(message?.chatIdHash).toBe(expected);
    expect(message?.totalCap).toBe(parseEther("0.9"));
    expect(await recoverTypedDataAddress({ ...(typed as any), signature: signature! })).toBe(bidder.address);
    expect(linkBodies[0].authorization.chatIdHash).toBe(expected);
    expect(linkBodies[0].chat).toEqual({ platform: "twitch", login: "alice_chat", userId: "424242" });
    expect(linkBodies[0].signature).toBe(signature);
  });

  it("resolves the login through the relayer; linked only when the chain has THAT chat identity, and names it", async () => {
    knownLogins = { bob_chat: "1002" };
    const view = renderCard();
    fill(/^Twitch account/, "bob_chat");
    fireEvent.blur(screen.getByLabelText(/^Twitch account/));
    await waitFor(() => expect((screen.getByLabelText(/^Twitch user id/) as HTMLInputElement).value).toBe("1002"));
    await act(async () => new Promise((r) => setTimeout(r, 50)));
    fireEvent.click(screen.getByRole("button", { name: "Sign & get a chat code" }));
    await screen.findByTestId("link-code");

    // Registered with our nonce but for another chat account: not "linked".
    chain.auth = { ...chain.auth, relayer: relayerAddress, chatIdHash: chatIdHashOf({ platform: "twitch", userId: "999" }), nonce: 0n, expiry: BigInt(Math.floor(Date.now() / 1000) + 86_400), maxBid: parseEther("0.5"), totalCap: parseEther("2") };
    view.rerender(tree());
    expect(screen.queryByTestId("chat-linked")).toBeNull();
    expect(screen.getByText("The chain shows a different chat account for this authorization.")).toBeTruthy();

    chain.auth = { ...chain.auth, chatIdHash: chatIdHashOf({ platform: "twitch", userId: "1002" }) };
    view.rerender(tree());
    await screen.findByTestId("chat-linked");
    await waitFor(() => expect(screen.getByTestId("linked-twitch").textContent).toBe("bob_chat"));
  });

  it("the budget is on top of what is at stake: totalCap = exposure + budget", async () => {
    chain.auth = { ...chain.auth, exposure: parseEther("0.4"), revoked: true, relayer: relayerAddress, nonce: 0n };
    chain.nonce = 1n;
    renderCard();
    fill(/^Twitch account/, "carol");
    fill(/^Twitch user id/, "1003");
    fill(/^Per-bid cap/, "0.2");
    fill(/^Budget from now on/, "1");
    expect(screen.getByTestId("total-cap-line").textContent).toContain("signed total cap is 1.4 ETH");
    await act(async () => new Promise((r) => setTimeout(r, 50)));
    fireEvent.click(screen.getByRole("button", { name: "Sign & get a chat code" }));
    await screen.findByTestId("link-code");
    expect(signed[0].message?.totalCap).toBe(parseEther("1.4"));
    expect(signed[0].message?.nonce).toBe(1n);
  });

  it("asks for the numeric id when the relayer cannot resolve the login", async () => {
    renderCard();
    fill(/^Twitch account/, "nobody_known");
    await act(async () => new Promise((r) => setTimeout(r, 50)));
    fireEvent.click(screen.getByRole("button", { name: "Sign & get a chat code" }));
    await screen.findByText("The relayer could not look up the Twitch account nobody_known.");
    expect(signed).toHaveLength(0);
  });
});
