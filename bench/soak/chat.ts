/**
 * The soak's chat audience: many viewers linked the way the dApp links them (deposit, signed
 * ChatAuthorization, `POST /link`, `!link CODE`), then chat lines whose message ids are kept, so each one
 * can be followed to its outcome. Each simulated viewer comes from its own address (`x-forwarded-for`),
 * as real viewers do: the relayer limits link requests per client.
 */
import type { Address } from "viem";
import { type ChatUser, requestLinkCode, type SentLine, say } from "../../scripts/src/audience/chat-bidders.ts";

export { type SentLine, say as sayLine };

export type LinkOptions = { rpcUrl: string; relayerUrl: string; chatHttpUrl: string; channel: string; auctionHouse: Address; relayer: Address; depositWei: bigint };

/** Deposit, sign, get a code (from the viewer's own address), say `!link CODE`. Returns the `!link` line. */
export async function linkViewer(options: LinkOptions, user: ChatUser, index: number): Promise<SentLine> {
  const code = await requestLinkCode({ ...options, user, forwardedFor: `10.0.${index >> 8}.${index & 255}` });
  return say(options.chatHttpUrl, options.channel, user, `!link ${code}`);
}
