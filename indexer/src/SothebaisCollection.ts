/**
 * Collection events -> the token table (owner, URI). The URI is read once at mint and again on an
 * ERC-4906 MetadataUpdate; the lot table copies it at lot creation so the live lot needs no join.
 */
import { and, eq } from "ponder";
import { ponder, type Context } from "ponder:registry";
import { lot, token } from "ponder:schema";
import { erc721Abi } from "../abis/collection.ts";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

async function readTokenUri(context: Context, address: `0x${string}`, tokenId: bigint, blockNumber: bigint): Promise<string> {
  try {
    return await context.client.readContract({ abi: erc721Abi, address, functionName: "tokenURI", args: [tokenId], blockNumber });
  } catch {
    return "";
  }
}

ponder.on("SothebaisCollection:Transfer", async ({ event, context }) => {
  const { from, to, tokenId } = event.args;
  const nft = event.log.address;
  if (from === ZERO_ADDRESS) {
    const uri = await readTokenUri(context, nft, tokenId, event.block.number);
    const row = { owner: to, uri, mintedAt: Number(event.block.timestamp), mintTx: event.transaction.hash, updatedBlock: event.block.number };
    await context.db.insert(token).values({ nft, tokenId, ...row }).onConflictDoUpdate(row);
    return;
  }
  const known = await context.db.find(token, { nft, tokenId });
  if (known) await context.db.update(token, { nft, tokenId }).set({ owner: to, updatedBlock: event.block.number });
});

ponder.on("SothebaisCollection:MetadataUpdate", async ({ event, context }) => {
  const nft = event.log.address;
  const tokenId = event.args._tokenId;
  const known = await context.db.find(token, { nft, tokenId });
  // ERC721URIStorage emits this at every mint too: the mint's Transfer handler already read that URI.
  if (!known || known.mintTx === event.transaction.hash) return;
  const uri = await readTokenUri(context, nft, tokenId, event.block.number);
  if (uri === known.uri) return;
  await context.db.update(token, { nft, tokenId }).set({ uri, updatedBlock: event.block.number });
  // Open lots of this token show the new artwork too (rare: an admin fixing metadata).
  await context.db.sql.update(lot).set({ tokenUri: uri }).where(and(eq(lot.nft, nft), eq(lot.tokenId, tokenId)));
});
