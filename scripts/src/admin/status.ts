/** `./sothebais status`: campaigns, lots with their status, the live lot, escrow and treasury balances. */
import { getAbiItem, formatEther, zeroAddress } from "viem";
import type { Address } from "@sothebais/common/deployments";
import { type Command, runMain } from "../lib/cli.ts";
import { fmtRelative, fmtTime, readLots, scanLogs } from "../lib/lots.ts";

export const command: Command = {
  name: "status",
  summary: "Show the deployment, parameters, campaigns, every lot with its status, the live lot and balances.",
  usage: "[--json]",
  options: { json: { type: "boolean" } },
  help: { json: "print one JSON document instead of text (amounts in wei as strings)" },
  details: "Examples:\n  ./sothebais status\n  ./sothebais status --network shape --json | jq .liveLot",
  run: async (ctx) => {
    const c = await ctx.contracts();
    const client = await ctx.publicClient();
    const block = await client.getBlock();
    const now = Number(block.timestamp);
    const [paused, feeBps, treasury, campaignCount] = await Promise.all([
      ctx.read<boolean>({ ...c.house, functionName: "paused" }),
      ctx.read<number>({ ...c.house, functionName: "protocolFeeBps" }),
      ctx.read<Address>({ ...c.house, functionName: "treasury" }),
      ctx.read<bigint | number>({ ...c.house, functionName: "campaignCount" }),
    ]);
    const [houseBalance, treasuryEscrow, treasuryWallet] = await Promise.all([
      client.getBalance({ address: c.house.address }),
      ctx.read<bigint>({ ...c.house, functionName: "escrowOf", args: [treasury] }),
      client.getBalance({ address: treasury }),
    ]);
    const lots = await readLots(client, c, { history: true });
    const campaignLogs = await scanLogs(client, {
      address: c.house.address,
      event: getAbiItem({ abi: c.house.abi, name: "CampaignCreated" }),
      fromBlock: BigInt(c.deployment.deployBlock),
    });
    const campaigns = campaignLogs.map((l) => {
      const a = l.args as { campaignId: bigint | number; name: string; metadataURI: string; intermission?: number };
      const id = BigInt(a.campaignId);
      const own = lots.filter((lot) => lot.campaignId === id);
      return { campaignId: id, name: a.name, metadataURI: a.metadataURI, intermission: a.intermission === undefined ? undefined : Number(a.intermission), lots: own.length, live: own.filter((lot) => lot.status === "live").length, queued: own.filter((lot) => lot.status === "queued").length };
    });
    const live = lots.find((l) => l.status === "live");
    const standing = lots.filter((l) => l.status === "live" || l.status === "ended").reduce((s, l) => s + l.amount, 0n);

    if (ctx.values.json) {
      const str = (v: unknown): unknown =>
        typeof v === "bigint" ? v.toString() : Array.isArray(v) ? v.map(str) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, str(x)])) : v;
      ctx.print(
        JSON.stringify(
          str({
            network: ctx.network,
            chainId: ctx.chain.id,
            block: block.number,
            timestamp: now,
            deployment: c.deployment,
            paused,
            protocolFeeBps: feeBps,
            treasury,
            campaignCount,
            balances: { auctionHouse: houseBalance, standingBids: standing, treasuryEscrow, treasuryWallet },
            campaigns,
            lots,
            liveLot: live ?? null,
          }),
          null,
          2,
        ),
      );
      return;
    }
    const p = ctx.print;
    p(`${ctx.network} (chain ${ctx.chain.id}) block ${block.number} at ${fmtTime(now)}`);
    p(`AuctionHouse        ${c.house.address}${paused ? "  ** PAUSED **" : ""}`);
    p(`SothebaisCollection ${c.collection.address}`);
    p(`protocol fee ${feeBps} bps, treasury ${treasury}`);
    p(`balances: house ${formatEther(houseBalance)} ETH (standing bids ${formatEther(standing)}), treasury escrow ${formatEther(treasuryEscrow)} ETH, treasury wallet ${formatEther(treasuryWallet)} ETH`);
    p("");
    p(`campaigns (${campaignCount}):`);
    for (const cp of campaigns) p(`  #${cp.campaignId} ${cp.name}: ${cp.lots} lots${cp.live ? `, ${cp.live} live` : ""}${cp.queued ? `, ${cp.queued} queued` : ""}${cp.intermission !== undefined ? `, intermission ${cp.intermission || 20} s` : ""}`);
    if (campaigns.length === 0) p("  none");
    p("");
    p(`lots (${lots.length}):`);
    for (const l of lots) {
      const when =
        l.status === "scheduled" ? `starts ${fmtRelative(l.startTime, now)}`
        : l.status === "queued" ? "waits for the lot ahead of it in its campaign"
        : l.status === "live" ? `ends ${fmtRelative(l.endTime, now)}`
        : l.status === "undeliverable" ? `ended ${fmtTime(l.endTime)}, NFT not delivered (winner credited; returnUndeliverable sends it back)`
        : `ended ${fmtTime(l.endTime)}`;
      const bid =
        l.bidder === zeroAddress
          ? `reserve ${formatEther(l.reserve)} ETH, ${l.status === "settled" ? "unsold" : "no bid"}`
          : `${formatEther(l.amount)} ETH ${l.status === "settled" ? "won" : ""} by ${l.bidder}${l.viaRelayer ? " (chat)" : ""}`.replace("  ", " ");
      p(`  #${String(l.lotId).padEnd(3)} ${l.status.padEnd(13)} campaign ${l.campaignId} token ${l.tokenId}  ${bid}  ${when}`);
    }
    if (lots.length === 0) p("  none");
    p("");
    p(live ? `live lot: #${live.lotId} (token ${live.tokenId}), ends ${fmtRelative(live.endTime, now)}` : "live lot: none");
  },
};

if (import.meta.main) await runMain(command);
