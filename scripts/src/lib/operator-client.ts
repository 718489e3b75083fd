/**
 * @module lib/operator-client
 * The admin CLI as a client of the operator API: Sign-In with Ethereum with the command's signing key
 * (the API grants a session only if that address holds an operator role on the AuctionHouse), then
 * calls behind the session. The CLI presents itself as the console (its Origin and the SIWE domain are
 * the console's origin) because the API accepts state changes from the console's origins only.
 */
import { FatalError } from "@sothebais/common/errors";
import type { PrivateKeyAccount } from "viem";
import { createSiweMessage } from "viem/siwe";

export type OperatorSession = { url: string; origin: string; cookie: string };

/** The API's `{error}` body, or the status line. */
async function errorOf(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const e = (JSON.parse(text) as { error?: unknown }).error;
    if (typeof e === "string") return e;
  } catch {}
  return `HTTP ${res.status} ${text.slice(0, 200)}`.trim();
}

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new FatalError(`the operator API at ${new URL(url).origin} did not answer: ${(error as Error).message}`, {
      hints: ["start it (the local stack runs it; npm start -w @sothebais/operator), or pass --operator-url"],
    });
  }
}

export async function signIn(o: { url: string; origin: string; account: PrivateKeyAccount; chainId: number }): Promise<OperatorSession> {
  const url = o.url.replace(/\/+$/, "");
  const nonceRes = await call(`${url}/auth/nonce`, {});
  if (!nonceRes.ok) throw new FatalError(`operator sign-in: no nonce (${await errorOf(nonceRes)})`);
  const { nonce } = (await nonceRes.json()) as { nonce: string };
  const message = createSiweMessage({
    domain: new URL(o.origin).host,
    uri: o.origin,
    address: o.account.address,
    chainId: o.chainId,
    nonce,
    version: "1",
    issuedAt: new Date(),
    statement: "Sign in to the SothebAIs operator API (./sothebais CLI).",
  });
  const signature = await o.account.signMessage({ message });
  const res = await call(`${url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: o.origin },
    body: JSON.stringify({ message, signature }),
  });
  if (!res.ok) throw new FatalError(`operator sign-in refused for ${o.account.address}: ${await errorOf(res)}`);
  const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
  if (!cookie) throw new FatalError("operator sign-in: the API set no session cookie");
  return { url, origin: o.origin, cookie };
}

export type UploadedArtwork = { imageCid: string; metadataCid: string; tokenURI: string; image: { type: string; width: number; height: number; bytes: number } };

export async function uploadArtwork(
  s: OperatorSession,
  a: { bytes: Uint8Array; fileName: string; title: string; artist: string; description: string },
): Promise<UploadedArtwork> {
  const form = new FormData();
  form.append("image", new Blob([a.bytes as Uint8Array<ArrayBuffer>]), a.fileName);
  form.append("title", a.title);
  form.append("artist", a.artist);
  form.append("description", a.description);
  const res = await call(`${s.url}/artwork`, { method: "POST", headers: { cookie: s.cookie, origin: s.origin }, body: form });
  if (!res.ok) throw new FatalError(`artwork refused: ${await errorOf(res)}`);
  return (await res.json()) as UploadedArtwork;
}
