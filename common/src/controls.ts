/**
 * @module controls
 * Service controls set from the operator console (operator/src/controls), read by the services they
 * steer. Written once here so every reader agrees on the names:
 * - `bidsPaused`: the relayer refuses chat bids (`bids_paused`). Kept in the relayer's own key, which
 *   its intake script reads atomically with each bid and which moderators' `!pausebids` also sets.
 * - `hostMuted`: the agent publishes no host line (nothing spoken, captioned or posted).
 * - `brb`: the broadcaster renders a "be right back" scene instead of the lot.
 * Each is absent (off) or a {@link ControlState} JSON. Every change is announced on
 * {@link CONTROLS_CHANNEL}; a reader reads the state at start and on each announcement, so it keeps
 * the state across its own restarts (Redis holds it, not the process).
 */

/** Hash: control name (`hostMuted`, `brb`) -> {@link ControlState} JSON; a missing field is off. */
export const CONTROLS_HASH = "sothebais:controls";

/** The relayer's chat-bidding pause (`!pausebids`), JSON {by, at}; absent = open. */
export const BIDS_PAUSED_KEY = "sothebais:relayer:bids-paused";

/** Pub/sub: a {@link ControlChange} JSON after each change. */
export const CONTROLS_CHANNEL = "sothebais:controls:changed";

export const controlNames = ["bidsPaused", "hostMuted", "brb"] as const;
export type ControlName = (typeof controlNames)[number];

/** Who turned a control on (an address from the console, a display name from chat) and when (unix ms). */
export type ControlState = { by: string; at: number };

export type Controls = Record<ControlName, ControlState | null>;

export type ControlChange = { control: ControlName; on: boolean; by: string; at: number };

/** The Redis reads a reader needs (ioredis' `Redis` fits). */
export type ControlsRedis = {
  get(key: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
};

const parseState = (raw: string | null | undefined): ControlState | null => {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<ControlState>;
    return { by: typeof v.by === "string" ? v.by : "unknown", at: typeof v.at === "number" ? v.at : 0 };
  } catch {
    // Written by hand (redis-cli SET ... 1): still on.
    return { by: "unknown", at: 0 };
  }
};

/** Every control's state, in two reads. */
export async function readControls(redis: ControlsRedis): Promise<Controls> {
  const [paused, hash] = await Promise.all([redis.get(BIDS_PAUSED_KEY), redis.hgetall(CONTROLS_HASH)]);
  return { bidsPaused: parseState(paused), hostMuted: parseState(hash.hostMuted), brb: parseState(hash.brb) };
}

/** A change announced on {@link CONTROLS_CHANNEL}, or undefined for anything else. */
export function parseControlChange(raw: string): ControlChange | undefined {
  try {
    const v = JSON.parse(raw) as Partial<ControlChange>;
    if (!controlNames.includes(v.control as ControlName) || typeof v.on !== "boolean") return undefined;
    return { control: v.control as ControlName, on: v.on, by: String(v.by ?? "unknown"), at: Number(v.at ?? 0) };
  } catch {
    return undefined;
  }
}

export type ControlsView = {
  /** The last state read (all off until the first read answers). */
  current: () => Controls;
  /** Feed it every pub/sub message: a change on {@link CONTROLS_CHANNEL} triggers a fresh read. */
  onMessage: (channel: string) => void;
  /** Reads the state now. */
  refresh: () => Promise<Controls>;
  stop: () => void;
};

/**
 * The controls as a service sees them: read at start, again on each announcement, and every
 * `refreshMs` (an announcement missed while the subscriber reconnected is caught up within that).
 * The caller subscribes its own connection to {@link CONTROLS_CHANNEL} and passes messages on.
 */
export function createControlsView(
  redis: ControlsRedis,
  o: { refreshMs?: number; onChange?: (c: Controls) => void; onError?: (e: unknown) => void; /** Read at once (default); false: the caller calls `refresh` when its connection is up. */ readNow?: boolean } = {},
): ControlsView {
  let state: Controls = { bidsPaused: null, hostMuted: null, brb: null };
  const refresh = async () => {
    const next = await readControls(redis);
    const changed = controlNames.some((n) => (state[n] === null) !== (next[n] === null));
    state = next;
    if (changed) o.onChange?.(state);
    return state;
  };
  const safeRefresh = () => void refresh().catch((e) => o.onError?.(e));
  if (o.readNow ?? true) safeRefresh();
  const timer = setInterval(safeRefresh, o.refreshMs ?? 5000);
  timer.unref();
  return {
    current: () => state,
    onMessage: (channel) => channel === CONTROLS_CHANNEL && safeRefresh(),
    refresh,
    stop: () => clearInterval(timer),
  };
}
