/**
 * @module artwork/net
 * GET for untrusted URLs (token URIs are written by whoever mints): only public addresses. A token URI
 * must not make the broadcaster reach the cloud metadata service, Redis, the indexer's admin routes or
 * anything else on the host's networks (SSRF).
 *
 * - The address is checked after DNS resolution, and the socket connects to that checked address (the
 *   check is the connection's own `lookup`), so a name that resolves differently the second time (DNS
 *   rebinding) cannot swap it.
 * - Redirects are followed by hand, each hop checked the same way, at most `maxRedirects`.
 * - Loopback servers for local development and tests are reachable only when named in `allowHosts`.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";

/** Ranges no artwork can live at: this host, private networks, link-local (cloud metadata), CGNAT, multicast, reserved. */
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24], ["203.0.113.0", 24],
  ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) blocked.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128], ["::1", 128], ["::", 96], ["100::", 64], ["2001:db8::", 32], ["fc00::", 7], ["fe80::", 10], ["fec0::", 10], ["ff00::", 8],
] as const) blocked.addSubnet(net, prefix, "ipv6");

/** The IPv4 address inside an IPv6 one that carries it (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16). */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) return wordsToIpv4(hex[1], hex[2]);
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4})(:|$)/.exec(lower);
  if (sixToFour) return wordsToIpv4(sixToFour[1], sixToFour[2]);
  return null;
}

function wordsToIpv4(high: string, low: string): string {
  const a = Number.parseInt(high, 16);
  const b = Number.parseInt(low, 16);
  return [a >> 8, a & 255, b >> 8, b & 255].join(".");
}

/** Why `address` (an IP literal) may not be fetched, or null when it is a public address. */
export function blockedReason(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4) return blockedReason(v4) && `${address} carries ${v4}, a non-public address`;
    return blocked.check(address, "ipv6") ? `${address} is not a public address` : null;
  }
  return blocked.check(address, "ipv4") ? `${address} is not a public address` : null;
}

export type SafeGetOptions = {
  /** Deadline for the whole GET: every hop, headers and body. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
  /** `host` or `host:port` entries reachable whatever their address (local development, tests). */
  allowHosts?: readonly string[];
  /** Accept header (an IPFS gateway is asked for a raw block or a CAR). */
  accept?: string;
};

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, "");

function isAllowed(url: URL, allow: readonly string[]): boolean {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const host = hostOf(url).toLowerCase();
  return allow.some((entry) => {
    const e = entry.trim().toLowerCase().replace(/^\[|\](?=:|$)/g, "");
    return e === host || e === `${host}:${port}`;
  });
}

/** A `lookup` for the socket: resolves, refuses if any address is not public, and hands over only checked ones. */
const checkedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, "", 0);
    // One bad address refuses the name: a resolver answering a mix is not trusted to pick for us.
    const bad = addresses.map((a) => blockedReason(a.address)).find((r) => r !== null);
    if (bad || !addresses.length) return callback(new Error(`refused ${hostname}: ${bad ?? "no address"}`), "", 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};

/** One hop: the response (not followed), or a refusal before any connection for a non-public IP literal. */
function getOnce(url: URL, allowed: boolean, signal: AbortSignal, accept: string): Promise<IncomingMessage> {
  if (!allowed && isIP(hostOf(url))) {
    const reason = blockedReason(hostOf(url));
    if (reason) return Promise.reject(new Error(`refused ${url.host}: ${reason}`));
  }
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "GET",
      signal,
      // A fresh socket per GET: a pooled one could have been opened for an allowed name.
      agent: false,
      ...(allowed ? {} : { lookup: checkedLookup }),
      headers: { accept, "user-agent": "sothebais-broadcaster" },
    });
    req.on("response", resolve);
    req.on("error", reject);
    req.end();
  });
}

async function readBody(res: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers["content-length"] ?? "0");
  if (declared > maxBytes) {
    res.destroy();
    throw new Error(`body of ${declared} bytes exceeds ${maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      res.destroy();
      throw new Error(`body exceeds ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** GETs `url` (http or https) from a public address, following up to `maxRedirects` checked redirects. */
export async function safeGet(url: string, o: SafeGetOptions): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(o.timeoutMs);
  const maxRedirects = o.maxRedirects ?? 5;
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    if (current.protocol !== "http:" && current.protocol !== "https:") throw new Error(`refused ${current.protocol} URL`);
    const res = await getOnce(current, isAllowed(current, o.allowHosts ?? []), signal, o.accept ?? "image/*, application/json;q=0.9, */*;q=0.1").catch((error: Error) => {
      throw signal.aborted ? new Error(`timed out: no answer within ${o.timeoutMs} ms`) : error;
    });
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.destroy();
      if (hop >= maxRedirects) throw new Error(`more than ${maxRedirects} redirects`);
      current = new URL(res.headers.location, current);
      continue;
    }
    if (status < 200 || status >= 300) {
      res.destroy();
      throw new Error(`GET ${current.host} answered ${status}`);
    }
    try {
      return await readBody(res, o.maxBytes);
    } catch (error) {
      throw signal.aborted ? new Error(`body not received within ${o.timeoutMs} ms`) : error;
    }
  }
}
