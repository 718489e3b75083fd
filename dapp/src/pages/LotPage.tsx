/**
 * @module LotPage
 * The live lot: artwork and stream, current bid and leader, a countdown that follows extensions, the
 * bid form (wallet and/or escrow) with pending / confirmed / failed states, and every bid, live.
 */
import { useEffect, useMemo } from "react";
import { useConnect, useConnectors } from "wagmi";
import type { Address } from "viem";
import { Artwork, useLotTitle } from "../components/Artwork.tsx";
import { BidForm } from "../components/BidForm.tsx";
import { BidHistory } from "../components/BidHistory.tsx";
import { Countdown } from "../components/Countdown.tsx";
import { StreamPlayer } from "../components/StreamPlayer.tsx";
import { TxStatus } from "../components/TxStatus.tsx";
import { AddressLabel, Card, Empty, Eth, Notice, Skeleton, StatusPill, TxLink } from "../components/ui.tsx";
import { useAuctionHouse, useChainLot, useEscrow, useLot, useLots, useWallet } from "../hooks/data.ts";
import { useNow } from "../hooks/useNow.ts";
import { useTx } from "../hooks/useTx.ts";
import { auctionHouseAbi, lotStatuses } from "../lib/contracts.ts";
import { explorerUrl, formatDateTime, formatEth } from "../lib/format.ts";
import { Link } from "../components/Link.tsx";
import { type Lot, statusAt, storedStatuses, zeroAddress } from "../lib/types.ts";
import { useApp } from "../state.tsx";
import { minimumNextBid } from "@sothebais/common/live";

export function LotPage({ lotId }: { lotId: bigint }) {
  const { config } = useApp();
  const { snapshot, bids } = useLot(lotId);
  const chain = useChainLot(lotId);
  const wallet = useWallet();
  const escrow = useEscrow(wallet.address);
  const auctionHouse = useAuctionHouse();
  const bidTx = useTx();
  const settleTx = useTx();
  const returnTx = useTx();
  const allLots = useLots();
  const connectors = useConnectors();
  const connect = useConnect();
  const now = useNow(1000);

  // A "Bid confirmed" line goes stale once the auction moves on: clear it after a while.
  const { phase: bidPhase } = bidTx.state;
  const resetBid = bidTx.reset;
  useEffect(() => {
    if (bidPhase !== "confirmed") return;
    const id = setTimeout(resetBid, 15_000);
    return () => clearTimeout(id);
  }, [bidPhase, resetBid]);

  const indexed = snapshot.data?.lot;
  // The freshest view: the newest bid seen (pushed by the indexer) wins over an older snapshot.
  const lot: Lot | undefined = useMemo(() => {
    if (!indexed) return undefined;
    const top = bids.data?.[0];
    if (top && top.amount > indexed.amount) {
      return { ...indexed, amount: top.amount, bidder: top.bidder, viaRelayer: top.viaRelayer, bidCount: Math.max(indexed.bidCount, bids.data?.length ?? 0) };
    }
    return indexed;
  }, [indexed, bids.data]);

  if (snapshot.isLoading) return <Skeleton lines={6} />;
  if (!lot) {
    if (snapshot.error) return <Notice words={{ title: "The auction data is not reachable right now.", action: "The page retries on its own every few seconds." }} />;
    return (
      <Card title={`Lot #${lotId}`}>
        <Empty>This lot does not exist (yet). It may still be indexing if it was just created.</Empty>
      </Card>
    );
  }

  const endTime = chain.lotView && chain.lotView.endTime > 0 ? Math.max(lot.endTime, Number(chain.lotView.endTime)) : lot.endTime;
  // The chain's view wins: its start is the effective one (a queued campaign lot opens after the lot ahead).
  const startTime = chain.lotView && chain.lotView.startTime > 0 ? Number(chain.lotView.startTime) : lot.startTime;
  const chainStatus = chain.lotView ? lotStatuses[chain.lotView.status] : undefined;
  const stored = chainStatus && storedStatuses.includes(chainStatus as Lot["status"]) ? (chainStatus as Lot["status"]) : lot.status === "queued" && chainStatus && chainStatus !== "none" ? "scheduled" : lot.status;
  const status = statusAt({ status: stored, startTime, endTime }, now / 1000);
  const terms = {
    protocolFeeBps: chain.lotView ? Number(chain.lotView.protocolFeeBps) : lot.protocolFeeBps,
    maxRoyaltyBps: chain.lotView ? Number(chain.lotView.maxRoyaltyBps) : lot.maxRoyaltyBps,
  };
  // A campaign runs in creation order: the lot ahead is the campaign's previous lot.
  const ahead = lot.campaignId > 0n ? (allLots.data ?? []).filter((l) => l.campaignId === lot.campaignId && l.lotId < lot.lotId).sort((a, b) => Number(b.lotId - a.lotId))[0] : undefined;
  const amount = chain.lotView && chain.lotView.amount > lot.amount ? chain.lotView.amount : lot.amount;
  const bidder = chain.lotView && chain.lotView.amount > lot.amount ? chain.lotView.bidder : lot.bidder;
  const minimum = chain.minimum ?? minimumNextBid({ ...lot, amount });
  const hasBid = amount > 0n;
  const you = wallet.address;
  const youLead = hasBid && you !== undefined && bidder.toLowerCase() === you.toLowerCase();

  const disabledReason =
    chain.paused === true
      ? "Auctions are paused right now. Withdrawals and settlement still work."
      : status === "queued"
        ? `Bidding opens after ${ahead ? `lot ${ahead.lotId}` : "the lot before it in the campaign"} closes.`
        : status === "scheduled"
        ? `Bidding opens ${formatDateTime(startTime)}.`
        : status !== "live"
          ? "Bidding has closed on this lot."
          : undefined;

  const placeBid = (plan: { amount: bigint; fromEscrow: bigint; fromWallet: bigint }) => {
    if (!auctionHouse) return;
    void bidTx.run(
      plan.fromEscrow > 0n
        ? { label: "Bid", address: auctionHouse, abi: auctionHouseAbi, functionName: "bidWithEscrow", args: [lotId, plan.amount], value: plan.fromWallet }
        : { label: "Bid", address: auctionHouse, abi: auctionHouseAbi, functionName: "bid", args: [lotId], value: plan.amount },
    );
  };
  const settle = () => auctionHouse && void settleTx.run({ label: "Settle", address: auctionHouse, abi: auctionHouseAbi, functionName: "settle", args: [lotId] });
  const returnToSeller = () => auctionHouse && void returnTx.run({ label: "Return to seller", address: auctionHouse, abi: auctionHouseAbi, functionName: "returnUndeliverable", args: [lotId] });

  return (
    <div className="lot-page">
      <div className="lot-media">
        <Artwork uri={lot.tokenUri} tokenId={lot.tokenId} />
        <StreamPlayer />
      </div>
      <div className="lot-panel">
        <LotHeading lot={lot} status={status} />
        <div className="bid-stats">
          <div>
            <span className="label">{status === "settled" || status === "ended" ? (hasBid ? "Winning bid" : "No bid") : hasBid ? "Current bid" : "Reserve"}</span>
            <span className="big-amount" data-testid="current-bid">
              <Eth wei={hasBid ? amount : lot.reserve} decimals={6} />
            </span>
            {hasBid ? (
              <span className="leader">
                {youLead ? <span className="badge badge-you">You lead</span> : null}
                <AddressLabel address={bidder as Address} you={you} chat={lot.viaRelayer} />
              </span>
            ) : null}
          </div>
          {status === "live" || status === "scheduled" ? <Countdown startTime={startTime} endTime={endTime} extended={lot.extended > 0 || endTime > lot.endTime} /> : null}
          {status === "queued" ? (
            <p className="muted" data-testid="queued-note">
              Opens after {ahead ? <Link to={`/lot/${ahead.lotId}`}>lot {ahead.lotId.toString()}</Link> : "the lot before it in the campaign"} closes
              {lot.campaignId > 0n ? ", plus the campaign's intermission" : ""}.
            </p>
          ) : null}
        </div>
        <LotTerms {...terms} />

        {status === "live" || status === "scheduled" || status === "queued" ? (
          <Card className="bid-card">
            <BidForm
              minimum={minimum}
              escrow={escrow.data ?? 0n}
              walletBalance={wallet.balance}
              connected={wallet.status === "connected"}
              disabledReason={disabledReason}
              busy={bidTx.busy}
              onBid={placeBid}
              onConnect={() => connectors[0] && connect.mutate({ connector: connectors.find((c) => c.id !== "injected") ?? connectors[0], chainId: config.chainId })}
            />
            <TxStatus state={bidTx.state} success={youLead ? "Bid confirmed. You are the highest bidder." : "Bid confirmed."} />
          </Card>
        ) : null}

        {status === "ended" ? (
          <Card className="bid-card">
            <p>
              {hasBid ? (
                <>
                  Sold to <AddressLabel address={bidder as Address} you={you} /> for <Eth wei={amount} decimals={6} />. Anyone can settle: the artwork goes to the winner and the
                  seller is paid.
                </>
              ) : (
                "No bid met the reserve. Settling returns the artwork to the seller."
              )}
            </p>
            <button type="button" className="btn btn-primary btn-block" onClick={settle} disabled={settleTx.busy}>
              {settleTx.busy ? "Settling…" : "Settle lot"}
            </button>
            <TxStatus state={settleTx.state} success="Lot settled." />
          </Card>
        ) : null}
        {status === "settled" ? (
          <Notice tone="success">
            {lot.winner && lot.winner !== zeroAddress ? (
              <strong>
                Sold to <AddressLabel address={lot.winner} you={you} /> for {formatEth(amount, { decimals: 6 })}.
              </strong>
            ) : (
              <strong>{hasBid ? `Sold for ${formatEth(amount, { decimals: 6 })}.` : "Closed without a sale."}</strong>
            )}
          </Notice>
        ) : null}
        {status === "cancelled" ? <Notice tone="info"><strong>This lot was cancelled.</strong></Notice> : null}
        {status === "undeliverable" ? (
          <Card className="bid-card">
            <div data-testid="lot-undeliverable">
              <Notice tone="info">
                <strong>Undeliverable.</strong> The artwork could not be moved, so nobody paid for it: any winning bid went back to the bidder's escrow (withdraw it from the
                Account page). The artwork waits in the auction house until it goes back to the seller.
              </Notice>
            </div>
            <button type="button" className="btn btn-outline btn-block" onClick={returnToSeller} disabled={returnTx.busy}>
              {returnTx.busy ? "Returning…" : "Return the artwork to the seller"}
            </button>
            <TxStatus state={returnTx.state} success="The artwork is back with the seller." />
          </Card>
        ) : null}

        <Card title={`Bids${bids.data ? ` · ${bids.data.length}` : ""}`}>
          <BidHistory bids={bids.data} you={you} loading={bids.isLoading} />
        </Card>
        <LotDetails lot={lot} startTime={startTime} endTime={endTime} queued={status === "queued"} />
      </div>
    </div>
  );
}

function LotHeading({ lot, status }: { lot: Lot; status: Lot["status"] }) {
  const { title, artist } = useLotTitle(lot.tokenUri, lot.tokenId);
  return (
    <header className="lot-heading">
      <div className="eyebrow">
        <StatusPill status={status} />
        <span>Lot {lot.lotId.toString()}</span>
        {lot.campaignId > 0n ? (
          <Link to={`/campaign/${lot.campaignId}`}>{lot.campaignName || `Campaign ${lot.campaignId}`}</Link>
        ) : null}
      </div>
      <h1>{title}</h1>
      {artist ? <p className="artist">by {artist}</p> : null}
    </header>
  );
}

const pct = (bps: number) => `${Number((bps / 100).toFixed(2))}%`;

/** The lot's terms, fixed at creation, shown before anyone bids: the protocol fee and the royalty cap. */
export function LotTerms({ protocolFeeBps, maxRoyaltyBps }: { protocolFeeBps?: number; maxRoyaltyBps?: number }) {
  if (protocolFeeBps === undefined && maxRoyaltyBps === undefined) return null;
  return (
    <p className="muted small lot-terms" data-testid="lot-terms">
      Of the winning bid, {protocolFeeBps !== undefined ? <strong>{pct(protocolFeeBps)} protocol fee</strong> : "the protocol fee"} and{" "}
      {maxRoyaltyBps !== undefined ? <strong>at most {pct(maxRoyaltyBps)} royalty</strong> : "the artist's royalty"} go out; the rest goes to the seller. Fixed for this lot.
    </p>
  );
}

function LotDetails({ lot, startTime, endTime, queued }: { lot: Lot; startTime: number; endTime: number; queued: boolean }) {
  const { config } = useApp();
  const { description } = useLotTitle(lot.tokenUri, lot.tokenId);
  const tokenHref = explorerUrl(config.chainId, "token", lot.nft, lot.tokenId);
  return (
    <Card title="About this lot">
      {description ? <p className="description">{description}</p> : null}
      <dl className="details">
        <dt>Seller</dt>
        <dd>
          <AddressLabel address={lot.seller} />
        </dd>
        <dt>Reserve</dt>
        <dd>{lot.reserve > 0n ? formatEth(lot.reserve, { decimals: 6 }) : "None"}</dd>
        <dt>Opens</dt>
        <dd>{queued ? `after the lot ahead closes, not before ${formatDateTime(startTime)}` : formatDateTime(startTime)}</dd>
        <dt>Ends</dt>
        <dd>{queued ? "its duration after it opens" : formatDateTime(endTime)}</dd>
        <dt>Increment</dt>
        <dd>
          {lot.minIncrementBps / 100}% (at least {formatEth(lot.minIncrementFloor, { decimals: 6 })})
        </dd>
        <dt>Late-bid extension</dt>
        <dd>{lot.timeBuffer > 0 ? `${Math.round(lot.timeBuffer / 60) || lot.timeBuffer + " s"}${lot.timeBuffer >= 60 ? " min" : ""}` : "None"}</dd>
        <dt>Token</dt>
        <dd>
          {tokenHref ? (
            <a href={tokenHref} target="_blank" rel="noreferrer">
              #{lot.tokenId.toString()} ↗
            </a>
          ) : (
            <span className="mono">
              #{lot.tokenId.toString()} · {lot.nft.slice(0, 10)}…
            </span>
          )}
        </dd>
        {lot.winner && lot.winner !== zeroAddress ? (
          <>
            <dt>Winner</dt>
            <dd>
              <AddressLabel address={lot.winner} />
            </dd>
          </>
        ) : null}
      </dl>
    </Card>
  );
}

