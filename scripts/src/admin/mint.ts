/** `./sothebais mint`: mint SothebaisCollection tokens. Needs MINTER_ROLE. */
import { FatalError } from "@sothebais/common/errors";
import { parseEventLogs } from "viem";
import { field, type Command, runMain } from "../lib/cli.ts";
import { parseAddress, parseTokenURI } from "../lib/parse.ts";

export const command: Command = {
  name: "mint",
  summary: "Mint one token per URI to an address (default: the signer). Needs MINTER_ROLE on the collection.",
  usage: "--uri <tokenURI> [--uri <tokenURI> ...] [--to <address>]",
  options: { uri: { type: "string", multiple: true }, to: { type: "string" } },
  help: { uri: "token metadata URI: ipfs://, ar://, https:// or data: (repeat for several)", to: "owner of the new tokens (default: the signer)" },
  details: "Example:\n  ./sothebais mint --uri ipfs://bafy…/1.json --uri ipfs://bafy…/2.json --to 0xArtist --network shapeSepolia",
  run: async (ctx) => {
    const uris = ((ctx.values.uri as string[] | undefined) ?? []).map((u, i) => field(`--uri #${i + 1}`, parseTokenURI, u));
    if (uris.length === 0) throw new FatalError("mint needs at least one --uri (see ./sothebais mint --help)");
    const { collection } = await ctx.contracts();
    const { account } = await ctx.signer();
    const to = ctx.values.to ? field("--to", parseAddress, ctx.values.to) : account.address;
    for (const uri of uris) {
      const receipt = await ctx.send({ ...collection, functionName: "mint", args: [to, uri] });
      const [transfer] = parseEventLogs({ abi: collection.abi, logs: receipt.logs, eventName: "Transfer" });
      const tokenId = (transfer?.args as { tokenId?: bigint } | undefined)?.tokenId;
      ctx.print(`minted token ${tokenId} to ${to}`);
    }
  },
};

if (import.meta.main) await runMain(command);
