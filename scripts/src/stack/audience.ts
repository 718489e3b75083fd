/**
 * Simulated audience (`./sothebais up`, on by default; `--no-audience` turns it off): a few wallet
 * bidders and a few chat bidders, so the demo show is alive within a minute.
 */
import { localAccount, localRoles } from "@sothebais/common/testing";
import { describeBid, runWalletBidders } from "../audience/wallet-bidders.ts";
import { type ChatUser, runChatBidders } from "../audience/chat-bidders.ts";
import type { StackService } from "./types.ts";

const chatUsers: ChatUser[] = [
  { userId: "90001", displayName: "PixelPatron", account: 15 },
  { userId: "90002", displayName: "gallerina", account: 16 },
  { userId: "90003", displayName: "BidGoblin", account: 17 },
  { userId: "90004", displayName: "mintyfresh", account: 18 },
];

export const service: StackService = {
  name: "audience",
  async start(ctx) {
    const { deployment } = ctx;
    const { rpcUrl, indexerUrl, relayerUrl, chatPageUrl } = ctx.urls;
    if (!deployment || !rpcUrl || !indexerUrl) throw new Error("the audience needs the chain and the indexer");
    const controller = new AbortController();
    const log = ctx.echo("audience");
    const tasks: Promise<void>[] = [
      runWalletBidders({
        rpcUrl,
        indexerUrl,
        auctionHouse: deployment.auctionHouse,
        signal: controller.signal,
        onBid: (e) => log(describeBid(e)),
      }),
    ];
    if (relayerUrl && chatPageUrl) {
      tasks.push(
        runChatBidders({
          rpcUrl,
          indexerUrl,
          relayerUrl,
          chatHttpUrl: new URL(chatPageUrl).origin,
          channel: ctx.urls.chatChannel ?? "sothebais",
          auctionHouse: deployment.auctionHouse,
          relayer: localAccount(localRoles.relayer).address,
          users: chatUsers,
          signal: controller.signal,
          onEvent: log,
        }),
      );
    }
    ctx.progress(`simulated audience: 5 wallet bidders${relayerUrl && chatPageUrl ? `, ${chatUsers.length} chat bidders` : ""}`);
    ctx.onStop("audience", async () => {
      controller.abort();
      await Promise.allSettled(tasks);
    });
  },
};
