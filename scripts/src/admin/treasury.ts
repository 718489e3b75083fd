/** `./sothebais treasury [address]`: show or set where protocol fees go. Admin only to set. */
import { FatalError } from "@sothebais/common/errors";
import { formatEther } from "viem";
import { field, type Command, runMain } from "../lib/cli.ts";
import { parseAddress } from "../lib/parse.ts";

export const command: Command = {
  name: "treasury",
  summary: "Show the treasury (with its escrow credit and wallet balance), or set a new one. Setting needs the admin.",
  usage: "[address]",
  options: {},
  details: "Examples:\n  ./sothebais treasury\n  ./sothebais treasury 0xYourSafe --network shape",
  run: async (ctx) => {
    if (ctx.positionals.length > 1) throw new FatalError("treasury takes at most one address");
    const { house } = await ctx.contracts();
    const current = await ctx.read<`0x${string}`>({ ...house, functionName: "treasury" });
    if (ctx.positionals.length === 0) {
      const client = await ctx.publicClient();
      const escrow = await ctx.read<bigint>({ ...house, functionName: "escrowOf", args: [current] });
      const wallet = await client.getBalance({ address: current });
      ctx.print(`treasury: ${current} (escrow ${formatEther(escrow)} ETH, wallet ${formatEther(wallet)} ETH)`);
      return;
    }
    const next = field("address", parseAddress, ctx.positionals[0]);
    ctx.print(`setting treasury ${current} -> ${next}`);
    await ctx.send({ ...house, functionName: "setTreasury", args: [next] });
    ctx.print(`treasury: ${next}`);
  },
};

if (import.meta.main) await runMain(command);
