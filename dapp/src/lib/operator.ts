/**
 * @module operator
 * The operator API as the console calls it, on this origin (`/svc/operator`, proxied by the dApp's
 * server), so the session cookie (HttpOnly, SameSite=Strict) rides along by itself. Sign-in is EIP-4361:
 * a nonce from the API, a message built here for this origin and chain, signed by the wallet.
 */
import type { Address, Hex } from "viem";
import { createSiweMessage } from "viem/siwe";
import { serviceUrl } from "./config.ts";

export type OperatorRole = "admin" | "auctioneer" | "pauser";
export type OperatorSession = { address: Address; roles: OperatorRole[]; expiresAt: number };
export type ControlName = "bidsPaused" | "hostMuted" | "brb";
export type ControlState = { by: string; at: number } | null;
export type ControlsReport = { controls: Record<ControlName, ControlState>; chainPaused: boolean | null };
export type AuditEntry = { at: number; who: string; action: ControlName | "chainPause"; before: boolean; after: boolean; tx?: string };

/** A refusal from the operator API, with its status (401: sign in; 403: a role is missing). */
export class OperatorError extends Error {
  override name = "OperatorError";
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

async function call<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(serviceUrl("operator", path), {
    method: init.method ?? "GET",
    headers: init.body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: "same-origin",
    cache: "no-store",
  });
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new OperatorError(body.error ?? `operator API: HTTP ${res.status}`, res.status);
  return body;
}

/** The live session, or null when signed out (or the session was dropped: expired, role revoked). */
export async function getSession(): Promise<OperatorSession | null> {
  try {
    return await call<OperatorSession>("/auth/session");
  } catch (error) {
    if (error instanceof OperatorError && error.status === 401) return null;
    throw error;
  }
}

/** Signs in `address` on `chainId`: nonce, EIP-4361 message for this origin, wallet signature, login. */
export async function signIn(address: Address, chainId: number, sign: (message: string) => Promise<Hex>): Promise<OperatorSession> {
  const { nonce } = await call<{ nonce: string }>("/auth/nonce");
  const message = createSiweMessage({
    address,
    chainId,
    domain: window.location.host,
    uri: window.location.origin,
    nonce,
    version: "1",
    issuedAt: new Date(),
    statement: "Sign in to the SothebAIs operator console.",
  });
  return call<OperatorSession>("/auth/login", { method: "POST", body: { message, signature: await sign(message) } });
}

export const signOut = () => call<{ ok: true }>("/auth/logout", { method: "POST", body: {} });
export const getControls = () => call<ControlsReport>("/controls");
export const setControl = (name: ControlName, on: boolean) => call<{ controls: ControlsReport["controls"] }>(`/controls/${name}`, { method: "POST", body: { on } });
export const getAudit = (limit = 50) => call<{ entries: AuditEntry[] }>(`/controls/audit?limit=${limit}`).then((r) => r.entries);
