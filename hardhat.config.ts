import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { configVariable, defineConfig } from "hardhat/config";

// Hardhat cannot download compilers on these machines: use the wasm build from the pinned npm `solc`.
const solcPath = createRequire(import.meta.url).resolve("solc/soljson.js");

// Solidity fuzz / invariant effort. The default is the depth CI needs (issue 18 §8, asserted by
// contracts/test/fuzz-effort.test.ts): 10,000 runs per fuzz test, 250 runs x 400 calls = 100,000 handler calls per
// invariant test. CONTRACTS_FUZZ=quick selects a short run for local development only. See contracts/README.md.
const quickFuzz = process.env.CONTRACTS_FUZZ === "quick";
// One seed per run, kept in the environment so the node:test child processes report the seed the Solidity runner
// used; set CONTRACTS_FUZZ_SEED to replay a run.
process.env.CONTRACTS_FUZZ_SEED ??= `0x${randomBytes(32).toString("hex")}`;

export default defineConfig({
  plugins: [hardhatToolboxViem],
  paths: {
    sources: "./contracts/src",
    tests: { nodejs: "./contracts/test", solidity: "./contracts/test" },
  },
  solidity: {
    version: "0.8.30",
    path: solcPath,
    settings: {
      optimizer: { enabled: true, runs: 800 },
      evmVersion: "cancun",
      viaIR: true,
    },
  },
  test: {
    solidity: {
      fuzz: { runs: quickFuzz ? 256 : 10_000, seed: process.env.CONTRACTS_FUZZ_SEED },
      // failOnRevert: every handler action predicts its reverts (AuctionHouse.t.sol), so any other revert fails.
      invariant: { runs: quickFuzz ? 16 : 250, depth: 400, failOnRevert: true },
    },
  },
  // Shape's Blockscout explorers for hardhat-verify (in the viem toolbox): Hardhat knows no Shape chain by
  // itself. `npx hardhat verify blockscout --network shapeSepolia <address> <constructor args...>` then works;
  // `./sothebais deploy --verify` talks to the same API on its own (docs/GO-LIVE.md, "Verify").
  chainDescriptors: {
    11011: {
      name: "Shape Sepolia",
      chainType: "op",
      blockExplorers: { blockscout: { name: "Shapescan Sepolia", url: "https://sepolia.shapescan.xyz", apiUrl: "https://sepolia.shapescan.xyz/api" } },
    },
    360: {
      name: "Shape",
      chainType: "op",
      blockExplorers: { blockscout: { name: "Shapescan", url: "https://shapescan.xyz", apiUrl: "https://shapescan.xyz/api" } },
    },
  },
  networks: {
    // `hardhat node` uses this one: interval mining so auctions tick in real time.
    node: {
      type: "edr-simulated",
      chainType: "op",
      chainId: 31337,
      mining: { auto: false, interval: 1000 },
    },
    local: {
      type: "http",
      chainType: "op",
      url: process.env.RPC_URL ?? "http://127.0.0.1:8545",
    },
    shapeSepolia: {
      type: "http",
      chainType: "op",
      chainId: 11011,
      url: process.env.SHAPE_SEPOLIA_RPC_URL ?? "https://sepolia.shape.network",
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
    },
    shape: {
      type: "http",
      chainType: "op",
      chainId: 360,
      url: process.env.SHAPE_RPC_URL ?? "https://mainnet.shape.network",
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
    },
  },
});
