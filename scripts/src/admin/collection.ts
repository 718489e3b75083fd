/**
 * `./sothebais collection [allow|disallow <address>]`: lots can only be made of tokens of allowed
 * collections (AuctionHouse v2). Without arguments: whether the project collection is allowed.
 * Allowing or disallowing needs the admin; disallowing stops new lots only (open lots run on).
 */
import { FatalError } from "@sothebais/common/errors";
import { field, type Command, runMain } from "../lib/cli.ts";
import { parseAddress } from "../lib/parse.ts";

export const command: Command = {
  name: "collection",
  summary: "Allow or disallow an NFT collection for new lots, or show whether one is allowed. Changing it needs the admin.",
  usage: "[allow|disallow|show] [address]",
  options: {},
  details: `Without an address: the project collection (SothebaisCollection of this deployment).
Disallowing only stops new lots of that collection; lots already created run and settle as usual.
Examples:
  ./sothebais collection                                   # is the project collection allowed?
  ./sothebais collection show 0xOtherNft
  ./sothebais collection allow 0xOtherNft --network shape --keystore ~/.sothebais/admin.json
  ./sothebais collection disallow 0xOtherNft --network shape`,
  run: async (ctx) => {
    const [action = "show", raw, ...rest] = ctx.positionals;
    if (!["allow", "disallow", "show"].includes(action)) throw new FatalError(`collection: expected allow, disallow or show, got ${JSON.stringify(action)}`);
    if (rest.length) throw new FatalError("collection takes one action and at most one address");
    const { house, collection } = await ctx.contracts();
    if (action !== "show" && raw === undefined) throw new FatalError(`collection ${action} needs the collection's address`);
    const nft = raw === undefined ? collection.address : field("address", parseAddress, raw);
    const current = await ctx.read<boolean>({ ...house, functionName: "isCollectionAllowed", args: [nft] });
    if (action === "show") {
      ctx.print(`collection ${nft}: ${current ? "allowed" : "not allowed"}`);
      return;
    }
    const allowed = action === "allow";
    if (current === allowed) {
      ctx.print(`collection ${nft}: already ${allowed ? "allowed" : "not allowed"}, nothing sent`);
      return;
    }
    ctx.print(`${allowed ? "allowing" : "disallowing"} collection ${nft} on AuctionHouse ${house.address}`);
    await ctx.send({ ...house, functionName: "setCollectionAllowed", args: [nft, allowed] });
    ctx.print(`collection ${nft}: ${allowed ? "allowed" : "not allowed"}`);
  },
};

if (import.meta.main) await runMain(command);
