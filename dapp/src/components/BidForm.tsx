/**
 * @module BidForm
 * Amount prefilled with the minimum next bid rounded up to an amount people can say (0.354, not
 * 0.353075625; kept in step while the bidder has not typed), quick-bid
 * buttons, a choice of paying from the wallet or escrow first, and problems explained before signing.
 */
import { type FormEvent, useEffect, useId, useState } from "react";
import { formatEther } from "viem";
import { type BidPlan, humanMinimumBid, type PaymentSource, parseEthInput, planBid, quickBids } from "../lib/bid.ts";
import { formatEth } from "../lib/format.ts";

export type BidFormProps = {
  /** Smallest bid the contract accepts now; undefined while loading. */
  minimum: bigint | undefined;
  /** The bidder's escrow balance (0 when not connected). */
  escrow: bigint;
  walletBalance?: bigint;
  connected: boolean;
  /** Why bidding is impossible right now (lot not live, paused...), or undefined. */
  disabledReason?: string;
  busy?: boolean;
  onBid: (plan: Extract<BidPlan, { ok: true }>) => void;
  onConnect?: () => void;
};

export function BidForm({ minimum, escrow, walletBalance, connected, disabledReason, busy, onBid, onConnect }: BidFormProps) {
  const id = useId();
  const [text, setText] = useState("");
  const [edited, setEdited] = useState(false);
  const [source, setSource] = useState<PaymentSource>(escrow > 0n ? "escrow" : "wallet");
  const [touched, setTouched] = useState(false);

  // Follow the minimum as other bids arrive, until the bidder types their own amount.
  useEffect(() => {
    if (!edited && minimum !== undefined) setText(formatEther(humanMinimumBid(minimum)));
  }, [minimum, edited]);
  useEffect(() => {
    if (escrow > 0n && !touched) setSource("escrow");
  }, [escrow, touched]);

  const parsed = parseEthInput(text);
  const plan: BidPlan | undefined =
    parsed.ok && minimum !== undefined ? planBid({ amount: parsed.wei, minimum, source, escrow, walletBalance }) : undefined;
  const problem = !parsed.ok ? (text === "" && !edited ? undefined : parsed.problem) : plan && !plan.ok ? plan.problem : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!connected) return onConnect?.();
    if (plan?.ok) onBid(plan);
  };

  const disabled = Boolean(disabledReason) || busy || minimum === undefined;
  return (
    <form className="bid-form" onSubmit={submit} aria-label="Place a bid" noValidate>
      <label htmlFor={`${id}-amount`} className="label">
        Your bid
        {minimum !== undefined ? <span className="hint">Minimum {formatEth(minimum, { decimals: 6 })}</span> : null}
      </label>
      <div className={`amount-input ${problem ? "invalid" : ""}`}>
        <input
          id={`${id}-amount`}
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          placeholder="0.00"
          value={text}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-problem` : undefined}
          disabled={Boolean(disabledReason)}
          onChange={(e) => {
            setEdited(true);
            setText(e.target.value);
          }}
        />
        <span className="unit">ETH</span>
      </div>
      {minimum !== undefined && !disabledReason ? (
        <div className="quick-bids" role="group" aria-label="Quick bids">
          {quickBids(minimum).map((wei) => (
            <button
              type="button"
              key={wei.toString()}
              className="chip"
              aria-pressed={parsed.ok && parsed.wei === wei}
              onClick={() => {
                setEdited(true);
                setText(formatEther(wei));
              }}
            >
              {formatEth(wei, { decimals: 6 })}
            </button>
          ))}
        </div>
      ) : null}
      {connected && !disabledReason ? (
        <fieldset className="pay-from">
          <legend className="label">Pay from</legend>
          <label className={`segment ${source === "escrow" ? "on" : ""}`}>
            <input
              type="radio"
              name="source"
              value="escrow"
              checked={source === "escrow"}
              onChange={() => {
                setTouched(true);
                setSource("escrow");
              }}
            />
            Escrow first <span className="muted">({formatEth(escrow)})</span>
          </label>
          <label className={`segment ${source === "wallet" ? "on" : ""}`}>
            <input
              type="radio"
              name="source"
              value="wallet"
              checked={source === "wallet"}
              onChange={() => {
                setTouched(true);
                setSource("wallet");
              }}
            />
            Wallet{walletBalance !== undefined ? <span className="muted"> ({formatEth(walletBalance)})</span> : null}
          </label>
        </fieldset>
      ) : null}
      {problem ? (
        <p className="field-error" id={`${id}-problem`} role="alert">
          {problem}
        </p>
      ) : null}
      {plan?.ok && connected && plan.fromEscrow > 0n ? (
        <p className="hint-line">
          {formatEth(plan.fromEscrow, { decimals: 6 })} from escrow
          {plan.fromWallet > 0n ? ` + ${formatEth(plan.fromWallet, { decimals: 6 })} from your wallet` : ""}
        </p>
      ) : null}
      {disabledReason ? <p className="hint-line">{disabledReason}</p> : null}
      <button type="submit" className="btn btn-primary btn-block" disabled={disabled || (connected && !plan?.ok)}>
        {!connected ? "Connect wallet to bid" : busy ? "Bidding…" : plan?.ok ? `Place bid · ${formatEth(plan.amount, { decimals: 6 })}` : "Place bid"}
      </button>
    </form>
  );
}
