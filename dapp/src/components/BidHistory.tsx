import type { Address } from "viem";
import { formatAgo, formatEth } from "../lib/format.ts";
import type { Bid } from "../lib/types.ts";
import { useNow } from "../hooks/useNow.ts";
import { AddressLabel, Empty, TxLink } from "./ui.tsx";

/** Every bid on the lot, newest first, each with its transaction. */
export function BidHistory({ bids, you, loading }: { bids: Bid[] | undefined; you?: Address; loading?: boolean }) {
  const now = useNow(10_000);
  if (!bids) return loading ? <Empty>Loading bids…</Empty> : <Empty>Bids could not be loaded; retrying.</Empty>;
  if (bids.length === 0) return <Empty>No bids yet. Be the first.</Empty>;
  return (
    <ol className="bid-history" aria-label="Bid history" data-testid="bid-history">
      {bids.map((b, i) => (
        <li key={b.id} className={i === 0 ? "leading" : ""} data-amount={b.amount.toString()}>
          <AddressLabel address={b.bidder} you={you} chat={b.viaRelayer} />
          <span className="bid-amount">{formatEth(b.amount, { decimals: 6 })}</span>
          <span className="bid-meta">
            <span className="muted">{formatAgo(b.timestamp, now)}</span>
            <TxLink hash={b.txHash} label="tx" />
          </span>
        </li>
      ))}
    </ol>
  );
}
