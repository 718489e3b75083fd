/**
 * @module replies
 * Every outcome a chat command can have, and its reply. Reverts map to outcomes in one table keyed by
 * the contract's error names (STYLE.md), so a new contract error is one line here.
 */
import { txUrl } from "@sothebais/common/chains";
import { formatEther } from "viem";
import type { Revert } from "./chain.ts";
import { syntax } from "./parse.ts";

export type Outcome =
  | { kind: "placed"; lotId: string; amount: string; txHash: string; proxy?: boolean }
  /** `by`: "@name" for a chat bidder, a short address for a wallet. */
  | { kind: "outbid"; lotId: string; by: string; amount: string }
  | { kind: "too_low"; lotId: string; minimum: string }
  | { kind: "not_linked" }
  | { kind: "over_max_bid"; maximum: string }
  | { kind: "over_total_cap"; exposure: string; totalCap: string }
  | { kind: "insufficient_escrow"; balance: string; needed: string }
  | { kind: "auth_expired" }
  | { kind: "auth_revoked" }
  | { kind: "not_live"; lotId?: string; status?: string }
  | { kind: "paused" }
  | { kind: "relayer_paused" }
  | { kind: "malformed"; syntax: string }
  | { kind: "rate_limited" }
  /** `max`: the far-above amount is a `!max` ceiling, set once confirmed. */
  | { kind: "confirm_needed"; amount: string; factor: number; ttl: number; max?: boolean }
  /** The lot on the bidder's screen when they typed closed before the bid could be placed. */
  | { kind: "lot_closed"; lotId: string; live?: string }
  /** The bidder typed before the live lot opened on their stream (between lots). */
  | { kind: "not_open_yet"; lotId: string }
  /** The line reached the relayer more than `maxAgeS` after it was sent: nothing is done. */
  | { kind: "too_old"; maxAgeS: number }
  | { kind: "bids_paused" }
  | { kind: "bids_pause_set"; paused: boolean }
  | { kind: "not_moderator" }
  /** Replayed after Redis lost its state, and the chain shows a bid it may have placed already. */
  | { kind: "maybe_placed"; lotId: string }
  | { kind: "nothing_to_confirm" }
  | { kind: "confirm_expired"; amount: string; ttl: number }
  | { kind: "max_set"; lotId: string; ceiling: string }
  | { kind: "max_off" }
  | { kind: "max_reached"; lotId: string; ceiling: string; minimum: string }
  /** A lot the chat bidder won was settled: the artwork is in their wallet (a notice, not a command's answer). */
  | { kind: "won"; lotId: string; amount: string; wallet: string; txHash: string }
  /** A lot they won could not be delivered (the collection refused the transfer): the bid went back to escrow. */
  | { kind: "won_undeliverable"; lotId: string; amount: string }
  | { kind: "linked"; bidder: string }
  | { kind: "link_failed"; reason: string }
  | { kind: "bad_code" }
  | { kind: "unlinked" }
  | { kind: "answer"; text: string }
  | { kind: "ignored"; reason: "banned" | "deleted" }
  | { kind: "failed"; reason: string };

export type OutcomeKind = Outcome["kind"];

/** A line for chat: `@to body`. `to` empty = a notice to everyone. */
export type Reply = { channel: string; to: string; body: string; expiresAt?: number; msgId?: string };

export const eth = (wei: bigint | string) => {
  const s = formatEther(BigInt(wei));
  return `${s} ETH`;
};

const bidSyntax = syntax.bid;

/** The reply body for an outcome (without the @mention), or undefined when nothing should be said. */
export function replyBody(o: Outcome, chainId: number): string | undefined {
  switch (o.kind) {
    case "placed": {
      const link = txUrl(chainId, o.txHash) ?? `tx ${o.txHash.slice(0, 10)}…`;
      return `${o.proxy ? "your !max bid" : "bid"} of ${eth(o.amount)} on lot #${o.lotId} placed ✔ ${link}`;
    }
    case "outbid":
      return `outbid on lot #${o.lotId} by ${o.by} at ${eth(o.amount)}`;
    case "too_low":
      return `too low: the minimum next bid on lot #${o.lotId} is ${eth(o.minimum)} (!bid min)`;
    case "not_linked":
      return "you are not linked yet: connect your wallet in the dApp, sign a chat authorization, then type !link CODE";
    case "over_max_bid":
      return `over your signed per-bid cap of ${eth(o.maximum)}; raise it in the dApp`;
    case "over_total_cap":
      return `over your signed total cap (${eth(o.exposure)} of ${eth(o.totalCap)} used); raise it in the dApp`;
    case "insufficient_escrow":
      return `not enough escrow: ${eth(o.balance)} available, ${eth(o.needed)} needed; deposit in the dApp`;
    case "auth_expired":
      return "your chat authorization expired: sign a new one in the dApp and !link again";
    case "auth_revoked":
      return "your chat authorization was revoked: sign a new one in the dApp and !link again";
    case "not_live":
      return o.lotId ? `lot #${o.lotId} is not live${o.status ? ` (${o.status})` : ""}` : "no lot is live right now";
    case "paused":
      return "bidding is paused right now";
    case "relayer_paused":
      return "chat bids are paused: the relayer is low on gas (wallet bids in the dApp still work)";
    case "malformed":
      return `usage: ${o.syntax}`;
    case "rate_limited":
      return "slow down: too many commands, try again in a few seconds";
    case "confirm_needed":
      return o.max
        ? `a !max of ${eth(o.amount)} is ${o.factor}x the current price or more: type !confirm within ${o.ttl} s to set it (its bids cannot be taken back)`
        : `${eth(o.amount)} is ${o.factor}x the current price or more: type !confirm within ${o.ttl} s to place it (a bid cannot be taken back)`;
    case "lot_closed":
      return `lot #${o.lotId} closed before your bid arrived; ${o.live ? `lot #${o.live} is open: say !bid again` : "no lot is open now"}`;
    case "not_open_yet":
      return `lot #${o.lotId} was not open yet on your stream when you typed that: say !bid again`;
    case "too_old":
      // The same words for everyone (no age, no command): the outbox merges them into one line after a reconnect.
      return `that command reached me more than ${o.maxAgeS} s after you sent it, so nothing was done: say it again if you still want it`;
    case "bids_paused":
      return "chat bidding is paused by the moderators or the operators: nothing was placed (wallet bids in the dApp still work)";
    case "bids_pause_set":
      return o.paused ? "chat bidding paused: !bid, !max and !confirm are refused until a moderator types !resumebids" : "chat bidding resumed";
    case "not_moderator":
      return "only moderators can pause or resume chat bidding";
    case "maybe_placed":
      return `that bid may have been placed already on lot #${o.lotId} before a restart, so it was not placed again: check !mybids and say !bid again if you still want it`;
    case "nothing_to_confirm":
      return "nothing to confirm: type !confirm after a bid that asks for it";
    case "confirm_expired":
      return `too late: your bid of ${eth(o.amount)} waited more than ${o.ttl} s for !confirm and was not placed; bid again if you still want it`;
    case "max_set":
      return `!max set: I'll bid the least needed to keep you ahead on lot #${o.lotId}, up to ${eth(o.ceiling)}`;
    case "max_off":
      return "!max off: no more automatic bids";
    case "max_reached":
      return `your !max of ${eth(o.ceiling)} on lot #${o.lotId} was passed (minimum now ${eth(o.minimum)}); !bid or !max higher to stay in`;
    case "won": {
      const link = txUrl(chainId, o.txHash) ?? `tx ${o.txHash.slice(0, 10)}…`;
      return `lot #${o.lotId} is yours for ${eth(o.amount)}: the artwork is in your wallet ${o.wallet.slice(0, 6)}…${o.wallet.slice(-4)} ✔ ${link}`;
    }
    case "won_undeliverable":
      return `lot #${o.lotId} could not be delivered (its collection refused the transfer): your ${eth(o.amount)} bid went back to your escrow (!balance)`;
    case "linked":
      return `linked ✔ wallet ${o.bidder.slice(0, 6)}…${o.bidder.slice(-4)}: you can now ${bidSyntax}`;
    case "link_failed":
      return `link failed: ${o.reason}`;
    case "bad_code":
      return "unknown or expired link code: get a new one in the dApp";
    case "unlinked":
      return "unlinked: I won't bid for you any more (revoke in the dApp to void the signature on chain)";
    case "answer":
      return o.text;
    case "ignored":
      return undefined;
    case "failed":
      return `bid not placed: ${o.reason}`;
  }
}

/** Contract error -> outcome. One line per error the relayer can meet. */
export function outcomeFromRevert(r: Revert, ctx: { lotId?: bigint }): Outcome {
  const a = r.args as readonly bigint[] & readonly unknown[];
  const s = (v: unknown) => String(v);
  const table: Record<string, () => Outcome> = {
    AuctionHouseBidTooLow: () => ({ kind: "too_low", lotId: s(a[0]), minimum: s(a[2]) }),
    AuctionHouseBidTooHigh: () => ({ kind: "over_max_bid", maximum: s(a[1]) }),
    AuctionHouseInsufficientEscrow: () => ({ kind: "insufficient_escrow", balance: s(a[1]), needed: s(a[2]) }),
    AuctionHouseLotNotLive: () => ({ kind: "not_live", lotId: s(a[0]), status: statusText(Number(a[1])) }),
    AuctionHouseLotNotFound: () => ({ kind: "not_live", lotId: s(a[0]), status: "no such lot" }),
    AuctionHouseLotAlreadyClosed: () => ({ kind: "not_live", lotId: s(a[0]), status: statusText(Number(a[1])) }),
    AuctionHouseZeroAmount: () => ({ kind: "malformed", syntax: bidSyntax }),
    ChatAuthorizationExpired: () => ({ kind: "auth_expired" }),
    ChatAuthorizationRevokedOrMissing: () => ({ kind: "auth_revoked" }),
    ChatAuthorizationCapExceeded: () => ({ kind: "over_total_cap", exposure: s(a[1]), totalCap: s(a[2]) }),
    ChatAuthorizationWrongRelayer: () => ({ kind: "link_failed", reason: "the authorization is for another relayer" }),
    ChatAuthorizationInvalidNonce: () => ({ kind: "link_failed", reason: "the authorization was already used or replaced: sign a new one" }),
    ChatAuthorizationInvalidSignature: () => ({ kind: "link_failed", reason: "the signature does not match" }),
    ChatAuthorizationInvalidCaps: () => ({ kind: "link_failed", reason: "invalid caps (max bid must be > 0 and <= total cap)" }),
    ChatAuthorizationZeroChatId: () => ({ kind: "link_failed", reason: "missing chat identity" }),
    ChatAuthorizationMalformedSignature: () => ({ kind: "link_failed", reason: "the signature is malformed" }),
    AuctionHousePaused: () => ({ kind: "paused" }),
    EnforcedPause: () => ({ kind: "paused" }),
    AccessControlUnauthorizedAccount: () => ({ kind: "failed", reason: "the relayer is not authorised on this contract (admin: grant RELAYER_ROLE)" }),
  };
  return table[r.name]?.() ?? { kind: "failed", reason: ctx.lotId !== undefined ? `rejected by the contract (${r.name})` : r.name };
}

const statusText = (n: number) => ["none", "scheduled", "live", "ended", "settled", "cancelled"][n] ?? String(n);
