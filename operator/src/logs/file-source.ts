/**
 * @module logs/file-source
 * Tails every `<service>.log` in a folder (the local stack's `.tmp/stack/logs`, where `./sothebais up`
 * writes each part's output), keeping the newest lines of each service in a bounded ring.
 *
 * Why our own: no log shipper is a package this project can install (Loki, Alloy, Promtail, Vector and
 * Fluent Bit are neither npm nor Debian packages), and `tail -F` would still leave the parsing, the
 * rings and one child process per file to us. Production uses Alloy and Loki (docs/OPERATIONS.md).
 *
 * The folder is polled (every `pollMs`): a file there at the start is read from its last
 * `backfillBytes`, one that appears later from its first byte (a part started after the operator); a file
 * renamed away (logrotate's rename) is read to its end before its successor is opened from the start; a
 * file that shrank (copytruncate, `: > file`) is read again from the start. A line is complete at its
 * newline: a partial line waits for the rest, and one longer than `maxLineBytes` is cut there.
 */
import type { Stats } from "node:fs";
import { type FileHandle, open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { type LogEntry, parseLine } from "./entry.ts";
import { selectEntries } from "./filter.ts";
import { createRing, type Ring } from "./ring.ts";
import { type LogSource, notify } from "./source.ts";

export type FileSourceOptions = {
  dir: string;
  pollMs?: number;
  /** Lines kept per service. */
  ringLines?: number;
  /** Bytes of lines kept per service. */
  ringBytes?: number;
  /** How much of an existing file is read when it is first seen. */
  backfillBytes?: number;
  maxLineBytes?: number;
  now?: () => number;
  /** A read problem (permissions, a vanished folder), once per distinct message. */
  onError?: (message: string) => void;
};

type Tail = {
  service: string;
  path: string;
  file: FileHandle;
  ino: number;
  offset: number;
  partial: string;
  decoder: StringDecoder;
  /** Started mid-file: the first line read is a fragment. */
  skipFirst: boolean;
};

const chunkBytes = 64 * 1024;

export function createFileSource(o: FileSourceOptions): LogSource {
  const pollMs = o.pollMs ?? 200;
  const ringLines = o.ringLines ?? 5000;
  const ringBytes = o.ringBytes ?? 4 * 1024 * 1024;
  const backfillBytes = o.backfillBytes ?? 256 * 1024;
  const maxLineBytes = o.maxLineBytes ?? 16 * 1024;
  const now = o.now ?? Date.now;
  const tails = new Map<string, Tail>();
  const rings = new Map<string, Ring>();
  /** Files seen before: one that comes back (deleted, then written again) is new from its first byte. */
  const seen = new Set<string>();
  let polled = false;
  const subscribers = new Set<(entries: LogEntry[]) => void>();
  const reported = new Set<string>();
  let seq = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const report = (message: string) => {
    if (reported.has(message)) return;
    reported.add(message);
    o.onError?.(message);
  };

  const ringOf = (service: string) => {
    let ring = rings.get(service);
    if (!ring) {
      ring = createRing(ringLines, ringBytes);
      rings.set(service, ring);
    }
    return ring;
  };

  function take(t: Tail, text: string, batch: LogEntry[], flush = false) {
    const lines = (t.partial + text).split("\n");
    t.partial = lines.pop() ?? "";
    if (flush && t.partial) {
      lines.push(t.partial);
      t.partial = "";
    }
    if (Buffer.byteLength(t.partial) > maxLineBytes) {
      lines.push(t.partial);
      t.partial = "";
    }
    for (let raw of lines) {
      if (t.skipFirst) {
        t.skipFirst = false;
        continue;
      }
      if (raw.endsWith("\r")) raw = raw.slice(0, -1);
      if (!raw.trim()) continue;
      const line = raw.length > maxLineBytes ? `${raw.slice(0, maxLineBytes)}…` : raw;
      const entry = parseLine(t.service, line, String(++seq), now());
      ringOf(t.service).push(entry, line.length);
      batch.push(entry);
    }
  }

  /** Reads `t` from its offset to `end` (or to its end of file). */
  async function readTo(t: Tail, batch: LogEntry[], end = Number.POSITIVE_INFINITY) {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    while (t.offset < end) {
      const { bytesRead } = await t.file.read(buffer, 0, Math.min(chunkBytes, end - t.offset), t.offset);
      if (bytesRead === 0) break;
      t.offset += bytesRead;
      take(t, t.decoder.write(buffer.subarray(0, bytesRead)), batch);
    }
  }

  async function openTail(service: string, path: string, fromStart: boolean): Promise<Tail> {
    const file = await open(path, "r");
    const s = await file.stat();
    const offset = fromStart ? 0 : Math.max(0, s.size - backfillBytes);
    return { service, path, file, ino: s.ino, offset, partial: "", decoder: new StringDecoder("utf8"), skipFirst: offset > 0 };
  }

  async function pollFile(t: Tail, batch: LogEntry[]) {
    let s: Stats | undefined;
    try {
      s = await stat(t.path);
    } catch {}
    if (!s || s.ino !== t.ino) {
      // Renamed away or deleted: what was written to it before the switch is still ours to read.
      await readTo(t, batch);
      take(t, t.decoder.end(), batch, true);
      await t.file.close();
      tails.delete(t.path);
      if (s) tails.set(t.path, await openTail(t.service, t.path, true));
      return;
    }
    if (s.size < t.offset) {
      t.offset = 0;
      t.partial = "";
      t.decoder = new StringDecoder("utf8");
    }
    if (s.size > t.offset) await readTo(t, batch, s.size);
  }

  async function poll() {
    const batch: LogEntry[] = [];
    let names: string[] = [];
    try {
      names = (await readdir(o.dir)).filter((n) => n.endsWith(".log") && n.length > 4);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") report(`cannot list ${o.dir}: ${(error as Error).message}`);
    }
    for (const name of names) {
      const path = join(o.dir, name);
      if (tails.has(path)) continue;
      try {
        tails.set(path, await openTail(name.slice(0, -4), path, polled || seen.has(path)));
        seen.add(path);
      } catch (error) {
        report(`cannot open ${path}: ${(error as Error).message}`);
      }
    }
    for (const t of [...tails.values()]) {
      try {
        await pollFile(t, batch);
      } catch (error) {
        report(`cannot read ${t.path}: ${(error as Error).message}`);
      }
    }
    polled = true;
    if (batch.length) notify(subscribers, batch, report);
  }

  let first: Promise<void> | undefined;
  const loop = async () => {
    await poll();
    if (!stopped) timer = setTimeout(() => void (first = loop()), pollMs);
  };
  first = loop();

  const all = (services: string[]) => {
    const names = services.length ? services : [...rings.keys()];
    const out = names.flatMap((s) => rings.get(s)?.entries() ?? []);
    return out.sort((a, b) => a.time - b.time || Number(a.id) - Number(b.id));
  };

  return {
    kind: "files",
    services: async () => {
      await first;
      return [...rings.keys(), ...[...tails.values()].map((t) => t.service)].filter((s, i, a) => a.indexOf(s) === i).sort();
    },
    query: async (filter, limit) => {
      await first;
      return selectEntries(all(filter.services), filter, limit);
    },
    subscribe: (fn) => {
      subscribers.add(fn);
      return () => void subscribers.delete(fn);
    },
    close: async () => {
      stopped = true;
      clearTimeout(timer);
      await first;
      clearTimeout(timer);
      for (const t of tails.values()) await t.file.close().catch(() => {});
      tails.clear();
      subscribers.clear();
    },
  };
}
