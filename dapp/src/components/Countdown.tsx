import { useNow } from "../hooks/useNow.ts";
import { formatCountdown } from "../lib/format.ts";

/**
 * Time left to `endTime`, re-rendered every second. `endTime` comes from the latest BidPlaced /
 * LotExtended, so a late bid that extends the lot moves the countdown without a reload.
 */
export function Countdown({ startTime, endTime, extended }: { startTime: number; endTime: number; extended?: boolean }) {
  const now = useNow(1000);
  const nowS = now / 1000;
  if (nowS < startTime)
    return (
      <div className="countdown" aria-live="off">
        <span className="label">Opens in</span>
        <span className="countdown-value" data-testid="countdown">{formatCountdown(startTime * 1000 - now)}</span>
      </div>
    );
  const left = endTime * 1000 - now;
  const urgent = left > 0 && left < 60_000;
  return (
    <div className={`countdown ${urgent ? "urgent" : ""}`} aria-live="off">
      <span className="label">{left > 0 ? "Ends in" : "Auction"}</span>
      <span className="countdown-value" data-testid="countdown">
        {left > 0 ? formatCountdown(left) : "Ended"}
      </span>
      {extended && left > 0 ? <span className="badge" title="A late bid moved the end">extended</span> : null}
    </div>
  );
}
