/**
 * `./sothebais deploy`: deploys AuctionHouse + SothebaisCollection, grants roles, writes
 * deployments/<chainId>.json, and with --verify submits both to Shape's Blockscout explorer.
 */
import { deployContracts } from "@sothebais/common/deploy";
import { existsSync, readFileSync } from "node:fs";
import { explorers } from "@sothebais/common/chains";
import { deploymentPath, saveDeployment } from "@sothebais/common/deployments";
import { FatalError } from "@sothebais/common/errors";
import { formatEther } from "viem";
import { field, type Command, runMain } from "../lib/cli.ts";
import { parseAddress, parseBps } from "../lib/parse.ts";
import { verifyDeployment } from "../lib/verify.ts";

export const command: Command = {
  name: "deploy",
  summary: "Deploy the AuctionHouse and the SothebaisCollection and write deployments/<chainId>.json.",
  usage: "[options]",
  keyEnv: ["DEPLOYER_PRIVATE_KEY", "ADMIN_PRIVATE_KEY"],
  options: {
    admin: { type: "string" },
    treasury: { type: "string" },
    relayer: { type: "string" },
    fee: { type: "string", default: "500" },
    name: { type: "string", default: "SothebAIs" },
    symbol: { type: "string", default: "SOTH" },
    "contract-uri": { type: "string", default: "" },
    "royalty-receiver": { type: "string" },
    "royalty-bps": { type: "string", default: "500" },
    verify: { type: "boolean" },
    force: { type: "boolean" },
  },
  help: {
    admin: "default admin, auctioneer, pauser and minter (default: the deployer)",
    treasury: "receives protocol fees (default: the deployer)",
    relayer: "address granted RELAYER_ROLE (the relayer service's sender), optional",
    fee: "protocol fee in basis points (default 500 = 5 %)",
    name: "collection name (default SothebAIs)",
    symbol: "collection symbol (default SOTH)",
    "contract-uri": "collection-level metadata URI",
    "royalty-receiver": "ERC-2981 royalty receiver (default: the deployer)",
    "royalty-bps": "royalty in basis points (default 500 = 5 %)",
    verify: "verify both contracts on Shape's Blockscout (BLOCKSCOUT_API_URL overrides the explorer API)",
    force: "replace an existing record of a live deployment on shapeSepolia/shape",
  },
  details: `Examples:
  ./sothebais deploy                                   # local node, local admin
  DEPLOYER_PRIVATE_KEY=0x… ./sothebais deploy --network shapeSepolia --relayer 0xRelayer --treasury 0xSafe --verify
  ./sothebais deploy --network shape --keystore ~/.sothebais/deployer.json --fee 250 --verify`,
  run: async (ctx) => {
    const v = ctx.values;
    const { account, wallet } = await ctx.signer();
    const client = await ctx.publicClient();
    const balance = await client.getBalance({ address: account.address });
    if (balance === 0n) throw new FatalError(`account ${account.address} has 0 ETH on ${ctx.network} — fund it before deploying`);
    const admin = v.admin ? field("--admin", parseAddress, v.admin) : account.address;
    const treasury = v.treasury ? field("--treasury", parseAddress, v.treasury) : account.address;
    const relayer = v.relayer ? field("--relayer", parseAddress, v.relayer) : undefined;
    const protocolFeeBps = field("--fee", parseBps, v.fee);
    const royaltyBps = field("--royalty-bps", parseBps, v["royalty-bps"]);
    const royaltyReceiver = v["royalty-receiver"] ? field("--royalty-receiver", parseAddress, v["royalty-receiver"]) : account.address;
    // A record of contracts that still exist on a real network is worth keeping: replace it only on request.
    const existing = existsSync(deploymentPath(ctx.chain.id)) ? JSON.parse(readFileSync(deploymentPath(ctx.chain.id), "utf8")) as { auctionHouse?: `0x${string}` } : undefined;
    if (ctx.network !== "local" && existing?.auctionHouse && !v.force) {
      const code = await client.getCode({ address: existing.auctionHouse });
      if (code && code !== "0x") {
        throw new FatalError(`${deploymentPath(ctx.chain.id)} already records a live AuctionHouse at ${existing.auctionHouse} — pass --force to deploy a new one and replace the record`);
      }
    }
    ctx.print(`deployer ${account.address} (${formatEther(balance)} ETH) on ${ctx.network} (chain ${ctx.chain.id})`);

    const deployment = await deployContracts({
      publicClient: client,
      walletClient: wallet,
      admin,
      treasury,
      relayer,
      protocolFeeBps,
      collection: { name: String(v.name), symbol: String(v.symbol), contractURI: String(v["contract-uri"]), royaltyReceiver, royaltyBps },
      onProgress: (line) => ctx.print(line),
    });
    const path = saveDeployment(deployment);
    ctx.print(`wrote ${path}`);
    const explorer = explorers[ctx.chain.id];
    const link = (address: string) => (explorer ? `  ${explorer}/address/${address}` : "");
    ctx.print(`AuctionHouse        ${deployment.auctionHouse}${link(deployment.auctionHouse)}`);
    ctx.print(`SothebaisCollection ${deployment.collection}${link(deployment.collection)}`);
    ctx.print(`deploy block        ${deployment.deployBlock}`);

    if (v.verify) {
      await verifyDeployment({
        chainId: ctx.chain.id,
        deployment,
        constructorArgs: {
          auctionHouse: [admin, treasury, protocolFeeBps],
          collection: [String(v.name), String(v.symbol), String(v["contract-uri"]), admin, royaltyReceiver, BigInt(royaltyBps)],
        },
        print: ctx.print,
      });
    }
  },
};

if (import.meta.main) await runMain(command);
