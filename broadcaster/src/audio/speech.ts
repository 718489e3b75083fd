/**
 * @module audio/speech
 * The host's voice track: host lines in, PCM out at a fixed rate, one frame's worth at a time, with
 * silence (not a missing track) when nobody speaks. Lines are synthesized as they arrive, spoken by
 * priority (a higher one cuts a lower one short), and dropped once expired rather than said late.
 */
import type { HostLine } from "@sothebais/common/channels";
import { resample, type Tts } from "./tts.ts";

export type Caption = { text: string; speaking: boolean };

export type Speech = {
  /** Queue a line (lines with speak=false or already expired are ignored). */
  enqueue: (line: HostLine) => void;
  /** The next `n` samples of the voice track (mono, signed 16-bit). */
  pull: (n: number) => Int16Array;
  /** What the caption shows now. */
  caption: () => Caption | null;
  stats: () => { synthesizing: number; ready: number; spoken: number; dropped: number; failed: number };
};

type Ready = { line: HostLine; samples: Int16Array };

export type SpeechOptions = {
  tts: Tts;
  sampleRate: number;
  now?: () => number;
  /** How long a caption stays after its line ends. */
  captionHoldMs?: number;
  maxQueue?: number;
  onError?: (error: Error, line: HostLine) => void;
};

export function createSpeech(o: SpeechOptions): Speech {
  const now = o.now ?? Date.now;
  const hold = o.captionHoldMs ?? 2500;
  const maxQueue = o.maxQueue ?? 8;
  const ready: Ready[] = [];
  let current: { item: Ready; pos: number } | null = null;
  let lastCaption: { text: string; until: number } | null = null;
  const seen = new Set<string>();
  const counts = { spoken: 0, dropped: 0, failed: 0 };
  let synthesizing = 0;

  const enqueue = (line: HostLine) => {
    if (!line.speak || !line.text.trim() || seen.has(line.id)) return;
    seen.add(line.id);
    if (seen.size > 1000) seen.delete(seen.values().next().value as string);
    if (line.expiresAt <= now()) {
      counts.dropped++;
      return;
    }
    synthesizing++;
    o.tts
      .synthesize(line.text)
      .then((pcm) => {
        if (line.expiresAt <= now()) {
          counts.dropped++;
          return;
        }
        // A silent engine still paces the caption like speech (~2.5 words a second).
        const words = line.text.split(/\s+/).length;
        const samples = pcm.samples.length ? resample(pcm, o.sampleRate) : new Int16Array(Math.round(o.sampleRate * Math.min(10, 0.8 + words * 0.4)));
        ready.push({ line, samples });
        // Highest priority first, then oldest first.
        ready.sort((a, b) => b.line.priority - a.line.priority || a.line.createdAt - b.line.createdAt);
        while (ready.length > maxQueue) {
          ready.pop();
          counts.dropped++;
        }
        // A more urgent line cuts the current one short (a SOLD call beats small talk).
        if (current && ready[0].line.priority > current.item.line.priority) current = null;
      })
      .catch((error: Error) => {
        counts.failed++;
        // Still show the words when the voice fails.
        lastCaption = { text: line.text, until: now() + 4000 };
        o.onError?.(error, line);
      })
      .finally(() => {
        synthesizing--;
      });
  };

  const startNext = () => {
    while (ready.length) {
      const item = ready.shift() as Ready;
      if (item.line.expiresAt <= now()) {
        counts.dropped++;
        continue;
      }
      current = { item, pos: 0 };
      counts.spoken++;
      return;
    }
  };

  const pull = (n: number): Int16Array => {
    const out = new Int16Array(n);
    let filled = 0;
    while (filled < n) {
      if (!current) startNext();
      if (!current) break;
      const src = current.item.samples;
      const take = Math.min(n - filled, src.length - current.pos);
      out.set(src.subarray(current.pos, current.pos + take), filled);
      filled += take;
      current.pos += take;
      if (current.pos >= src.length) {
        lastCaption = { text: current.item.line.text, until: now() + hold };
        current = null;
        // Leave a short breath between lines: stop filling this chunk.
        break;
      }
    }
    return out;
  };

  return {
    enqueue,
    pull,
    caption: () => {
      if (current) return { text: current.item.line.text, speaking: true };
      if (lastCaption && lastCaption.until > now()) return { text: lastCaption.text, speaking: false };
      return null;
    },
    stats: () => ({ synthesizing, ready: ready.length, ...counts }),
  };
}
