/**
 * @module chat-pane
 * The lines the stream's chat pane shows, with the channel's moderation applied: a deleted line
 * (CLEARMSG) leaves it, a banned or timed-out user's lines (CLEARCHAT) leave it, a cleared chat
 * empties it, and link codes never enter it.
 *
 * Lines come from the relayer over Redis, moderation straight from the chat (chat-moderation.ts), so
 * a deletion can arrive before the line it deletes: deletions, bans and clears are remembered (for
 * `retentionMs`, at most `maxTombstones` each) and a later line they cover is dropped. Lines older than
 * `retentionMs` are dropped too, so one replayed after its tombstone was forgotten never shows.
 */
import type { ChatLine } from "@sothebais/common/channels";
import type { ChatRow } from "./scene/view.ts";

export type PaneLine = { id: string; userId: string; sentAt: number; name: string; text: string };

export type ChatPane = {
  /** Adds a line unless moderation or the link-code rule drops it; false when dropped. */
  add: (line: ChatLine) => boolean;
  /** CLEARMSG: the line with this Twitch message id. */
  deleteMessage: (id: string) => void;
  /** CLEARCHAT with a user: every line that user sent up to `at` (the moderation's own timestamp). */
  banUser: (userId: string, at: number) => void;
  /** CLEARCHAT without a user: the whole chat up to `at`. */
  clear: (at: number) => void;
  /** What the view draws; the same array until something changes. */
  rows: () => ChatRow[];
  lines: () => readonly PaneLine[];
};

export type ChatPaneOptions = {
  capacity?: number;
  retentionMs?: number;
  maxTombstones?: number;
  now?: () => number;
};

/**
 * A line that carries a link code: `!link CODE` is a secret bound to one chat account for a few
 * minutes, and whoever reads it off the stream could try it. Checked after compatibility folding
 * (fullwidth `！`, a Kelvin sign for `k`) and without invisible characters, because a line the relayer
 * refuses as malformed still shows its code to every viewer.
 */
export function carriesLinkCode(text: string): boolean {
  const folded = text.normalize("NFKC").replace(/[\p{Cf}\p{Mn}]/gu, "").toLowerCase();
  return /!\s*link\s+\S/.test(folded);
}

/** Adds `key` to a bounded insertion-ordered map, evicting the oldest entry when full. */
function remember(map: Map<string, number>, key: string, value: number, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

export function createChatPane(o: ChatPaneOptions = {}): ChatPane {
  const capacity = o.capacity ?? 30;
  const retentionMs = o.retentionMs ?? 30 * 60_000;
  const maxTombstones = o.maxTombstones ?? 5000;
  const now = o.now ?? Date.now;
  let lines: PaneLine[] = [];
  let rows: ChatRow[] = [];
  const deleted = new Map<string, number>();
  /** userId -> moderation time: that user's lines sent up to then are gone. */
  const banned = new Map<string, number>();
  let clearedAt = 0;

  const update = (next: PaneLine[]) => {
    lines = next;
    rows = next.map((l) => ({ name: l.name, text: l.text }));
  };
  const expire = () => {
    const cutoff = now() - retentionMs;
    for (const map of [deleted, banned]) for (const [key, at] of map) if (at < cutoff) map.delete(key);
  };
  const hidden = (l: { id: string; userId: string; sentAt: number }) => {
    const ban = banned.get(l.userId);
    return deleted.has(l.id) || (ban !== undefined && l.sentAt <= ban) || l.sentAt <= clearedAt;
  };

  return {
    add: (line) => {
      if (!line.fromBot && carriesLinkCode(line.text)) return false;
      if (line.sentAt < now() - retentionMs || hidden(line)) return false;
      const next = [...lines, { id: line.id, userId: line.userId, sentAt: line.sentAt, name: line.displayName.slice(0, 25), text: line.text.slice(0, 200) }];
      update(next.length > capacity ? next.slice(-capacity) : next);
      return true;
    },
    deleteMessage: (id) => {
      expire();
      remember(deleted, id, now(), maxTombstones);
      if (lines.some((l) => l.id === id)) update(lines.filter((l) => l.id !== id));
    },
    banUser: (userId, at) => {
      expire();
      remember(banned, userId, Math.max(at, banned.get(userId) ?? 0), maxTombstones);
      if (lines.some((l) => l.userId === userId)) update(lines.filter((l) => !hidden(l)));
    },
    clear: (at) => {
      clearedAt = Math.max(clearedAt, at);
      update(lines.filter((l) => !hidden(l)));
    },
    rows: () => rows,
    lines: () => lines,
  };
}
