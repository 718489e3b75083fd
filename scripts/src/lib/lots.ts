/**
 * @module lib/lots
 * Reading auction state for the admin commands: lots with their status, campaigns from their events,
 * and log scans split into block ranges public RPCs accept.
 */
import { type AbiEvent, type Chain, getAbiItem, type PublicClient, type Transport } from "viem";
import type { Address } from "@sothebais/common/deployments";
import type { Contracts } from "./cli.ts";

/** IAuctionHouse.LotStatus: 6 queued (a campaign lot waiting its turn), 7 undeliverable (the NFT could not be delivered). */
export const lotStatusNames = ["none", "scheduled", "live", "ended", "settled", "cancelled", "queued", "undeliverable"] as const;
export type LotStatusName = (typeof lotStatusNames)[number];

export type LotRow = {
  lotId: bigint;
  campaignId: bigint;
  nft: Address;
  tokenId: bigint;
  seller: Address;
  reserve: bigint;
  startTime: number;
  endTime: number;
  bidder: Address;
  amount: bigint;
  viaRelayer: boolean;
  status: LotStatusName;
};

/** The house's `lot(id)` as the read returns it: the row's fields, the status as its enum number. */
type LotView = Omit<LotRow, "lotId" | "campaignId" | "status"> & { campaignId: bigint | number; status: number };

export async function readLot(client: PublicClient<Transport, Chain>, c: Contracts, lotId: bigint): Promise<LotRow> {
  const v = (await client.readContract({ ...c.house, functionName: "lot", args: [lotId] })) as unknown as LotView;
  return {
    lotId,
    campaignId: BigInt(v.campaignId),
    nft: v.nft,
    tokenId: v.tokenId,
    seller: v.seller,
    reserve: v.reserve,
    startTime: Number(v.startTime),
    endTime: Number(v.endTime),
    bidder: v.bidder,
    amount: v.amount,
    viaRelayer: v.viaRelayer,
    status: lotStatusNames[v.status] ?? "none",
  };
}

/**
 * Every lot, 1..lotCount (lot ids start at 1). The contract clears a settled lot's storage (gas refund),
 * so with `history` the settled ones are filled in from their LotCreated / LotExtended / LotSettled events.
 */
export async function readLots(client: PublicClient<Transport, Chain>, c: Contracts, options: { history?: boolean } = {}): Promise<LotRow[]> {
  const count = (await client.readContract({ ...c.house, functionName: "lotCount" })) as bigint;
  const ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
  const lots = await Promise.all(ids.map((id) => readLot(client, c, id)));
  if (!options.history || !lots.some((l) => l.status === "settled")) return lots;
  const fromBlock = BigInt(c.deployment.deployBlock);
  const scan = (name: "LotCreated" | "LotExtended" | "LotSettled") =>
    scanLogs(client, { address: c.house.address, event: getAbiItem({ abi: c.house.abi, name }) as AbiEvent, fromBlock });
  const [created, extended, settled] = await Promise.all([scan("LotCreated"), scan("LotExtended"), scan("LotSettled")]);
  const byLot = <T>(logs: { args: unknown }[]) => new Map(logs.map((l) => [(l.args as { lotId: bigint }).lotId, l.args as T]));
  const createdBy = byLot<{ campaignId: bigint | number; nft: Address; tokenId: bigint; seller: Address; reserve: bigint; startTime: number; endTime: number }>(created);
  const extendedBy = byLot<{ endTime: number }>(extended); // later logs win: the last extension
  const settledBy = byLot<{ winner: Address; amount: bigint }>(settled);
  return lots.map((l) => {
    const made = createdBy.get(l.lotId);
    if (l.status !== "settled" || !made) return l;
    const done = settledBy.get(l.lotId);
    return {
      ...l,
      campaignId: BigInt(made.campaignId),
      nft: made.nft,
      tokenId: made.tokenId,
      seller: made.seller,
      reserve: made.reserve,
      startTime: Number(made.startTime),
      endTime: Number(extendedBy.get(l.lotId)?.endTime ?? made.endTime),
      bidder: done?.winner ?? l.bidder,
      amount: done?.amount ?? l.amount,
    };
  });
}

/**
 * getLogs over [fromBlock, latest] in chunks. Public RPCs cap the range (or the result size) with
 * provider-specific errors, so a failing chunk is halved and retried down to 500 blocks.
 */
export async function scanLogs<E extends AbiEvent>(
  client: PublicClient<Transport, Chain>,
  p: { address: Address; event: E; fromBlock: bigint; chunk?: bigint },
) {
  const latest = await client.getBlockNumber();
  let chunk = p.chunk ?? 50_000n;
  const out = [];
  for (let from = p.fromBlock; from <= latest; ) {
    const to = from + chunk - 1n < latest ? from + chunk - 1n : latest;
    try {
      out.push(...(await client.getLogs({ address: p.address, event: p.event, fromBlock: from, toBlock: to })));
      from = to + 1n;
    } catch (error) {
      if (chunk <= 500n) throw error;
      chunk /= 2n;
    }
  }
  return out;
}

export function fmtTime(unix: number): string {
  return new Date(unix * 1000).toISOString().replace(".000Z", "Z");
}

/** "in 4m 10s" / "2m ago". */
export function fmtRelative(unix: number, now: number): string {
  const d = unix - now;
  const abs = Math.abs(d);
  const text = abs >= 3600 ? `${Math.floor(abs / 3600)}h ${Math.floor((abs % 3600) / 60)}m` : abs >= 60 ? `${Math.floor(abs / 60)}m ${abs % 60}s` : `${abs}s`;
  return d >= 0 ? `in ${text}` : `${text} ago`;
}
