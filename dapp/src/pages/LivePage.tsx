/**
 * @module LivePage
 * Home: the lot on the block now (the indexer's /live snapshot decides which), or, between lots, what
 * comes next and what just sold.
 */
import { LotCard } from "../components/LotCard.tsx";
import { Card, Empty, Notice, Skeleton } from "../components/ui.tsx";
import { useLiveSnapshot } from "../hooks/data.ts";
import { lotFromUpcoming } from "../lib/types.ts";
import { LotPage } from "./LotPage.tsx";
import { formatEth } from "../lib/format.ts";
import { Link } from "../components/Link.tsx";

export function LivePage() {
  const live = useLiveSnapshot();
  if (live.isLoading) return <Skeleton lines={6} />;
  if (!live.data)
    return <Notice words={{ title: "The auction data is not reachable right now.", action: "The indexer may be starting; this page retries on its own." }} />;
  const { lot, upcoming, lastSettled } = live.data;
  return (
    <>
      {lot ? (
        <LotPage lotId={BigInt(lot.lotId)} />
      ) : (
        <section className="hero">
          <p className="eyebrow">Between lots</p>
          <h1>The next lot is being prepared.</h1>
          <p className="lede">
            {lastSettled
              ? `Lot ${lastSettled.lotId} just ${lastSettled.winner.startsWith("0x000000000000") ? "closed without a sale" : `sold for ${formatEth(BigInt(lastSettled.amount))}`}.`
              : "Browse the campaign schedule and add lots to your watchlist."}{" "}
            <Link to="/campaigns">See the schedule</Link>
          </p>
        </section>
      )}
      <Card title="Up next">
        {upcoming.length ? (
          <div className="lot-grid">
            {upcoming.map((u) => (
              <LotCard key={u.lotId} lot={lotFromUpcoming(u)} />
            ))}
          </div>
        ) : (
          <Empty>Nothing scheduled yet.</Empty>
        )}
      </Card>
    </>
  );
}
