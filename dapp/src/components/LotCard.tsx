import { Artwork, useLotTitle } from "./Artwork.tsx";
import { Link } from "./Link.tsx";
import { StatusPill } from "./ui.tsx";
import { formatCountdown, formatDateTime, formatEth } from "../lib/format.ts";
import { type Lot, statusAt, zeroAddress } from "../lib/types.ts";
import { toggleWatch, useWatchlist } from "../lib/watchlist.ts";
import { useNow } from "../hooks/useNow.ts";

/** A lot in a grid: artwork, title, status and the one number that matters for that status. */
export function LotCard({ lot }: { lot: Lot }) {
  const { title, artist } = useLotTitle(lot.tokenUri, lot.tokenId);
  const now = useNow(1000);
  const status = statusAt(lot, now / 1000);
  const watched = useWatchlist().includes(lot.lotId.toString());
  let line: string;
  if (status === "scheduled") line = `Opens ${formatDateTime(lot.startTime)} · reserve ${lot.reserve > 0n ? formatEth(lot.reserve) : "none"}`;
  else if (status === "live") line = `${lot.amount > 0n ? formatEth(lot.amount) : "No bids"} · ${formatCountdown(lot.endTime * 1000 - now)} left`;
  else if (status === "settled") line = lot.winner && lot.winner !== zeroAddress ? `Sold for ${formatEth(lot.amount)}` : "Not sold";
  else if (status === "ended") line = lot.amount > 0n ? `Won at ${formatEth(lot.amount)} · awaiting settlement` : "Ended without a bid";
  else if (status === "queued") line = `Queued · opens after the lot before it closes · reserve ${lot.reserve > 0n ? formatEth(lot.reserve) : "none"}`;
  else if (status === "undeliverable") line = "Undeliverable · bid back in escrow";
  else line = "Cancelled";
  return (
    <article className="lot-card" data-lot-id={lot.lotId.toString()}>
      <Link to={`/lot/${lot.lotId}`} className="lot-card-link" aria-label={`Lot ${lot.lotId}: ${title}`}>
        <Artwork uri={lot.tokenUri} tokenId={lot.tokenId} size="thumb" />
      </Link>
      <div className="lot-card-body">
        <div className="lot-card-top">
          <StatusPill status={status} />
          <span className="muted small">Lot {lot.lotId.toString()}</span>
        </div>
        <h3>
          <Link to={`/lot/${lot.lotId}`}>{title}</Link>
        </h3>
        {artist ? <p className="muted small">by {artist}</p> : null}
        <p className="lot-card-line">{line}</p>
        {status === "scheduled" ? (
          <button type="button" className={`btn btn-small ${watched ? "btn-ghost" : "btn-outline"}`} aria-pressed={watched} onClick={() => toggleWatch(lot.lotId)}>
            {watched ? "★ Watching" : "☆ Watch"}
          </button>
        ) : null}
      </div>
    </article>
  );
}
