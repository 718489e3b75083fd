import type { TxState } from "../hooks/useTx.ts";
import { Notice, TxLink } from "./ui.tsx";

const phaseWords: Partial<Record<TxState["phase"], string>> = {
  preparing: "Checking with the contract…",
  signing: "Confirm in your wallet…",
  mining: "Sent. Waiting for the block…",
};

/** The live line under every action button: pending, confirmed with its tx, or failed in words. */
export function TxStatus({ state, success }: { state: TxState; success?: string }) {
  if (state.phase === "idle") return null;
  if (state.phase === "failed" && state.error)
    return (
      <Notice words={state.error}>
        {state.hash ? (
          <span>
            {" "}
            <TxLink hash={state.hash} />
          </span>
        ) : null}
      </Notice>
    );
  if (state.phase === "confirmed")
    return (
      <Notice tone="success">
        <strong>{success ?? `${state.label} confirmed.`}</strong> {state.hash ? <TxLink hash={state.hash} label="View transaction" /> : null}
      </Notice>
    );
  return (
    <div className="tx-pending" role="status" data-phase={state.phase}>
      <span className="spinner" aria-hidden="true" />
      {phaseWords[state.phase]}
      {state.hash ? (
        <>
          {" "}
          <TxLink hash={state.hash} />
        </>
      ) : null}
    </div>
  );
}
