/**
 * @module data
 * The pages' data: the indexer for what happened (lots, bids, campaigns), pushed live; the contract's
 * own views for what a transaction will be judged against (minimum next bid, escrow, pause, roles).
 */
import { useEffect } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useBalance, useBlockNumber, useConnection, useReadContract, useReadContracts } from "wagmi";
import type { Address } from "viem";
import { auctionHouseAbi, type RoleName, roles } from "../lib/contracts.ts";
import {
  type LotSnapshot,
  bidFromSqlRow,
  byChainPositionDesc,
  fetchBids,
  fetchBidsBy,
  fetchCampaigns,
  fetchLive,
  fetchLotSnapshot,
  fetchLots,
  liveBidsSql,
  lotFromSnapshot,
  type SqlBidRow,
  subscribeSql,
} from "../lib/indexer.ts";
import type { Bid, Lot } from "../lib/types.ts";
import { useApp } from "../state.tsx";

export function useAuctionHouse(): Address | undefined {
  return useApp().config.deployment?.auctionHouse;
}

/** Re-run `keys` whenever the indexer reports a change to the tables `sql` reads. */
function useLiveInvalidation(sql: string, params: unknown[], keys: unknown[][]) {
  const queryClient = useQueryClient();
  const key = JSON.stringify([sql, params]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is the value of sql and params (new arrays every render); keys follow them.
  useEffect(() => {
    // Ponder's live route sends nothing on subscribe, only a message per change: each one invalidates.
    return subscribeSql(sql, params, () => {
      for (const k of keys) void queryClient.invalidateQueries({ queryKey: k });
    });
  }, [key, queryClient]);
}

export function useLiveSnapshot() {
  useLiveInvalidation("select id, amount, end_time, state, bid_count from lot order by id desc limit 50", [], [["live"]]);
  return useQuery({ queryKey: ["live"], queryFn: ({ signal }) => fetchLive(signal), refetchInterval: 5000, retry: false });
}

/** A lot and its whole bid history, updated live: bids arrive by push from the indexer's SQL live query. */
export function useLot(lotId: bigint) {
  const queryClient = useQueryClient();
  const snapshot = useQuery({
    queryKey: ["lot", lotId.toString()],
    queryFn: async ({ signal }): Promise<{ lot: Lot; bids: Bid[] } | null> => {
      const s: LotSnapshot | null = await fetchLotSnapshot(lotId, signal);
      return s ? lotFromSnapshot(s) : null;
    },
    refetchInterval: 5000,
  });
  const bids = useQuery({ queryKey: ["bids", lotId.toString()], queryFn: ({ signal }) => fetchBids(lotId, signal), refetchInterval: 15_000 });
  useEffect(() => {
    // Every message is a change (nothing is sent on subscribe): the new bid list, and the lot moved too.
    return subscribeSql<SqlBidRow>(liveBidsSql, [lotId.toString()], (rows) => {
      queryClient.setQueryData(["bids", lotId.toString()], rows.map(bidFromSqlRow).sort(byChainPositionDesc));
      void queryClient.invalidateQueries({ queryKey: ["lot", lotId.toString()] });
    });
  }, [lotId, queryClient]);
  return { snapshot, bids };
}

export function useLots() {
  useLiveInvalidation("select id, state, bid_count, end_time from lot", [], [["lots"], ["campaigns"]]);
  return useQuery({ queryKey: ["lots"], queryFn: ({ signal }) => fetchLots(Date.now() / 1000, signal), refetchInterval: 10_000 });
}

export function useCampaigns() {
  useLiveInvalidation("select id, state, bid_count, end_time from lot", [], [["campaigns"], ["lots"]]);
  return useQuery({ queryKey: ["campaigns"], queryFn: ({ signal }) => fetchCampaigns(Date.now() / 1000, signal), refetchInterval: 10_000 });
}

export function useMyBids(address: Address | undefined) {
  return useQuery({
    queryKey: ["myBids", address],
    queryFn: ({ signal }) => fetchBidsBy(address as Address, signal),
    enabled: Boolean(address),
    refetchInterval: 5000,
  });
}

/** What the contract says about a lot right now: the authority for the minimum next bid. */
export function useChainLot(lotId: bigint) {
  const address = useAuctionHouse();
  const { data: block } = useBlockNumber({ watch: true });
  const result = useReadContracts({
    contracts: [
      { address, abi: auctionHouseAbi, functionName: "lot", args: [lotId] },
      { address, abi: auctionHouseAbi, functionName: "minimumNextBid", args: [lotId] },
      { address, abi: auctionHouseAbi, functionName: "paused" },
    ],
    query: { enabled: Boolean(address) },
  });
  const { refetch } = result;
  useEffect(() => {
    if (block !== undefined) void refetch();
  }, [block, refetch]);
  const [lotView, minimum, paused] = result.data ?? [];
  return {
    lotView: lotView?.status === "success" ? lotView.result : undefined,
    minimum: minimum?.status === "success" ? minimum.result : undefined,
    paused: paused?.status === "success" ? paused.result : undefined,
    refetch,
  };
}

export function useEscrow(account: Address | undefined) {
  const address = useAuctionHouse();
  const { data: block } = useBlockNumber({ watch: true });
  const read = useReadContract({
    address,
    abi: auctionHouseAbi,
    functionName: "escrowOf",
    args: account ? [account] : undefined,
    query: { enabled: Boolean(address && account) },
  });
  const { refetch } = read;
  useEffect(() => {
    if (block !== undefined && account) void refetch();
  }, [block, account, refetch]);
  return read;
}

export function useWallet() {
  const connection = useConnection();
  const balance = useBalance({ address: connection.address, query: { enabled: Boolean(connection.address), refetchInterval: 4000 } });
  return { ...connection, balance: balance.data?.value };
}

/** Which on-chain roles an account holds (the contract is the access control; this only shapes the UI). */
export function useRoles(account: Address | undefined): { data?: Record<RoleName, boolean>; isLoading: boolean } {
  const address = useAuctionHouse();
  const names = Object.keys(roles) as RoleName[];
  const read = useReadContracts({
    contracts: names.map((name) => ({ address, abi: auctionHouseAbi, functionName: "hasRole", args: [roles[name], account] }) as const),
    query: { enabled: Boolean(address && account) },
  });
  if (!read.data) return { isLoading: read.isLoading };
  const data = Object.fromEntries(names.map((n, i) => [n, read.data?.[i]?.status === "success" && read.data[i].result === true])) as Record<RoleName, boolean>;
  return { data, isLoading: false };
}
