/**
 * @module artwork/loader
 * Token URI -> title, artist and a ready-to-draw artwork canvas, loaded in the background and cached.
 * Everything about the URI is untrusted: fetches reach public addresses only (net.ts) with a deadline
 * and a byte cap, ipfs:// bytes are verified against their CID through a list of gateways (a gateway
 * that lies is skipped), bytes are sniffed, raster sizes are checked from headers before decoding, SVG is
 * sanitized and its size and `<use>` fan-out bounded, and decoding runs in a worker that is terminated
 * when it takes too long. A frame never waits for any of it: until an
 * entry is ready the scene draws a placeholder.
 */
import { Worker } from "node:worker_threads";
import { type Canvas, createCanvas, ImageData } from "@napi-rs/canvas";
import { type ImageKind, rasterSize, sniff } from "@sothebais/common/image";
import { fetchVerified } from "@sothebais/common/ipfs";
import { type ArtworkMetadata, parseDataUri, parseMetadata, resolveUri, sanitizeSvg } from "./bytes.ts";
import type { DecodeReply, DecodeRequest } from "./decode-worker.ts";
import { safeGet } from "./net.ts";

export type ArtworkEntry = {
  uri: string;
  status: "loading" | "ready" | "failed";
  /** Scaled to fit the artwork box; absent until ready or when only metadata loaded. */
  image?: Canvas;
  name?: string;
  artist?: string;
  error?: string;
  /** Unix ms of the last attempt (failed entries are retried after `retryMs`). */
  at: number;
};

export type ArtworkLoaderOptions = {
  /** Gateways for ipfs://, tried in order until one returns bytes that match the CID. */
  ipfsGateways: readonly string[];
  /** Per fetch. */
  timeoutMs?: number;
  maxBytes?: number;
  maxMetadataBytes?: number;
  /** Largest raster accepted, in pixels (width x height) before decoding. */
  maxPixels?: number;
  /** The box the image is scaled to fit. */
  box?: { width: number; height: number };
  decodeTimeoutMs?: number;
  retryMs?: number;
  cacheSize?: number;
  onError?: (uri: string, error: string) => void;
  /** An ipfs:// gateway failed or returned bytes that do not match the CID; the next one is tried. */
  onGatewaySkip?: (uri: string, gateway: string, reason: string) => void;
  /** `host` or `host:port` reachable although not public (local development, tests); default none. */
  allowHosts?: readonly string[];
  maxRedirects?: number;
};

export type ArtworkLoader = {
  /** The entry for `uri`, starting a load if there is none; never blocks. */
  get: (uri: string) => ArtworkEntry;
  /** Resolves when `uri` is ready or failed (tests, and warming the next lot). */
  load: (uri: string) => Promise<ArtworkEntry>;
  close: () => Promise<void>;
};

export function createArtworkLoader(options: ArtworkLoaderOptions): ArtworkLoader {
  const o = {
    timeoutMs: 5000,
    maxBytes: 8 * 1024 * 1024,
    maxMetadataBytes: 256 * 1024,
    maxPixels: 40_000_000,
    box: { width: 600, height: 600 },
    decodeTimeoutMs: 5000,
    retryMs: 60_000,
    cacheSize: 32,
    ...options,
  };
  const cache = new Map<string, ArtworkEntry>();
  const inflight = new Map<string, Promise<ArtworkEntry>>();

  // One decoder worker, started at once (warm) and replaced when a decode hangs.
  let worker: { w: Worker; ready: Promise<void> } | undefined;
  let nextId = 1;
  const waiting = new Map<number, (reply: DecodeReply) => void>();
  const getWorker = () => {
    if (worker) return worker;
    const w = new Worker(new URL("./decode-worker.ts", import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 96 } });
    w.unref();
    let markReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    w.on("message", (reply: DecodeReply | { ready: true }) => {
      if ("ready" in reply) return markReady();
      waiting.get(reply.id)?.(reply);
      waiting.delete(reply.id);
    });
    const fail = (error: string) => {
      markReady();
      for (const [id, resolve] of waiting) resolve({ id, ok: false, error });
      waiting.clear();
      if (worker?.w === w) worker = undefined;
    };
    w.on("error", (e) => fail(`decoder crashed: ${e.message}`));
    w.on("exit", () => fail("decoder exited"));
    worker = { w, ready };
    return worker;
  };
  getWorker();

  const decode = async (bytes: Uint8Array): Promise<Canvas> => {
    const current = getWorker();
    const w = current.w;
    await current.ready;
    const id = nextId++;
    return new Promise<Canvas>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        // A decode that hangs takes its worker with it; the next decode gets a fresh one.
        if (worker?.w === w) worker = undefined;
        void w.terminate();
        reject(new Error(`decode took more than ${o.decodeTimeoutMs} ms`));
      }, o.decodeTimeoutMs);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        if (!reply.ok) return reject(new Error(reply.error));
        const canvas = createCanvas(reply.width, reply.height);
        canvas.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(reply.rgba), reply.width, reply.height), 0, 0);
        resolve(canvas);
      });
      const req: DecodeRequest = { id, bytes, maxWidth: o.box.width, maxHeight: o.box.height };
      w.postMessage(req);
    });
  };

  const fetchBytes = async (uri: string, maxBytes: number): Promise<Uint8Array> => {
    if (uri.startsWith("data:")) return parseDataUri(uri, maxBytes).bytes;
    // Only public addresses, after DNS and after every redirect (net.ts); one deadline for headers and body.
    const net = { timeoutMs: o.timeoutMs, allowHosts: o.allowHosts, maxRedirects: o.maxRedirects };
    if (/^ipfs:\/\//i.test(uri.trim())) {
      const get = (url: string, g: { maxBytes: number; accept: string }) => safeGet(url, { ...net, ...g });
      return (await fetchVerified(uri, { gateways: o.ipfsGateways, get, maxBytes, onSkip: (gateway, reason) => o.onGatewaySkip?.(uri, gateway, reason) })).bytes;
    }
    return safeGet(resolveUri(uri), { ...net, maxBytes });
  };

  const toImage = async (bytes: Uint8Array): Promise<Canvas> => {
    const kind = sniff(bytes);
    if (kind === "json" || kind === "unknown") throw new Error(`not an image (${kind})`);
    if (kind === "svg") {
      const safe = sanitizeSvg(Buffer.from(bytes).toString("utf8"), Math.max(o.box.width, o.box.height));
      return decode(new Uint8Array(Buffer.from(safe, "utf8")));
    }
    const size = rasterSize(bytes, kind as Exclude<ImageKind, "svg">);
    if (!size?.width || !size.height) throw new Error(`${kind} with an unreadable header`);
    if (size.width * size.height > o.maxPixels) throw new Error(`${kind} of ${size.width}x${size.height} exceeds ${o.maxPixels} pixels`);
    return decode(bytes);
  };

  const loadEntry = async (uri: string): Promise<ArtworkEntry> => {
    const entry: ArtworkEntry = { uri, status: "loading", at: Date.now() };
    cache.set(uri, entry);
    try {
      const first = await fetchBytes(uri, o.maxBytes);
      let meta: ArtworkMetadata = {};
      let imageBytes = first;
      if (sniff(first) === "json") {
        if (first.byteLength > o.maxMetadataBytes) throw new Error(`metadata exceeds ${o.maxMetadataBytes} bytes`);
        meta = parseMetadata(JSON.parse(Buffer.from(first).toString("utf8")));
        entry.name = meta.name;
        entry.artist = meta.artist;
        if (!meta.image) throw new Error("metadata has no image");
        imageBytes = await fetchBytes(meta.image, o.maxBytes);
      }
      entry.image = await toImage(imageBytes);
      entry.status = "ready";
    } catch (error) {
      entry.status = "failed";
      entry.error = (error as Error).message;
      o.onError?.(uri, entry.error);
    }
    entry.at = Date.now();
    return entry;
  };

  const load = (uri: string): Promise<ArtworkEntry> => {
    const cached = cache.get(uri);
    if (cached && (cached.status === "ready" || (cached.status === "failed" && Date.now() - cached.at < o.retryMs))) return Promise.resolve(cached);
    const running = inflight.get(uri);
    if (running) return running;
    const p = loadEntry(uri).finally(() => inflight.delete(uri));
    inflight.set(uri, p);
    // Least recently used out: Map keeps insertion order, get() re-inserts.
    while (cache.size > o.cacheSize) cache.delete(cache.keys().next().value as string);
    return p;
  };

  return {
    get: (uri) => {
      const cached = cache.get(uri);
      if (cached) {
        cache.delete(uri);
        cache.set(uri, cached);
        if (cached.status === "failed" && Date.now() - cached.at >= o.retryMs) void load(uri);
        return cached;
      }
      void load(uri);
      return cache.get(uri) ?? { uri, status: "loading", at: Date.now() };
    },
    load,
    close: async () => {
      const w = worker?.w;
      worker = undefined;
      await w?.terminate();
    },
  };
}
