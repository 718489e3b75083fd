/**
 * @module e2e/wallet
 * A test EIP-1193 wallet injected into the page: it announces itself over EIP-6963 (and as
 * window.ethereum), and every request is answered in Node, where a local node account signs, so the
 * dApp sends real transactions. `rejectNext()` makes the next signature fail like a user's "Reject".
 */
import type { BrowserContext } from "playwright-core";
import { type Chain, createWalletClient, type Hex, http, type TransactionRequest } from "viem";
import { hardhat } from "viem/chains";
import { localAccount } from "@sothebais/common/testing";

export type TestWallet = {
  address: `0x${string}`;
  rejectNext: () => void;
  /** Every method the page asked for, in order (assertions on the flow). */
  calls: string[];
  /** Unix ms at which each transaction hash was returned to the page. */
  sentAt: Map<string, number>;
};

const signing = new Set(["eth_sendTransaction", "eth_signTypedData_v4", "personal_sign"]);

export async function injectWallet(context: BrowserContext, options: { rpcUrl: string; accountIndex: number; name?: string }): Promise<TestWallet> {
  const account = localAccount(options.accountIndex);
  const chain: Chain = hardhat;
  const client = createWalletClient({ account, chain, transport: http(options.rpcUrl) });
  let reject = false;
  let connected = false;
  const wallet: TestWallet = { address: account.address, rejectNext: () => void (reject = true), calls: [], sentAt: new Map() };

  const forward = async (method: string, params: unknown[]) => {
    const res = await fetch(options.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
    if (body.error) throw body.error;
    return body.result;
  };

  const handle = async (method: string, params: unknown[]): Promise<unknown> => {
    wallet.calls.push(method);
    if (signing.has(method) && reject) {
      reject = false;
      throw { code: 4001, message: "User rejected the request." };
    }
    switch (method) {
      case "eth_requestAccounts":
        connected = true;
        return [account.address];
      case "eth_accounts":
        return connected ? [account.address] : [];
      case "eth_chainId":
        return `0x${chain.id.toString(16)}`;
      case "net_version":
        return String(chain.id);
      case "wallet_switchEthereumChain": {
        const want = Number((params[0] as { chainId: string }).chainId);
        if (want !== chain.id) throw { code: 4902, message: `Unrecognized chain ID ${want}` };
        return null;
      }
      case "wallet_requestPermissions":
      case "wallet_getPermissions":
        return [{ parentCapability: "eth_accounts" }];
      case "wallet_revokePermissions":
        connected = false;
        return null;
      case "eth_sendTransaction": {
        const tx = params[0] as { to?: Hex; data?: Hex; value?: Hex; gas?: Hex };
        const request: TransactionRequest = { to: tx.to, data: tx.data, value: tx.value ? BigInt(tx.value) : undefined, gas: tx.gas ? BigInt(tx.gas) : undefined };
        const hash = await client.sendTransaction({ ...request, account, chain } as Parameters<typeof client.sendTransaction>[0]);
        wallet.sentAt.set(hash, Date.now());
        return hash;
      }
      case "eth_signTypedData_v4": {
        const typed = JSON.parse(params[1] as string) as { domain: Record<string, unknown>; types: Record<string, unknown>; primaryType: string; message: Record<string, unknown> };
        const { EIP712Domain: _, ...types } = typed.types;
        return account.signTypedData({ domain: typed.domain, types, primaryType: typed.primaryType, message: typed.message } as Parameters<typeof account.signTypedData>[0]);
      }
      case "personal_sign":
        return account.signMessage({ message: { raw: params[0] as Hex } });
      default:
        return forward(method, params);
    }
  };

  await context.exposeBinding("__sothebaisWallet", async (_source, method: string, paramsJson: string) => {
    try {
      return JSON.stringify({ ok: true, result: await handle(method, JSON.parse(paramsJson ?? "[]") as unknown[]) });
    } catch (error) {
      const e = error as { code?: number; message?: string; data?: unknown };
      return JSON.stringify({ ok: false, error: { code: e.code ?? -32603, message: e.message ?? String(error), data: e.data } });
    }
  });

  await context.addInitScript(
    ({ name }) => {
      type Listener = (...args: unknown[]) => void;
      const listeners = new Map<string, Set<Listener>>();
      const bridge = (window as unknown as { __sothebaisWallet: (m: string, p: string) => Promise<string> }).__sothebaisWallet;
      const provider = {
        isSothebaisTestWallet: true,
        async request({ method, params }: { method: string; params?: unknown[] }) {
          const reply = JSON.parse(await bridge(method, JSON.stringify(params ?? []))) as { ok: boolean; result?: unknown; error?: { code: number; message: string; data?: unknown } };
          if (reply.ok) {
            if (method === "eth_requestAccounts") for (const l of listeners.get("accountsChanged") ?? []) l(reply.result);
            return reply.result;
          }
          const err = Object.assign(new Error(reply.error?.message), reply.error);
          throw err;
        },
        on(event: string, fn: Listener) {
          if (!listeners.has(event)) listeners.set(event, new Set());
          listeners.get(event)?.add(fn);
          return provider;
        },
        removeListener(event: string, fn: Listener) {
          listeners.get(event)?.delete(fn);
          return provider;
        },
      };
      const icon =
        "data:image/svg+xml;base64," +
        btoa('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#8f1d21"/><text x="16" y="22" font-size="16" text-anchor="middle" fill="#fff">T</text></svg>');
      const detail = Object.freeze({ info: { uuid: "6f1c2d7e-0000-4000-8000-50746865626a", name, icon, rdns: "xyz.sothebais.testwallet" }, provider });
      const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail }));
      window.addEventListener("eip6963:requestProvider", announce);
      announce();
      (window as unknown as { ethereum: unknown }).ethereum = provider;
    },
    { name: options.name ?? "SothebAIs Test Wallet" },
  );
  return wallet;
}
