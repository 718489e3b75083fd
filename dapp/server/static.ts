/**
 * @module server/static
 * The built dApp (`vite build` output) from memory: read once at start, gzip computed on first use per file.
 * `/assets/*` names carry a content hash, so they are cached for a year (`immutable`); `index.html` is
 * `no-cache` (revalidated by ETag on every load, so a deploy is seen at once); other files an hour. A path
 * that is no file and has no extension is a page of the single-page app: index.html.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
};
const compressible = new Set([".html", ".js", ".mjs", ".css", ".json", ".map", ".svg", ".txt", ".wasm"]);

export const IMMUTABLE = "public, max-age=31536000, immutable";
export const NO_CACHE = "no-cache";

export type StaticFile = {
  body: Buffer;
  /** The gzip-compressed body (computed on first use, then kept), or undefined when not worth it. */
  gzip: () => Buffer | undefined;
  type: string;
  etag: string;
  cacheControl: string;
};

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/** Every file of `dist` by URL path. Throws when there is no build (index.html missing). */
export function loadStatic(dist: string): Map<string, StaticFile> {
  if (!existsSync(join(dist, "index.html"))) throw new Error(`no dApp build in ${dist} (run \`npm run build -w @sothebais/dapp\` first, or set DAPP_DIST_DIR)`);
  const files = new Map<string, StaticFile>();
  for (const path of walk(dist)) {
    const url = `/${relative(dist, path).split(sep).join("/")}`;
    const ext = extname(path).toLowerCase();
    const body = readFileSync(path);
    let gzip: Buffer | undefined | null = compressible.has(ext) && body.length > 512 ? undefined : null;
    const cacheControl = url === "/index.html" ? NO_CACHE : url.startsWith("/assets/") ? IMMUTABLE : "public, max-age=3600";
    files.set(url, {
      body,
      gzip: () => {
        if (gzip === undefined) {
          const packed = gzipSync(body, { level: 9 });
          gzip = packed.length < body.length ? packed : null;
        }
        return gzip ?? undefined;
      },
      type: types[ext] ?? "application/octet-stream",
      etag: `"${createHash("sha1").update(body).digest("base64url").slice(0, 22)}"`,
      cacheControl,
    });
  }
  return files;
}

/** The file for a request path: the file itself, index.html for an app page, undefined for a missing file. */
export function resolveStatic(files: Map<string, StaticFile>, path: string): StaticFile | undefined {
  const direct = files.get(path === "/" ? "/index.html" : path);
  if (direct) return direct;
  if (path.startsWith("/assets/") || extname(path) !== "") return undefined;
  return files.get("/index.html");
}
