/**
 * @module AdminPage
 * The console for accounts holding a role on the AuctionHouse. The contract is the access control:
 * this page only hides controls from accounts without a role, and every action is checked on chain.
 */
import { type FormEvent, useId, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useReadContract, useReadContracts } from "wagmi";
import { type Address, parseEventLogs } from "viem";
import { ArtworkUpload } from "../components/ArtworkUpload.tsx";
import { ConnectButton } from "../components/ConnectButton.tsx";
import { Link } from "../components/Link.tsx";
import { OperatorSignIn, ServiceControlsCard } from "../components/OperatorControls.tsx";
import { TxStatus } from "../components/TxStatus.tsx";
import { Card, Empty, Notice, Skeleton, StatusPill } from "../components/ui.tsx";
import { useAuctionHouse, useCampaigns, useLots, useWallet } from "../hooks/data.ts";
import { useNow } from "../hooks/useNow.ts";
import { useTx } from "../hooks/useTx.ts";
import { parseEthInput } from "../lib/bid.ts";
import { type ServiceName, serviceUrl } from "../lib/config.ts";
import { auctionHouseAbi, collectionAbi, erc721Abi, type RoleName } from "../lib/contracts.ts";
import { formatEth } from "../lib/format.ts";
import { logServiceOf, logsPath } from "../lib/logs.ts";
import { statusAt } from "../lib/types.ts";
import { useApp } from "../state.tsx";

export function AdminPage({ roles, rolesLoading }: { roles?: Record<RoleName, boolean>; rolesLoading: boolean }) {
  const wallet = useWallet();
  if (!wallet.address)
    return (
      <section className="hero">
        <p className="eyebrow">Admin</p>
        <h1>Connect the account that runs the auctions.</h1>
        <ConnectButton />
      </section>
    );
  if (rolesLoading || !roles) return <Skeleton lines={4} />;
  const held = (Object.keys(roles) as RoleName[]).filter((r) => roles[r] && r !== "relayer");
  if (held.length === 0)
    return (
      <Notice words={{ title: "This page is for the auction team.", action: "Your account holds no role on the AuctionHouse. Connect an admin, auctioneer or pauser account." }} />
    );
  return (
    <>
      <header className="page-head">
        <h1>Auction console</h1>
        <p className="muted">
          Roles held: {held.join(", ")}. Every action is checked by the contract. <Link to={logsPath()}>Service logs</Link>
        </p>
      </header>
      <div className="admin-grid" data-testid="admin-console">
        <div className="stack">
          <OperatorSignIn />
          <ServiceControlsCard chainPause={roles.pauser ? <PauseCard /> : null} />
          <LotsAdminCard canCancel={roles.auctioneer} />
          {roles.auctioneer ? <CreateLotCard account={wallet.address} /> : null}
          {roles.auctioneer ? <CreateCampaignCard /> : null}
        </div>
        <div className="stack">
          <StatusBoard />
          <PreviewCard />
          {roles.admin ? <FeesCard /> : null}
          {roles.admin ? <RoyaltyCapCard /> : null}
          {roles.admin ? <CollectionsCard /> : null}
        </div>
      </div>
    </>
  );
}

function PauseCard() {
  const auctionHouse = useAuctionHouse();
  const paused = useReadContract({ address: auctionHouse, abi: auctionHouseAbi, functionName: "paused", query: { enabled: Boolean(auctionHouse), refetchInterval: 2000 } });
  const tx = useTx();
  const isPaused = paused.data === true;
  return (
    <Card title="Auctions" actions={<span className={`pill ${isPaused ? "pill-cancelled" : "pill-live"}`} data-testid="paused-state">{isPaused ? "Paused" : "Running"}</span>}>
      <p className="muted">Pausing stops new lots and bids. Withdrawals and settlement keep working.</p>
      <button
        type="button"
        className={`btn ${isPaused ? "btn-primary" : "btn-warn"}`}
        disabled={tx.busy || paused.data === undefined || !auctionHouse}
        onClick={() => auctionHouse && void tx.run({ label: isPaused ? "Unpause" : "Pause", address: auctionHouse, abi: auctionHouseAbi, functionName: isPaused ? "unpause" : "pause" })}
      >
        {isPaused ? "Resume auctions" : "Pause auctions"}
      </button>
      <TxStatus state={tx.state} />
    </Card>
  );
}

function FeesCard() {
  const id = useId();
  const auctionHouse = useAuctionHouse();
  const reads = useReadContracts({
    contracts: [
      { address: auctionHouse, abi: auctionHouseAbi, functionName: "protocolFeeBps" },
      { address: auctionHouse, abi: auctionHouseAbi, functionName: "treasury" },
    ],
    query: { enabled: Boolean(auctionHouse), refetchInterval: 5000 },
  });
  const tx = useTx();
  const [fee, setFee] = useState("");
  const feeBps = reads.data?.[0]?.result;
  const treasury = reads.data?.[1]?.result;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const pct = Number(fee);
    if (!auctionHouse || !Number.isFinite(pct) || pct < 0) return;
    void tx.run({ label: "Set fee", address: auctionHouse, abi: auctionHouseAbi, functionName: "setProtocolFee", args: [Math.round(pct * 100)] });
  };
  return (
    <Card title="Protocol fee">
      <p>
        Now <strong>{feeBps !== undefined ? `${Number(feeBps) / 100}%` : "…"}</strong> of each sale, credited to the treasury{" "}
        <span className="mono small">{typeof treasury === "string" ? treasury : ""}</span>.
      </p>
      <form onSubmit={submit} className="inline-form" aria-label="Set the protocol fee">
        <label htmlFor={`${id}-fee`} className="label">
          New fee (%)
        </label>
        <input id={`${id}-fee`} className="input" inputMode="decimal" value={fee} onChange={(e) => setFee(e.target.value)} placeholder="2.5" />
        <button type="submit" className="btn btn-outline" disabled={tx.busy || fee === ""}>
          Set fee
        </button>
      </form>
      <TxStatus state={tx.state} />
    </Card>
  );
}

function CreateCampaignCard() {
  const id = useId();
  const auctionHouse = useAuctionHouse();
  const tx = useTx();
  const [name, setName] = useState("");
  const [uri, setUri] = useState("");
  const [intermission, setIntermission] = useState("20");
  const [problem, setProblem] = useState<string>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const seconds = intermissionSeconds(intermission);
    if (seconds === undefined) return setProblem("Intermission: whole seconds from 0 (default 20 s) to 86400 (one day).");
    setProblem(undefined);
    if (auctionHouse && name.trim())
      void tx.run({ label: "Create campaign", address: auctionHouse, abi: auctionHouseAbi, functionName: "createCampaign", args: [name.trim(), uri.trim(), seconds] }).then(
        (r) => r.phase === "confirmed" && setName(""),
      );
  };
  return (
    <Card title="New campaign">
      <form onSubmit={submit} aria-label="Create a campaign">
        <div className="field">
          <label htmlFor={`${id}-name`} className="label">
            Name
          </label>
          <input id={`${id}-name`} className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="Autumn Evening Sale" required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-uri`} className="label">
            Metadata URI <span className="hint">optional</span>
          </label>
          <input id={`${id}-uri`} className="input" value={uri} onChange={(e) => setUri(e.target.value)} placeholder="ipfs://…" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-int`} className="label">
            Intermission (s) <span className="hint">between one lot closing and the next opening; 0 = 20 s</span>
          </label>
          <input id={`${id}-int`} className="input" inputMode="numeric" value={intermission} onChange={(e) => setIntermission(e.target.value)} placeholder="20" />
        </div>
        <p className="muted small">Lots run in order: each opens only after the one before it closed, plus the intermission.</p>
        <button type="submit" className="btn btn-primary" disabled={tx.busy || !name.trim()}>
          Create campaign
        </button>
      </form>
      {problem ? <p className="field-error" role="alert">{problem}</p> : null}
      <TxStatus state={tx.state} />
    </Card>
  );
}

/** A campaign intermission in whole seconds (0 = the contract's default 20 s, at most one day), or undefined. */
export function intermissionSeconds(value: string): number | undefined {
  const v = value.trim() === "" ? "0" : value.trim();
  if (!/^\d{1,6}$/.test(v)) return undefined;
  const n = Number(v);
  return n <= 86_400 ? n : undefined;
}

function RoyaltyCapCard() {
  const id = useId();
  const auctionHouse = useAuctionHouse();
  const current = useReadContract({ address: auctionHouse, abi: auctionHouseAbi, functionName: "maxRoyaltyBps", query: { enabled: Boolean(auctionHouse), refetchInterval: 5000 } });
  const tx = useTx();
  const [pct, setPct] = useState("");
  const [problem, setProblem] = useState<string>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(pct);
    if (pct.trim() === "" || !Number.isFinite(n) || n < 0 || n > 25) return setProblem("Royalty cap: a percentage from 0 to 25.");
    setProblem(undefined);
    if (auctionHouse) void tx.run({ label: "Set royalty cap", address: auctionHouse, abi: auctionHouseAbi, functionName: "setMaxRoyalty", args: [Math.round(n * 100)] });
  };
  return (
    <Card title="Royalty cap">
      <p>
        New lots pay at most <strong data-testid="royalty-cap">{current.data !== undefined ? `${Number(current.data) / 100}%` : "…"}</strong> ERC-2981 royalty (fixed per lot at creation).
      </p>
      <form onSubmit={submit} className="inline-form" aria-label="Set the royalty cap">
        <label htmlFor={`${id}-roy`} className="label">
          New cap (%)
        </label>
        <input id={`${id}-roy`} className="input" inputMode="decimal" value={pct} onChange={(e) => setPct(e.target.value)} placeholder="10" />
        <button type="submit" className="btn btn-outline" disabled={tx.busy || pct === ""}>
          Set cap
        </button>
      </form>
      {problem ? <p className="field-error" role="alert">{problem}</p> : null}
      <TxStatus state={tx.state} />
    </Card>
  );
}

function CollectionsCard() {
  const id = useId();
  const { config } = useApp();
  const auctionHouse = useAuctionHouse();
  const [nft, setNft] = useState<string>(config.deployment?.collection ?? "");
  const address = /^0x[0-9a-fA-F]{40}$/.test(nft) ? (nft as Address) : undefined;
  const allowed = useReadContract({
    address: auctionHouse,
    abi: auctionHouseAbi,
    functionName: "isCollectionAllowed",
    args: address ? [address] : undefined,
    query: { enabled: Boolean(auctionHouse && address), refetchInterval: 3000 },
  });
  const tx = useTx();
  const set = (allow: boolean) =>
    auctionHouse && address && void tx.run({ label: allow ? "Allow collection" : "Disallow collection", address: auctionHouse, abi: auctionHouseAbi, functionName: "setCollectionAllowed", args: [address, allow] });
  return (
    <Card title="Collections">
      <p className="muted">Lots can only be created for allowed collections. Disallowing one does not touch lots already created.</p>
      <div className="field">
        <label htmlFor={`${id}-nft`} className="label">
          Collection address
        </label>
        <input id={`${id}-nft`} className="input mono" value={nft} onChange={(e) => setNft(e.target.value.trim())} placeholder="0x…" />
      </div>
      <p data-testid="collection-allowed">
        {!address ? "Enter a collection address." : allowed.data === undefined ? "…" : allowed.data ? "Allowed: lots can be created." : "Not allowed."}
      </p>
      <div className="row">
        <button type="button" className="btn btn-outline" disabled={tx.busy || !address || allowed.data === true} onClick={() => set(true)}>
          Allow
        </button>
        <button type="button" className="btn btn-ghost" disabled={tx.busy || !address || allowed.data === false} onClick={() => set(false)}>
          Disallow
        </button>
      </div>
      <TxStatus state={tx.state} />
    </Card>
  );
}

/** Seconds since epoch for a `datetime-local` value, or now when empty. */
function startTimeOf(value: string): number {
  return value ? Math.floor(new Date(value).getTime() / 1000) : 0;
}

function CreateLotCard({ account }: { account: Address }) {
  const id = useId();
  const { config } = useApp();
  const auctionHouse = useAuctionHouse();
  const campaigns = useCampaigns();
  const tx = useTx();
  const approveTx = useTx();
  const mintTx = useTx();
  const [tokenUri, setTokenUri] = useState("");
  const [f, setF] = useState({
    campaignId: "",
    nft: config.deployment?.collection ?? "",
    tokenId: "",
    seller: account as string,
    reserve: "0.1",
    start: "",
    minutes: "10",
    bps: "5",
    floor: "0.001",
    buffer: "60",
  });
  const [problem, setProblem] = useState<string>();
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const nft = /^0x[0-9a-fA-F]{40}$/.test(f.nft) ? (f.nft as Address) : undefined;
  const seller = /^0x[0-9a-fA-F]{40}$/.test(f.seller) ? (f.seller as Address) : undefined;
  const approved = useReadContract({
    address: nft,
    abi: erc721Abi,
    functionName: "isApprovedForAll",
    args: seller && auctionHouse ? [seller, auctionHouse] : undefined,
    query: { enabled: Boolean(nft && seller && auctionHouse), refetchInterval: 3000 },
  });
  const sellerIsYou = seller?.toLowerCase() === account.toLowerCase();

  const mint = async () => {
    if (!nft || !seller) return;
    const done = await mintTx.run({ label: "Mint", address: nft, abi: collectionAbi, functionName: "mint", args: [seller, tokenUri.trim()] });
    const [transfer] = done.logs ? parseEventLogs({ abi: collectionAbi, logs: done.logs, eventName: "Transfer" }) : [];
    if (transfer) {
      setF((prev) => ({ ...prev, tokenId: (transfer.args as { tokenId: bigint }).tokenId.toString() }));
      setTokenUri("");
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const reserve = f.reserve.trim() === "" || f.reserve.trim() === "0" ? ({ ok: true, wei: 0n } as const) : parseEthInput(f.reserve);
    // The contract refuses a zero increment floor (AuctionHouseInvalidLotParams("minIncrementFloor")).
    const floor = parseEthInput(f.floor);
    const problems: string[] = [];
    if (!nft) problems.push("NFT: enter the collection's address");
    if (!/^\d+$/.test(f.tokenId)) problems.push("Token id: enter a whole number");
    if (!seller) problems.push("Seller: enter an address");
    if (!reserve.ok) problems.push(`Reserve: ${reserve.problem}`);
    if (!floor.ok) problems.push(`Minimum raise: ${floor.problem}`);
    if (!(Number(f.minutes) > 0)) problems.push("Duration: more than 0 minutes");
    if (problems.length || !reserve.ok || !floor.ok || !auctionHouse || !nft || !seller) return setProblem(problems.join(" · "));
    setProblem(undefined);
    void tx.run({
      label: "Create lot",
      address: auctionHouse,
      abi: auctionHouseAbi,
      functionName: "createLot",
      args: [
        {
          campaignId: BigInt(f.campaignId || "0"),
          nft,
          tokenId: BigInt(f.tokenId),
          seller,
          reserve: reserve.wei,
          startTime: startTimeOf(f.start),
          duration: Math.round(Number(f.minutes) * 60),
          minIncrementBps: Math.round(Number(f.bps) * 100),
          minIncrementFloor: floor.wei,
          timeBuffer: Math.round(Number(f.buffer)),
        },
      ],
    });
  };

  return (
    <Card title="New lot">
      <form onSubmit={submit} aria-label="Create a lot" className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-c`} className="label">Campaign</label>
          <select id={`${id}-c`} className="input" value={f.campaignId} onChange={set("campaignId")}>
            <option value="">None (single lot)</option>
            {(campaigns.data ?? [])
              .filter((c) => c.campaignId > 0n)
              .map((c) => (
                <option key={c.campaignId.toString()} value={c.campaignId.toString()}>
                  {c.campaignId.toString()} · {c.name}
                </option>
              ))}
          </select>
        </div>
        <ArtworkUpload onUploaded={setTokenUri} />
        <div className="field span-2">
          <label htmlFor={`${id}-u`} className="label">Mint a new artwork <span className="hint">token URI, minted to the seller</span></label>
          <div className="row nowrap">
            <input id={`${id}-u`} className="input" value={tokenUri} onChange={(e) => setTokenUri(e.target.value)} placeholder="ipfs://… or data:application/json;base64,…" />
            <button type="button" className="btn btn-outline" disabled={mintTx.busy || !tokenUri.trim() || !seller || !nft} onClick={mint}>
              Mint
            </button>
          </div>
          <TxStatus state={mintTx.state} success={`Minted token #${f.tokenId}.`} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-t`} className="label">Token id</label>
          <input id={`${id}-t`} className="input" inputMode="numeric" value={f.tokenId} onChange={set("tokenId")} placeholder="1" />
        </div>
        <div className="field span-2">
          <label htmlFor={`${id}-n`} className="label">NFT contract <span className="hint">the SothebAIs collection by default</span></label>
          <input id={`${id}-n`} className="input mono" value={f.nft} onChange={set("nft")} />
        </div>
        <div className="field span-2">
          <label htmlFor={`${id}-s`} className="label">Seller <span className="hint">owns the token and approved the auction house</span></label>
          <input id={`${id}-s`} className="input mono" value={f.seller} onChange={set("seller")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-r`} className="label">Reserve (ETH)</label>
          <input id={`${id}-r`} className="input" inputMode="decimal" value={f.reserve} onChange={set("reserve")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-st`} className="label">Starts <span className="hint">empty = now</span></label>
          <input id={`${id}-st`} className="input" type="datetime-local" value={f.start} onChange={set("start")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-d`} className="label">Duration (min)</label>
          <input id={`${id}-d`} className="input" inputMode="decimal" value={f.minutes} onChange={set("minutes")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-b`} className="label">Late-bid extension (s)</label>
          <input id={`${id}-b`} className="input" inputMode="numeric" value={f.buffer} onChange={set("buffer")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-i`} className="label">Min. raise (%)</label>
          <input id={`${id}-i`} className="input" inputMode="decimal" value={f.bps} onChange={set("bps")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-fl`} className="label">Min. raise (ETH)</label>
          <input id={`${id}-fl`} className="input" inputMode="decimal" value={f.floor} onChange={set("floor")} />
        </div>
        {approved.data === false ? (
          <div className="span-2">
            <Notice tone="info">
              <strong>The seller has not approved the auction house for this collection.</strong>{" "}
              {sellerIsYou ? (
                <button
                  type="button"
                  className="btn btn-small btn-outline"
                  disabled={approveTx.busy}
                  onClick={() => nft && auctionHouse && void approveTx.run({ label: "Approve", address: nft, abi: erc721Abi, functionName: "setApprovalForAll", args: [auctionHouse, true] })}
                >
                  Approve now
                </button>
              ) : (
                "Ask the seller to approve it first."
              )}
            </Notice>
          </div>
        ) : null}
        {/* Outside the notice: it disappears as soon as the approval lands. */}
        <div className="span-2">
          <TxStatus state={approveTx.state} />
        </div>
        {problem ? <p className="field-error span-2" role="alert">{problem}</p> : null}
        <div className="span-2">
          <button type="submit" className="btn btn-primary" disabled={tx.busy}>
            Create lot
          </button>
        </div>
      </form>
      <TxStatus state={tx.state} success="Lot created. It appears in the schedule once indexed." />
    </Card>
  );
}

function LotsAdminCard({ canCancel }: { canCancel: boolean }) {
  const lots = useLots();
  const now = useNow(2000);
  const auctionHouse = useAuctionHouse();
  const tx = useTx();
  const [acting, setActing] = useState<string>();
  const recent = [...(lots.data ?? [])].sort((a, b) => Number(b.lotId - a.lotId)).slice(0, 12);
  const act = (lotId: bigint, functionName: "cancelLot" | "settle" | "returnUndeliverable") => {
    if (!auctionHouse) return;
    setActing(`${functionName}:${lotId}`);
    const label = functionName === "settle" ? "Settle" : functionName === "cancelLot" ? "Cancel" : "Return to seller";
    void tx.run({ label, address: auctionHouse, abi: auctionHouseAbi, functionName, args: [lotId] });
  };
  return (
    <Card title="Lots">
      {recent.length === 0 ? (
        <Empty>No lots yet.</Empty>
      ) : (
        <table className="table" data-testid="admin-lots">
          <thead>
            <tr>
              <th scope="col">Lot</th>
              <th scope="col">Status</th>
              <th scope="col">Bid</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {recent.map((l) => {
              const status = statusAt(l, now / 1000);
              return (
                <tr key={l.lotId.toString()} data-lot-id={l.lotId.toString()}>
                  <td>
                    <Link to={`/lot/${l.lotId}`}>#{l.lotId.toString()}</Link>
                  </td>
                  <td>
                    <StatusPill status={status} />
                  </td>
                  <td>{l.amount > 0n ? formatEth(l.amount) : "—"}</td>
                  <td className="right">
                    {status === "ended" ? (
                      <button type="button" className="btn btn-small btn-primary" disabled={tx.busy} onClick={() => act(l.lotId, "settle")}>
                        {tx.busy && acting === `settle:${l.lotId}` ? "…" : "Settle"}
                      </button>
                    ) : null}
                    {status === "undeliverable" ? (
                      <button type="button" className="btn btn-small btn-outline" disabled={tx.busy} onClick={() => act(l.lotId, "returnUndeliverable")} title="Try again to send the artwork back to the seller">
                        {tx.busy && acting === `returnUndeliverable:${l.lotId}` ? "…" : "Return to seller"}
                      </button>
                    ) : null}
                    {canCancel && l.bidCount === 0 && (status === "live" || status === "scheduled" || status === "queued") ? (
                      <button type="button" className="btn btn-small btn-ghost" disabled={tx.busy} onClick={() => act(l.lotId, "cancelLot")}>
                        {tx.busy && acting === `cancelLot:${l.lotId}` ? "…" : "Cancel"}
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <TxStatus state={tx.state} />
    </Card>
  );
}

type Health = { service: ServiceName; ok: boolean; ms: number; body: Record<string, unknown> | null; error?: string };

async function checkHealth(service: ServiceName): Promise<Health> {
  const t0 = performance.now();
  try {
    if (service === "rpc") {
      const res = await fetch(serviceUrl("rpc"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
        signal: AbortSignal.timeout(8000),
      });
      const body = (await res.json()) as { result?: string };
      return { service, ok: Boolean(body.result), ms: performance.now() - t0, body: { block: body.result ? Number(body.result) : null } };
    }
    if (service === "hls") return { service, ok: true, ms: 0, body: null };
    const res = await fetch(serviceUrl(service, "/health"), { signal: AbortSignal.timeout(8000) });
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    return { service, ok: res.ok, ms: performance.now() - t0, body };
  } catch (error) {
    return { service, ok: false, ms: performance.now() - t0, body: null, error: (error as Error).message };
  }
}

/** A few readable facts from a health document: scalar fields, one level deep. */
function facts(body: Record<string, unknown> | null): [string, string][] {
  if (!body) return [];
  const out: [string, string][] = [];
  const visit = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (out.length >= 6) return;
      if (/error/i.test(k)) continue;
      if (v !== null && typeof v === "object" && !Array.isArray(v) && !prefix) visit(v as Record<string, unknown>, `${k}.`);
      else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out.push([prefix + k, String(v)]);
    }
  };
  visit(body, "");
  return out;
}

/** Error lines the services report in their health documents (fields named like *error*). */
function errorsOf(h: Health): string[] {
  const out: string[] = [];
  if (h.error) out.push(h.error);
  const visit = (v: unknown, key: string) => {
    if (out.length > 20) return;
    if (/error/i.test(key)) {
      if (typeof v === "string" && v) out.push(v);
      else if (Array.isArray(v)) for (const item of v) out.push(typeof item === "string" ? item : JSON.stringify(item));
      else if (v && typeof v === "object") out.push(JSON.stringify(v));
      return;
    }
    if (v && typeof v === "object" && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) visit(x, k);
  };
  visit(h.body, "");
  return out;
}

function StatusBoard() {
  const { config } = useApp();
  const services = config.services.filter((s) => s !== "hls");
  const health = useQuery({
    queryKey: ["health", services],
    queryFn: () => Promise.all(services.map(checkHealth)),
    refetchInterval: 3000,
  });
  const live = useQuery({ queryKey: ["health-live"], queryFn: () => fetch(serviceUrl("indexer", "/live")).then((r) => r.json() as Promise<{ blockNumber?: number }>), refetchInterval: 3000 });
  const chainBlock = health.data?.find((h) => h.service === "rpc")?.body?.block as number | undefined;
  const lag = chainBlock !== undefined && live.data?.blockNumber !== undefined ? chainBlock - live.data.blockNumber : undefined;
  const errors = (health.data ?? []).flatMap((h) => errorsOf(h).map((e) => ({ service: h.service, text: `${h.service}: ${e}` })));
  return (
    <>
      <Card title="Services">
        <ul className="status-board" data-testid="status-board">
          {(health.data ?? services.map((s) => ({ service: s, ok: false, ms: 0, body: null }) as Health)).map((h) => (
            <li key={h.service} className={h.ok ? "ok" : health.data ? "down" : "unknown"}>
              <div className="status-head">
                <span className="status-dot" aria-hidden="true" />
                <strong>{labelOf(h.service)}</strong>
                <span className="muted small">{health.data ? (h.ok ? `${Math.round(h.ms)} ms` : "down") : "checking…"}</span>
              </div>
              {h.service === "indexer" && lag !== undefined ? <p className="small">Lag: {lag} block{lag === 1 ? "" : "s"}</p> : null}
              <dl className="facts">
                {facts(h.body).map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Recent errors">
        {errors.length ? (
          <ul className="log" data-testid="recent-errors">
            {errors.map((e, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the same error text can repeat; the lines hold no state.
              <li key={i} className="mono small">
                {e.text}{" "}
                <Link to={logsPath({ service: logServiceOf(e.service), level: "warn" })} className="small">
                  its log lines
                </Link>
              </li>
            ))}
          </ul>
        ) : (
          <Empty>No errors reported by the services.</Empty>
        )}
      </Card>
    </>
  );
}

function labelOf(service: ServiceName): string {
  return { rpc: "Chain", indexer: "Indexer", relayer: "Relayer", broadcaster: "Broadcaster", agent: "Agent (host)", operator: "Operator API", hls: "Stream" }[service];
}

function PreviewCard() {
  const { config } = useApp();
  const now = useNow(2000);
  if (!config.services.includes("broadcaster")) return null;
  return (
    <Card title="Broadcast preview">
      <img className="preview" src={`${serviceUrl("broadcaster", "/preview.png")}?t=${Math.floor(now / 2000)}`} alt="What the stream shows now" width={1280} height={720} />
    </Card>
  );
}
