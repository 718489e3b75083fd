/**
 * @module indexer
 * Reads from the indexer: `/live` and `/lots/:id` snapshots and GraphQL for lists, through the dApp
 * server's proxy. Push updates come from `/live/events` (src/lib/live.ts).
 */
import type { Address, Hash } from "viem";
import { type LiveBid, type LiveLot, type LiveSnapshot, type LotState, lotStatus } from "@sothebais/common/live";
import { serviceUrl } from "./config.ts";
import { type Bid, bidFromLive, type Campaign, type Lot, lotFromLive } from "./types.ts";

const base = (path: string) => serviceUrl("indexer", path);

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(base(path), { signal, headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`indexer ${path}: HTTP ${res.status} ${(await res.text().catch(() => "")).slice(0, 200)}`);
  return (await res.json()) as T;
}

export function fetchLive(signal?: AbortSignal): Promise<LiveSnapshot> {
  return getJson<LiveSnapshot>("/live", signal);
}

export type LotSnapshot = { chainId: number; blockNumber: number; blockTimestamp: number; lot: LiveLot; bids: LiveBid[] };

/** One lot with its status derived at the latest indexed block; null when the indexer has no such lot. */
export async function fetchLotSnapshot(lotId: bigint, signal?: AbortSignal): Promise<LotSnapshot | null> {
  const res = await fetch(base(`/lots/${lotId}`), { signal });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`indexer /lots/${lotId}: HTTP ${res.status}`);
  return (await res.json()) as LotSnapshot;
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  const res = await fetch(base("/graphql"), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`indexer GraphQL: ${body.errors.map((e) => e.message).join("; ")}`);
  if (!res.ok || !body.data) throw new Error(`indexer GraphQL: HTTP ${res.status}`);
  return body.data;
}

/** A lot row as GraphQL returns it (bigints as decimal strings). */
type LotRow = {
  id: string;
  campaignId: string;
  campaignName: string;
  nft: Address;
  tokenId: string;
  tokenUri: string;
  seller: Address;
  reserve: string;
  startTime: number;
  endTime: number;
  state: LotState;
  amount: string;
  bidder: Address;
  viaRelayer: boolean;
  bidCount: number;
  minIncrementBps: number;
  minIncrementFloor: string;
  timeBuffer: number;
  extended: number;
  winner: Address;
};
const lotFields =
  "id campaignId campaignName nft tokenId tokenUri seller reserve startTime endTime state amount bidder viaRelayer bidCount minIncrementBps minIncrementFloor timeBuffer extended winner";

export function lotFromRow(r: LotRow, nowSeconds: number): Lot {
  return {
    lotId: BigInt(r.id),
    campaignId: BigInt(r.campaignId),
    campaignName: r.campaignName,
    nft: r.nft,
    tokenId: BigInt(r.tokenId),
    tokenUri: r.tokenUri,
    seller: r.seller,
    reserve: BigInt(r.reserve),
    startTime: r.startTime,
    endTime: r.endTime,
    status: lotStatus(r, nowSeconds),
    amount: BigInt(r.amount),
    bidder: r.bidder,
    viaRelayer: r.viaRelayer,
    bidCount: r.bidCount,
    minIncrementBps: r.minIncrementBps,
    minIncrementFloor: BigInt(r.minIncrementFloor),
    timeBuffer: r.timeBuffer,
    extended: r.extended,
    winner: r.winner,
  };
}

type BidRow = {
  id: string;
  lotId: string;
  bidder: Address;
  amount: string;
  viaRelayer: boolean;
  chatIdHash: Hash;
  blockNumber: string;
  txHash: Hash;
  logIndex: number;
  timestamp: number;
};
const bidFields = "id lotId bidder amount viaRelayer chatIdHash blockNumber txHash logIndex timestamp";

export function bidFromRow(r: BidRow): Bid {
  return {
    id: r.id,
    lotId: BigInt(r.lotId),
    bidder: r.bidder,
    amount: BigInt(r.amount),
    viaRelayer: r.viaRelayer,
    chatIdHash: r.chatIdHash,
    blockNumber: Number(r.blockNumber),
    txHash: r.txHash,
    logIndex: r.logIndex,
    timestamp: r.timestamp,
  };
}

/** Newest first, by position on chain. */
export const byChainPositionDesc = (a: Bid, b: Bid) => b.blockNumber - a.blockNumber || b.logIndex - a.logIndex;

type Page<T> = { items: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

/** Every page of a GraphQL list (Ponder caps a page at 1000 rows). */
async function all<T>(field: string, args: string, fields: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  for (let i = 0; i < 50; i++) {
    const query = `query($after: String${Object.keys(variables).map((k) => `, $${k}: ${variableTypes[k]}`).join("")}) {
      page: ${field}(${args}, limit: 1000, after: $after) { items { ${fields} } pageInfo { hasNextPage endCursor } } }`;
    const data: { page: Page<T> } = await gql<{ page: Page<T> }>(query, { ...variables, after }, signal);
    out.push(...data.page.items);
    if (!data.page.pageInfo.hasNextPage) break;
    after = data.page.pageInfo.endCursor;
  }
  return out;
}
const variableTypes: Record<string, string> = { lotId: "BigInt", bidder: "String", campaignId: "BigInt" };

/** The whole bid history of a lot (every bid, not the last few), newest first. */
export async function fetchBids(lotId: bigint, signal?: AbortSignal): Promise<Bid[]> {
  const rows = await all<BidRow>("bids", `where: { lotId: $lotId }, orderBy: "blockNumber", orderDirection: "desc"`, bidFields, { lotId: lotId.toString() }, signal);
  return rows.map(bidFromRow).sort(byChainPositionDesc);
}

export async function fetchBidsBy(bidder: Address, signal?: AbortSignal): Promise<Bid[]> {
  const rows = await all<BidRow>("bids", `where: { bidder: $bidder }, orderBy: "blockNumber", orderDirection: "desc"`, bidFields, { bidder: bidder.toLowerCase() }, signal);
  return rows.map(bidFromRow).sort(byChainPositionDesc);
}

export async function fetchLots(nowSeconds: number, signal?: AbortSignal): Promise<Lot[]> {
  const rows = await all<LotRow>("lots", `orderBy: "startTime", orderDirection: "asc"`, lotFields, {}, signal);
  return rows.map((r) => lotFromRow(r, nowSeconds));
}

type CampaignRow = { id: string; name: string; metadataUri: string };

/** Campaigns with their lots (lots of campaign 0 are listed under "Single lots"). */
export async function fetchCampaigns(nowSeconds: number, signal?: AbortSignal): Promise<Campaign[]> {
  const [campaigns, lots] = await Promise.all([
    all<CampaignRow>("campaigns", `orderBy: "id", orderDirection: "asc"`, "id name metadataUri", {}, signal),
    fetchLots(nowSeconds, signal),
  ]);
  const out: Campaign[] = campaigns.map((c) => ({
    campaignId: BigInt(c.id),
    name: c.name,
    metadataUri: c.metadataUri,
    lots: lots.filter((l) => l.campaignId === BigInt(c.id)),
  }));
  const single = lots.filter((l) => l.campaignId === 0n);
  if (single.length) out.push({ campaignId: 0n, name: "Single lots", metadataUri: "", lots: single });
  return out;
}

/** The indexer's view of a lot when it only has the snapshot shape. */
export function lotFromSnapshot(s: LotSnapshot): { lot: Lot; bids: Bid[] } {
  return { lot: lotFromLive(s.lot), bids: s.bids.map(bidFromLive) };
}
