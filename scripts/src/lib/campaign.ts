/**
 * @module lib/campaign
 * A campaign file: a named series of lots (token URIs to mint or existing token ids, reserves, schedule,
 * increments, anti-sniping buffer). `validateCampaign` checks the whole file and names every bad entry;
 * `checkCampaignOnChain` adds what only the chain knows (roles, owners, approvals); `executeCampaign`
 * mints, creates the campaign and its lots back to back.
 *
 * @example file
 * {
 *   "name": "Genesis Night",
 *   "metadataURI": "ipfs://bafy…/campaign.json",
 *   "seller": "0xArtist",
 *   "start": "+10m",
 *   "gap": "30s",
 *   "intermission": "20s",
 *   "defaults": { "reserve": "0.05", "duration": "5m", "minIncrementBps": 500, "minIncrementFloor": "0.001", "timeBuffer": "2m" },
 *   "lots": [
 *     { "tokenURI": "ipfs://bafy…/1.json" },
 *     { "tokenId": 7, "reserve": "0.5", "duration": "10m" }
 *   ]
 * }
 */
import { type Hash, parseEventLogs, type TransactionReceipt } from "viem";
import { roles } from "@sothebais/common/deploy";
import type { Address } from "@sothebais/common/deployments";
import type { Contracts, SendParameters } from "./cli.ts";
import { parseAddress, parseBps, parseDuration, parseEth, parseId, parseTime, parseTokenURI } from "./parse.ts";

export type PlannedLot = {
  /** Position in the file (0-based), for messages. */
  index: number;
  token: { uri: string } | { tokenId: bigint };
  reserve: bigint;
  /** Explicit start (unix seconds), or undefined = right after the previous lot (the first: the campaign start). */
  start?: number;
  duration: number;
  minIncrementBps: number;
  minIncrementFloor: bigint;
  timeBuffer: number;
};

export type CampaignPlan = {
  name: string;
  metadataURI: string;
  /** Add the lots to this existing campaign instead of creating one. */
  campaignId?: bigint;
  seller?: Address;
  /** Unix seconds, or 0 = now. */
  start: number;
  gap: number;
  /** Seconds between one lot's close and the next lot's opening, enforced on chain (createCampaign). */
  intermission: number;
  lots: PlannedLot[];
};

/** The AuctionHouse's own limits (checked again on chain; here so a file fails before anything is sent). */
export const lotLimits = {
  maxReserve: (1n << 88n) - 1n,
  /** The floor must be > 0 and < 2**64 wei (AuctionHouseInvalidLotParams("minIncrementFloor")). */
  maxIncrementFloor: (1n << 64n) - 1n,
  maxIntermission: 86_400,
  maxDuration: 30 * 86_400,
  maxTimeBuffer: 3_600,
  maxStartDelay: 365 * 86_400,
} as const;

export const lotDefaults = { reserve: "0", duration: "5m", minIncrementBps: 500, minIncrementFloor: "0.001", timeBuffer: "2m" } as const;

/** The pause between two lots of a campaign when the file and the command line say nothing. */
export const defaultIntermission = "20s";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks the whole file; `problems` has one line per bad entry (empty when the plan is good). */
export function validateCampaign(input: unknown, now: number): { plan?: CampaignPlan; problems: string[] } {
  const problems: string[] = [];
  const take = <T>(path: string, parse: (v: unknown) => T, value: unknown): T | undefined => {
    try {
      return parse(value);
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message}`);
      return undefined;
    }
  };
  if (!isObject(input)) return { problems: ["the file must hold a JSON object with name and lots"] };
  const known = new Set(["name", "metadataURI", "campaignId", "seller", "start", "gap", "intermission", "defaults", "lots", "$schema", "description"]);
  for (const key of Object.keys(input)) if (!known.has(key)) problems.push(`${key}: unknown field (expected ${[...known].join(", ")})`);

  const campaignId = input.campaignId === undefined ? undefined : take("campaignId", parseId, input.campaignId);
  if (campaignId === 0n) problems.push("campaignId: 0 means no campaign; omit it to create one");
  const name = typeof input.name === "string" && input.name.trim() ? input.name.trim() : undefined;
  if (!name && campaignId === undefined) problems.push("name: expected a non-empty string");
  if (input.metadataURI !== undefined && typeof input.metadataURI !== "string") problems.push("metadataURI: expected a string");
  const seller = input.seller === undefined ? undefined : take("seller", parseAddress, input.seller);
  const start = input.start === undefined || input.start === "now" ? 0 : take("start", (v) => parseTime(v, now), input.start);
  const gap = input.gap === undefined ? 0 : take("gap", parseDuration, input.gap);
  const intermission = take("intermission", parseDuration, input.intermission ?? defaultIntermission);
  if (intermission !== undefined && intermission > lotLimits.maxIntermission) problems.push(`intermission: at most 1 day, got ${intermission} s`);
  if (intermission !== undefined && campaignId !== undefined && input.intermission !== undefined) problems.push("intermission: set when a campaign is created; campaign " + campaignId + " keeps its own");

  const defaults = input.defaults === undefined ? {} : input.defaults;
  if (!isObject(defaults)) problems.push("defaults: expected an object");
  const d = { ...lotDefaults, ...(isObject(defaults) ? defaults : {}) } as Json;
  const lotKeys = new Set(["tokenURI", "tokenId", "reserve", "start", "duration", "minIncrementBps", "minIncrementFloor", "timeBuffer", "title"]);
  if (isObject(defaults)) for (const key of Object.keys(defaults)) if (!lotKeys.has(key) || key === "tokenURI" || key === "tokenId") problems.push(`defaults.${key}: unknown field`);

  const lots: PlannedLot[] = [];
  if (!Array.isArray(input.lots) || input.lots.length === 0) problems.push("lots: expected a non-empty array");
  const seenTokens = new Map<bigint, number>();
  for (const [index, raw] of (Array.isArray(input.lots) ? input.lots : []).entries()) {
    const at = `lots[${index}]`;
    if (!isObject(raw)) {
      problems.push(`${at}: expected an object with tokenURI or tokenId`);
      continue;
    }
    for (const key of Object.keys(raw)) if (!lotKeys.has(key)) problems.push(`${at}.${key}: unknown field`);
    let token: PlannedLot["token"] | undefined;
    if ((raw.tokenURI === undefined) === (raw.tokenId === undefined)) problems.push(`${at}: give exactly one of tokenURI (to mint) or tokenId (already minted)`);
    else if (raw.tokenURI !== undefined) {
      const uri = take(`${at}.tokenURI`, parseTokenURI, raw.tokenURI);
      if (uri) token = { uri };
    } else {
      const tokenId = take(`${at}.tokenId`, parseId, raw.tokenId);
      if (tokenId !== undefined) {
        const dup = seenTokens.get(tokenId);
        if (dup !== undefined) problems.push(`${at}.tokenId: token ${tokenId} is already lots[${dup}]`);
        seenTokens.set(tokenId, index);
        token = { tokenId };
      }
    }
    const v = (k: string) => (raw[k] !== undefined ? raw[k] : d[k]);
    const src = (k: string) => (raw[k] !== undefined ? `${at}.${k}` : `defaults.${k}`);
    const reserve = take(src("reserve"), parseEth, v("reserve"));
    if (reserve !== undefined && reserve > lotLimits.maxReserve) problems.push(`${src("reserve")}: above the contract's limit`);
    const duration = take(src("duration"), parseDuration, v("duration"));
    if (duration !== undefined && (duration === 0 || duration > lotLimits.maxDuration)) problems.push(`${src("duration")}: expected 1 s to 30 days, got ${duration} s`);
    const minIncrementBps = take(src("minIncrementBps"), (x) => parseBps(x), v("minIncrementBps"));
    const minIncrementFloor = take(src("minIncrementFloor"), parseEth, v("minIncrementFloor"));
    if (minIncrementFloor !== undefined && minIncrementFloor > lotLimits.maxIncrementFloor) problems.push(`${src("minIncrementFloor")}: above the contract's limit (below 2^64 wei, about 18.4 ETH)`);
    if (minIncrementFloor === 0n) problems.push(`${src("minIncrementFloor")}: must be above 0 (e.g. "0.001")`);
    const timeBuffer = take(src("timeBuffer"), parseDuration, v("timeBuffer"));
    if (timeBuffer !== undefined && timeBuffer > lotLimits.maxTimeBuffer) problems.push(`${src("timeBuffer")}: at most 1 hour, got ${timeBuffer} s`);
    const lotStart = raw.start === undefined ? undefined : take(`${at}.start`, (x) => parseTime(x, now), raw.start);
    if (lotStart !== undefined && lotStart < now) problems.push(`${at}.start: ${lotStart} is in the past (chain time ${now})`);
    if (lotStart !== undefined && lotStart > now + lotLimits.maxStartDelay) problems.push(`${at}.start: more than a year ahead`);
    if (token && reserve !== undefined && duration !== undefined && minIncrementBps !== undefined && minIncrementFloor !== undefined && timeBuffer !== undefined) {
      lots.push({ index, token, reserve, start: lotStart, duration, minIncrementBps, minIncrementFloor, timeBuffer });
    }
  }
  if (start !== undefined && start !== 0 && start < now) problems.push(`start: ${start} is in the past (chain time ${now})`);
  // A bad default shows up once per lot that uses it: say it once.
  if (problems.length) return { problems: [...new Set(problems)] };
  return {
    plan: { name: name ?? "", metadataURI: typeof input.metadataURI === "string" ? input.metadataURI : "", campaignId, seller, start: start ?? 0, gap: gap ?? 0, intermission: intermission ?? 20, lots },
    problems,
  };
}

export type ChainAccess = {
  contracts: Contracts;
  read: <T = unknown>(p: { address: Address; abi: Contracts["house"]["abi"] | Contracts["collection"]["abi"]; functionName: string; args?: readonly unknown[] }) => Promise<T>;
};

/** What only the chain can tell: roles, token owners, approvals, the campaign's existence. */
export async function checkCampaignOnChain(plan: CampaignPlan, signer: Address, chain: ChainAccess): Promise<string[]> {
  const { house, collection } = chain.contracts;
  const problems: string[] = [];
  const seller = plan.seller ?? signer;
  const sellerIsSigner = seller.toLowerCase() === signer.toLowerCase();
  if (!(await chain.read<boolean>({ ...house, functionName: "hasRole", args: [roles.AUCTIONEER_ROLE, signer] }))) {
    problems.push(`signer ${signer} lacks AUCTIONEER_ROLE on the AuctionHouse`);
  }
  if (plan.lots.some((l) => "uri" in l.token) && !(await chain.read<boolean>({ ...collection, functionName: "hasRole", args: [roles.MINTER_ROLE, signer] }))) {
    problems.push(`signer ${signer} lacks MINTER_ROLE on the collection (needed for tokenURI lots)`);
  }
  if (plan.campaignId !== undefined) {
    const count = BigInt(await chain.read<bigint | number>({ ...house, functionName: "campaignCount" }));
    if (plan.campaignId > count) problems.push(`campaignId: campaign ${plan.campaignId} does not exist (there are ${count})`);
  }
  const approvedForAll = await chain.read<boolean>({ ...collection, functionName: "isApprovedForAll", args: [seller, house.address] });
  for (const lot of plan.lots) {
    if (!("tokenId" in lot.token)) continue;
    const at = `lots[${lot.index}].tokenId`;
    let owner: Address;
    try {
      owner = await chain.read<Address>({ ...collection, functionName: "ownerOf", args: [lot.token.tokenId] });
    } catch {
      problems.push(`${at}: token ${lot.token.tokenId} does not exist`);
      continue;
    }
    if (owner.toLowerCase() !== seller.toLowerCase()) {
      problems.push(`${at}: token ${lot.token.tokenId} is owned by ${owner}, not the seller ${seller}`);
      continue;
    }
    if (!sellerIsSigner && !approvedForAll) {
      const approved = await chain.read<Address>({ ...collection, functionName: "getApproved", args: [lot.token.tokenId] });
      if (approved.toLowerCase() !== house.address.toLowerCase()) problems.push(`${at}: the seller ${seller} has not approved the AuctionHouse for token ${lot.token.tokenId}`);
    }
  }
  if (!sellerIsSigner && !approvedForAll && plan.lots.some((l) => "uri" in l.token)) {
    problems.push(`seller ${seller} has not approved the AuctionHouse (setApprovalForAll) for new tokens — the seller runs: ./sothebais campaign approve`);
  }
  return problems;
}

export type CreatedLot = { index: number; lotId: bigint; tokenId: bigint; startTime: number; endTime: number; tx: Hash };

/**
 * Mints what has to be minted, approves (when the signer is the seller), creates the campaign unless an
 * id is given, then the lots in file order. A lot without an explicit start begins when the previous one
 * ends (plus the gap), read from the previous LotCreated, so lots run back to back without overlap.
 */
export async function executeCampaign(
  plan: CampaignPlan,
  p: { signer: Address; contracts: Contracts; send: (s: SendParameters) => Promise<TransactionReceipt>; read: ChainAccess["read"]; print: (line: string) => void },
): Promise<{ campaignId: bigint; lots: CreatedLot[] }> {
  const { house, collection } = p.contracts;
  const seller = plan.seller ?? p.signer;
  const tokenIds: bigint[] = [];
  for (const lot of plan.lots) {
    if ("tokenId" in lot.token) {
      tokenIds.push(lot.token.tokenId);
      continue;
    }
    const receipt = await p.send({ ...collection, functionName: "mint", args: [seller, lot.token.uri] });
    const [transfer] = parseEventLogs({ abi: collection.abi, logs: receipt.logs, eventName: "Transfer" });
    const tokenId = (transfer.args as { tokenId: bigint }).tokenId;
    tokenIds.push(tokenId);
    p.print(`minted token ${tokenId} to ${seller}`);
  }
  if (seller.toLowerCase() === p.signer.toLowerCase()) {
    const approved = await p.read<boolean>({ ...collection, functionName: "isApprovedForAll", args: [seller, house.address] });
    if (!approved) {
      await p.send({ ...collection, functionName: "setApprovalForAll", args: [house.address, true] });
      p.print("approved the AuctionHouse for the seller's tokens");
    }
  }
  let campaignId = plan.campaignId;
  if (campaignId === undefined) {
    const receipt = await p.send({ ...house, functionName: "createCampaign", args: [plan.name, plan.metadataURI, plan.intermission] });
    const [created] = parseEventLogs({ abi: house.abi, logs: receipt.logs, eventName: "CampaignCreated" });
    campaignId = BigInt((created.args as { campaignId: bigint | number }).campaignId);
    p.print(`created campaign #${campaignId} "${plan.name}" (intermission ${plan.intermission} s)`);
  }
  const created: CreatedLot[] = [];
  let nextStart = plan.start;
  for (const [i, lot] of plan.lots.entries()) {
    const startTime = lot.start ?? nextStart;
    const receipt = await p.send({
      ...house,
      functionName: "createLot",
      args: [
        {
          campaignId,
          nft: collection.address,
          tokenId: tokenIds[i],
          seller,
          reserve: lot.reserve,
          startTime,
          duration: lot.duration,
          minIncrementBps: lot.minIncrementBps,
          minIncrementFloor: lot.minIncrementFloor,
          timeBuffer: lot.timeBuffer,
        },
      ],
    });
    const [event] = parseEventLogs({ abi: house.abi, logs: receipt.logs, eventName: "LotCreated" });
    const a = event.args as { lotId: bigint; startTime: number; endTime: number; queued?: boolean };
    created.push({ index: lot.index, lotId: a.lotId, tokenId: tokenIds[i], startTime: Number(a.startTime), endTime: Number(a.endTime), tx: receipt.transactionHash });
    const when = `${new Date(Number(a.startTime) * 1000).toISOString()} -> ${new Date(Number(a.endTime) * 1000).toISOString()}`;
    p.print(`lot #${a.lotId}: token ${tokenIds[i]}, ${a.queued ? `queued behind the lot ahead (opens ${plan.intermission} s after it closes, not before ${new Date(Number(a.startTime) * 1000).toISOString()})` : when}`);
    nextStart = Number(a.endTime) + plan.gap;
  }
  return { campaignId, lots: created };
}
