/**
 * @module data
 * The pages' data: the indexer for what happened (lots, bids, campaigns), pushed live; the contract's
 * own views for what a transaction will be judged against (minimum next bid, escrow, pause, roles).
 */
import { useEffect } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useBalance, useBlockNumber, useConnection, useReadContract, useReadContracts } from "wagmi";
import type { Address } from "viem";
import type { LiveSnapshot } from "@sothebais/common/live";
import { auctionHouseAbi, type RoleName, roles } from "../lib/contracts.ts";
import {
  type LotSnapshot,
  byChainPositionDesc,
  fetchBids,
  fetchBidsBy,
  fetchCampaigns,
  fetchLive,
  fetchLotSnapshot,
  fetchLots,
  lotFromSnapshot,
} from "../lib/indexer.ts";
import { listenLive } from "../lib/live.ts";
import { type Bid, bidFromLive, type Campaign, type Lot, lotFromLive } from "../lib/types.ts";
import { useApp } from "../state.tsx";

export function useAuctionHouse(): Address | undefined {
  return useApp().config.deployment?.auctionHouse;
}

/**
 * What the lot lists depend on in a snapshot: which lot is live and its status, what is next, the last
 * sale. A bid changes none of it (the live lot's entry is patched in place instead), so 10,000 viewers do
 * not re-read every list on every bid.
 */
export function listKeyOf(s: LiveSnapshot): string {
  return JSON.stringify([s.lot?.lotId, s.lot?.status, s.upcoming.map((u) => u.lotId), s.lastSettled?.lotId]);
}

/** Spread re-reads over a moment, so viewers who all got the same event do not all ask at once. */
const jitter = (fn: () => void) => setTimeout(fn, Math.floor(Math.random() * 1500));

/** Every bid of both lists once (the fresh one wins), newest first. */
export function mergeBids(old: Bid[] | undefined, fresh: Bid[]): Bid[] {
  const byId = new Map<string, Bid>();
  for (const b of old ?? []) byId.set(b.id, b);
  for (const b of fresh) byId.set(b.id, b);
  return [...byId.values()].sort(byChainPositionDesc);
}

/** The /live document, pushed by the live feed (one snapshot per change, a head per block). */
export function useLiveSnapshot() {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      listenLive({
        snapshot: (s) => queryClient.setQueryData(["live"], s),
        head: (h) => queryClient.setQueryData<LiveSnapshot>(["live"], (old) => (old ? { ...old, ...h } : old)),
      }),
    [queryClient],
  );
  // The first paint and a fallback while the feed is down; the feed keeps it current.
  return useQuery({ queryKey: ["live"], queryFn: ({ signal }) => fetchLive(signal), refetchInterval: 30_000, retry: false });
}

/**
 * A lot and its whole bid history, updated live: while it is the live lot, every snapshot of the feed
 * carries it and its last bids (no request at all); otherwise it is re-read when the feed says the lots
 * moved on.
 */
export function useLot(lotId: bigint) {
  const queryClient = useQueryClient();
  const id = lotId.toString();
  const snapshot = useQuery({
    queryKey: ["lot", id],
    queryFn: async ({ signal }): Promise<{ lot: Lot; bids: Bid[] } | null> => {
      const s: LotSnapshot | null = await fetchLotSnapshot(lotId, signal);
      return s ? lotFromSnapshot(s) : null;
    },
    // A fallback only: the feed brings every change (a live lot's without any request).
    refetchInterval: 60_000,
  });
  const bids = useQuery({ queryKey: ["bids", id], queryFn: ({ signal }) => fetchBids(lotId, signal), refetchInterval: 120_000 });
  useEffect(() => {
    let listKey: string | undefined;
    return listenLive({
      snapshot: (s) => {
        const key = listKeyOf(s);
        const moved = listKey !== undefined && key !== listKey;
        listKey = key;
        if (s.lot?.lotId === id) {
          const fresh = s.bids.map(bidFromLive);
          queryClient.setQueryData(["lot", id], { lot: lotFromLive(s.lot), bids: fresh });
          queryClient.setQueryData<Bid[]>(["bids", id], (old) => mergeBids(old, fresh));
        } else if (moved) {
          jitter(() => {
            void queryClient.invalidateQueries({ queryKey: ["lot", id] });
            void queryClient.invalidateQueries({ queryKey: ["bids", id] });
          });
        }
      },
    });
  }, [id, queryClient]);
  return { snapshot, bids };
}

/** Keeps the lot lists current from the feed: the live lot patched in place, a re-read when lots move on. */
function useLiveLists() {
  const queryClient = useQueryClient();
  useEffect(() => {
    let listKey: string | undefined;
    return listenLive({
      snapshot: (s) => {
        const key = listKeyOf(s);
        if (listKey !== undefined && key !== listKey) {
          jitter(() => {
            void queryClient.invalidateQueries({ queryKey: ["lots"] });
            void queryClient.invalidateQueries({ queryKey: ["campaigns"] });
          });
        } else if (s.lot) {
          const live = lotFromLive(s.lot);
          const patch = (lots: Lot[]) => lots.map((l) => (l.lotId === live.lotId ? { ...l, ...live } : l));
          queryClient.setQueryData<Lot[]>(["lots"], (old) => (old ? patch(old) : old));
          queryClient.setQueryData<Campaign[]>(["campaigns"], (old) => old?.map((c) => ({ ...c, lots: patch(c.lots) })));
        }
        listKey = key;
      },
    });
  }, [queryClient]);
}

export function useLots() {
  useLiveLists();
  return useQuery({ queryKey: ["lots"], queryFn: ({ signal }) => fetchLots(Date.now() / 1000, signal), refetchInterval: 60_000 });
}

export function useCampaigns() {
  useLiveLists();
  return useQuery({ queryKey: ["campaigns"], queryFn: ({ signal }) => fetchCampaigns(Date.now() / 1000, signal), refetchInterval: 60_000 });
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
