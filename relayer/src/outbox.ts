/**
 * @module outbox
 * Posts replies and host lines to chat through one limiter shared by every instance (the bot account's
 * Twitch limit: 20 messages per 30 s, 100 as moderator). When replies queue up they are batched:
 * replies with the same text become one line with several mentions ("@a @b outbid by @c at 0.6 ETH"),
 * then different texts are packed into lines of at most 499 characters. Nothing is dropped silently:
 * a reply waits for a slot; a line chat refuses (NOTICE msg_ratelimit, msg_slowmode, ...) stays pending
 * and is said again after a back-off (msg_duplicate: at once, changed); only host lines past their
 * `expiresAt` are dropped (saying them late is wrong), and lines chat can never take are logged as errors.
 */
import type { Logger } from "@sothebais/common/log";
import type { SayResult } from "./chat.ts";
import type { Reply } from "./replies.ts";
import { entries, ensureGroup, groups, keys, type Store } from "./store.ts";

export type OutboxOptions = {
  redis: Store;
  blocking: Store;
  instance: string;
  log: Logger;
  /** Messages per window (Twitch: 20 per 30 s; 100 as moderator). */
  limit: number;
  windowMs: number;
  /** Posts one line and resolves with chat's answer; rejects when chat is not connected. */
  say: (channel: string, text: string) => Promise<SayResult>;
  claimIdleMs: number;
  /** Twitch takes lines under 500 characters (tmi.js splits longer ones in two). */
  maxLength?: number;
  onSent?: (channel: string, text: string, replies: Reply[]) => void;
};

type Pending = { id: string; reply: Reply };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Packs replies into as few chat lines as fit; pure, for tests. `pack` false = one line per reply group. */
export function batchReplies(items: Pending[], options: { maxLength: number; pack: boolean }): { channel: string; text: string; ids: string[] }[] {
  // Same channel + same body -> one group with every mention (each name once).
  const byBody = new Map<string, { channel: string; body: string; to: string[]; ids: string[] }>();
  for (const { id, reply } of items) {
    const key = `${reply.channel}\n${reply.body}`;
    const g = byBody.get(key) ?? { channel: reply.channel, body: reply.body, to: [], ids: [] };
    if (reply.to && !g.to.includes(reply.to)) g.to.push(reply.to);
    g.ids.push(id);
    byBody.set(key, g);
  }
  const lines: { channel: string; text: string; ids: string[] }[] = [];
  for (const g of byBody.values()) {
    // Split the mentions so that each line fits.
    let mentions: string[] = [];
    let ids = [...g.ids];
    const flush = (last: boolean) => {
      const text = `${mentions.map((m) => `@${m}`).join(" ")}${mentions.length ? " " : ""}${g.body}`.slice(0, options.maxLength);
      lines.push({ channel: g.channel, text, ids: last ? ids : [] });
      if (last) ids = [];
      mentions = [];
    };
    for (const m of g.to) {
      const next = [...mentions, m];
      if (mentions.length && `${next.map((x) => `@${x}`).join(" ")} ${g.body}`.length > options.maxLength) flush(false);
      mentions.push(m);
    }
    flush(true);
  }
  if (!options.pack) return lines;
  // Pack different texts of the same channel together, " · " between them.
  const packed: { channel: string; text: string; ids: string[] }[] = [];
  for (const line of lines) {
    const open = packed.find((p) => p.channel === line.channel && p.text.length + 3 + line.text.length <= options.maxLength);
    if (open) {
      open.text = `${open.text} · ${line.text}`;
      open.ids.push(...line.ids);
    } else packed.push({ ...line, ids: [...line.ids] });
  }
  return packed;
}

export function createOutbox(o: OutboxOptions) {
  const maxLength = o.maxLength ?? 499;
  let stopped = false;
  let sent = 0;
  let queued = 0;
  let refused = 0;
  // Back-off after chat refused a line for going too fast; reset by the next line it takes.
  let backoffMs = 0;
  // Texts chat refused as identical to a recent line: said again with invisible characters appended
  // (as chat clients do), one more each time, forgotten after Twitch's 30 s.
  const duplicates = new Map<string, { n: number; at: number }>();
  const variant = (text: string) => {
    const d = duplicates.get(text);
    if (!d || Date.now() - d.at > 30_000) return text;
    return `${text.slice(0, maxLength - 1 - 2 * d.n)} ${"\u{E0000}".repeat(d.n)}`;
  };

  /** Takes a slot from the shared sliding window; resolves to 0 when granted, else ms to wait. */
  // One extra second on the window: the server counts from when a line arrives, a little after we count it.
  const slot = () => o.redis.slidingWindow(keys.chatLimiter, Date.now(), o.windowMs + 1000, o.limit, `${o.instance}:${Date.now()}:${Math.random()}`);

  async function loop() {
    await ensureGroup(o.redis, keys.outbox, groups.chat);
    let lastClaim = 0;
    const pending = new Map<string, Pending>();
    while (!stopped) {
      try {
        // Our own unacked entries (after a restart) and new ones; others' stuck entries after claimIdleMs.
        const own = (await o.blocking.xreadgroup("GROUP", groups.chat, o.instance, "COUNT", 500, "STREAMS", keys.outbox, "0")) as [string, [string, string[]][]][] | null;
        for (const e of entries(own?.[0]?.[1])) if (e.fields.reply) pending.set(e.id, { id: e.id, reply: JSON.parse(e.fields.reply) as Reply });
        if (Date.now() - lastClaim > 2000) {
          lastClaim = Date.now();
          const claimed = (await o.redis.xautoclaim(keys.outbox, groups.chat, o.instance, o.claimIdleMs, "0-0", "COUNT", 200)) as [string, [string, string[]][], string[]];
          for (const e of entries(claimed[1])) if (e.fields.reply) pending.set(e.id, { id: e.id, reply: JSON.parse(e.fields.reply) as Reply });
        }
        const fresh = (await o.blocking.xreadgroup("GROUP", groups.chat, o.instance, "COUNT", 500, "BLOCK", pending.size ? 10 : 250, "STREAMS", keys.outbox, ">")) as [string, [string, string[]][]][] | null;
        for (const e of entries(fresh?.[0]?.[1])) {
          if (e.fields.reply) pending.set(e.id, { id: e.id, reply: JSON.parse(e.fields.reply) as Reply });
          else await o.redis.xack(keys.outbox, groups.chat, e.id);
        }
        queued = pending.size;
        if (!pending.size) continue;
        // Expired host lines are dropped (acked) rather than said late.
        const now = Date.now();
        for (const p of [...pending.values()]) {
          if (p.reply.expiresAt && p.reply.expiresAt < now) {
            await o.redis.xack(keys.outbox, groups.chat, p.id);
            pending.delete(p.id);
          }
        }
        const items = [...pending.values()];
        // Busy = more replies than one line each could go out right now: pack them.
        const lines = batchReplies(items, { maxLength, pack: items.length > 3 });
        for (const line of lines) {
          const wait = await slot();
          if (wait > 0) {
            await sleep(Math.min(wait, 1000));
            break;
          }
          const result = await o.say(line.channel, variant(line.text));
          if (!result.ok) {
            refused++;
            if (result.retry === "altered") {
              duplicates.set(line.text, { n: (duplicates.get(line.text)?.n ?? 0) + 1, at: Date.now() });
              break; // left pending: said again, changed, next round
            }
            if (result.retry === "later") {
              backoffMs = Math.min(Math.max(backoffMs * 2, 1000), o.windowMs);
              o.log.warn("chat refused a line, saying it again later", { reason: result.reason, backoffMs });
              await sleep(backoffMs);
              break; // left pending in the stream: re-read next round
            }
            o.log.error("chat refused a line for good", { reason: result.reason, channel: line.channel, text: line.text });
          } else {
            sent++;
            backoffMs = 0;
            duplicates.delete(line.text);
          }
          if (line.ids.length) await o.redis.xack(keys.outbox, groups.chat, ...line.ids);
          for (const id of line.ids) pending.delete(id);
          o.onSent?.(line.channel, line.text, line.ids.map((id) => items.find((i) => i.id === id)?.reply).filter((r): r is Reply => !!r));
        }
        queued = pending.size;
        // Our pending entries are re-read from the PEL next round; keep the map only for this round.
        pending.clear();
      } catch (error) {
        if (stopped) break;
        if (String((error as Error).message).includes("NOGROUP")) await ensureGroup(o.redis, keys.outbox, groups.chat).catch(() => {});
        else {
          o.log.warn("outbox round failed", { error: String((error as Error)?.message ?? error) });
          await sleep(500);
        }
      }
    }
  }

  return {
    start: () => void loop(),
    stop: () => {
      stopped = true;
    },
    stats: () => ({ sent, queued, refused }),
  };
}
