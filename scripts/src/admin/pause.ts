/** `./sothebais pause`: stop new lots and bids (withdrawals and settlement keep working). Pauser only. */
import { type Command, runMain } from "../lib/cli.ts";

export const command: Command = {
  name: "pause",
  summary: "Pause the AuctionHouse: no new lots or bids; withdrawals and settlement keep working. Needs PAUSER_ROLE.",
  usage: "",
  options: {},
  details: "Example:\n  ./sothebais pause --network shape --keystore ~/.sothebais/admin.json",
  run: async (ctx) => {
    const { house } = await ctx.contracts();
    ctx.print(`pausing AuctionHouse ${house.address} on ${ctx.network}`);
    await ctx.send({ ...house, functionName: "pause", args: [] });
    ctx.print("paused");
  },
};

if (import.meta.main) await runMain(command);
