/**
 * @module controls/store
 * Sets a service control (common/src/controls.ts) and records who did it: each change is one MULTI
 * (the state, the announcement on the controls channel, the audit entry), so no control changes
 * unaudited. The audit is a capped Redis list, newest first, served at `GET /controls/audit`; the same
 * entry is also a structured log line (`operator control`), for the log pipeline.
 */
import {
  BIDS_PAUSED_KEY,
  CONTROLS_CHANNEL,
  CONTROLS_HASH,
  type ControlChange,
  type ControlName,
  type Controls,
  type ControlState,
  readControls,
} from "@sothebais/common/controls";
import type { Logger } from "@sothebais/common/log";
import type { Redis } from "ioredis";
import { operatorPrefix } from "../auth/sessions.ts";

export const AUDIT_KEY = `${operatorPrefix}audit`;

/** What an audit entry records. `chainPause` entries come from the chain's Paused/Unpaused events. */
export type AuditAction = ControlName | "chainPause";
export type AuditEntry = {
  /** Unix ms. */
  at: number;
  /** The signed-in address (or, for `chainPause`, the event's account). */
  who: string;
  action: AuditAction;
  before: boolean;
  after: boolean;
  /** The transaction of an on-chain change. */
  tx?: string;
};

export type ControlStore = ReturnType<typeof createControlStore>;

export function createControlStore(o: { redis: Redis; log: Logger; auditMax: number; now?: () => number }) {
  const now = o.now ?? Date.now;
  const audit = (m: ReturnType<Redis["multi"]>, entry: AuditEntry) => {
    o.log.info("operator control", { ...entry });
    return m.lpush(AUDIT_KEY, JSON.stringify(entry)).ltrim(AUDIT_KEY, 0, o.auditMax - 1);
  };
  return {
    read: (): Promise<Controls> => readControls(o.redis),
    /** Turns `control` on or off as `who`; returns the state after. Setting it to what it is is still audited. */
    async set(control: ControlName, on: boolean, who: string): Promise<Controls> {
      const before = (await readControls(o.redis))[control] !== null;
      const at = now();
      const state = JSON.stringify({ by: who, at } satisfies ControlState);
      const change: ControlChange = { control, on, by: who, at };
      const m = o.redis.multi();
      if (control === "bidsPaused") {
        if (on) m.set(BIDS_PAUSED_KEY, state);
        else m.del(BIDS_PAUSED_KEY);
      } else if (on) m.hset(CONTROLS_HASH, control, state);
      else m.hdel(CONTROLS_HASH, control);
      m.publish(CONTROLS_CHANNEL, JSON.stringify(change));
      await audit(m, { at, who, action: control, before, after: on }).exec();
      return readControls(o.redis);
    },
    /** Records an on-chain pause or unpause seen in the AuctionHouse's events. */
    async recordChainPause(paused: boolean, who: string, tx: string): Promise<void> {
      await audit(o.redis.multi(), { at: now(), who, action: "chainPause", before: !paused, after: paused, tx }).exec();
    },
    async audit(limit: number): Promise<AuditEntry[]> {
      const raw = await o.redis.lrange(AUDIT_KEY, 0, Math.max(0, limit - 1));
      return raw.map((r) => JSON.parse(r) as AuditEntry);
    },
  };
}
