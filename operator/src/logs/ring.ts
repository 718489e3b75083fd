/**
 * @module logs/ring
 * The newest lines of one service, bounded by count and by bytes (a service that logs 16 KB lines
 * cannot hold more memory than one that logs short ones): the oldest go first.
 */
import type { LogEntry } from "./entry.ts";

export type Ring = {
  push: (entry: LogEntry, bytes: number) => void;
  /** Oldest first. */
  entries: () => LogEntry[];
  size: () => number;
};

export function createRing(maxLines: number, maxBytes: number): Ring {
  let items: { entry: LogEntry; bytes: number }[] = [];
  let head = 0;
  let bytes = 0;
  return {
    push: (entry, size) => {
      items.push({ entry, bytes: size });
      bytes += size;
      while (items.length - head > maxLines || (bytes > maxBytes && items.length - head > 1)) {
        bytes -= items[head].bytes;
        head++;
      }
      // Dropped slots are reclaimed in one copy once they are half the array: O(1) per push on average.
      if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head);
        head = 0;
      }
    },
    entries: () => items.slice(head).map((i) => i.entry),
    size: () => items.length - head,
  };
}
