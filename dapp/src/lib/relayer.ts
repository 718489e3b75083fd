/**
 * @module relayer
 * The relayer's HTTP side the dApp uses: its address (the one relayer a ChatAuthorization names),
 * `GET /twitch/users?login=` (a Twitch login → its numeric user id, when the relayer can resolve it), and
 * `POST /link`, which checks a signed authorization and answers a one-time code for `!link CODE`.
 */
import type { Address, Hex } from "viem";
import { serviceUrl } from "./config.ts";
import type { ChatAuthorization, TwitchAccount } from "./chatAuth.ts";

const isAddress = (v: unknown): v is Address => typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v);

/** The relayer's sending address, from its /health (the first address-valued field that names it). */
export async function fetchRelayerAddress(signal?: AbortSignal): Promise<Address> {
  const res = await fetch(serviceUrl("relayer", "/health"), { signal });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  const nested = (body.relayer ?? body.chain ?? {}) as Record<string, unknown>;
  for (const v of [body.relayerAddress, body.address, body.account, body.relayer, nested.address, nested.account]) if (isAddress(v)) return v;
  throw new Error("the relayer did not say its address");
}

/**
 * A Twitch login's numeric user id, asked of the relayer (which holds the Twitch app credentials, or in
 * the local stack knows the chat server's users). Undefined when the relayer cannot say (no such
 * endpoint, unknown login, unreachable): the user then types the id.
 * Expected answer: `{ userId: "12345", login: "alice", displayName?: "Alice" }`.
 */
export async function resolveTwitchAccount(login: string, signal?: AbortSignal): Promise<TwitchAccount | undefined> {
  try {
    const res = await fetch(serviceUrl("relayer", `/twitch/users?login=${encodeURIComponent(login)}`), { signal });
    if (!res.ok) return undefined;
    const body = (await res.json().catch(() => ({}))) as { userId?: unknown; id?: unknown; login?: unknown; displayName?: unknown };
    const userId = String(body.userId ?? body.id ?? "");
    if (!/^[0-9]{1,20}$/.test(userId)) return undefined;
    return { login: typeof body.login === "string" ? body.login : login, userId, displayName: typeof body.displayName === "string" ? body.displayName : undefined };
  } catch {
    return undefined;
  }
}

export type LinkCode = { code: string; expiresAt?: number };

/** The JSON body of `POST /link`: the signed authorization (uints as decimal strings) and who is linking. */
export function linkRequestBody(authorization: ChatAuthorization, signature: Hex, account: TwitchAccount) {
  return {
    authorization: {
      bidder: authorization.bidder,
      relayer: authorization.relayer,
      chatIdHash: authorization.chatIdHash,
      maxBid: authorization.maxBid.toString(),
      totalCap: authorization.totalCap.toString(),
      expiry: authorization.expiry.toString(),
      nonce: authorization.nonce.toString(),
    },
    signature,
    // So the relayer can say "type it as <login>" and refuse a `!link` from another user id.
    chat: { platform: "twitch", login: account.login, userId: account.userId },
  };
}

/** Sends the signed authorization; the relayer answers the code to type in chat. */
export async function requestLinkCode(authorization: ChatAuthorization, signature: Hex, account: TwitchAccount, signal?: AbortSignal): Promise<LinkCode> {
  const res = await fetch(serviceUrl("relayer", "/link"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(linkRequestBody(authorization, signature, account)),
    signal,
  });
  const body = (await res.json().catch(() => ({}))) as { code?: string; expiresAt?: number; error?: string; message?: string };
  if (!res.ok || !body.code) throw new Error(body.error ?? body.message ?? `the relayer refused the link (HTTP ${res.status})`);
  return { code: body.code, expiresAt: body.expiresAt };
}
