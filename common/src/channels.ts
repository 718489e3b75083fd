/**
 * @module channels
 * Redis names shared between services. Redis carries work in flight only, never the truth:
 * everything here can be lost without losing money or a bid (DESIGN.md).
 */

/** Pub/sub: every chat line the relayer sees, as {@link ChatLine} JSON. Broadcaster and agent subscribe. */
export const CHAT_LINES_CHANNEL = "sothebais:chat:lines";

/** Pub/sub: every line the host says, as {@link HostLine} JSON. Broadcaster speaks/captions, relayer posts to chat. */
export const HOST_LINES_CHANNEL = "sothebais:agent:lines";

/**
 * Pub/sub: moderation the relayer sees in chat (IRC CLEARMSG / CLEARCHAT), as {@link ChatModeration} JSON.
 * Consumers that keep chat lines (the agent's answer queue, the stream's chat pane) drop the lines it names.
 */
export const CHAT_MODERATION_CHANNEL = "sothebais:chat:moderation";

/**
 * A deleted message (CLEARMSG `target-msg-id`), a banned or timed-out user (CLEARCHAT with
 * `target-user-id`; `durationS` for a timeout, absent for a ban), or a cleared channel (CLEARCHAT alone).
 */
export type ChatModeration =
  | { type: "delete"; id: string; at: number }
  | { type: "ban"; userId: string; durationS?: number; at: number }
  | { type: "clear"; at: number };

/** Hash: chatIdHash (0x…) -> display name, written by the relayer when a chat user links. */
export const CHAT_NAMES_HASH = "sothebais:chat:names";

/** A chat message as seen in the channel. */
export type ChatLine = {
  /** Twitch message id (tag `id`), unique per message. */
  id: string;
  /** Stable platform user id (tag `user-id`). */
  userId: string;
  displayName: string;
  text: string;
  /** Unix ms (tag `tmi-sent-ts`). */
  sentAt: number;
  isMod: boolean;
  /** Lines the relayer itself sent (bot replies) are marked so the agent does not answer them. */
  fromBot: boolean;
};

export type HostLineKind =
  | "open"
  | "bid"
  | "outbid"
  | "extension"
  | "countdown"
  | "sold"
  | "no_sale"
  | "between"
  | "answer"
  | "welcome"
  | "filler";

/** A line the host speaks. Consumers drop it after `expiresAt` rather than say it late. */
export type HostLine = {
  id: string;
  kind: HostLineKind;
  text: string;
  /** Higher pre-empts lower (sold/extension > bids > small talk). */
  priority: number;
  /** Unix ms. */
  createdAt: number;
  expiresAt: number;
  /** The chain state it refers to, so consumers can drop lines about a state that has moved on. */
  lotId?: string;
  blockNumber?: number;
  /** The lot's on-chain end time (unix s) the line was timed against (countdown, extension). */
  endTime?: number;
  /** Countdown lines: seconds left on the chain clock at the moment the line is due. */
  secondsLeft?: number;
  /** Speak it on the stream (TTS + caption) and/or post it in chat. */
  speak: boolean;
  chat: boolean;
};

/** keccak256 input for a chat identity: `${platform}:${userId}` (e.g. "twitch:12345"). */
export function chatIdentity(platform: string, userId: string): string {
  return `${platform}:${userId}`;
}
