/**
 * Who is asking, for per-address limits: the TCP peer, unless the peer is a trusted proxy (listed in
 * INDEXER_TRUSTED_PROXIES), in which case the client its `X-Forwarded-For` names. A forwarded header
 * from anyone else is ignored: otherwise a client could name a fresh address per request and never hit
 * a limit. IPv6 clients are keyed by their /64, the block one subscriber usually holds.
 */
import { BlockList, isIP } from "node:net";

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) -> `1.2.3.4`; zone ids dropped. */
export function normalizeAddress(address: string): string {
  const bare = address.trim().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped ? mapped[1] : bare.toLowerCase();
}

/** Parses `10.0.0.1, 10.1.0.0/16, fd00::/8, loopback` into a BlockList; throws naming a bad entry. */
export function parseTrustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === "loopback") {
      list.addSubnet("127.0.0.0", 8, "ipv4");
      list.addAddress("::1", "ipv6");
      continue;
    }
    const [address, bits, extra] = entry.split("/");
    const family = isIP(address ?? "");
    if (!family || extra !== undefined) throw new Error(`an IP address, a CIDR block or "loopback", got "${entry}"`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) throw new Error(`a CIDR prefix length, got "${entry}"`);
    list.addSubnet(address, prefix, type);
  }
  return list;
}

function isTrusted(address: string, trusted: BlockList): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** The limit key of an address: itself for IPv4, its /64 for IPv6. */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head, tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

/**
 * The client's address: walk `X-Forwarded-For` from the right (the hop our proxy added) past trusted
 * proxies; the first address not trusted is the client. Stops at a malformed entry (then the last
 * trusted hop is the client: nothing left of it can be believed).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trusted: BlockList): string {
  let client = normalizeAddress(peer ?? "unknown");
  if (!forwardedFor || !isTrusted(client, trusted)) return client;
  const hops = forwardedFor.split(",").map(normalizeAddress).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isIP(hops[i])) break;
    client = hops[i];
    if (!isTrusted(client, trusted)) break;
  }
  return client;
}
