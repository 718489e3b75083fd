/** `./sothebais gasback`: register the contracts with Shape Gasback (called by their owner(), the admin). */
import { FatalError } from "@sothebais/common/errors";
import type { Address } from "@sothebais/common/deployments";
import { field, type Command, runMain } from "../lib/cli.ts";
import { gasbackAbi, gasbackAddresses } from "../lib/gasback.ts";
import { parseAddress } from "../lib/parse.ts";

export const command: Command = {
  name: "gasback",
  summary: "Register the AuctionHouse and/or the collection with Shape Gasback; the Gasback NFT goes to --recipient. Run with the admin key (owner()).",
  usage: "--recipient <address> [--contract house|collection|both]",
  options: { recipient: { type: "string" }, contract: { type: "string", default: "both" }, gasback: { type: "string" } },
  help: {
    recipient: "receives the Gasback NFT that collects the contracts' fee share (default: the signer)",
    contract: "house | collection | both (default both)",
    gasback: "Gasback contract address (default GASBACK_ADDRESS, else the known one for shapeSepolia)",
  },
  details: `Shape's Gasback returns a share of the sequencer fees a contract generates to whoever holds its Gasback NFT.
register(nftRecipient, smartContract) must be sent by smartContract.owner(); both our contracts expose owner()
(the default admin). Mainnet has no built-in address: set GASBACK_ADDRESS from Shape's docs.
Example:
  GASBACK_ADDRESS=0x… ./sothebais gasback --network shape --recipient 0xTreasurySafe --keystore ~/.sothebais/admin.json`,
  run: async (ctx) => {
    const c = await ctx.contracts();
    const { account } = await ctx.signer();
    const client = await ctx.publicClient();
    const gasbackRaw = (ctx.values.gasback as string | undefined) ?? process.env.GASBACK_ADDRESS ?? gasbackAddresses[ctx.chain.id];
    if (!gasbackRaw) throw new FatalError(`no Gasback address for ${ctx.network}: set GASBACK_ADDRESS (see Shape's docs) or pass --gasback`);
    const gasback = field("Gasback address", parseAddress, gasbackRaw);
    const code = await client.getCode({ address: gasback });
    if (!code || code === "0x") throw new FatalError(`no contract at the Gasback address ${gasback} on ${ctx.network}`);
    const recipient = ctx.values.recipient ? field("--recipient", parseAddress, ctx.values.recipient) : account.address;
    const which = String(ctx.values.contract);
    const picks: [string, Address][] =
      which === "both" ? [["AuctionHouse", c.house.address], ["SothebaisCollection", c.collection.address]]
      : which === "house" ? [["AuctionHouse", c.house.address]]
      : which === "collection" ? [["SothebaisCollection", c.collection.address]]
      : [];
    if (picks.length === 0) throw new FatalError(`--contract: expected house, collection or both, got "${which}"`);
    for (const [label, address] of picks) {
      const owner = await ctx.read<Address>({ ...c.house, address, functionName: "owner" });
      if (owner.toLowerCase() !== account.address.toLowerCase()) {
        throw new FatalError(`${label}.owner() is ${owner}, not the signer ${account.address}: Gasback only accepts the owner`);
      }
      ctx.print(`registering ${label} ${address} with Gasback ${gasback}, NFT to ${recipient}`);
      await ctx.send({ address: gasback, abi: gasbackAbi, functionName: "register", args: [recipient, address] });
      ctx.print(`${label} registered`);
    }
  },
};

if (import.meta.main) await runMain(command);
