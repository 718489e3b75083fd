/** `./sothebais cancel <lotId>`: cancel a lot without bids; the NFT goes back to the seller. Auctioneer only. */
import { FatalError } from "@sothebais/common/errors";
import { field, type Command, runMain } from "../lib/cli.ts";
import { parseId } from "../lib/parse.ts";

export const command: Command = {
  name: "cancel",
  summary: "Cancel a lot that has no bid yet; its NFT goes back to the seller. Needs AUCTIONEER_ROLE.",
  usage: "<lotId>",
  options: {},
  details: "Example:\n  ./sothebais cancel 3 --network shapeSepolia",
  run: async (ctx) => {
    if (ctx.positionals.length !== 1) throw new FatalError("cancel needs exactly one lot id (see ./sothebais cancel --help)");
    const lotId = field("lotId", parseId, ctx.positionals[0]);
    const { house } = await ctx.contracts();
    ctx.print(`cancelling lot ${lotId}`);
    await ctx.send({ ...house, functionName: "cancelLot", args: [lotId] });
    ctx.print(`lot ${lotId} cancelled`);
  },
};

if (import.meta.main) await runMain(command);
