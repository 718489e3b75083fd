/**
 * @module ipfs
 * Reading `ipfs://` without trusting the gateway: the bytes a gateway returns are checked against the
 * CID before anyone uses them. A CID names its content by hash, so any gateway (public, local, hostile)
 * can serve it and none can lie about it.
 *
 * - raw-codec CID (one block, what a small image or the metadata JSON becomes): fetch `?format=raw`,
 *   sha2-256 of the bytes must equal the CID's digest.
 * - dag-pb CID (a UnixFS file cut into blocks, or a path inside a directory): fetch `?format=car`
 *   (trustless gateway spec), verify every block against its own CID, then walk the DAG from the root
 *   and assemble the file from verified blocks only.
 * - Gateways are tried in order; one that fails or returns bytes that do not match is skipped.
 *
 * Dependency-free on purpose (hashing is WebCrypto's `crypto.subtle`, present in Node and browsers): the
 * dApp loads this lazily for ipfs:// URIs only, and the broadcaster fetches through its own SSRF-safe
 * GET. Supports what uploads here produce and what NFT metadata uses: CIDv0 and CIDv1 (base32, base58btc),
 * sha2-256, raw and dag-pb codecs, UnixFS files and plain directories (sharded directories are refused).
 *
 * @see https://specs.ipfs.tech/http-gateways/trustless-gateway/
 * @see https://ipld.io/specs/transport/car/carv1/
 */

export const RAW = 0x55;
export const DAG_PB = 0x70;
export const SHA2_256 = 0x12;

/** A parsed content identifier. */
export type Cid = {
  version: 0 | 1;
  /** Multicodec of the block: {@link RAW} or {@link DAG_PB} here. */
  codec: number;
  /** Multihash function code: {@link SHA2_256}. */
  hashCode: number;
  digest: Uint8Array;
  /** The binary CID, as it appears in CAR files and dag-pb links. */
  bytes: Uint8Array;
};

/** Bytes that do not match their CID, or content that cannot be read as IPFS data. */
export class IpfsError extends Error {
  override name = "IpfsError";
}

// ---------------------------------------------------------------------------------------------------
// varints and bases

function readVarint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < bytes.length && i < at + 9; i++) {
    const b = bytes[i];
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) {
      if (!Number.isSafeInteger(value)) throw new IpfsError("varint larger than 2^53");
      return [value, i + 1];
    }
    shift += 7;
  }
  throw new IpfsError("truncated varint");
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const B32 = "abcdefghijklmnopqrstuvwxyz234567";
const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

function base32Decode(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const ch of text) {
    const v = B32.indexOf(ch);
    if (v < 0) throw new IpfsError(`not base32: "${ch}"`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

function base58Decode(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    let carry = B58.indexOf(ch);
    if (carry < 0) throw new IpfsError(`not base58btc: "${ch}"`);
    for (let i = 0; i < out.length; i++) {
      carry += out[i] * 58;
      out[i] = carry & 0xff;
      carry >>= 8;
    }
    for (; carry > 0; carry >>= 8) out.push(carry & 0xff);
  }
  for (const ch of text) {
    if (ch !== "1") break;
    out.push(0);
  }
  return Uint8Array.from(out.reverse());
}

function base58Encode(bytes: Uint8Array): string {
  const digits: number[] = [];
  for (const b of bytes) {
    let carry = b;
    for (let i = 0; i < digits.length; i++) {
      carry += digits[i] << 8;
      digits[i] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    for (; carry > 0; carry = Math.floor(carry / 58)) digits.push(carry % 58);
  }
  let out = "";
  for (const b of bytes) {
    if (b !== 0) break;
    out += "1";
  }
  for (let i = digits.length - 1; i >= 0; i--) out += B58[digits[i]];
  return out;
}

// ---------------------------------------------------------------------------------------------------
// CIDs

/** Reads a binary CID starting at `at` (CAR sections and dag-pb links carry them). */
export function decodeCid(bytes: Uint8Array, at = 0): [cid: Cid, next: number] {
  // CIDv0 is a bare sha2-256 multihash: 0x12 0x20 + 32 bytes.
  if (bytes[at] === SHA2_256 && bytes[at + 1] === 0x20) {
    const end = at + 34;
    if (end > bytes.length) throw new IpfsError("truncated CIDv0");
    return [{ version: 0, codec: DAG_PB, hashCode: SHA2_256, digest: bytes.slice(at + 2, end), bytes: bytes.slice(at, end) }, end];
  }
  const [version, a] = readVarint(bytes, at);
  if (version !== 1) throw new IpfsError(`unsupported CID version ${version}`);
  const [codec, b] = readVarint(bytes, a);
  const [hashCode, c] = readVarint(bytes, b);
  const [length, d] = readVarint(bytes, c);
  const end = d + length;
  if (end > bytes.length) throw new IpfsError("truncated CID");
  return [{ version: 1, codec, hashCode, digest: bytes.slice(d, end), bytes: bytes.slice(at, end) }, end];
}

/** Parses a CID string: CIDv0 (`Qm…`) or CIDv1 in base32 (`b…`) or base58btc (`z…`). */
export function parseCid(text: string): Cid {
  const t = text.trim();
  let bytes: Uint8Array;
  if (/^Qm[1-9A-HJ-NP-Za-km-z]{44}$/.test(t)) bytes = base58Decode(t);
  else if (t.startsWith("b")) bytes = base32Decode(t.slice(1));
  else if (t.startsWith("B")) bytes = base32Decode(t.slice(1).toLowerCase());
  else if (t.startsWith("z")) bytes = base58Decode(t.slice(1));
  else throw new IpfsError(`"${t.slice(0, 20)}" is not a CID (expected Qm… or a base32 b… CIDv1)`);
  const [cid, end] = decodeCid(bytes);
  if (end !== bytes.length) throw new IpfsError(`"${t.slice(0, 20)}…" has trailing bytes after the CID`);
  return cid;
}

/** The canonical string: base58btc for CIDv0, base32 (`b…`) for CIDv1. */
export function formatCid(cid: Cid): string {
  return cid.version === 0 ? base58Encode(cid.bytes) : `b${base32Encode(cid.bytes)}`;
}

/** Builds a CIDv1 over sha2-256 of `bytes` (what a raw block's CID is). */
export async function rawCid(bytes: Uint8Array): Promise<Cid> {
  const digest = await sha256(bytes);
  const head = [1, ...varint(RAW), SHA2_256, 32];
  return { version: 1, codec: RAW, hashCode: SHA2_256, digest, bytes: Uint8Array.from([...head, ...digest]) };
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws unless `bytes` hash to `cid`'s digest. */
export async function verifyBlock(cid: Cid, bytes: Uint8Array): Promise<void> {
  if (cid.hashCode !== SHA2_256) throw new IpfsError(`unsupported multihash 0x${cid.hashCode.toString(16)} (only sha2-256)`);
  if (!equal(await sha256(bytes), cid.digest)) throw new IpfsError(`bytes do not match ${formatCid(cid)}`);
}

// ---------------------------------------------------------------------------------------------------
// ipfs:// URIs and gateways

/** `ipfs://<cid>[/path]` (also `ipfs://ipfs/<cid>`, an old form some collections use). */
export function parseIpfsUri(uri: string): { cid: Cid; path: string[] } {
  const rest = uri.trim().replace(/^ipfs:\/\//i, "").replace(/^ipfs\//, "");
  const [first, ...path] = rest.split(/[?#]/)[0].split("/");
  return { cid: parseCid(first), path: path.filter(Boolean).map(decodeURIComponent) };
}

/**
 * Gateway list from a comma-separated setting, each normalised to end in `/ipfs/` (so both
 * `https://ipfs.io` and `https://ipfs.io/ipfs/` work). With `relative`, a path (`/svc/operator/ipfs/`) is
 * kept as it is for a browser, which resolves it against its own origin.
 */
export function parseGateways(text: string | readonly string[], o: { relative?: boolean } = {}): string[] {
  const items = (typeof text === "string" ? text.split(",") : text).map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new Error("at least one gateway URL");
  return items.map((g) => {
    if (!(o.relative && g.startsWith("/"))) {
      let u: URL;
      try {
        u = new URL(g);
      } catch {
        throw new Error(`gateway "${g}" is not a URL`);
      }
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`gateway "${g}" is not http(s)`);
      if (u.search || u.hash) throw new Error(`gateway "${g}" has a query or fragment`);
    }
    const base = g.replace(/\/+$/, "");
    return base.endsWith("/ipfs") ? `${base}/` : `${base}/ipfs/`;
  });
}

/** The trustless request for `cid` (and path) on one gateway: a raw block, or a CAR of the DAG. */
export function trustlessUrl(gateway: string, cid: Cid, path: readonly string[]): { url: string; format: "raw" | "car"; accept: string } {
  const format = cid.codec === RAW && path.length === 0 ? "raw" : "car";
  const suffix = path.map(encodeURIComponent).join("/");
  // Both the query parameter and the Accept header: gateways honour one or the other.
  const accept = format === "raw" ? "application/vnd.ipld.raw" : "application/vnd.ipld.car";
  return { url: `${gateway}${formatCid(cid)}${suffix ? `/${suffix}` : ""}?format=${format}`, format, accept };
}

// ---------------------------------------------------------------------------------------------------
// CAR v1, dag-pb and UnixFS (only the fields needed to read a file)

/** Blocks of a CARv1, each verified against its CID; keyed by the CID's string. Roots are not trusted. */
export async function readCar(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const [headerLength, start] = readVarint(bytes, 0);
  let at = start + headerLength;
  if (at > bytes.length) throw new IpfsError("truncated CAR header");
  const blocks = new Map<string, Uint8Array>();
  while (at < bytes.length) {
    const [length, body] = readVarint(bytes, at);
    const end = body + length;
    if (end > bytes.length) throw new IpfsError("truncated CAR block");
    const [cid, dataAt] = decodeCid(bytes, body);
    const data = bytes.subarray(dataAt, end);
    await verifyBlock(cid, data);
    blocks.set(formatCid(cid), data);
    at = end;
  }
  return blocks;
}

/** A CARv1 of `blocks` with one root (what the local gateway serves for `?format=car`). */
export function writeCar(root: Cid, blocks: Iterable<[Cid, Uint8Array]>): Uint8Array {
  // The header is dag-cbor {roots: [root], version: 1}, keys in dag-cbor's order (shorter first).
  const cidBytes = [0, ...root.bytes]; // tag 42 holds the CID behind a 0x00 multibase prefix
  const header = [
    0xa2, 0x65, ...new TextEncoder().encode("roots"), 0x81, 0xd8, 0x2a, 0x58, cidBytes.length, ...cidBytes,
    0x67, ...new TextEncoder().encode("version"), 0x01,
  ];
  const parts: Uint8Array[] = [Uint8Array.from([...varint(header.length), ...header])];
  for (const [cid, data] of blocks) {
    parts.push(Uint8Array.from(varint(cid.bytes.length + data.length)), cid.bytes, data);
  }
  return concat(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

type PbLink = { cid: Cid; name: string };
type PbNode = { links: PbLink[]; data?: Uint8Array };

/** Protobuf fields of one message: field number -> values (varints as numbers, bytes as views). */
function protoFields(bytes: Uint8Array): Map<number, (number | Uint8Array)[]> {
  const fields = new Map<number, (number | Uint8Array)[]>();
  let at = 0;
  while (at < bytes.length) {
    const [key, next] = readVarint(bytes, at);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value: number | Uint8Array;
    if (wire === 0) [value, at] = readVarint(bytes, next);
    else if (wire === 2) {
      const [length, body] = readVarint(bytes, next);
      if (body + length > bytes.length) throw new IpfsError("truncated protobuf field");
      value = bytes.subarray(body, body + length);
      at = body + length;
    } else throw new IpfsError(`unexpected protobuf wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

function decodePbNode(bytes: Uint8Array): PbNode {
  const f = protoFields(bytes);
  const links = (f.get(2) ?? []).map((raw) => {
    const l = protoFields(raw as Uint8Array);
    const hash = l.get(1)?.[0];
    if (!(hash instanceof Uint8Array)) throw new IpfsError("dag-pb link without a hash");
    const name = l.get(2)?.[0];
    return { cid: decodeCid(hash)[0], name: name instanceof Uint8Array ? new TextDecoder().decode(name) : "" };
  });
  const data = f.get(1)?.[0];
  return { links, data: data instanceof Uint8Array ? data : undefined };
}

/** UnixFS node types (unixfs.proto). */
const UNIXFS = { raw: 0, directory: 1, file: 2, hamtShard: 5 } as const;

function unixfsOf(node: PbNode): { type: number; data?: Uint8Array } {
  if (!node.data) throw new IpfsError("dag-pb node without UnixFS data");
  const f = protoFields(node.data);
  const type = f.get(1)?.[0];
  const data = f.get(2)?.[0];
  return { type: typeof type === "number" ? type : -1, data: data instanceof Uint8Array ? data : undefined };
}

/**
 * The file at `path` under `root`, assembled from blocks already verified against their CIDs (so the
 * result is exactly what the root CID names). Throws on a missing block, a non-file target, a sharded
 * directory, or more than `maxBytes`.
 */
export function assembleFile(root: Cid, path: readonly string[], blocks: ReadonlyMap<string, Uint8Array>, maxBytes: number): Uint8Array {
  const get = (cid: Cid) => {
    const b = blocks.get(formatCid(cid));
    if (!b) throw new IpfsError(`block ${formatCid(cid)} missing from the response`);
    return b;
  };
  let cid = root;
  for (const segment of path) {
    if (cid.codec !== DAG_PB) throw new IpfsError(`"${segment}": ${formatCid(cid)} is not a directory`);
    const node = decodePbNode(get(cid));
    const type = unixfsOf(node).type;
    if (type === UNIXFS.hamtShard) throw new IpfsError("sharded directories are not supported");
    if (type !== UNIXFS.directory) throw new IpfsError(`"${segment}": ${formatCid(cid)} is not a directory`);
    const link = node.links.find((l) => l.name === segment);
    if (!link) throw new IpfsError(`"${segment}" not found in ${formatCid(cid)}`);
    cid = link.cid;
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  const push = (bytes: Uint8Array) => {
    total += bytes.length;
    if (total > maxBytes) throw new IpfsError(`file larger than ${maxBytes} bytes`);
    parts.push(bytes);
  };
  const walk = (c: Cid, depth: number) => {
    if (depth > 32) throw new IpfsError("UnixFS DAG deeper than 32 levels");
    const block = get(c);
    if (c.codec === RAW) return push(block);
    if (c.codec !== DAG_PB) throw new IpfsError(`unsupported codec 0x${c.codec.toString(16)}`);
    const node = decodePbNode(block);
    const fs = unixfsOf(node);
    if (fs.type !== UNIXFS.file && fs.type !== UNIXFS.raw) throw new IpfsError(`${formatCid(c)} is not a file`);
    if (fs.data) push(fs.data);
    for (const link of node.links) walk(link.cid, depth + 1);
  };
  walk(cid, 0);
  return concat(parts);
}

/** Every block of the DAG under `root` in depth-first order (a CAR's order); `get` reads one block. */
export async function* dagBlocks(root: Cid, get: (cid: Cid) => Promise<Uint8Array>): AsyncGenerator<[Cid, Uint8Array]> {
  const block = await get(root);
  yield [root, block];
  if (root.codec !== DAG_PB) return;
  for (const link of decodePbNode(block).links) yield* dagBlocks(link.cid, get);
}

// ---------------------------------------------------------------------------------------------------
// Fetching through gateways

/** GETs `url` with that Accept header and returns its body (throwing past `maxBytes` or on an HTTP error). */
export type GatewayGet = (url: string, o: { maxBytes: number; accept: string }) => Promise<Uint8Array>;

/**
 * The bytes `uri` names, from the first gateway whose answer verifies. Each failure (unreachable, HTTP
 * error, wrong bytes) moves on to the next gateway; when all fail the error lists each one's reason.
 */
export async function fetchVerified(
  uri: string,
  o: { gateways: readonly string[]; get: GatewayGet; maxBytes: number; onSkip?: (gateway: string, reason: string) => void },
): Promise<{ bytes: Uint8Array; gateway: string; cid: string }> {
  const { cid, path } = parseIpfsUri(uri);
  const reasons: string[] = [];
  for (const gateway of o.gateways) {
    const { url, format, accept } = trustlessUrl(gateway, cid, path);
    try {
      // A CAR carries the blocks' CIDs and dag-pb framing on top of the file: allow some headroom.
      const body = await o.get(url, { accept, maxBytes: format === "raw" ? o.maxBytes : o.maxBytes + 64 * 1024 + Math.ceil(o.maxBytes / 64) });
      let bytes: Uint8Array;
      if (format === "raw") {
        await verifyBlock(cid, body);
        bytes = body;
      } else {
        bytes = assembleFile(cid, path, await readCar(body), o.maxBytes);
      }
      return { bytes, gateway, cid: formatCid(cid) };
    } catch (error) {
      const reason = (error as Error).message;
      reasons.push(`${gateway}: ${reason}`);
      o.onSkip?.(gateway, reason);
    }
  }
  throw new IpfsError(`${uri.slice(0, 80)}: no gateway returned bytes matching the CID (${reasons.join("; ")})`);
}
