import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { configVariable, defineConfig } from "hardhat/config";

// Hardhat cannot download compilers on these machines: use the wasm build from the pinned npm `solc`.
const solcPath = createRequire(import.meta.url).resolve("solc/soljson.js");

// Solidity fuzz / invariant effort: CONTRACTS_FUZZ=full (or FULL=1) for the full run (>= 100,000 invariant calls),
// anything else for the quick CI mode. See contracts/README.md.
const fullFuzz = process.env.CONTRACTS_FUZZ === "full" || process.env.FULL === "1";
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
      fuzz: { runs: fullFuzz ? 2_000 : 256, seed: process.env.CONTRACTS_FUZZ_SEED },
      invariant: fullFuzz ? { runs: 256, depth: 400, failOnRevert: true } : { runs: 16, depth: 400, failOnRevert: true },
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
