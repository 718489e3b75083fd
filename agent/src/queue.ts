/**
 * @module queue
 * Speaking discipline. Lines wait in a priority queue; one goes out when the previous one has had
 * time to be spoken (estimated from its words), a line with higher priority may cut in after a
 * short gap (SOLD and extensions pre-empt small talk), and a line that expired or whose chain state
 * moved on is dropped, never spoken late.
 */
import type { HostLine } from "@sothebais/common/channels";

export type QueuedLine = HostLine & {
  /** Still true to say? Checked against the latest state right before publishing. */
  validWhile?: () => boolean;
  /** A newer line with the same key replaces a queued one (e.g. one bid call per lot). */
  key?: string;
};

export type DropReason = "expired" | "stale" | "replaced";

export type SpeakerOptions = {
  publish: (line: HostLine) => void | Promise<void>;
  now?: () => number;
  /** Shortest gap between two spoken lines (ms). */
  minGapMs: number;
  /** Speaking rate used to estimate how long a line takes to say. */
  wordsPerSecond: number;
  onDrop?: (line: HostLine, reason: DropReason) => void;
};

export type Speaker = {
  push: (line: QueuedLine) => void;
  size: () => number;
  /** Estimated time to say a line (ms). */
  speechMs: (text: string) => number;
  stop: () => void;
};

export function createSpeaker(options: SpeakerOptions): Speaker {
  const now = options.now ?? Date.now;
  const queue: QueuedLine[] = [];
  let last: { at: number; priority: number; durationMs: number } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const speechMs = (text: string) => {
    const wordCount = text.split(/\s+/).filter(Boolean).length;
    return Math.max(options.minGapMs, Math.round((wordCount / options.wordsPerSecond) * 1000));
  };

  const strip = (line: QueuedLine): HostLine => {
    const { validWhile: _v, key: _k, ...plain } = line;
    return plain;
  };

  const readyAt = (line: QueuedLine) => {
    if (!line.speak || !last) return 0;
    const gap = line.priority > last.priority ? options.minGapMs : last.durationMs;
    return last.at + gap;
  };

  const pump = () => {
    if (stopped) return;
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    for (;;) {
      const t = now();
      // Drop what can no longer be said.
      for (let i = queue.length - 1; i >= 0; i--) {
        const line = queue[i] as QueuedLine;
        const reason: DropReason | null = line.expiresAt <= t ? "expired" : line.validWhile && !line.validWhile() ? "stale" : null;
        if (reason) {
          queue.splice(i, 1);
          options.onDrop?.(strip(line), reason);
        }
      }
      if (!queue.length) return;
      // Chat-only lines do not wait for the voice; then highest priority, oldest first.
      queue.sort((a, b) => Number(a.speak) - Number(b.speak) || b.priority - a.priority || a.createdAt - b.createdAt);
      const head = queue[0] as QueuedLine;
      const at = readyAt(head);
      if (at > t) {
        const soonestExpiry = Math.min(...queue.map((l) => l.expiresAt));
        timer = setTimeout(pump, Math.max(1, Math.min(at, soonestExpiry) - t));
        return;
      }
      queue.shift();
      if (head.speak) last = { at: t, priority: head.priority, durationMs: speechMs(head.text) };
      void Promise.resolve(options.publish(strip(head))).catch(() => {});
    }
  };

  return {
    push: (line) => {
      if (stopped) return;
      if (line.key) {
        const i = queue.findIndex((l) => l.key === line.key);
        if (i >= 0) options.onDrop?.(strip(queue.splice(i, 1)[0] as QueuedLine), "replaced");
      }
      queue.push(line);
      pump();
    },
    size: () => queue.length,
    speechMs,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
