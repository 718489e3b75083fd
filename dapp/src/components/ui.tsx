/**
 * @module ui
 * Small presentational pieces shared by the pages: amounts, addresses, explorer links, notices.
 */
import type { ReactNode } from "react";
import type { Address } from "viem";
import { explorerUrl, formatEth, shortAddress } from "../lib/format.ts";
import type { ErrorWords } from "../lib/errors.ts";
import type { LotStatus } from "../lib/types.ts";
import { useApp } from "../state.tsx";

export function Eth({ wei, decimals = 4, className }: { wei: bigint; decimals?: number; className?: string }) {
  return (
    <span className={className} title={`${formatEth(wei, { decimals: 18 })}`}>
      {formatEth(wei, { decimals })}
    </span>
  );
}

export function AddressLabel({ address, you, chat }: { address: Address; you?: Address; chat?: boolean }) {
  const { config } = useApp();
  const isYou = you !== undefined && you.toLowerCase() === address.toLowerCase();
  const href = explorerUrl(config.chainId, "address", address);
  const text = isYou ? "You" : shortAddress(address);
  return (
    <span className="addr">
      <span className="avatar" aria-hidden="true" style={{ background: avatarGradient(address) }} />
      {href ? (
        <a href={href} target="_blank" rel="noreferrer" title={address}>
          {text}
        </a>
      ) : (
        <span title={address}>{text}</span>
      )}
      {chat ? <span className="badge badge-chat" title="Placed from chat through the relayer">chat</span> : null}
    </span>
  );
}

/** A deterministic two-colour gradient per address, so bidders are easy to tell apart at a glance. */
export function avatarGradient(address: string): string {
  const h1 = Number.parseInt(address.slice(2, 8), 16) % 360;
  const h2 = Number.parseInt(address.slice(-6), 16) % 360;
  return `linear-gradient(135deg, hsl(${h1} 70% 60%), hsl(${h2} 70% 45%))`;
}

export function TxLink({ hash, label }: { hash: `0x${string}`; label?: string }) {
  const { config } = useApp();
  const href = explorerUrl(config.chainId, "tx", hash);
  const text = label ?? `${hash.slice(0, 10)}…`;
  return href ? (
    <a className="txlink" href={href} target="_blank" rel="noreferrer" title={hash}>
      {text} ↗
    </a>
  ) : (
    <span className="txlink mono" title={`${hash} (local chain: no explorer)`}>
      {text}
    </span>
  );
}

const statusLabels: Record<LotStatus, string> = {
  scheduled: "Upcoming",
  live: "Live",
  ended: "Ended",
  settled: "Settled",
  cancelled: "Cancelled",
  queued: "Queued",
  undeliverable: "Undeliverable",
};

export function StatusPill({ status }: { status: LotStatus }) {
  return (
    <span className={`pill pill-${status}`}>
      {status === "live" ? <span className="dot" aria-hidden="true" /> : null}
      {statusLabels[status]}
    </span>
  );
}

export function Notice({ words, tone = "error", children }: { words?: ErrorWords; tone?: "error" | "info" | "success"; children?: ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === "error" ? "alert" : "status"} data-code={words?.code}>
      {words ? (
        <>
          <strong>{words.title}</strong>
          {words.action ? <span> {words.action}</span> : null}
        </>
      ) : null}
      {children}
    </div>
  );
}

export function Card({ title, children, actions, className }: { title?: ReactNode; children: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ""}`} aria-label={typeof title === "string" ? title : undefined}>
      {title || actions ? (
        <header className="card-head">
          {title ? <h2>{title}</h2> : <span />}
          {actions}
        </header>
      ) : null}
      {children}
    </section>
  );
}

export function Skeleton({ lines = 3 }: { lines?: number }) {
  return (
    <div className="skeleton" role="status" aria-busy="true" aria-label="Loading">
      {Array.from({ length: lines }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholder lines are identical and never reorder.
        <div key={i} className="skeleton-line" style={{ width: `${90 - i * 15}%` }} />
      ))}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
