/** `./sothebais fee [bps]`: show or set the protocol fee. Admin only to set. */
import { FatalError } from "@sothebais/common/errors";
import { field, type Command, runMain } from "../lib/cli.ts";
import { parseBps } from "../lib/parse.ts";

export const command: Command = {
  name: "fee",
  summary: "Show the protocol fee, or set it (basis points, capped by the contract). Setting needs the admin.",
  usage: "[bps]",
  options: {},
  details: "Examples:\n  ./sothebais fee               # show\n  ./sothebais fee 250 --network shape   # set 2.5 %",
  run: async (ctx) => {
    if (ctx.positionals.length > 1) throw new FatalError("fee takes at most one value: the fee in basis points");
    const { house } = await ctx.contracts();
    const current = await ctx.read<number>({ ...house, functionName: "protocolFeeBps" });
    if (ctx.positionals.length === 0) {
      ctx.print(`protocol fee: ${current} bps (${(current / 100).toFixed(2)} %)`);
      return;
    }
    const bps = field("bps", parseBps, ctx.positionals[0]);
    ctx.print(`setting protocol fee ${current} -> ${bps} bps`);
    await ctx.send({ ...house, functionName: "setProtocolFee", args: [bps] });
    ctx.print(`protocol fee: ${bps} bps (${(bps / 100).toFixed(2)} %)`);
  },
};

if (import.meta.main) await runMain(command);
