/**
 * @module http-client
 * Who is asking: the address a per-client limit is keyed on. The TCP peer is the only address nobody
 * can forge; a forwarded header (X-Forwarded-For or Forwarded) is believed only when the peer is a
 * proxy we trust, and then only as far as the chain of trusted proxies goes: each proxy appends the
 * address it saw, so reading from the right, the first hop that is not a trusted proxy is the client.
 * Anything left of it was written by the client itself and is ignored.
 *
 * Used by every per-client limit on a public HTTP surface: the relayer's `POST /link`, the operator's
 * `/auth/nonce` and `/auth/login`. (The indexer has its own copy in indexer/src/api/peer.ts.)
 */
import { BlockList, isIP } from "node:net";

export type TrustedProxies = { cidrs: string[]; list: BlockList };

const LOOPBACK = ["127.0.0.0/8", "::1/128"];

/** "loopback", "none", or a comma-separated list of IPs and CIDRs (IPv4 or IPv6). Throws on a bad entry. */
export function parseTrustedProxies(text: string): TrustedProxies {
  const words = text.split(",").map((w) => w.trim()).filter(Boolean);
  const cidrs = words.flatMap((w) => (w === "loopback" ? LOOPBACK : w === "none" ? [] : [w]));
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split("/");
    const family = isIP(address);
    if (!family) throw new Error(`IPs or CIDRs (or "loopback", "none"); "${cidr}" is not one`);
    const type = family === 4 ? "ipv4" : "ipv6";
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`a prefix length 0-${max} in "${cidr}"`);
    list.addSubnet(address, prefix, type);
  }
  return { cidrs, list };
}

/** "::ffff:1.2.3.4" (an IPv4 peer on a dual-stack socket) -> "1.2.3.4"; brackets and ports dropped. */
export function normalizeIp(raw: string): string | undefined {
  let ip = raw.trim().replace(/^"|"$/g, "");
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed) ip = bracketed[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(":"));
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) ip = ip.slice(7);
  return isIP(ip) ? ip.toLowerCase() : undefined;
}

const isTrusted = (ip: string, proxies: TrustedProxies) => proxies.list.check(ip, isIP(ip) === 4 ? "ipv4" : "ipv6");

/** The hops a forwarded header lists, left (client) to right (nearest proxy); unreadable hops kept as "". */
export function forwardedHops(headerName: "x-forwarded-for" | "forwarded", values: string[]): string[] {
  const items = values.flatMap((v) => v.split(","));
  if (headerName === "x-forwarded-for") return items.map((h) => normalizeIp(h) ?? "");
  // RFC 7239: `for=192.0.2.1;proto=https, for="[2001:db8::1]:443"`.
  return items.map((element) => {
    const pair = element.split(";").map((p) => p.trim()).find((p) => /^for=/i.test(p));
    return pair ? (normalizeIp(pair.slice(4)) ?? "") : "";
  });
}

/**
 * The client's address for rate limiting: the peer, unless the peer is a trusted proxy; then the
 * right-most hop of the forwarded header that is not a trusted proxy. An unreadable hop (a garbled
 * or obfuscated entry) ends the walk at the proxy that wrote it: that proxy's address is the key.
 */
export function clientAddress(peer: string | undefined, headerName: "x-forwarded-for" | "forwarded", headerValues: string[], proxies: TrustedProxies): string {
  const direct = peer ? normalizeIp(peer) : undefined;
  if (!direct) return "unknown";
  let current = direct;
  const hops = forwardedHops(headerName, headerValues);
  while (isTrusted(current, proxies) && hops.length) {
    const next = hops.pop() as string;
    if (!next) return current;
    current = next;
  }
  return current;
}

/**
 * The key a per-client limit counts under: an IPv4 address itself, an IPv6 address its /64. One
 * subscriber usually holds a whole /64 and can pick any address in it, so counting single IPv6
 * addresses would let one client take 2^64 fresh budgets. "unknown" (no peer) stays one shared key.
 */
export function limitKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head, tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
