/**
 * @module auth/siwe
 * Checks a Sign-In with Ethereum message (EIP-4361) and its signature before a session is granted:
 * the fields first (domain and URI on an allowed origin, chain id, version, issuedAt recent, not expired,
 * not before), then the nonce is taken (once: a replayed message finds it gone), then the signature
 * through the chain's public client, which covers contract wallets (ERC-1271, and ERC-6492 for
 * undeployed ones). The roles are the caller's business (auth/routes.ts).
 *
 * @see https://eips.ethereum.org/EIPS/eip-4361
 * @see https://viem.sh/docs/siwe/actions/verifySiweMessage
 */
import type { Address } from "@sothebais/common/deployments";
import type { Hex, PublicClient } from "viem";
import { parseSiweMessage } from "viem/siwe";

export type SiweCheck =
  | { ok: true; address: Address; expiresAt: number | undefined }
  | { ok: false; status: 400 | 401; error: string };

export type SiweRules = {
  /** Allowed origins (scheme://host[:port]); the message's domain is one's host, its URI on that origin. */
  origins: string[];
  chainId: number;
  /** issuedAt at most this old. */
  maxAgeMs: number;
  /** Takes the nonce (true once); see auth/sessions.ts. */
  takeNonce: (nonce: string) => Promise<boolean>;
  client: PublicClient;
  now?: () => number;
};

/** Clock skew allowed on issuedAt in the future. */
const skewMs = 60_000;

export async function checkSiwe(message: string, signature: Hex, rules: SiweRules): Promise<SiweCheck> {
  const now = (rules.now ?? Date.now)();
  const refuse = (status: 400 | 401, error: string): SiweCheck => ({ ok: false, status, error });
  if (typeof message !== "string" || message.length > 4096) return refuse(400, "message: expected an EIP-4361 message (at most 4096 characters)");
  if (typeof signature !== "string" || !/^0x[0-9a-fA-F]+$/.test(signature)) return refuse(400, "signature: expected 0x-prefixed hex");
  const m = parseSiweMessage(message);
  if (!m.address || !m.domain || !m.uri || !m.nonce || !m.issuedAt || m.chainId === undefined || m.version !== "1") {
    return refuse(400, "message: not an EIP-4361 message (address, domain, uri, version 1, chain id, nonce, issued at are required)");
  }
  const origin = rules.origins.find((o) => new URL(o).host === m.domain);
  if (!origin) return refuse(401, `message: domain ${m.domain} is not this console's`);
  let uriOrigin: string;
  try {
    uriOrigin = new URL(m.uri).origin;
  } catch {
    return refuse(400, "message: uri is not a URL");
  }
  if (uriOrigin !== origin) return refuse(401, `message: uri ${m.uri} is not on ${origin}`);
  if (m.chainId !== rules.chainId) return refuse(401, `message: chain id ${m.chainId}, this console signs in on chain ${rules.chainId}`);
  const issued = m.issuedAt.getTime();
  if (Number.isNaN(issued) || issued > now + skewMs || issued < now - rules.maxAgeMs) return refuse(401, "message: issued at is too old or in the future; sign a fresh one");
  if (m.expirationTime && m.expirationTime.getTime() <= now) return refuse(401, "message: expired");
  if (m.notBefore && m.notBefore.getTime() > now) return refuse(401, "message: not valid yet (not before)");
  // Taken before the signature is checked: a bad attempt spends the nonce too, so each nonce gets one try.
  if (!(await rules.takeNonce(m.nonce))) return refuse(401, "message: nonce unknown, expired or already used; ask for a new one");
  const valid = await rules.client
    .verifySiweMessage({ message, signature: signature as Hex, domain: m.domain, nonce: m.nonce, time: new Date(now) })
    .catch(() => false);
  if (!valid) return refuse(401, "signature does not match the message's address");
  return { ok: true, address: m.address, expiresAt: m.expirationTime?.getTime() };
}
