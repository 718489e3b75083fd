/**
 * @module router
 * Four pages do not need a routing library: the path is state, links push it, back/forward pop it.
 */
import { useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
if (typeof window !== "undefined") window.addEventListener("popstate", notify);

export function navigate(path: string): void {
  if (path === window.location.pathname + window.location.search) return;
  window.history.pushState(null, "", path);
  window.scrollTo?.({ top: 0 });
  notify();
}

const subscribe = (cb: () => void) => {
  listeners.add(cb);
  return () => void listeners.delete(cb);
};

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname, () => "/");
}

/** The query string (`?service=relayer`): pages that keep state in it re-render when it changes. */
export function useSearch(): string {
  return useSyncExternalStore(subscribe, () => window.location.search, () => "");
}

export type Route =
  | { page: "live" }
  | { page: "lot"; lotId: bigint }
  | { page: "campaigns" }
  | { page: "campaign"; campaignId: bigint }
  | { page: "account" }
  | { page: "admin" }
  | { page: "logs" }
  | { page: "notFound" };

export function matchRoute(path: string): Route {
  const p = path.replace(/\/+$/, "") || "/";
  if (p === "/") return { page: "live" };
  if (p === "/campaigns") return { page: "campaigns" };
  if (p === "/account") return { page: "account" };
  if (p === "/admin") return { page: "admin" };
  if (p === "/admin/logs") return { page: "logs" };
  const lot = /^\/lot\/(\d{1,30})$/.exec(p);
  if (lot) return { page: "lot", lotId: BigInt(lot[1]) };
  const campaign = /^\/campaign\/(\d{1,20})$/.exec(p);
  if (campaign) return { page: "campaign", campaignId: BigInt(campaign[1]) };
  return { page: "notFound" };
}
