/**
 * @module relayer
 * The relayer's HTTP side the dApp uses: its address (the one relayer a ChatAuthorization names) and
 * `POST /link`, which checks a signed authorization and answers a one-time code for `!link CODE`.
 */
import type { Address, Hex } from "viem";
import { serviceUrl } from "./config.ts";
import type { ChatAuthorization } from "./chatAuth.ts";

const isAddress = (v: unknown): v is Address => typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v);

/** The relayer's sending address, from its /health (the first address-valued field that names it). */
export async function fetchRelayerAddress(signal?: AbortSignal): Promise<Address> {
  const res = await fetch(serviceUrl("relayer", "/health"), { signal });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  const nested = (body.relayer ?? body.chain ?? {}) as Record<string, unknown>;
  for (const v of [body.relayerAddress, body.address, body.account, body.relayer, nested.address, nested.account]) if (isAddress(v)) return v;
  throw new Error("the relayer did not say its address");
}

export type LinkCode = { code: string; expiresAt?: number };

/** Sends the signed authorization; the relayer answers the code to type in chat. */
export async function requestLinkCode(authorization: ChatAuthorization, signature: Hex, signal?: AbortSignal): Promise<LinkCode> {
  const res = await fetch(serviceUrl("relayer", "/link"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      authorization: {
        bidder: authorization.bidder,
        relayer: authorization.relayer,
        maxBid: authorization.maxBid.toString(),
        totalCap: authorization.totalCap.toString(),
        expiry: authorization.expiry.toString(),
        nonce: authorization.nonce.toString(),
      },
      signature,
    }),
    signal,
  });
  const body = (await res.json().catch(() => ({}))) as { code?: string; expiresAt?: number; error?: string; message?: string };
  if (!res.ok || !body.code) throw new Error(body.error ?? body.message ?? `the relayer refused the link (HTTP ${res.status})`);
  return { code: body.code, expiresAt: body.expiresAt };
}
