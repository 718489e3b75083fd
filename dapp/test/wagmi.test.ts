import { describe, expect, it } from "vitest";
import type { AppConfig } from "../src/lib/config.ts";
import { chainFor, createWagmiConfig } from "../src/lib/wagmi.ts";

const base: AppConfig = { chainId: 31337, deployment: null, services: ["rpc", "indexer"], walletRpcUrl: "http://127.0.0.1:8545" };

describe("wallets by configuration", () => {
  it("offers WalletConnect when, and only when, a project id is configured", async () => {
    const without = await createWagmiConfig(base);
    expect(without.connectors.map((c) => c.id)).not.toContain("walletConnect");
    const withId = await createWagmiConfig({ ...base, walletConnectProjectId: "0123456789abcdef0123456789abcdef" });
    expect(withId.connectors.map((c) => c.id)).toContain("walletConnect");
  });

  it("gives wallets adding the chain the configured public RPC", () => {
    expect(chainFor({ ...base, chainId: 11011, walletRpcUrl: "https://sepolia.shape.network" }).rpcUrls.default.http).toEqual(["https://sepolia.shape.network"]);
  });
});
