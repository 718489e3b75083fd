/**
 * @module ConnectButton
 * Connect with any wallet the browser announces (EIP-6963), the plain injected provider, or
 * WalletConnect when configured; once connected, the account, a network warning and disconnect.
 */
import { useEffect, useRef, useState } from "react";
import { useConnect, useConnectors, useDisconnect, useSwitchChain } from "wagmi";
import { chainById } from "@sothebais/common/chains";
import { errorToWords } from "../lib/errors.ts";
import { formatEth, shortAddress } from "../lib/format.ts";
import { useApp } from "../state.tsx";
import { useWallet } from "../hooks/data.ts";
import { avatarGradient } from "./ui.tsx";

export function ConnectButton() {
  const { config } = useApp();
  const wallet = useWallet();
  const connectors = useConnectors();
  const connect = useConnect();
  const disconnect = useDisconnect();
  const switchChain = useSwitchChain();
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (menu.current && !menu.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("click", close);
    return () => document.removeEventListener("click", close);
  }, []);

  // Announced wallets first; the generic "Injected" only when nothing announced itself.
  const announced = connectors.filter((c) => c.type === "injected" && c.id !== "injected");
  const choices = announced.length ? [...announced, ...connectors.filter((c) => c.type !== "injected")] : connectors;

  if (wallet.status === "connected" && wallet.address) {
    const wrongChain = wallet.chainId !== config.chainId;
    return (
      <div className="connect" ref={menu}>
        {wrongChain ? (
          <button type="button" className="btn btn-warn" onClick={() => switchChain.mutate({ chainId: config.chainId })}>
            Switch to {chainName(config.chainId)}
          </button>
        ) : null}
        <button type="button" className="account-chip" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="account-chip">
          <span className="avatar" style={{ background: avatarGradient(wallet.address) }} aria-hidden="true" />
          <span>{shortAddress(wallet.address)}</span>
          {wallet.balance !== undefined ? <span className="muted hide-sm">{formatEth(wallet.balance, { decimals: 3 })}</span> : null}
        </button>
        {open ? (
          <div className="menu" role="menu">
            <p className="menu-note mono">{wallet.address}</p>
            <p className="menu-note">Connected with {wallet.connector?.name}</p>
            <button type="button" role="menuitem" className="btn btn-ghost btn-block" onClick={() => disconnect.mutate()}>
              Disconnect
            </button>
          </div>
        ) : null}
        {switchChain.error ? <span className="sr-only" role="alert">{errorToWords(switchChain.error, { chainId: config.chainId }).title}</span> : null}
      </div>
    );
  }

  const connectWith = (index: number) => {
    setOpen(false);
    connect.mutate({ connector: choices[index], chainId: config.chainId });
  };
  return (
    <div className="connect" ref={menu}>
      <button
        type="button"
        className="btn btn-primary"
        disabled={connect.isPending}
        onClick={() => (choices.length === 1 ? connectWith(0) : setOpen(!open))}
        aria-haspopup={choices.length > 1 ? "menu" : undefined}
      >
        {connect.isPending ? "Connecting…" : "Connect wallet"}
      </button>
      {open ? (
        <div className="menu" role="menu" aria-label="Choose a wallet">
          {choices.length === 0 ? <p className="menu-note">No wallet found in this browser. Install one, such as MetaMask or Rabby.</p> : null}
          {choices.map((c, i) => (
            <button type="button" role="menuitem" key={c.uid} className="menu-item" onClick={() => connectWith(i)}>
              {c.icon ? <img src={c.icon} alt="" width={20} height={20} /> : <span className="avatar" aria-hidden="true" />}
              {c.name}
            </button>
          ))}
        </div>
      ) : null}
      {connect.error ? (
        <div className="connect-error" role="alert">
          {errorToWords(connect.error, { chainId: config.chainId }).title}
        </div>
      ) : null}
    </div>
  );
}

function chainName(id: number): string {
  try {
    return chainById(id).name;
  } catch {
    return `chain ${id}`;
  }
}
