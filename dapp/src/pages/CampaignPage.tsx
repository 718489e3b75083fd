/**
 * @module CampaignPage
 * A campaign's schedule: lots live now, upcoming, ended (awaiting settlement) and past results.
 */
import { LotCard } from "../components/LotCard.tsx";
import { Link } from "../components/Link.tsx";
import { AddressLabel, Card, Empty, Notice, Skeleton } from "../components/ui.tsx";
import { useCampaigns } from "../hooks/data.ts";
import { useNow } from "../hooks/useNow.ts";
import { formatDateTime, formatEth } from "../lib/format.ts";
import { type Campaign, type Lot, statusAt, zeroAddress } from "../lib/types.ts";

export function CampaignsPage() {
  const campaigns = useCampaigns();
  if (campaigns.isLoading) return <Skeleton lines={5} />;
  if (!campaigns.data) return <Notice words={{ title: "Campaigns could not be loaded.", action: "The page retries on its own." }} />;
  if (campaigns.data.length === 0) return <Empty>No campaigns yet.</Empty>;
  return (
    <>
      <header className="page-head">
        <h1>Campaigns</h1>
        <p className="lede">Curated series of lots, auctioned live one after another.</p>
      </header>
      {campaigns.data.map((c) => (
        <CampaignSection key={c.campaignId.toString()} campaign={c} compact />
      ))}
    </>
  );
}

export function CampaignPage({ campaignId }: { campaignId: bigint }) {
  const campaigns = useCampaigns();
  if (campaigns.isLoading) return <Skeleton lines={5} />;
  const campaign = campaigns.data?.find((c) => c.campaignId === campaignId);
  if (!campaign) return <Notice words={{ title: `Campaign ${campaignId} was not found.`, action: "It may still be indexing; see all campaigns." }} />;
  return <CampaignSection campaign={campaign} />;
}

function group(lots: Lot[], nowS: number) {
  const by = { live: [] as Lot[], scheduled: [] as Lot[], ended: [] as Lot[], settled: [] as Lot[], cancelled: [] as Lot[], queued: [] as Lot[], undeliverable: [] as Lot[] };
  for (const l of lots) by[statusAt(l, nowS)].push(l);
  by.settled.sort((a, b) => b.endTime - a.endTime);
  return by;
}

function CampaignSection({ campaign, compact }: { campaign: Campaign; compact?: boolean }) {
  const now = useNow(5000);
  const g = group(campaign.lots, now / 1000);
  const first = campaign.lots[0];
  const last = campaign.lots.at(-1);
  return (
    <section className="campaign" aria-label={campaign.name}>
      <header className="page-head">
        {compact ? (
          <h2>
            <Link to={`/campaign/${campaign.campaignId}`}>{campaign.name}</Link>
          </h2>
        ) : (
          <h1>{campaign.name}</h1>
        )}
        <p className="muted">
          {campaign.lots.length} lot{campaign.lots.length === 1 ? "" : "s"}
          {first && last ? ` · ${formatDateTime(first.startTime)} – ${formatDateTime(last.endTime)}` : ""}
        </p>
      </header>
      {g.live.length ? <LotGroup title="Live now" lots={g.live} /> : null}
      {g.scheduled.length ? <LotGroup title="Upcoming" lots={g.scheduled} /> : null}
      {g.queued.length ? <LotGroup title="Queued · each opens after the lot before it closes" lots={g.queued} /> : null}
      {g.ended.length ? <LotGroup title="Ended · awaiting settlement" lots={g.ended} /> : null}
      {g.undeliverable.length ? <LotGroup title="Undeliverable · the artwork could not be delivered" lots={g.undeliverable} /> : null}
      {!compact || g.settled.length ? (
        <Card title="Results">
          {g.settled.length ? (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Lot</th>
                  <th scope="col">Result</th>
                  <th scope="col">Winner</th>
                  <th scope="col">Closed</th>
                </tr>
              </thead>
              <tbody>
                {g.settled.map((l) => (
                  <tr key={l.lotId.toString()}>
                    <td>
                      <Link to={`/lot/${l.lotId}`}>Lot {l.lotId.toString()}</Link>
                    </td>
                    <td>{l.winner && l.winner !== zeroAddress ? formatEth(l.amount) : "Not sold"}</td>
                    <td>{l.winner && l.winner !== zeroAddress ? <AddressLabel address={l.winner} /> : "—"}</td>
                    <td>{formatDateTime(l.endTime)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Empty>No results yet.</Empty>
          )}
        </Card>
      ) : null}
    </section>
  );
}

function LotGroup({ title, lots }: { title: string; lots: Lot[] }) {
  return (
    <Card title={title}>
      <div className="lot-grid">
        {lots.map((l) => (
          <LotCard key={l.lotId.toString()} lot={l} />
        ))}
      </div>
    </Card>
  );
}
