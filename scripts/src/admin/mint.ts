/**
 * `./sothebais mint`: mint SothebaisCollection tokens. Needs MINTER_ROLE.
 *
 * With `--file`, the image goes through the operator API first (sign-in with the same key, which needs
 * admin or auctioneer on the AuctionHouse): one path for every upload, so the checks, the pinning
 * (local node and the production pinning service, whose token stays with the operator) and the log
 * line are the same as the console's, and only the operator process writes its blockstore.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { FatalError } from "@sothebais/common/errors";
import { parseEventLogs } from "viem";
import { field, type Command, type CommandContext, runMain } from "../lib/cli.ts";
import { signIn, uploadArtwork } from "../lib/operator-client.ts";
import { parseAddress, parseTokenURI } from "../lib/parse.ts";

/** Uploads `--file` with its title, artist and description; returns the token URI to mint. */
async function uploadFile(ctx: CommandContext, file: string): Promise<string> {
  const text = (k: string) => (typeof ctx.values[k] === "string" ? (ctx.values[k] as string) : "");
  if (!text("title") || !text("artist")) throw new FatalError("mint --file needs --title and --artist (and may take --description)");
  const bytes = await readFile(file).catch((error: Error) => {
    throw new FatalError(`cannot read --file ${file}: ${error.message}`);
  });
  const { account } = await ctx.signer();
  const url = text("operator-url") || process.env.OPERATOR_URL || "http://127.0.0.1:8794";
  const origin = text("origin") || process.env.OPERATOR_ORIGIN || process.env.OPERATOR_ORIGINS?.split(",")[0]?.trim() || "http://127.0.0.1:5173";
  const session = await signIn({ url, origin, account, chainId: ctx.chain.id });
  const stored = await uploadArtwork(session, { bytes: new Uint8Array(bytes), fileName: basename(file), title: text("title"), artist: text("artist"), description: text("description") });
  ctx.print(`pinned image ${stored.imageCid} (${stored.image.type}, ${stored.image.width}x${stored.image.height}) and metadata ${stored.metadataCid}`);
  return stored.tokenURI;
}

export const command: Command = {
  name: "mint",
  summary: "Mint one token per URI (or upload an image and mint it) to an address (default: the signer). Needs MINTER_ROLE on the collection.",
  usage: "--uri <tokenURI> [--uri <tokenURI> ...] [--to <address>] | --file <image> --title <t> --artist <a> [--description <d>]",
  options: {
    uri: { type: "string", multiple: true },
    to: { type: "string" },
    file: { type: "string" },
    title: { type: "string" },
    artist: { type: "string" },
    description: { type: "string" },
    "operator-url": { type: "string" },
    origin: { type: "string" },
  },
  help: {
    uri: "token metadata URI: ipfs://, ar://, https:// or data: (repeat for several)",
    to: "owner of the new tokens (default: the signer)",
    file: "an image (PNG, JPEG, GIF or WebP) to pin with its metadata through the operator API, then mint as ipfs://<cid>",
    title: "with --file: the artwork's title (the token's name)",
    artist: "with --file: the artist",
    description: "with --file: the description",
    "operator-url": "with --file: the operator API (default OPERATOR_URL, else http://127.0.0.1:8794)",
    origin: "with --file: the console origin signed in as (default OPERATOR_ORIGIN, else the first of OPERATOR_ORIGINS, else http://127.0.0.1:5173)",
  },
  details:
    "Examples:\n  ./sothebais mint --uri ipfs://bafy…/1.json --uri ipfs://bafy…/2.json --to 0xArtist --network shapeSepolia\n" +
    '  ./sothebais mint --file dawn.png --title "Dawn over Shape" --artist "Ada Vega" --description "Oil on canvas, 2026"',
  run: async (ctx) => {
    const uris = ((ctx.values.uri as string[] | undefined) ?? []).map((u, i) => field(`--uri #${i + 1}`, parseTokenURI, u));
    if (typeof ctx.values.file === "string") {
      if (uris.length) throw new FatalError("mint takes --file or --uri, not both");
      uris.push(await uploadFile(ctx, ctx.values.file));
    }
    if (uris.length === 0) throw new FatalError("mint needs at least one --uri, or --file (see ./sothebais mint --help)");
    const { collection } = await ctx.contracts();
    const { account } = await ctx.signer();
    const to = ctx.values.to ? field("--to", parseAddress, ctx.values.to) : account.address;
    for (const uri of uris) {
      const receipt = await ctx.send({ ...collection, functionName: "mint", args: [to, uri] });
      const [transfer] = parseEventLogs({ abi: collection.abi, logs: receipt.logs, eventName: "Transfer" });
      const tokenId = (transfer?.args as { tokenId?: bigint } | undefined)?.tokenId;
      ctx.print(`minted token ${tokenId} to ${to}`);
    }
  },
};

if (import.meta.main) await runMain(command);
