/**
 * Gas benchmark of the auction house (issue 3, section 5): receipt gasUsed of the main operations, measured the
 * way the Nouns / Zora anchors were: a fresh EOA for every bidder, first bid 1 ETH, outbid 1.1 ETH, steady state
 * (not the first lot ever: the NFT contract, seller, treasury and royalty receiver all have history), with the
 * optimizer settings the project ships (hardhat.config.ts). Runs on Hardhat's in-process network.
 *
 *   node bench/gas.bench.ts      (root: npm run bench:gas, ./sothebais bench gas)
 *
 * Prints a table and writes bench/results/gas.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import hre from "hardhat";
import { parseEther } from "viem";
import { chatId, DAY, deployStack } from "../contracts/test/helpers/stack.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

await hre.tasks.getTask("build").run({ quiet: true });
const s = await deployStack({ feeBps: 500, royaltyBps: 1000n });
const { house, publicClient, networkHelpers, relayer } = s;

const gasOf = async (hash: `0x${string}`) => {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return receipt.gasUsed;
};

/** One full auction so every party has history: the steady state. */
async function warmUp() {
  const { lotId } = await s.createLot();
  const a = await s.freshAccount();
  const b = await s.freshAccount();
  await gasOf(await a.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "bid", args: [lotId], value: parseEther("1") }));
  await gasOf(await b.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "bid", args: [lotId], value: parseEther("1.1") }));
  await networkHelpers.time.increase(DAY + 1n);
  await gasOf(await house.write.settle([lotId]));
}

await warmUp();
// Another lot stays in custody, so the house's NFT balance never drops to zero during the measured settle.
await s.createLot();

const results: Record<string, bigint> = {};

// create lot, including taking custody of the NFT (token minted beforehand, as an artist would have)
const tokenId = await s.mint();
{
  const { receipt, lotId } = await s.createLot({ tokenId });
  results.create_lot_gas = receipt.gasUsed;

  const first = await s.freshAccount();
  const second = await s.freshAccount();
  results.first_bid_gas = await gasOf(
    await first.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "bid", args: [lotId], value: parseEther("1") }),
  );
  results.outbid_gas = await gasOf(
    await second.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "bid", args: [lotId], value: parseEther("1.1") }),
  );
  await networkHelpers.time.increase(DAY + 1n);
  results.settle_gas = await gasOf(await house.write.settle([lotId]));
}

// withdraw: an outbid chat bidder takes their escrow back (whole balance)
{
  const w = await s.freshAccount();
  await gasOf(await w.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "deposit", value: parseEther("1") }));
  results.withdraw_gas = await gasOf(
    await w.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "withdraw", args: [parseEther("1")] }),
  );
}

// chat bidder: deposit, sign once, the relayer registers, then bids for them
{
  const { lotId } = await s.createLot();
  const chat = await s.freshAccount();
  await gasOf(await chat.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "deposit", value: parseEther("3") }));
  const { auth, signature } = await s.signAuthorization(chat.account, { maxBid: parseEther("2"), totalCap: parseEther("3") });
  results.register_authorization_gas = await gasOf(
    await house.write.registerChatAuthorization([auth, chatId("twitch:1001"), signature], { account: relayer.account }),
  );
  results.relayer_bid_gas = await gasOf(await house.write.relayBid([lotId, chat.address, parseEther("1")], { account: relayer.account }));
}

// Extra figures for the table only (gas.json keeps the keys).
const extras: Record<string, bigint> = {};
{
  // relayer bid that outbids a wallet bid (refund pushed to a fresh EOA)
  const { lotId } = await s.createLot();
  const wallet = await s.freshAccount();
  await gasOf(await wallet.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "bid", args: [lotId], value: parseEther("1") }));
  const chat = await s.freshAccount();
  await gasOf(await chat.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "deposit", value: parseEther("3") }));
  const { auth, signature } = await s.signAuthorization(chat.account, { maxBid: parseEther("2"), totalCap: parseEther("3") });
  await gasOf(await house.write.registerChatAuthorization([auth, chatId("twitch:1002"), signature], { account: relayer.account }));
  extras["relayer outbid of a wallet bid"] = await gasOf(
    await house.write.relayBid([lotId, chat.address, parseEther("1.1")], { account: relayer.account }),
  );
  // a second chat bidder outbids the first (refund to escrow, exposure released)
  const chat2 = await s.freshAccount();
  await gasOf(await chat2.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "deposit", value: parseEther("3") }));
  const second = await s.signAuthorization(chat2.account, { maxBid: parseEther("2"), totalCap: parseEther("3") });
  await gasOf(await house.write.registerChatAuthorization([second.auth, chatId("twitch:1003"), second.signature], { account: relayer.account }));
  extras["relayer outbid of a chat bid"] = await gasOf(
    await house.write.relayBid([lotId, chat2.address, parseEther("1.2")], { account: relayer.account }),
  );
  // registration by a bidder who has not deposited yet (three fresh slots)
  const cold = await s.freshAccount();
  const c = await s.signAuthorization(cold.account, { maxBid: parseEther("1"), totalCap: parseEther("2") });
  extras["register authorization, no deposit yet"] = await gasOf(
    await house.write.registerChatAuthorization([c.auth, chatId("twitch:1004"), c.signature], { account: relayer.account }),
  );
  // partial withdraw (the account slot stays non-zero: no refund)
  extras["withdraw part of the escrow"] = await gasOf(
    await chat2.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "withdraw", args: [parseEther("0.5")] }),
  );
  // bid paying partly from escrow
  const { lotId: lot2 } = await s.createLot();
  extras["bidWithEscrow (first bid, part escrow)"] = await gasOf(
    await chat2.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "bidWithEscrow", args: [lot2, parseEther("1")], value: parseEther("0.5") }),
  );
  // settle of a lot nobody bid on
  const { lotId: lot3 } = await s.createLot();
  await networkHelpers.time.increase(DAY + 1n);
  extras["settle without bids (NFT back)"] = await gasOf(await house.write.settle([lot3]));
}

const targets: Record<string, number> = {
  create_lot_gas: 120_000,
  first_bid_gas: 46_000,
  outbid_gas: 51_000,
  relayer_bid_gas: 65_000,
  register_authorization_gas: 100_000,
  settle_gas: 105_000,
  withdraw_gas: 35_000,
};
const anchors: Record<string, string> = {
  create_lot_gas: "Nouns 101,513; Zora 101,723 (NFT not moved)",
  first_bid_gas: "Nouns 46,431; Zora 96,674",
  outbid_gas: "Nouns 55,873; Zora 51,850",
  settle_gas: "Nouns 110,748; Zora 107,635",
  relayer_bid_gas: "-",
  register_authorization_gas: "-",
  withdraw_gas: "-",
};

const keys = Object.keys(targets);
const rows = keys.map((k) => ({
  metric: k,
  gas: Number(results[k]),
  target: targets[k],
  ok: Number(results[k]) <= targets[k] ? "yes" : "NO",
  anchors: anchors[k],
}));
console.table(rows);
console.table(Object.entries(extras).map(([metric, gas]) => ({ metric, gas: Number(gas) })));

const out = join(root, "bench/results/gas.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(Object.fromEntries(keys.map((k) => [k, Number(results[k])])), null, 2)}\n`);
console.log(`wrote ${out}`);
