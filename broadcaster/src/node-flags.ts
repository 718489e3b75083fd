/**
 * @module node-flags
 * The V8 flags the broadcaster runs with. Every launcher passes them: `npm start` and the bench
 * (package.json), the local stack, the Dockerfile and the tests; main.ts warns when they are missing.
 *
 * Why a small, fixed young generation: the frame loop allocates little JS but reads pixels back into
 * fresh buffers, so V8 grows new space to its ceiling (2 x 64 MB here) while the old generation stays
 * ~30 MB. That growth was the broadcaster's "memory rise" (RSS 219 -> 300+ MB over the first minutes,
 * then flat), and a new space as large as the old generation's headroom keeps V8 starting a full
 * marking cycle every ~1.3 s. With 2 MB semi-spaces a scavenge takes ~0.5 ms every few hundred ms,
 * full GCs come every ~4-5 s, and RSS stays where it starts.
 */
export const BROADCASTER_NODE_FLAGS = ["--max-semi-space-size=2"] as const;

/** The broadcaster flags this process was started without (argv or NODE_OPTIONS). */
export function missingNodeFlags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ""): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)]);
  return BROADCASTER_NODE_FLAGS.filter((flag) => !given.has(flag));
}
