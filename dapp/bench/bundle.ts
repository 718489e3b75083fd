/**
 * What a browser downloads to open a lot page, from a production build's Vite manifest
 * (`.vite/manifest.json`, `build.manifest`): index.html, the entry chunk and every chunk it imports
 * statically (the live lot and lot pages and the player component are in it) and their stylesheets. A phone
 * plays the stream with the player's <video> element (HLS is native in Safari and Chrome on Android) or
 * Twitch's embed, and fetches nothing more; `withHlsJs` adds the hls.js chunk (and its imports) that
 * StreamPlayer loads on demand where the browser cannot play HLS itself (most desktop browsers). Each file
 * gzip-compressed (level 9, what the server sends).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

type ManifestChunk = { file: string; src?: string; isEntry?: boolean; isDynamicEntry?: boolean; imports?: string[]; dynamicImports?: string[]; css?: string[] };
type Manifest = Record<string, ManifestChunk>;

export type RouteSize = { kb: number; files: [string, number][] };

/** Keys of the chunks loaded with `key`: itself and its static imports, transitively. */
function staticClosure(manifest: Manifest, key: string, into = new Set<string>()): Set<string> {
  if (into.has(key)) return into;
  into.add(key);
  for (const k of manifest[key]?.imports ?? []) staticClosure(manifest, k, into);
  return into;
}

export function lotRouteSize(dist: string, options: { withHlsJs: boolean }): RouteSize {
  const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8")) as Manifest;
  const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
  if (!entry) throw new Error("no entry in the Vite manifest");
  const keys = staticClosure(manifest, entry);
  const player = Object.keys(manifest).filter((k) => manifest[k].isDynamicEntry && /hls\.js/.test(manifest[k].src ?? k));
  if (player.length === 0) throw new Error("no hls.js chunk in the build: is the player still loaded on demand?");
  if (options.withHlsJs) for (const p of player) staticClosure(manifest, p, keys);
  const files = new Set<string>();
  for (const k of keys) {
    files.add(manifest[k].file);
    for (const css of manifest[k].css ?? []) files.add(css);
  }
  const out: [string, number][] = [["index.html", gzipSync(readFileSync(join(dist, "index.html")), { level: 9 }).length]];
  for (const f of files) out.push([f, gzipSync(readFileSync(join(dist, f)), { level: 9 }).length]);
  out.sort((a, b) => b[1] - a[1]);
  return { kb: out.reduce((n, [, b]) => n + b, 0) / 1024, files: out };
}

/** The first load only (index.html, entry closure, CSS): the older `initial_bundle_gzip_kb`. */
export function initialRouteSize(dist: string): RouteSize {
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  const files: [string, number][] = [["index.html", gzipSync(html).length]];
  for (const ref of new Set(refs)) files.push([ref, gzipSync(readFileSync(join(dist, ref))).length]);
  return { kb: files.reduce((n, [, b]) => n + b, 0) / 1024, files };
}
