/** `./sothebais unpause`: resume new lots and bids. Pauser only. */
import { type Command, runMain } from "../lib/cli.ts";

export const command: Command = {
  name: "unpause",
  summary: "Unpause the AuctionHouse: lots and bids resume. Needs PAUSER_ROLE.",
  usage: "",
  options: {},
  details: "Example:\n  ./sothebais unpause --network shapeSepolia",
  run: async (ctx) => {
    const { house } = await ctx.contracts();
    ctx.print(`unpausing AuctionHouse ${house.address} on ${ctx.network}`);
    await ctx.send({ ...house, functionName: "unpause", args: [] });
    ctx.print("unpaused");
  },
};

if (import.meta.main) await runMain(command);
