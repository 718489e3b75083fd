/**
 * @module artwork/bytes
 * Pure helpers for untrusted artwork bytes: where a token URI points, what its metadata says, and
 * whether an SVG is safe to rasterize. What the bytes really are and how big a raster claims to be
 * come from common/image.ts; ipfs:// is read and verified by common/ipfs.ts.
 */

/** Where to fetch a non-IPFS URI from: ar:// through arweave.net, http(s) as is. */
export function resolveUri(uri: string): string {
  const u = uri.trim();
  if (u.startsWith("ar://")) return `https://arweave.net/${u.slice("ar://".length)}`;
  if (/^https?:\/\//i.test(u)) return u;
  throw new Error(`unsupported URI scheme: ${u.slice(0, 40)}`);
}

/** Decodes a data: URI (base64 or percent-encoded); throws when the payload exceeds `maxBytes`. */
export function parseDataUri(uri: string, maxBytes: number): { mime: string; bytes: Uint8Array } {
  const comma = uri.indexOf(",");
  if (!uri.startsWith("data:") || comma < 0) throw new Error("malformed data: URI");
  const meta = uri.slice(5, comma);
  const payload = uri.slice(comma + 1);
  const base64 = /;base64$/i.test(meta);
  // A quick bound before decoding anything: base64 is 4/3 of the bytes.
  if ((base64 ? (payload.length * 3) / 4 : payload.length / 3) > maxBytes) throw new Error(`data: URI larger than ${maxBytes} bytes`);
  const bytes = base64 ? Buffer.from(payload, "base64") : Buffer.from(decodeURIComponent(payload), "utf8");
  if (bytes.byteLength > maxBytes) throw new Error(`data: URI larger than ${maxBytes} bytes`);
  return { mime: (meta.split(";")[0] || "text/plain").toLowerCase(), bytes: new Uint8Array(bytes) };
}

/**
 * Makes an SVG safe to rasterize, or throws: no DTD/entities (billion laughs), no scripts or foreign
 * objects, no external references (only `#fragment` and inline raster data: links), a bounded
 * intrinsic size (a root that claims 100000x100000 would allocate gigabytes), a bounded text size and
 * a bounded number of elements once every `<use>` is expanded (nested `<use>`s multiply: ten levels
 * of ten make 10^10 elements, the SVG billion laughs, which the renderer would expand in native code a
 * worker cannot interrupt).
 */
export function sanitizeSvg(text: string, maxSide = 1024): string {
  if (text.length > SVG_MAX_CHARS) throw new Error(`SVG of ${text.length} characters exceeds ${SVG_MAX_CHARS}`);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new Error("SVG with a DTD or entities");
  if (/<script|<foreignObject|<iframe|<object|<embed/i.test(text)) throw new Error("SVG with script or foreign content");
  for (const m of text.matchAll(/(?:xlink:)?href\s*=\s*["']([^"']*)["']/gi)) {
    const ref = m[1].trim();
    if (!ref.startsWith("#") && !/^data:image\/(png|jpeg|gif|webp);/i.test(ref)) throw new Error(`SVG with an external reference: ${ref.slice(0, 40)}`);
  }
  if (/url\(\s*["']?(?!#)/i.test(text)) throw new Error("SVG with an external url()");
  if (/@import/i.test(text)) throw new Error("SVG with @import");
  const nodes = svgExpandedNodes(text, SVG_MAX_NODES);
  if (nodes > SVG_MAX_NODES) throw new Error(`SVG expands to more than ${SVG_MAX_NODES} elements (<use> fan-out)`);
  const root = /<svg\b[^>]*>/i.exec(text);
  if (!root) throw new Error("no <svg> root");
  const tag = root[0];
  const num = (name: string) => {
    const m = new RegExp(`\\s${name}\\s*=\\s*["']\\s*([0-9.]+)(px)?\\s*["']`, "i").exec(tag);
    return m ? Number(m[1]) : undefined;
  };
  const viewBox = /\sviewBox\s*=\s*["']\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+([0-9.]+)\s*["']/i.exec(tag);
  const w0 = num("width") ?? (viewBox ? Number(viewBox[1]) : maxSide);
  const h0 = num("height") ?? (viewBox ? Number(viewBox[2]) : maxSide);
  if (!(w0 > 0 && h0 > 0)) throw new Error("SVG without a usable size");
  const scale = Math.min(1, maxSide / Math.max(w0, h0));
  const w = Math.max(1, Math.round(w0 * scale));
  const h = Math.max(1, Math.round(h0 * scale));
  let next = tag.replace(/\s(width|height)\s*=\s*["'][^"']*["']/gi, "");
  if (!viewBox) next = next.replace(/<svg\b/i, `<svg viewBox="0 0 ${w0} ${h0}"`);
  next = next.replace(/<svg\b/i, `<svg width="${w}" height="${h}"`);
  return text.replace(tag, next);
}

/** Largest SVG source accepted; on-chain generative SVGs are kilobytes. */
export const SVG_MAX_CHARS = 2 * 1024 * 1024;
/** Most elements an SVG may render once its `<use>` references are expanded. */
export const SVG_MAX_NODES = 50_000;

// Quotes are excluded from names and unquoted values so a tag has one parse (no backtracking blow-up).
const tagPattern = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[^\s=>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*(\/?)>/g;
const idAttr = /(?:^|\s)id\s*=\s*(?:"([^"]*)"|'([^']*)')/;
const hrefAttr = /(?:^|\s)(?:[\w.-]+:)?href\s*=\s*(?:"([^"]*)"|'([^']*)')/;

type Span = { elements: number; from: number; to: number };
type Frame = { id: string | null; elementsAt: number; usesAt: number };

/**
 * How many elements the SVG renders with every `<use>` expanded (a `<use>` of #x costs what #x's subtree
 * costs, itself counting its own `<use>`s), stopping early past `limit`. A reference cycle counts as
 * unbounded. An upper bound: uses inside <defs> count as if drawn, a duplicated id as its costliest.
 */
export function svgExpandedNodes(text: string, limit: number): number {
  const source = text.replace(/<!--[\s\S]*?-->/g, "").replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "");
  // In document order: the target of every <use>, and for each id the elements and uses of its subtree.
  const targets: string[] = [];
  const spans = new Map<string, Span[]>();
  const open: Frame[] = [];
  let elements = 0;
  const close = (f: Frame) => {
    if (f.id) spans.set(f.id, [...(spans.get(f.id) ?? []), { elements: elements - f.elementsAt, from: f.usesAt, to: targets.length }]);
  };
  for (const [, closing, name, attrs, selfClosing] of source.matchAll(tagPattern)) {
    if (closing) {
      const frame = open.pop();
      if (frame) close(frame);
      continue;
    }
    elements++;
    const id = idAttr.exec(attrs);
    const frame: Frame = { id: id ? (id[1] ?? id[2]) : null, elementsAt: elements - 1, usesAt: targets.length };
    if (/(^|:)use$/.test(name)) {
      const href = hrefAttr.exec(attrs);
      const ref = href ? (href[1] ?? href[2]).trim() : "";
      if (ref.startsWith("#")) targets.push(ref.slice(1));
    }
    if (selfClosing) close(frame);
    else open.push(frame);
  }
  for (let f = open.pop(); f; f = open.pop()) close(f);

  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const spanCost = (span: Span): number => {
    let total = span.elements;
    for (let k = span.from; k < span.to && total <= limit; k++) total += cost(targets[k]);
    return total;
  };
  const cost = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return Number.POSITIVE_INFINITY;
    visiting.add(id);
    const total = Math.max(0, ...(spans.get(id) ?? []).map(spanCost));
    visiting.delete(id);
    memo.set(id, total);
    return total;
  };
  let total = elements;
  for (let k = 0; k < targets.length && total <= limit; k++) total += cost(targets[k]);
  return total;
}

/** Token metadata as marketplaces write it: the fields the stream shows. */
export type ArtworkMetadata = { name?: string; artist?: string; image?: string };

export function parseMetadata(json: unknown): ArtworkMetadata {
  if (!json || typeof json !== "object") return {};
  const o = json as Record<string, unknown>;
  // Names are cut for the screen; URIs never (a cut data: URI is garbage).
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim().slice(0, 200) : undefined);
  const uri = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
  let artist = str(o.artist) ?? str(o.creator) ?? str(o.created_by) ?? str(o.createdBy);
  if (!artist && Array.isArray(o.attributes)) {
    for (const a of o.attributes) {
      if (a && typeof a === "object" && /^(artist|creator|created by)$/i.test(String((a as Record<string, unknown>).trait_type ?? ""))) {
        artist = str((a as Record<string, unknown>).value);
        if (artist) break;
      }
    }
  }
  const imageData = str(o.image_data) && typeof o.image_data === "string" ? `data:image/svg+xml;utf8,${encodeURIComponent(o.image_data)}` : undefined;
  return { name: str(o.name), artist, image: uri(o.image) ?? uri(o.image_url) ?? imageData };
}
