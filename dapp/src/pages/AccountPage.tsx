/**
 * @module AccountPage
 * A bidder's own page: escrow (deposit / withdraw), bids across lots (leading, outbid, won), lots to
 * settle, the watchlist, and chat linking (caps, expiry, EIP-712 signature, one-time code, revoke).
 */
import { type FormEvent, useEffect, useId, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useConfig, useReadContracts } from "wagmi";
import { signTypedData } from "wagmi/actions";
import type { Address, Hex } from "viem";
import { ConnectButton } from "../components/ConnectButton.tsx";
import { Link } from "../components/Link.tsx";
import { LotCard } from "../components/LotCard.tsx";
import { TxStatus } from "../components/TxStatus.tsx";
import { Card, Empty, Eth, Notice, StatusPill } from "../components/ui.tsx";
import { useAuctionHouse, useEscrow, useLots, useMyBids, useWallet } from "../hooks/data.ts";
import { useNow } from "../hooks/useNow.ts";
import { useTx } from "../hooks/useTx.ts";
import { parseEthInput } from "../lib/bid.ts";
import {
  budgetLeft,
  buildChatAuthorization,
  chatAuthorizationTypedData,
  expiryChoices,
  expiryFromNow,
  isLinkedTo,
  linkedAccountOf,
  rememberLinkedAccount,
  type TwitchAccount,
  twitchLoginOf,
  twitchUserIdOf,
} from "../lib/chatAuth.ts";
import { auctionHouseAbi } from "../lib/contracts.ts";
import { errorToWords, type ErrorWords } from "../lib/errors.ts";
import { formatDateTime, formatEth } from "../lib/format.ts";
import { fetchRelayerAddress, type LinkCode, requestLinkCode, resolveTwitchAccount } from "../lib/relayer.ts";
import { type Bid, type Lot, statusAt } from "../lib/types.ts";
import { useWatchlist } from "../lib/watchlist.ts";
import { useApp } from "../state.tsx";

export function AccountPage() {
  const wallet = useWallet();
  if (!wallet.address)
    return (
      <section className="hero">
        <p className="eyebrow">Account</p>
        <h1>Connect a wallet to see your escrow, bids and chat link.</h1>
        <ConnectButton />
        <WatchlistCard />
      </section>
    );
  return (
    <>
      <header className="page-head">
        <h1>Your account</h1>
      </header>
      <div className="account-grid">
        <div className="stack">
          <EscrowCard account={wallet.address} walletBalance={wallet.balance} />
          <ChatLinkCard account={wallet.address} />
        </div>
        <div className="stack">
          <MyBidsCard account={wallet.address} />
          <WatchlistCard />
        </div>
      </div>
    </>
  );
}

function AmountField({ id, label, value, onChange, hint }: { id: string; label: string; value: string; onChange: (v: string) => void; hint?: string }) {
  return (
    <div className="field">
      <label htmlFor={id} className="label">
        {label}
        {hint ? <span className="hint">{hint}</span> : null}
      </label>
      <div className="amount-input">
        <input id={id} inputMode="decimal" autoComplete="off" placeholder="0.00" value={value} onChange={(e) => onChange(e.target.value)} />
        <span className="unit">ETH</span>
      </div>
    </div>
  );
}

function EscrowCard({ account, walletBalance }: { account: Address; walletBalance?: bigint }) {
  const id = useId();
  const auctionHouse = useAuctionHouse();
  const escrow = useEscrow(account);
  const tx = useTx();
  const [deposit, setDeposit] = useState("");
  const [withdraw, setWithdraw] = useState("");
  const [problem, setProblem] = useState<string>();
  const balance = escrow.data ?? 0n;

  const onDeposit = (e: FormEvent) => {
    e.preventDefault();
    const p = parseEthInput(deposit);
    if (!p.ok) return setProblem(p.problem);
    if (walletBalance !== undefined && p.wei > walletBalance) return setProblem(`Your wallet holds only ${formatEth(walletBalance)}.`);
    setProblem(undefined);
    if (auctionHouse) void tx.run({ label: "Deposit", address: auctionHouse, abi: auctionHouseAbi, functionName: "deposit", value: p.wei }).then((r) => r.phase === "confirmed" && setDeposit(""));
  };
  const onWithdraw = (e: FormEvent) => {
    e.preventDefault();
    const p = parseEthInput(withdraw);
    if (!p.ok) return setProblem(p.problem);
    if (p.wei > balance) return setProblem(`Your escrow holds only ${formatEth(balance, { decimals: 6 })}.`);
    setProblem(undefined);
    if (auctionHouse) void tx.run({ label: "Withdraw", address: auctionHouse, abi: auctionHouseAbi, functionName: "withdraw", args: [p.wei] }).then((r) => r.phase === "confirmed" && setWithdraw(""));
  };
  const withdrawAll = () => auctionHouse && void tx.run({ label: "Withdraw", address: auctionHouse, abi: auctionHouseAbi, functionName: "withdrawAll" });

  return (
    <Card title="Escrow">
      <p className="escrow-balance">
        <span className="big-amount" data-testid="escrow-balance">
          <Eth wei={balance} decimals={6} />
        </span>
        <span className="muted">Pays your bids first when you choose it, and every chat bid. Withdraw any time, even when auctions are paused.</span>
      </p>
      <div className="two-forms">
        <form onSubmit={onDeposit} aria-label="Deposit to escrow">
          <AmountField id={`${id}-dep`} label="Deposit" value={deposit} onChange={setDeposit} hint={walletBalance !== undefined ? `Wallet ${formatEth(walletBalance)}` : undefined} />
          <button type="submit" className="btn btn-primary btn-block" disabled={tx.busy || !deposit}>
            Deposit
          </button>
        </form>
        <form onSubmit={onWithdraw} aria-label="Withdraw from escrow">
          <AmountField id={`${id}-wd`} label="Withdraw" value={withdraw} onChange={setWithdraw} />
          <div className="row">
            <button type="submit" className="btn btn-outline" disabled={tx.busy || !withdraw}>
              Withdraw
            </button>
            <button type="button" className="btn btn-ghost" disabled={tx.busy || balance === 0n} onClick={withdrawAll}>
              Withdraw all
            </button>
          </div>
        </form>
      </div>
      {problem ? <p className="field-error" role="alert">{problem}</p> : null}
      <TxStatus state={tx.state} />
    </Card>
  );
}

type MyLot = { lot: Lot; myTop: Bid; standing: "leading" | "outbid" | "won" | "lost" | "cancelled" | "undeliverable" };

export function classifyMyLots(bids: Bid[], lots: Lot[], account: Address, nowS: number): MyLot[] {
  const me = account.toLowerCase();
  const tops = new Map<string, Bid>();
  for (const b of bids) {
    const k = b.lotId.toString();
    const cur = tops.get(k);
    if (!cur || b.amount > cur.amount) tops.set(k, b);
  }
  const out: MyLot[] = [];
  for (const [k, myTop] of tops) {
    const lot = lots.find((l) => l.lotId.toString() === k);
    if (!lot) continue;
    const status = statusAt(lot, nowS);
    const leads = lot.bidder.toLowerCase() === me;
    const standing =
      status === "cancelled" ? "cancelled" : status === "undeliverable" ? (leads ? "undeliverable" : "lost") : status === "live" || status === "scheduled" ? (leads ? "leading" : "outbid") : leads ? "won" : "lost";
    out.push({ lot, myTop, standing });
  }
  return out.sort((a, b) => Number(b.lot.lotId - a.lot.lotId));
}

const standingWords = { leading: "Leading", outbid: "Outbid", won: "Won", lost: "Lost", cancelled: "Cancelled", undeliverable: "Not delivered · bid back in escrow" } as const;

function MyBidsCard({ account }: { account: Address }) {
  const bids = useMyBids(account);
  const lots = useLots();
  const now = useNow(5000);
  const auctionHouse = useAuctionHouse();
  const tx = useTx();
  const [settling, setSettling] = useState<bigint>();
  if (!bids.data || !lots.data) return <Card title="Your bids">{bids.error || lots.error ? <Empty>Could not load your bids; retrying.</Empty> : <Empty>Loading…</Empty>}</Card>;
  const mine = classifyMyLots(bids.data, lots.data, account, now / 1000);
  const settle = (lotId: bigint) => {
    setSettling(lotId);
    if (auctionHouse) void tx.run({ label: "Settle", address: auctionHouse, abi: auctionHouseAbi, functionName: "settle", args: [lotId] });
  };
  return (
    <Card title="Your bids">
      {mine.length === 0 ? (
        <Empty>
          You have not bid yet. <Link to="/">See the live lot</Link>.
        </Empty>
      ) : (
        <table className="table" data-testid="my-bids">
          <thead>
            <tr>
              <th scope="col">Lot</th>
              <th scope="col">Your top bid</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {mine.map(({ lot, myTop, standing }) => {
              const status = statusAt(lot, now / 1000);
              return (
                <tr key={lot.lotId.toString()} data-standing={standing}>
                  <td>
                    <Link to={`/lot/${lot.lotId}`}>Lot {lot.lotId.toString()}</Link> <StatusPill status={status} />
                  </td>
                  <td>{formatEth(myTop.amount, { decimals: 6 })}</td>
                  <td>
                    <span className={`standing standing-${standing}`}>{standingWords[standing]}</span>
                  </td>
                  <td className="right">
                    {standing === "won" && status === "ended" ? (
                      <button type="button" className="btn btn-small btn-primary" disabled={tx.busy} onClick={() => settle(lot.lotId)}>
                        {tx.busy && settling === lot.lotId ? "Settling…" : "Settle & claim"}
                      </button>
                    ) : standing === "outbid" ? (
                      <Link to={`/lot/${lot.lotId}`} className="btn btn-small btn-outline">
                        Bid again
                      </Link>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <TxStatus state={tx.state} success="Lot settled: the artwork is in your wallet." />
    </Card>
  );
}

function WatchlistCard() {
  const ids = useWatchlist();
  const lots = useLots();
  const watched = (lots.data ?? []).filter((l) => ids.includes(l.lotId.toString()));
  const upcoming = (lots.data ?? []).filter((l) => l.status === "scheduled" && !ids.includes(l.lotId.toString())).slice(0, 4);
  return (
    <Card title="Watchlist">
      {watched.length ? (
        <div className="lot-grid lot-grid-small" data-testid="watchlist">
          {watched.map((l) => (
            <LotCard key={l.lotId.toString()} lot={l} />
          ))}
        </div>
      ) : (
        <Empty>Lots you watch appear here. Add upcoming lots with ☆ Watch.</Empty>
      )}
      {upcoming.length ? (
        <>
          <h3 className="subhead">Upcoming</h3>
          <div className="lot-grid lot-grid-small">
            {upcoming.map((l) => (
              <LotCard key={l.lotId.toString()} lot={l} />
            ))}
          </div>
        </>
      ) : null}
    </Card>
  );
}

type LinkStep =
  | { step: "form" }
  | { step: "signing"; account?: TwitchAccount }
  | { step: "code"; code: LinkCode; nonce: bigint; account: TwitchAccount; chatIdHash: Hex }
  | { step: "error"; words: ErrorWords };

const noRelayer = "0x0000000000000000000000000000000000000000";

export function ChatLinkCard({ account }: { account: Address }) {
  const id = useId();
  const { config } = useApp();
  const wagmi = useConfig();
  const auctionHouse = useAuctionHouse();
  const revokeTx = useTx();
  const [maxBid, setMaxBid] = useState("0.5");
  const [budget, setBudget] = useState("2");
  const [login, setLogin] = useState(() => linkedAccountOf(account)?.login ?? "");
  const [userId, setUserId] = useState(() => linkedAccountOf(account)?.userId ?? "");
  const [lookup, setLookup] = useState<"idle" | "looking" | "found" | "unknown">("idle");
  const [days, setDays] = useState<number>(7);
  const [link, setLink] = useState<LinkStep>({ step: "form" });
  const reads = useReadContracts({
    contracts: [
      { address: auctionHouse, abi: auctionHouseAbi, functionName: "authorizationOf", args: [account] },
      { address: auctionHouse, abi: auctionHouseAbi, functionName: "nonces", args: [account] },
    ],
    query: { enabled: Boolean(auctionHouse), refetchInterval: 1000 },
  });
  const relayer = useQuery({ queryKey: ["relayerAddress"], queryFn: ({ signal }) => fetchRelayerAddress(signal), enabled: config.services.includes("relayer"), retry: 5 });
  const auth = reads.data?.[0]?.status === "success" ? reads.data[0].result : undefined;
  const nonce = reads.data?.[1]?.status === "success" ? reads.data[1].result : undefined;
  const now = Date.now() / 1000;
  const active = auth && !auth.revoked && auth.relayer !== noRelayer && Number(auth.expiry) > now;
  const exposure = auth?.exposure ?? 0n;
  const typedLogin = twitchLoginOf(login);
  const typedId = twitchUserIdOf(userId);
  // The Twitch account this browser linked, named only when the chain's chatIdHash is that account's.
  const [remembered, setRemembered] = useState(() => linkedAccountOf(account));
  const linkedAccount = auth && remembered && isLinkedTo(auth, remembered) ? remembered : undefined;

  // The code step ends when the chain shows the authorization we signed: our nonce AND our chat identity.
  const confirmed = link.step === "code" && auth && auth.nonce === link.nonce && auth.chatIdHash.toLowerCase() === link.chatIdHash.toLowerCase() && !auth.revoked && auth.relayer !== noRelayer;
  useEffect(() => {
    if (!confirmed || link.step !== "code") return;
    rememberLinkedAccount(account, link.account);
    setRemembered(link.account);
  }, [confirmed, link, account]);

  /** Ask the relayer for the login's numeric id (fills the id field; the user can always type it). */
  const lookUp = async () => {
    if (!typedLogin || !config.services.includes("relayer")) return;
    setLookup("looking");
    const found = await resolveTwitchAccount(typedLogin);
    if (found) {
      setUserId(found.userId);
      setLookup("found");
    } else setLookup("unknown");
  };

  const sign = async (e: FormEvent) => {
    e.preventDefault();
    const max = parseEthInput(maxBid);
    const more = parseEthInput(budget);
    if (!typedLogin) return setLink({ step: "error", words: { title: "Twitch account: enter the login you chat with (letters, digits, _)." } });
    let chatAccount: TwitchAccount | undefined = typedId ? { login: typedLogin, userId: typedId } : undefined;
    if (!chatAccount && config.services.includes("relayer")) {
      const found = await resolveTwitchAccount(typedLogin);
      if (found) {
        setUserId(found.userId);
        chatAccount = { ...found, login: typedLogin };
      }
    }
    if (!chatAccount)
      return setLink({ step: "error", words: { title: `The relayer could not look up the Twitch account ${typedLogin}.`, action: "Enter its numeric Twitch user id (your Twitch account settings or any Twitch user-id lookup show it)." } });
    if (!max.ok) return setLink({ step: "error", words: { title: `Per-bid cap: ${max.problem}` } });
    if (!more.ok) return setLink({ step: "error", words: { title: `Budget: ${more.problem}` } });
    if (max.wei > more.wei) return setLink({ step: "error", words: { title: "The per-bid cap cannot be above the budget.", action: "Raise the budget or lower the per-bid cap." } });
    if (!auctionHouse || nonce === undefined) return;
    if (!relayer.data) return setLink({ step: "error", words: { title: "The chat relayer is not reachable right now.", action: "Try again in a moment." } });
    const message = buildChatAuthorization({ bidder: account, relayer: relayer.data, account: chatAccount, maxBid: max.wei, budget: more.wei, exposure, expiry: expiryFromNow(days), nonce });
    try {
      setLink({ step: "signing", account: chatAccount });
      const signature = await signTypedData(wagmi, { account, ...chatAuthorizationTypedData({ chainId: config.chainId, auctionHouse, message }) });
      const code = await requestLinkCode(message, signature, chatAccount);
      setLink({ step: "code", code, nonce, account: chatAccount, chatIdHash: message.chatIdHash });
    } catch (error) {
      setLink({ step: "error", words: errorToWords(error, { chainId: config.chainId }) });
    }
  };
  const revoke = () => auctionHouse && void revokeTx.run({ label: "Revoke", address: auctionHouse, abi: auctionHouseAbi, functionName: "revokeChatAuthorization" }).then((r) => r.phase === "confirmed" && setLink({ step: "form" }));

  return (
    <Card title="Chat bidding">
      {active && auth && (link.step !== "code" || confirmed) ? (
        <div className="linked" data-testid="chat-linked">
          <Notice tone="success">
            <strong>Chat linked{linkedAccount ? <> to Twitch account <span data-testid="linked-twitch">{linkedAccount.displayName ?? linkedAccount.login}</span></> : null}.</strong> The relayer may bid for
            you from your escrow: up to {formatEth(auth.maxBid)} a bid and {formatEth(budgetLeft(auth), { decimals: 6 })} more in total, until {formatDateTime(Number(auth.expiry))}.
          </Notice>
          <dl className="details">
            <dt>Twitch account</dt>
            <dd>{linkedAccount ? `${linkedAccount.login} (user id ${linkedAccount.userId})` : <span className="muted">linked from another browser</span>}</dd>
            <dt>At stake now</dt>
            <dd>{formatEth(auth.exposure, { decimals: 6 })}</dd>
            <dt>Budget left</dt>
            <dd data-testid="budget-left">{formatEth(budgetLeft(auth), { decimals: 6 })}</dd>
            <dt>Chat identity</dt>
            <dd className="mono small" title={auth.chatIdHash}>{auth.chatIdHash.slice(0, 18)}…</dd>
          </dl>
          <button type="button" className="btn btn-outline" onClick={revoke} disabled={revokeTx.busy}>
            {revokeTx.busy ? "Revoking…" : "Revoke chat bidding"}
          </button>
        </div>
      ) : link.step === "code" ? (
        <div className="link-code" data-testid="link-code-step">
          <p>
            Type this in the stream's chat <strong>as {link.account.login}</strong>:
          </p>
          <p className="code" data-testid="link-code">
            !link {link.code.code}
          </p>
          <p className="muted">
            {link.code.expiresAt ? `The code works once, until ${new Date(link.code.expiresAt > 1e12 ? link.code.expiresAt : link.code.expiresAt * 1000).toLocaleTimeString()}. ` : "The code works once and expires soon. "}
            {config.chatPageUrl ? (
              <a href={config.chatPageUrl} target="_blank" rel="noreferrer">
                Open the local chat ↗
              </a>
            ) : null}
          </p>
          {auth && auth.nonce === link.nonce && auth.relayer !== noRelayer && auth.chatIdHash.toLowerCase() !== link.chatIdHash.toLowerCase() ? (
            <Notice words={{ title: "The chain shows a different chat account for this authorization.", action: "Start over and sign again for the account you chat with." }} />
          ) : null}
          <div className="tx-pending" role="status">
            <span className="spinner" aria-hidden="true" /> Waiting for the relayer to register it on chain…
          </div>
          <button type="button" className="btn btn-ghost" onClick={() => setLink({ step: "form" })}>
            Start over
          </button>
        </div>
      ) : (
        <form onSubmit={sign} aria-label="Link your chat account">
          <p className="muted">
            Bid from chat with <code>!bid 0.5</code>, without a wallet pop-up: sign once to let the relayer bid for you from your escrow, from one Twitch account, within the caps you set here. Nothing leaves the contract except to you or, when you win, to the seller.
          </p>
          <div className="two-forms">
            <div className="field">
              <label htmlFor={`${id}-login`} className="label">
                Twitch account
              </label>
              <input id={`${id}-login`} className="input" autoComplete="off" placeholder="your_login" value={login} onChange={(e) => { setLogin(e.target.value); setLookup("idle"); }} onBlur={() => void lookUp()} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-uid`} className="label">
                Twitch user id
                <span className="hint">{lookup === "looking" ? "looking up…" : lookup === "found" ? "from the relayer" : lookup === "unknown" ? "type it: the relayer does not know this login" : "numeric"}</span>
              </label>
              <input id={`${id}-uid`} className="input mono" inputMode="numeric" autoComplete="off" placeholder="12345678" value={userId} onChange={(e) => setUserId(e.target.value)} />
            </div>
          </div>
          {typedLogin ? (
            <p className="hint-line" data-testid="signing-for">
              Signing for Twitch account <strong>{typedLogin}</strong>
              {typedId ? <> (user id {typedId})</> : null}: only its <code>!link</code> and bids count.
            </p>
          ) : null}
          <div className="two-forms">
            <AmountField id={`${id}-max`} label="Per-bid cap" value={maxBid} onChange={setMaxBid} />
            <AmountField id={`${id}-total`} label="Budget from now on" value={budget} onChange={setBudget} hint={exposure > 0n ? `on top of ${formatEth(exposure, { decimals: 4 })} at stake` : undefined} />
          </div>
          {exposure > 0n ? (
            <p className="hint-line" data-testid="total-cap-line">
              {formatEth(exposure, { decimals: 6 })} is already at stake through chat, so the signed total cap is {(() => {
                const p = parseEthInput(budget);
                return p.ok ? formatEth(exposure + p.wei, { decimals: 6 }) : "that plus the budget";
              })()}.
            </p>
          ) : null}
          <fieldset className="pay-from">
            <legend className="label">Valid for</legend>
            {expiryChoices.map((d) => (
              <label key={d} className={`segment ${days === d ? "on" : ""}`}>
                <input type="radio" name="expiry" value={d} checked={days === d} onChange={() => setDays(d)} />
                {d === 1 ? "1 day" : `${d} days`}
              </label>
            ))}
          </fieldset>
          {link.step === "error" ? <Notice words={link.words} /> : null}
          {auth?.revoked ? <p className="hint-line">Your previous authorization was revoked.</p> : null}
          <button type="submit" className="btn btn-primary btn-block" disabled={link.step === "signing" || nonce === undefined}>
            {link.step === "signing" ? `Signing for Twitch account ${link.account?.login ?? typedLogin ?? ""}… confirm in your wallet` : "Sign & get a chat code"}
          </button>
        </form>
      )}
      {/* Outside the branches: the card switches to the form once the revocation lands. */}
      <TxStatus state={revokeTx.state} success="Revoked: the relayer can no longer bid for you." />
    </Card>
  );
}
