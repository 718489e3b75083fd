/**
 * `./sothebais campaign <file.json>`: create a campaign and its lots from a JSON file (validated whole
 * first); `./sothebais campaign approve`: the seller lets the AuctionHouse take its tokens.
 */
import { readFileSync } from "node:fs";
import { FatalError } from "@sothebais/common/errors";
import { type Command, runMain } from "../lib/cli.ts";
import { checkCampaignOnChain, defaultIntermission, executeCampaign, lotDefaults, lotLimits, validateCampaign } from "../lib/campaign.ts";
import { parseDuration } from "../lib/parse.ts";

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new FatalError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FatalError(`${path} is not valid JSON: ${(error as Error).message.split("\n")[0]}`);
  }
}

export const command: Command = {
  name: "campaign",
  summary: "Create a campaign of lots from a JSON file (token URIs to mint or existing token ids), or approve the AuctionHouse as the seller.",
  usage: "<file.json> [--dry-run] [--intermission 20s] | approve",
  options: { "dry-run": { type: "boolean" }, intermission: { type: "string" } },
  help: {
    "dry-run": "validate the file against the chain and print the plan; send nothing",
    intermission: `pause between one lot's close and the next lot's opening, on chain (overrides the file; default ${defaultIntermission}, at most 1d)`,
  },
  details: `File (every lot field except tokenURI/tokenId can go in "defaults"):
  {
    "name": "Genesis Night",                 campaign name (or "campaignId": 2 to add lots to an existing one)
    "metadataURI": "ipfs://…/campaign.json", optional
    "seller": "0xArtist",                    owner of the tokens and payee; default the signer
    "start": "now",                          first lot: "now", "+10m", unix seconds or ISO date
    "gap": "30s",                            extra time between planned lot starts (default 0)
    "intermission": "20s",                   on chain: the next lot opens this long after the previous one closes
                                             (default ${defaultIntermission}; "0" = the contract's default, 20 s; at most 1 day)
    "defaults": { "reserve": "0.05", "duration": "5m", "minIncrementBps": 500, "minIncrementFloor": "0.001", "timeBuffer": "2m" },
    "lots": [ { "tokenURI": "ipfs://…/1.json" }, { "tokenId": 7, "reserve": "0.5", "start": "2026-12-01T18:00:00Z" } ]
  }
Amounts are ETH ("0.5") or wei ("500wei"); durations are seconds or "90s", "5m", "1h".
A campaign is a running order (AuctionHouse v2): a lot opens only after the one before it closed
(settled, cancelled or undeliverable) plus the intermission; a lot created while an earlier one is open is
"queued" and its start is only its earliest opening. Every lot needs a minimum increment floor above 0.
Built-in defaults: ${JSON.stringify(lotDefaults)}.
If the seller is not the signer, the seller first runs: ./sothebais campaign approve (with the seller's key).
Examples:
  ./sothebais campaign scripts/src/demo/campaign.example.json --dry-run
  ./sothebais campaign genesis.json --network shapeSepolia --keystore ~/.sothebais/admin.json`,
  run: async (ctx) => {
    const [first, ...rest] = ctx.positionals;
    if (first === "approve") {
      if (rest.length) throw new FatalError("campaign approve takes no arguments");
      const { house, collection } = await ctx.contracts();
      const { account } = await ctx.signer();
      ctx.print(`${account.address} approves the AuctionHouse ${house.address} for all its SothebaisCollection tokens`);
      await ctx.send({ ...collection, functionName: "setApprovalForAll", args: [house.address, true] });
      ctx.print("approved");
      return;
    }
    if (!first || rest.length) throw new FatalError("campaign needs one JSON file (see ./sothebais campaign --help)");
    const json = readJson(first);
    const client = await ctx.publicClient();
    const now = Number((await client.getBlock()).timestamp);
    const { plan, problems } = validateCampaign(json, now);
    const flag = ctx.values.intermission as string | undefined;
    if (plan && flag !== undefined) {
      let seconds: number;
      try {
        seconds = parseDuration(flag);
      } catch (error) {
        throw new FatalError(`--intermission: ${(error as Error).message}`);
      }
      if (seconds > lotLimits.maxIntermission) throw new FatalError(`--intermission: at most 1 day, got ${seconds} s`);
      if (plan.campaignId !== undefined) throw new FatalError(`--intermission: set when a campaign is created; campaign ${plan.campaignId} keeps its own`);
      plan.intermission = seconds;
    }
    const fail = (list: string[]) => {
      throw new FatalError(`${first} has ${list.length} problem${list.length > 1 ? "s" : ""}:\n${list.map((p) => `  - ${p}`).join("\n")}`);
    };
    if (!plan) return fail(problems);
    const contracts = await ctx.contracts();
    const { account } = await ctx.signer();
    const chainProblems = await checkCampaignOnChain(plan, account.address, { contracts, read: ctx.read as never });
    if (chainProblems.length) return fail(chainProblems);
    const mints = plan.lots.filter((l) => "uri" in l.token).length;
    ctx.print(`${plan.campaignId === undefined ? `campaign "${plan.name}" (intermission ${plan.intermission} s)` : `campaign #${plan.campaignId}`}: ${plan.lots.length} lots (${mints} to mint), seller ${plan.seller ?? account.address}`);
    if (ctx.values["dry-run"]) {
      for (const l of plan.lots) {
        ctx.print(`  lots[${l.index}] ${"uri" in l.token ? "mint" : `token ${l.token.tokenId}`}, reserve ${l.reserve} wei, ${l.duration}s, +${l.minIncrementBps} bps / ${l.minIncrementFloor} wei, buffer ${l.timeBuffer}s${l.start ? `, start ${l.start}` : ""}`);
      }
      ctx.print("dry run: the file is valid, nothing sent");
      return;
    }
    const result = await executeCampaign(plan, { signer: account.address, contracts, send: ctx.send, read: ctx.read as never, print: ctx.print });
    ctx.print(`campaign #${result.campaignId}: lots ${result.lots.map((l) => `#${l.lotId}`).join(", ")}`);
  },
};

if (import.meta.main) await runMain(command);
