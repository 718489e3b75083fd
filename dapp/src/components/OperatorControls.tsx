/**
 * @module OperatorControls
 * The console's service controls: sign-in with the connected wallet (EIP-4361, through the operator
 * API), the chat-bidding pause, the host's mute, the "be right back" scene, the chain's pause (a
 * transaction from the wallet, passed in as `chainPause`), and the audit of who changed what. The
 * operator API decides who may do what; this only shapes the page.
 */
import type { ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useOperatorSession } from "../hooks/useOperatorSession.ts";
import { type AuditEntry, type ControlName, getAudit, getControls, OperatorError, setControl } from "../lib/operator.ts";
import { Card, Empty, Notice } from "./ui.tsx";

const controls: { name: ControlName; title: string; on: string; off: string; turnOn: string; turnOff: string }[] = [
  { name: "bidsPaused", title: "Chat bidding", on: "Paused", off: "Open", turnOn: "Pause chat bidding", turnOff: "Resume chat bidding" },
  { name: "hostMuted", title: "Host", on: "Muted", off: "Speaking", turnOn: "Mute the host", turnOff: "Unmute the host" },
  { name: "brb", title: "Stream scene", on: "Be right back", off: "The auction", turnOn: "Show “be right back”", turnOff: "Back to the auction" },
];

const actionText = (e: AuditEntry): string => {
  if (e.action === "chainPause") return e.after ? "paused the auctions on chain" : "resumed the auctions on chain";
  const c = controls.find((x) => x.name === e.action);
  return c ? `${c.title}: ${e.before ? c.on : c.off} → ${e.after ? c.on : c.off}` : e.action;
};

const short = (a: string) => (/^0x[0-9a-fA-F]{40}$/.test(a) ? `${a.slice(0, 6)}…${a.slice(-4)}` : a);

export function OperatorSignIn() {
  const op = useOperatorSession();
  if (!op.available) return <Notice tone="info" words={{ title: "No operator API", action: "This server has no OPERATOR_URL: service controls, logs and uploads are off." }} />;
  const error = op.login.error ?? op.logout.error;
  return (
    <Card
      title="Operator sign-in"
      actions={<span className={`pill ${op.session ? "pill-live" : "pill-settled"}`} data-testid="operator-session">{op.session ? "Signed in" : "Signed out"}</span>}
    >
      {op.session ? (
        <>
          <p className="small">
            <span className="mono">{short(op.session.address)}</span> as {op.session.roles.join(", ")}, until {new Date(op.session.expiresAt).toLocaleTimeString()}.
          </p>
          <button type="button" className="btn btn-ghost btn-small" disabled={op.logout.isPending} onClick={() => op.logout.mutate()}>
            Sign out
          </button>
        </>
      ) : (
        <>
          <p className="muted small">Sign a message with this wallet (no transaction, no gas). The API checks your role on the AuctionHouse at sign-in and on every request.</p>
          <button type="button" className="btn btn-primary" data-testid="operator-sign-in" disabled={op.login.isPending || op.loading} onClick={() => op.login.mutate()}>
            {op.login.isPending ? "Waiting for the signature…" : "Sign in"}
          </button>
        </>
      )}
      {error ? <p className="error small" role="alert">{(error as Error).message}</p> : null}
    </Card>
  );
}

/** The controls panel; `chainPause` is the wallet's own pause card (a transaction, no sign-in needed). */
export function ServiceControlsCard({ chainPause }: { chainPause?: ReactNode }) {
  const op = useOperatorSession();
  const queryClient = useQueryClient();
  const signedIn = Boolean(op.session);
  const state = useQuery({ queryKey: ["operator-controls"], queryFn: getControls, enabled: signedIn, refetchInterval: 3000 });
  const audit = useQuery({ queryKey: ["operator-audit"], queryFn: () => getAudit(50), enabled: signedIn, refetchInterval: 3000 });
  const change = useMutation({
    mutationFn: ({ name, on }: { name: ControlName; on: boolean }) => setControl(name, on),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ["operator-controls"] });
      void queryClient.invalidateQueries({ queryKey: ["operator-audit"] });
    },
  });
  const canChange = op.session?.roles.some((r) => r === "admin" || r === "auctioneer") ?? false;
  return (
    <>
      {chainPause}
      <Card title="Service controls">
        {!signedIn ? (
          <Empty>Sign in above to see and change the service controls.</Empty>
        ) : (
          <>
            <ul className="controls" data-testid="service-controls">
              {controls.map((c) => {
                const on = state.data ? state.data.controls[c.name] !== null : undefined;
                const by = state.data?.controls[c.name]?.by;
                return (
                  <li key={c.name} data-control={c.name} data-on={on === undefined ? "" : String(on)}>
                    <div>
                      <strong>{c.title}</strong> <span className={`pill ${on ? "pill-cancelled" : "pill-live"}`}>{on === undefined ? "…" : on ? c.on : c.off}</span>
                      {on && by ? <span className="muted small"> by {short(by)}</span> : null}
                    </div>
                    <button
                      type="button"
                      className={`btn btn-small ${on ? "btn-primary" : "btn-outline"}`}
                      disabled={!canChange || on === undefined || change.isPending}
                      title={canChange ? undefined : "needs admin or auctioneer"}
                      onClick={() => change.mutate({ name: c.name, on: !on })}
                    >
                      {on ? c.turnOff : c.turnOn}
                    </button>
                  </li>
                );
              })}
              <li data-control="chainPause" data-on={state.data?.chainPaused == null ? "" : String(state.data.chainPaused)}>
                <div>
                  <strong>Auctions on chain</strong>{" "}
                  <span className={`pill ${state.data?.chainPaused ? "pill-cancelled" : "pill-live"}`}>{state.data?.chainPaused == null ? "…" : state.data.chainPaused ? "Paused" : "Running"}</span>
                </div>
                <span className="muted small">a pauser's transaction (Auctions card)</span>
              </li>
            </ul>
            {change.error ? <p className="error small" role="alert">{change.error instanceof OperatorError && change.error.status === 403 ? "Your role cannot change controls (admin or auctioneer needed)." : (change.error as Error).message}</p> : null}
            <h3 className="small muted">Audit</h3>
            {audit.data?.length ? (
              <ul className="audit" data-testid="control-audit">
                {audit.data.map((e) => (
                  <li key={`${e.at}-${e.action}-${e.who}`} className="small">
                    <span className="mono">{new Date(e.at).toLocaleTimeString()}</span> <span className="mono">{short(e.who)}</span> {actionText(e)}
                  </li>
                ))}
              </ul>
            ) : (
              <Empty>No control changed yet.</Empty>
            )}
          </>
        )}
      </Card>
    </>
  );
}
