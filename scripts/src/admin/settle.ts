/** `./sothebais settle <lotId> | --all-ended`: settle ended lots. Anyone may settle. */
import { FatalError } from "@sothebais/common/errors";
import { formatEther, parseEventLogs, zeroAddress } from "viem";
import { field, type Command, runMain } from "../lib/cli.ts";
import { explainError } from "../lib/errors.ts";
import { readLots } from "../lib/lots.ts";
import { parseId } from "../lib/parse.ts";

export const command: Command = {
  name: "settle",
  summary: "Settle one ended lot, or every ended lot: NFT to the winner, royalty, fee and proceeds paid. Anyone may call.",
  usage: "<lotId> | --all-ended",
  options: { "all-ended": { type: "boolean" } },
  help: { "all-ended": "settle every lot whose end time has passed and is not settled yet" },
  details: "Examples:\n  ./sothebais settle 4\n  ./sothebais settle --all-ended --network shape",
  run: async (ctx) => {
    const all = Boolean(ctx.values["all-ended"]);
    if (all === (ctx.positionals.length > 0) || ctx.positionals.length > 1) {
      throw new FatalError("settle needs one lot id or --all-ended (see ./sothebais settle --help)");
    }
    const c = await ctx.contracts();
    const client = await ctx.publicClient();
    const ids = all ? (await readLots(client, c)).filter((l) => l.status === "ended").map((l) => l.lotId) : [field("lotId", parseId, ctx.positionals[0])];
    if (all && ids.length === 0) {
      ctx.print("no ended lot waits for settlement");
      return;
    }
    // With --all-ended one lot that fails (settled by someone else meanwhile, a node hiccup) must not stop
    // the others: report it and carry on, then fail the command as a whole.
    const failed: bigint[] = [];
    for (const lotId of ids) {
      ctx.print(`settling lot ${lotId}`);
      let receipt;
      try {
        receipt = await ctx.send({ ...c.house, functionName: "settle", args: [lotId] });
      } catch (error) {
        if (!all) throw error;
        failed.push(lotId);
        ctx.print(`lot ${lotId}: not settled: ${explainError(error)}`);
        continue;
      }
      const [settled] = parseEventLogs({ abi: c.house.abi, logs: receipt.logs, eventName: "LotSettled" });
      if (!settled) continue;
      const a = settled.args as { winner: string; amount: bigint; royalty: bigint; protocolFee: bigint; sellerProceeds: bigint };
      ctx.print(
        a.winner === zeroAddress
          ? `lot ${lotId}: no winning bid, NFT back to the seller`
          : `lot ${lotId}: won by ${a.winner} for ${formatEther(a.amount)} ETH (royalty ${formatEther(a.royalty)}, fee ${formatEther(a.protocolFee)}, seller ${formatEther(a.sellerProceeds)})`,
      );
    }
    if (failed.length) throw new FatalError(`${failed.length} of ${ids.length} ended lots not settled: ${failed.map((id) => `#${id}`).join(", ")}`);
  },
};

if (import.meta.main) await runMain(command);
