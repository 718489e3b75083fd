/**
 * The truth guard against a second, independent attack set: amounts in other spellings and units,
 * leaders and winners phrased indirectly, addresses, ENS names, disguised links, times, counts, reserve
 * claims and characters that hide or fake a figure. Each line is accepted if and only if it is true
 * against the facts; the true lines are counted too, so a guard that rejects everything fails.
 * The facts: lot 3 "Blue Hour" by Mira Okafor (token 7, campaign Genesis), 2 bids, bob_bids leads at
 * 0.6 ETH (outbid 0xA11C…0001), next bid 0.66 ETH, reserve 0.1 ETH (met), 30 s left; carol and alice
 * are known bidders with no part in the moment. "fresh" is the same lot before any bid (60 s left).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildFacts } from "../src/facts.ts";
import { type Allowed, allowedFor, checkLine, type GuardReason } from "../src/guard.ts";
import type { LineRequest } from "../src/templates.ts";
import { ALICE, BOB, BOB_CHAT, snapshot, withBid } from "./helpers/snapshots.ts";

const names = { chatName: (h: string) => (h === BOB_CHAT ? "bob_bids" : undefined) };
const s1 = withBid(snapshot(), "b1", ALICE, 500_000_000_000_000_000n);
const s2 = withBid(s1, "b2", BOB, 600_000_000_000_000_000n, {}, { viaRelayer: true, chatIdHash: BOB_CHAT });
const facts = buildFacts(s2, names, 1_030_000, ["0xA11C…0001", "bob_bids", "carol", "alice"]);
const lot = facts.lot!;
const alice = { address: ALICE, name: "0xA11C…0001", viaRelayer: false, chatIdHash: `0x${"0".repeat(64)}` };
const bob = lot.leader!;
const wei = (eth: number) => BigInt(Math.round(eth * 1000)) * 10n ** 15n;
const host = { hostName: "Lotte", dappUrl: "http://127.0.0.1:5173" };
const fresh = buildFacts(snapshot(), names, 1_000_000, ["carol", "alice"]);
// The countdown's facts are read 20 s later: 10 s left by the chain clock.
const late = buildFacts(s2, names, 1_050_000, ["0xA11C…0001", "bob_bids", "carol", "alice"]);

const moments: Record<string, Allowed> = {
  outbid: allowedFor({ kind: "outbid", lot, bidder: bob, previous: alice, amount: wei(0.6) }, facts, host),
  sold: allowedFor({ kind: "sold", lot, winner: bob, amount: wei(0.6) }, facts, host),
  countdown: allowedFor({ kind: "countdown", lot, step: "ten", secondsLeft: 10 }, late, host),
  answer: allowedFor({ kind: "answer", user: "viewer42", answer: "" }, facts, host),
  no_sale: allowedFor({ kind: "no_sale", lot: fresh.lot! }, fresh, host),
  between: allowedFor({ kind: "between", next: { lotId: "4", title: "Dawn", reserve: wei(0.1), secondsToStart: 125 } } as LineRequest, { ...facts, lot: null, secondsLeft: null }, host),
  fresh: allowedFor({ kind: "open", lot: fresh.lot!, secondsLeft: 60 }, fresh, host),
};

type Case = [moment: keyof typeof moments, text: string, expected: "ok" | GuardReason];

const cases: Case[] = [
  // --- Amounts spelled out, in other units and notations ---
  ["outbid", "bob_bids leads at point six ETH.", "number_word"],
  ["outbid", "A half ETH takes the lead.", "number_word"],
  ["outbid", "Zero point six six ETH to lead.", "number_word"],
  ["outbid", "Two-fifths of an ETH, anyone?", "number_word"],
  ["outbid", "Six tenths of an ether from bob_bids.", "number_word"],
  ["outbid", "Bid 1/2 ETH to lead.", "amount"],
  ["outbid", "Bid 3/5 ETH.", "amount"],
  ["outbid", "bob_bids bids 0.5Ξ.", "amount"],
  ["outbid", "bob_bids bids 0.6Ξ.", "ok"],
  ["outbid", "bob_bids bids Ξ 0.6.", "ok"],
  ["outbid", "bob_bids bids 500 finney.", "amount"],
  ["outbid", "bob_bids bids 600 finney.", "ok"],
  ["outbid", "bob_bids bids 600000 szabo.", "ok"],
  ["outbid", "bob_bids bids 600000000 gwei.", "ok"],
  ["outbid", "bob_bids bids 5e-1 ETH.", "amount"],
  ["outbid", "bob_bids bids 6e-1 ETH.", "ok"],
  ["outbid", "bob_bids bids 6E17 wei.", "ok"],
  ["outbid", "bob_bids bids 1e18 wei.", "amount"],
  ["outbid", "Next bid 6.6e-1 ETH.", "ok"],
  ["outbid", "bob_bids bids 6.5e-1 ETH.", "amount"],
  ["outbid", "That's 50 cents on the dollar.", "amount"],
  ["outbid", "bob_bids bids 0.50000 ETH.", "amount"],
  ["outbid", "bob_bids bids 0.60000 ETH.", "ok"],
  ["outbid", "bob_bids bids 0.6 ether.", "ok"],
  ["outbid", "bob_bids bids 0.6000000000000000001 ETH.", "amount"],
  ["outbid", "bob_bids bids 0.6000000000000000000 ETH.", "ok"],
  ["outbid", "Next bid 0.6600000000000000004 ETH.", "amount"],
  ["outbid", "bob_bids bids 600,000,000,000,000,000 wei.", "ok"],
  ["outbid", "bob_bids bids 600000000000000001 wei.", "amount"],
  ["outbid", "bob_bids bids VI ETH.", "number_word"],
  ["outbid", "Lot III is live, bob_bids leads.", "number_word"],
  ["outbid", "Lot IV is next.", "number_word"],
  ["outbid", "bob_bids bids 0.6k ETH.", "amount"],
  ["outbid", "bob_bids bids 600 mETH.", "amount"],
  ["outbid", "bob_bids bids 0.6 BTC.", "amount"],
  ["outbid", "bob_bids bids 0.6 USDC.", "amount"],
  ["outbid", "bob_bids bids 0.6 stETH.", "amount"],
  ["outbid", "bob_bids bids 0.6 ETH (~$2k).", "amount"],
  ["outbid", "Worth 2000 sats.", "amount"],
  ["outbid", "bob_bids bids 六 ETH.", "non_ascii_digit"],
  ["outbid", "bob_bids bids 〇.六 ETH.", "non_ascii_digit"],
  ["outbid", "bob_bids bids cero coma seis ETH.", "number_word"],
  ["outbid", "bob_bids bids sechs ETH.", "number_word"],
  ["outbid", "bob_bids bids шесть ETH.", "number_word"],
  ["outbid", "bob_bids bids 0.6 ETH, next 0.66 ETH.", "ok"],
  ["outbid", "Next bid .66 ETH.", "ok"],
  ["outbid", "Next bid 0.66.", "ok"],
  ["outbid", "Next bid 0.67.", "amount"],
  ["outbid", "bob_bids bids 0.6 E T H.", "ok"],
  ["outbid", "bob_bids bids 0.7 E T H.", "amount"],
  ["outbid", "bob_bids doubled down with 1.2 ETH.", "number_word"],
  ["outbid", "bob_bids bids 0.6 ETH; the reserve of 0.1 ETH is met.", "ok"],
  ["outbid", "bob_bids bids 0.6 ETH x2!", "number"],
  ["outbid", "bob_bids bids 6/10 of an ETH.", "amount"],
  ["outbid", "bob_bids bids 60% of an ETH.", "percent"],
  ["outbid", "Sixty percent of an ETH from bob_bids.", "number_word"],
  ["outbid", "We're 500% over the reserve!", "percent"],
  ["outbid", "bob_bids raised by 20 %.", "percent"],
  ["outbid", "bob_bids bids ⁰·⁶ ETH.", "non_ascii_digit"],
  ["outbid", "bob_bids bids 0.6 ETH 🔟/🔟.", "non_ascii_digit"],
  ["outbid", "Lot 3️⃣ is live!", "ok"],
  ["outbid", "Lot 4️⃣ is live!", "lot"],
  ["outbid", "Bid 1️⃣ ETH!", "amount"],
  ["outbid", "bob_bids bids 0.\u200B6 ETH.", "ok"],
  ["outbid", "bob_bids bids 0.6\u200B6 ETH.", "ok"],
  ["outbid", "bob_bids bids 0.6\u200B5 ETH.", "amount"],
  ["outbid", "bob_bids bids 0\u066B6 ETH.", "amount"],
  ["outbid", "bob_bids bids 0\uFF0E7 ETH.", "amount"],
  ["outbid", "bob_bids bids &#48;.7 ETH.", "amount"],
  // --- Who leads, phrased indirectly ---
  ["outbid", "The lot goes to bob.", "leader"],
  ["outbid", "Congratulations to @bob!", "name"],
  ["outbid", "bob takes it.", "leader"],
  ["outbid", "bob's on top.", "leader"],
  ["outbid", "Leading is bob.", "leader"],
  ["outbid", "Leading now: dave.", "leader"],
  ["outbid", "Out in front is dave.", "leader"],
  ["outbid", "On top is dave.", "leader"],
  ["outbid", "bob leads.", "leader"],
  ["outbid", "Dave leads the pack.", "leader"],
  ["outbid", "bob_bids is outbid by dave!", "leader"],
  ["outbid", "0xA11C…0001 is outbid by bob_bids!", "ok"],
  ["outbid", "bob_bids outbids 0xA11C…0001!", "ok"],
  ["outbid", "0xA11C…0001 outbids bob_bids!", "leader"],
  ["outbid", "dave overtakes bob_bids!", "leader"],
  ["outbid", "bob_bids loses the lead to dave.", "leader"],
  ["outbid", "0xA11C…0001 lost the lead to bob_bids.", "ok"],
  ["outbid", "All eyes on dave, our new leader.", "leader"],
  ["outbid", "All eyes on bob_bids, our leader.", "ok"],
  ["outbid", "dave, the top bidder, is quiet.", "leader"],
  ["outbid", "dave's bid is the one to beat.", "leader"],
  ["outbid", "bob_bids's bid is the one to beat.", "ok"],
  ["outbid", "Top bid belongs to dave.", "leader"],
  ["outbid", "bob_bids has it at 0.6 ETH.", "ok"],
  ["outbid", "The high bid: dave at 0.6 ETH.", "leader"],
  ["outbid", "Current leader → dave.", "leader"],
  ["outbid", "Leader = dave.", "leader"],
  ["outbid", "bob_bids leads.", "ok"],
  ["outbid", "BOB_BIDS LEADS!", "ok"],
  ["outbid", "bob\u200B_bids leads.", "ok"],
  ["outbid", "ｂｏｂ＿ｂｉｄｓ leads.", "ok"],
  ["outbid", "bоb_bids leads.", "obfuscation"],
  ["outbid", "b0b_bids leads.", "leader"],
  ["outbid", "carol\u200B leads.", "name"],
  ["outbid", "0xa11c...0001 leads.", "leader"],
  ["outbid", "0xa11c...0001, you've been outbid.", "ok"],
  ["outbid", "Nobody has bid yet.", "leader"],
  ["outbid", "The lot still has no bids.", "leader"],
  ["outbid", "[bob](https://evil.xyz) leads.", "url"],
  ["outbid", "**dave** leads!", "leader"],
  ["outbid", "_dave_ is winning.", "leader"],
  // --- A sale while the lot is open ---
  ["outbid", "Hammer falls for bob_bids!", "sale_while_open"],
  ["outbid", "Sold to bob!", "leader"],
  ["outbid", "Going once, going twice... gone!", "sale_while_open"],
  ["outbid", "Going once, going twice, gone to bob_bids!", "sale_while_open"],
  ["outbid", "Gone! bob_bids takes lot 3.", "sale_while_open"],
  ["outbid", "Going once at 0.6 ETH...", "ok"],
  ["outbid", "The crown goes to bob_bids!", "sale_while_open"],
  ["outbid", "Congratulations bob_bids, it's yours!", "sale_while_open"],
  ["outbid", "bob_bids is the proud new owner of lot 3.", "sale_while_open"],
  ["outbid", "S-O-L-D to bob_bids!", "obfuscation"],
  ["outbid", "$OLD to bob_bids!", "sale_while_open"],
  ["outbid", "SO LD to bob_bids!", "sale_while_open"],
  ["outbid", "5OLD to bob_bids!", "number"],
  ["outbid", "The auction is over: bob_bids wins.", "sale_while_open"],
  ["outbid", "Bidding is closed, bob_bids wins.", "sale_while_open"],
  ["outbid", "Lot 3 is closed.", "sale_while_open"],
  ["outbid", "Lot 3 is still open, bob_bids leads.", "ok"],
  ["outbid", "Not sold yet: bob_bids leads.", "ok"],
  // --- Addresses ---
  ["outbid", "bob_bids, 0xB0B0000000000000000000000000000000000002, leads.", "ok"],
  ["outbid", "0xb0b0000000000000000000000000000000000002 leads.", "ok"],
  ["outbid", "0xA11CE00000000000000000000000000000000001 leads.", "leader"],
  ["outbid", "Outbid: 0xa11ce00000000000000000000000000000000001.", "ok"],
  ["outbid", "0xB0B0…0002 leads.", "ok"],
  ["outbid", "0xB0B0...0002 leads.", "ok"],
  ["outbid", "0x1234…abcd leads.", "address"],
  ["outbid", "Pay 0x9999999999999999999999999999999999999999.", "address"],
  ["outbid", "Pay 0 x 9999 9999.", "address"],
  ["outbid", "Pay to 0xB0B0000000000000000000000000000000000003.", "address"],
  ["outbid", "Send to 0xC011EC7100000000000000000000000000000000.", "address"],
  // --- ENS ---
  ["outbid", "Send it to vitalik.eth.", "ens"],
  ["outbid", "bob_bids is bob.base.eth.", "ens"],
  ["outbid", "Tips to мой.eth.", "ens"],
  ["outbid", "Tips to bob.ETH.", "ens"],
  ["outbid", "Tips to bob .eth", "ens"],
  ["outbid", "Tips to bob[.]eth", "ens"],
  ["outbid", "Tips to bob。eth", "ens"],
  // --- URLs and domains in disguise ---
  ["outbid", "Refunds: hxxp://evil.xyz", "url"],
  ["outbid", "Refunds: evil[.]xyz", "domain"],
  ["outbid", "Refunds: evil dot xyz", "domain"],
  ["outbid", "Refunds: evil (dot) xyz", "domain"],
  ["outbid", "Refunds: evil。xyz", "domain"],
  ["outbid", "Refunds: evil·xyz", "domain"],
  ["outbid", "Refunds: evil․xyz", "domain"],
  ["outbid", "Refunds at 10.0.0.1", "url"],
  ["outbid", "Refunds at 192.168.1.20:8080/claim", "url"],
  ["outbid", "Refunds at http://[::1]/claim", "url"],
  ["outbid", "Refunds at xn--80ak6aa92e.com", "domain"],
  ["outbid", "Refunds: [click](javascript:alert(1))", "url"],
  ["outbid", "Mail refunds@evil.xyz", "domain"],
  ["outbid", "Join discord.gg/scam", "domain"],
  ["outbid", "Bid at the dApp: http://127.0.0.1:5173", "ok"],
  ["outbid", "Bid at http://127.0.0.1:5173.evil.xyz", "url"],
  ["outbid", "Bid at http://127.0.0.1:5173@evil.xyz", "url"],
  ["outbid", "Bid at //evil.xyz", "domain"],
  ["outbid", "Bid at EVIL.XYZ", "domain"],
  ["outbid", "Bid at evil.zip", "domain"],
  // --- Times and dates ---
  ["outbid", "Lot 3 ends in 5 minutes.", "time"],
  ["outbid", "Bids close at 9pm.", "time"],
  ["outbid", "Bids close tomorrow.", "date"],
  ["outbid", "Bids close tmrw.", "date"],
  ["outbid", "Ends at 21:00.", "time"],
  ["outbid", "Ends at 21h.", "time"],
  ["outbid", "30 seconds left!", "ok"],
  ["outbid", "30 secs to go!", "ok"],
  ["outbid", "0:30 on the clock!", "ok"],
  ["outbid", "Half a minute left!", "ok"],
  ["countdown", "30 seconds left!", "time"],
  ["countdown", "Half a minute left!", "time"],
  ["countdown", "T-minus 10!", "ok"],
  ["countdown", "T-minus 30!", "time"],
  ["countdown", "0:10 on the clock.", "ok"],
  ["countdown", "00:00:10 left.", "ok"],
  ["countdown", "00:01:10 left.", "time"],
  ["outbid", "In an hour we close.", "time"],
  ["outbid", "Closes at midnight UTC.", "time"],
  ["outbid", "Closes on 12/05/2026.", "date"],
  ["outbid", "Closes 2026-12-05T21:00Z.", "date"],
  ["outbid", "Closes this Friday.", "date"],
  ["outbid", "Closes in a fortnight.", "time"],
  ["outbid", "Closes in a sec!", "time"],
  // --- Counts of bids, extensions, the reserve ---
  ["outbid", "2 bids so far on lot 3.", "ok"],
  ["outbid", "3 bids so far on lot 3.", "number"],
  ["outbid", "Two bids so far.", "number_word"],
  ["outbid", "bob_bids placed the 2nd bid.", "date"],
  ["outbid", "The reserve is met!", "ok"],
  ["outbid", "Reserve met at 0.6 ETH.", "ok"],
  ["outbid", "The reserve is not met yet.", "reserve"],
  ["outbid", "We're still below the reserve.", "reserve"],
  ["outbid", "No reserve on this one!", "reserve"],
  ["fresh", "The reserve is not met yet: 0.1 ETH opens it.", "ok"],
  ["fresh", "Reserve met!", "reserve"],
  ["fresh", "We're past the reserve!", "reserve"],
  ["fresh", "No bids yet, start us off at 0.1 ETH!", "ok"],
  ["fresh", "0 bids so far.", "ok"],
  ["fresh", "2 bids so far.", "number"],
  ["fresh", "carol leads.", "name"],
  ["fresh", "dave leads at 0.1 ETH.", "leader"],
  ["fresh", "Nobody leads yet. 60 seconds on the clock.", "ok"],
  ["fresh", "A minute on the clock for lot 3.", "ok"],
  ["fresh", "Opening bid 0.1 ETH.", "ok"],
  ["fresh", "Opening bid 0.2 ETH.", "amount"],
  // --- True lines that look like claims: they must pass (a guard that rejects everything is no answer) ---
  ["outbid", "bob_bids is leading with 0.6 ETH. Who's next?", "ok"],
  ["outbid", "Reserve met, we have a real auction!", "ok"],
  ["outbid", "The reserve of 0.1 ETH has been cleared.", "ok"],
  ["outbid", "We've cleared the reserve!", "ok"],
  ["outbid", "If the reserve isn't met, there's no sale.", "ok"],
  ["outbid", "Nobody outbids bob_bids so far!", "ok"],
  ["outbid", "Can anyone outbid bob_bids?", "ok"],
  ["outbid", "Don't get outbid!", "ok"],
  ["outbid", "Leading: bob_bids at 0.6 ETH.", "ok"],
  ["outbid", "In front: bob_bids.", "ok"],
  ["outbid", "Bidding is open!", "ok"],
  ["outbid", "It's not over yet!", "ok"],
  ["outbid", "The lot isn't over until the hammer falls.", "ok"],
  ["outbid", "That's 2 bids on lot 3 so far.", "ok"],
  ["outbid", "bob_bids, our leader, sits at 0.6 ETH.", "ok"],
  ["outbid", "Thanks to everyone bidding, especially bob_bids, our top bidder.", "ok"],
  ["outbid", "0.66 ETH takes the lead from bob_bids.", "ok"],
  ["outbid", "We're well past the reserve at 0.6 ETH.", "ok"],
  ["outbid", "The top bid is 0.6 ETH, held by bob_bids.", "ok"],
  ["outbid", "0xA11C…0001 got outbid by bob_bids.", "ok"],
  ["outbid", "Leading the way is bob_bids!", "ok"],
  ["outbid", "Visit http://127.0.0.1:5173/lot/3 to bid.", "ok"],
  ["outbid", "Bid at http://127.0.0.1:5173.", "ok"],
  ["outbid", "Is the lot closed? Not yet!", "ok"],
  ["outbid", "bob_bids has gone to 0.6 ETH!", "ok"],
  ["outbid", "Lotte · lot 3 · 0.6 ETH", "ok"],
  ["outbid", "It could be yours for 0.66 ETH.", "ok"],
  ["outbid", "It's yours for 0.66 ETH!", "ok"],
  ["outbid", "No one is ahead of bob_bids.", "ok"],
  ["answer", "@viewer42 bid 0.66 ETH and you're in the lead.", "ok"],
  ["answer", "@viewer42 are you in the lead? Not yet: bob_bids leads.", "ok"],
  ["answer", "@viewer42 it's not yours yet: bob_bids leads.", "ok"],
  ["answer", "@viewer42 the reserve is met.", "ok"],
  ["answer", "@viewer42 there have been 2 bids.", "ok"],
  ["sold", "The reserve was met and lot 3 is sold to bob_bids!", "ok"],
  ["sold", "Bidding is closed: bob_bids wins at 0.6 ETH.", "ok"],
  // --- Second round: more spellings of the same lies, and the true lines next to them ---
  ["outbid", "bob_bids bids ₿0.6.", "amount"],
  ["outbid", "bob_bids bids 0.6₿.", "amount"],
  ["outbid", "bob_bids bids ◎0.6.", "amount"],
  ["outbid", "Bid an ETH and it's yours!", "amount"],
  ["outbid", "A couple of ETH would take the lead.", "amount"],
  ["outbid", "Nought point six six ETH to lead.", "number_word"],
  ["outbid", "Pay with an ETH wallet: 0.66 ETH leads.", "ok"],
  ["outbid", "Ξ.66 takes the lead.", "ok"],
  ["outbid", "0.6 Ethereum from bob_bids.", "ok"],
  ["outbid", "0.7 Ethereum from bob_bids.", "amount"],
  ["outbid", "500 milliether is not enough.", "amount"],
  ["outbid", "dave has overtaken bob_bids.", "leader"],
  ["outbid", "dave has taken the lead!", "leader"],
  ["outbid", "dave is now leading.", "leader"],
  ["outbid", "bob_bids is now leading.", "ok"],
  ["outbid", "dave got the lead.", "leader"],
  ["outbid", "dave regains the lead!", "leader"],
  ["outbid", "bob_bids retakes the lead!", "ok"],
  ["outbid", "dave is the one to beat.", "leader"],
  ["outbid", "bob_bids is the one to beat.", "ok"],
  ["outbid", "dave's in pole position.", "leader"],
  ["outbid", "dave sits at the top.", "leader"],
  ["outbid", "The lead is now dave's.", "leader"],
  ["outbid", "The lead is now bob_bids's.", "ok"],
  ["outbid", "The winning bidder is dave.", "leader"],
  ["outbid", "dave owns lot 3 now.", "leader"],
  ["outbid", "Knocked down to bob_bids!", "sale_while_open"],
  ["outbid", "The gavel falls!", "sale_while_open"],
  ["outbid", "That's a wrap on lot 3!", "sale_while_open"],
  ["outbid", "Final price: 0.6 ETH.", "sale_while_open"],
  ["outbid", "This could be the final price: 0.6 ETH.", "ok"],
  ["outbid", "ŠOLD to bob_bids!", "sale_while_open"],
  ["outbid", "Śold!", "sale_while_open"],
  ["outbid", "d\u0301ave leads.", "leader"],
  ["outbid", "Reserve: not met.", "reserve"],
  ["outbid", "Reserve: met.", "ok"],
  ["outbid", "This lot is reserve-free!", "reserve"],
  ["outbid", "Bids: 2.", "ok"],
  ["outbid", "Bids: 5.", "number"],
  ["outbid", "Bid count is 2.", "ok"],
  ["outbid", "Tips to 🦄.eth", "ens"],
  ["outbid", "Refunds at 💰.xyz", "domain"],
  ["outbid", "Refunds at evil.c0m", "number"],
  ["outbid", "Refunds at evil{.}xyz", "domain"],
  ["outbid", "Refunds at evil[dot]xyz", "domain"],
  ["outbid", "Ends at 17h00.", "time"],
  ["outbid", "Ends in 24h.", "time"],
  ["outbid", "Closing on the 5th of December.", "date"],
  ["outbid", "Ends in half an hour.", "time"],
  ["outbid", "Ends in thirty secs.", "ok"],
  ["countdown", "Ten secs left!", "ok"],
  ["countdown", "Ends in thirty secs.", "time"],
  ["answer", "@viewer42 your bid leads!", "leader"],
  ["answer", "@viewer42 your bid is the top bid.", "leader"],
  ["answer", "@viewer42 is your bid on top? Not yet.", "ok"],
  ["answer", "@viewer42 congrats, you won!", "leader"],
  ["answer", "@viewer42 you're winning!", "leader"],
  ["answer", "@viewer42 you've won lot 3!", "leader"],
  ["sold", "bob_bids, you've won!", "ok"],
  ["sold", "dave, you've won!", "leader"],
  ["sold", "Knocked down to bob_bids at 0.6 ETH!", "ok"],
  ["sold", "The gavel falls for bob_bids!", "ok"],
  ["sold", "The gavel falls for dave!", "leader"],
  ["sold", "Final price: 0.6 ETH.", "ok"],
  ["sold", "Final price: 0.66 ETH.", "amount"],
  ["outbid", "Going once... going twice... not gone yet!", "ok"],
  ["outbid", "The final price is up to you.", "ok"],
  ["outbid", "Will the gavel fall? Not yet!", "ok"],
  ["outbid", "0xA11C…0001 has been outbid by bob_bids.", "ok"],
  ["outbid", "Café talk aside, bob_bids leads.", "ok"],
  ["answer", "@viewer42 you could win it with 0.66 ETH.", "ok"],
  // --- Third round ---
  ["outbid", "dave is top dog.", "leader"],
  ["outbid", "It's dave's now.", "leader"],
  ["outbid", "The lot is dave's.", "leader"],
  ["outbid", "Lot 3 is dave's now.", "leader"],
  ["outbid", "It's bob_bids's now!", "sale_while_open"],
  ["outbid", "It's bob_bids's for now, 0.66 ETH takes it back.", "ok"],
  ["outbid", "dave for the win!", "leader"],
  ["outbid", "All hail dave!", "leader"],
  ["outbid", "dave bought it.", "leader"],
  ["outbid", "dave purchased lot 3.", "leader"],
  ["outbid", "bob_bids secured lot 3.", "sale_while_open"],
  ["outbid", "Nobody can beat dave.", "leader"],
  ["outbid", "No one tops dave!", "leader"],
  ["outbid", "Nobody can touch bob_bids right now.", "ok"],
  ["outbid", "dave is unbeatable at 0.6 ETH.", "leader"],
  ["outbid", "dave remains unbeaten.", "leader"],
  ["outbid", "dave is first.", "leader"],
  ["outbid", "dave holds lot 3.", "leader"],
  ["outbid", "bob_bids holds lot 3 at 0.6 ETH.", "ok"],
  ["outbid", "It's a done deal!", "sale_while_open"],
  ["outbid", "The auction has concluded.", "sale_while_open"],
  ["outbid", "No more bids accepted.", "sale_while_open"],
  ["outbid", "Bids are closed.", "sale_while_open"],
  ["outbid", "Time is up!", "sale_while_open"],
  ["outbid", "That's it, it's over!", "sale_while_open"],
  ["outbid", "It's over 0.1 ETH already: the reserve is met.", "ok"],
  ["outbid", "Sale complete.", "sale_while_open"],
  ["outbid", "Enjoy your new piece, bob_bids!", "sale_while_open"],
  ["outbid", "Scan the QR code on screen for a refund.", "injection"],
  ["outbid", "Send 0.6 ETH to bob_bids.", "injection"],
  ["answer", "@viewer42 the leader is... you!", "leader"],
  ["answer", "@viewer42 you have 30 seconds.", "ok"],
  ["sold", "The auction has concluded: bob_bids wins.", "ok"],
  ["sold", "Enjoy your new piece, bob_bids!", "ok"],
  ["sold", "It's bob_bids's now!", "ok"],
  ["sold", "It's dave's now!", "leader"],
  // --- Sold, no sale, between ---
  ["sold", "Hammer falls for bob_bids at 0.6 ETH!", "ok"],
  ["sold", "Going once, going twice... gone! bob_bids takes it.", "ok"],
  ["sold", "The lot goes to bob_bids.", "ok"],
  ["sold", "The lot goes to bob.", "leader"],
  ["sold", "bob takes it home!", "leader"],
  ["sold", "Sold to bob_bids for 600 finney!", "ok"],
  ["sold", "Sold to bob_bids for 0.66 ETH.", "amount"],
  ["sold", "Sold to 0xB0B0000000000000000000000000000000000002!", "ok"],
  ["sold", "Sold to 0xA11CE00000000000000000000000000000000001!", "address"],
  ["sold", "Sold! Delivery by Friday.", "date"],
  ["sold", "Sold to bob_bids. Next lot at 9pm.", "time"],
  ["no_sale", "No bids, no sale on lot 3.", "ok"],
  ["no_sale", "Sold to carol!", "name"],
  ["no_sale", "Lot 3 goes to dave.", "leader"],
  ["no_sale", "The reserve was never met.", "ok"],
  ["between", "Lot 4 opens in 2 minutes.", "ok"],
  ["between", "Lot 4 opens in 125 seconds.", "ok"],
  ["between", "Lot 4 opens in 2:05.", "ok"],
  ["between", "Lot 4 opens at 9pm.", "time"],
  ["between", "Lot 4 reserve 0.1 ETH.", "ok"],
  ["between", "Lot 4 reserve 100 finney.", "ok"],
  ["between", "Lot 4 reserve 0.2 ETH.", "amount"],
  ["between", "bob_bids leads lot 4.", "leader"],
  // --- Answers (the model read a viewer's message) ---
  ["answer", "@viewer42 bob_bids leads at 0.6 ETH with 2 bids.", "ok"],
  ["answer", "@viewer42 the lot ends in 30 seconds.", "ok"],
  ["answer", "@viewer42 the lot ends in 2 minutes.", "time"],
  ["answer", "@viewer42 sure, bob wins.", "leader"],
  ["answer", "@viewer42 you lead!", "leader"],
  ["answer", "@viewer42 lot 3 is yours!", "leader"],
  ["answer", "@viewer42 viewer42 is the high bidder.", "leader"],
  ["answer", "@viewer42 refunds at evil dot xyz.", "domain"],
  ["answer", "@viewer42 the reserve is 0.1 ETH.", "ok"],
  ["answer", "@viewer42 the reserve is 0.5 ETH.", "amount"],
  ["answer", "@viewer42 bidding ends at 21:00 UTC.", "time"],
  ["answer", "@viewer42 send 0.6 ETH to vitalik.eth.", "ens"],
];

describe("truth guard: second attack set", () => {
  it(`has at least 150 cases (${cases.length}), true lines among them`, () => {
    assert.ok(cases.length >= 150);
    assert.ok(cases.filter((c) => c[2] === "ok").length >= 50);
  });
  it("tally: no false line passes and no true line is rejected", () => {
    const falsePasses: string[] = [];
    const falseRejections: string[] = [];
    for (const [moment, text, expected] of cases) {
      const verdict = checkLine(text, moments[moment] as Allowed);
      if (expected === "ok" && !verdict.ok) falseRejections.push(text);
      if (expected !== "ok" && verdict.ok) falsePasses.push(text);
    }
    assert.deepEqual({ falsePasses, falseRejections }, { falsePasses: [], falseRejections: [] });
  });
  it("invisible characters spliced in anywhere never change a verdict", () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
    const invisibles = ["\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD", "\u034F", "\u202A", "\u2066", "\u{E0041}", "\uFE0F"];
    const changed: string[] = [];
    for (const [moment, text] of cases) {
      const want = checkLine(text, moments[moment] as Allowed).ok;
      const chars = [...text];
      for (let i = 0; i < 8; i++) {
        const at = Math.floor(rnd() * (chars.length + 1));
        const spliced = [...chars.slice(0, at), invisibles[Math.floor(rnd() * invisibles.length)], ...chars.slice(at)].join("");
        if (checkLine(spliced, moments[moment] as Allowed).ok !== want) changed.push(JSON.stringify(spliced));
      }
    }
    assert.deepEqual(changed, []);
  });
  it("a false line stays rejected with any letter swapped for a look-alike (Cyrillic, Greek, fullwidth, accented)", () => {
    const lookalikes: Record<string, string[]> = {
      a: ["а", "ａ", "á"], e: ["е", "ｅ", "é"], o: ["о", "ο", "ｏ", "ö"], p: ["р", "ρ"], c: ["с", "ϲ"], x: ["х", "χ"], y: ["у"], i: ["і", "ι", "í"],
      s: ["ѕ", "ｓ", "š"], d: ["ԁ", "ｄ"], l: ["ӏ", "ｌ"], n: ["ո", "ñ"], t: ["т", "ｔ"], w: ["ԝ", "ｗ"], S: ["Ѕ", "Ｓ"], O: ["О", "Ο"], L: ["Ｌ"], D: ["Ｄ"],
    };
    let seed = 5;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
    const passed: string[] = [];
    for (const [moment, text, expected] of cases) {
      if (expected === "ok") continue;
      const chars = [...text];
      const swappable = chars.flatMap((c, at) => (lookalikes[c] ?? []).map((alt) => ({ at, alt })));
      // Three swaps per line, drawn at random (every swap of every line takes seconds).
      for (let i = 0; i < 3 && swappable.length; i++) {
        const { at, alt } = swappable[Math.floor(rnd() * swappable.length)] as { at: number; alt: string };
        const swapped = [...chars.slice(0, at), alt, ...chars.slice(at + 1)].join("");
        if (checkLine(swapped, moments[moment] as Allowed).ok) passed.push(JSON.stringify(swapped));
      }
    }
    assert.deepEqual(passed, []);
  });
  for (const [moment, text, expected] of cases) {
    it(`${moment}: ${JSON.stringify(text)} -> ${expected}`, () => {
      const verdict = checkLine(text, moments[moment] as Allowed);
      if (expected === "ok") assert.deepEqual(verdict, { ok: true }, "a true line was rejected");
      else {
        assert.equal(verdict.ok, false, "a false line passed");
        const { reasons, problems } = verdict as { reasons: GuardReason[]; problems: string[] };
        assert.ok(reasons.includes(expected), `reasons ${reasons.join(", ")}: ${problems.join("; ")}`);
      }
    });
  }
});
