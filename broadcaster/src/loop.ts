/**
 * @module loop
 * The frame clock: one frame per 1/fps on an absolute schedule, each in its own event-loop turn
 * (a loop that never yields lets native canvas memory pile up; docs/TOOLCHAIN.md). When a turn comes late
 * (GC, a busy core), the previous frame is sent again for each missed slot, so the stream's timeline
 * stays equal to wall time and audio stays in step; those count as late frames.
 */

export type FrameLoopOptions = {
  fps: number;
  /** Render and send frame number `index` (0, 1, 2, ...). */
  frame: (index: number, now: number) => void;
  /** Send the previous frame again for a missed slot. */
  repeat: (index: number) => void;
  /** Past this many missed slots the clock resets instead of catching up. */
  maxCatchUp?: number;
  now?: () => number;
};

export type FrameLoop = { stop: () => void; stats: () => { frames: number; late: number; resets: number } };

export function startFrameLoop(o: FrameLoopOptions): FrameLoop {
  const now = o.now ?? (() => performance.now());
  const period = 1000 / o.fps;
  const maxCatchUp = o.maxCatchUp ?? o.fps;
  let t0 = now();
  let sent = 0;
  let index = 0;
  let late = 0;
  let resets = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const tick = () => {
    if (stopped) return;
    const t = now();
    let due = Math.floor((t - t0) / period) + 1;
    if (due - sent > maxCatchUp) {
      // Far behind (a suspended process, a debugger): start the schedule again from now.
      resets++;
      t0 = t;
      sent = 0;
      due = 1;
    }
    while (due - sent > 1) {
      o.repeat(index++);
      sent++;
      late++;
    }
    o.frame(index++, Date.now());
    sent++;
    timer = setTimeout(tick, Math.max(0, t0 + sent * period - now()));
  };
  timer = setTimeout(tick, 0);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
    stats: () => ({ frames: index, late, resets }),
  };
}

/**
 * How many of the last second's frame slots had some property (a frame sent, a frame drawn on time).
 * Counting slots by index, not timestamps in a sliding 1 s window, keeps timer jitter out: a window of
 * timestamps read 29 to 32 at a steady 30 fps.
 */
export type SlotCounter = { record: (index: number, hit: boolean) => void; clear: () => void; count: () => number };

export function createSlotCounter(slotsPerSecond: number): SlotCounter {
  const slots = new Uint8Array(slotsPerSecond);
  let count = 0;
  return {
    record: (index, hit) => {
      const i = index % slots.length;
      const v = hit ? 1 : 0;
      count += v - (slots[i] as number);
      slots[i] = v;
    },
    clear: () => {
      slots.fill(0);
      count = 0;
    },
    count: () => count,
  };
}
