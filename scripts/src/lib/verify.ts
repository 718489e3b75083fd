/**
 * @module lib/verify
 * Source verification on Shape's Blockscout explorers through their Etherscan-compatible API
 * (`module=contract&action=verifysourcecode`, standard JSON input from Hardhat's build info), then
 * polling `checkverifystatus` until the explorer says pass or fail.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { explorers } from "@sothebais/common/chains";
import { type Deployment, repoRoot } from "@sothebais/common/deployments";
import { FatalError } from "@sothebais/common/errors";
import { type Abi, type AbiParameter, encodeAbiParameters } from "viem";

type Artifact = { contractName: string; inputSourceName: string; buildInfoId: string; abi: Abi };
type BuildInfo = { solcLongVersion: string; input: unknown };
type ApiResponse = { status?: string; message?: string; result?: string };

export type VerifyParameters = {
  chainId: number;
  deployment: Deployment;
  constructorArgs: { auctionHouse: readonly unknown[]; collection: readonly unknown[] };
  print: (line: string) => void;
  /** Explorer API (…/api); default BLOCKSCOUT_API_URL, else the chain's Blockscout. */
  apiUrl?: string;
  pollMs?: number;
  timeoutMs?: number;
};

function readArtifact(name: string): { artifact: Artifact; buildInfo: BuildInfo } {
  const path = join(repoRoot, "artifacts/contracts/src", `${name}.sol`, `${name}.json`);
  if (!existsSync(path)) throw new FatalError(`no artifact for ${name} at ${path} — compile first (npx hardhat build)`);
  const artifact = JSON.parse(readFileSync(path, "utf8")) as Artifact;
  const infoPath = join(repoRoot, "artifacts/build-info", `${artifact.buildInfoId}.json`);
  if (!existsSync(infoPath)) throw new FatalError(`no build info ${infoPath} for ${name} — compile again (npx hardhat build)`);
  return { artifact, buildInfo: JSON.parse(readFileSync(infoPath, "utf8")) as BuildInfo };
}

function encodeConstructor(abi: Abi, args: readonly unknown[]): string {
  const ctor = abi.find((item) => item.type === "constructor") as { inputs: readonly AbiParameter[] } | undefined;
  if (!ctor || ctor.inputs.length === 0) return "";
  return encodeAbiParameters(ctor.inputs, args as unknown[]).slice(2);
}

async function call(url: string, init?: RequestInit): Promise<ApiResponse> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new FatalError(`cannot reach the explorer API ${new URL(url).origin}: ${(error as Error).message}`);
  }
  const text = await res.text();
  try {
    return JSON.parse(text) as ApiResponse;
  } catch {
    throw new FatalError(`explorer API answered HTTP ${res.status} with non-JSON: ${text.slice(0, 120)}`);
  }
}

/** Verifies one contract; resolves when the explorer reports it verified. */
export async function verifyContract(p: {
  apiUrl: string;
  name: string;
  address: string;
  constructorArgs: readonly unknown[];
  pollMs: number;
  timeoutMs: number;
}): Promise<"verified" | "already verified"> {
  const { artifact, buildInfo } = readArtifact(p.name);
  const form = new URLSearchParams({
    contractaddress: p.address,
    sourceCode: JSON.stringify(buildInfo.input),
    codeformat: "solidity-standard-json-input",
    contractname: `${artifact.inputSourceName}:${artifact.contractName}`,
    compilerversion: `v${buildInfo.solcLongVersion}`,
    constructorArguments: encodeConstructor(artifact.abi, p.constructorArgs),
  });
  const submit = await call(`${p.apiUrl}?module=contract&action=verifysourcecode`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form,
  });
  const said = `${submit.message ?? ""} ${submit.result ?? ""}`;
  if (/already verified/i.test(said)) return "already verified";
  if (submit.status !== "1" || !submit.result) throw new FatalError(`explorer rejected ${p.name}: ${said.trim() || "no reason given"}`);
  const guid = submit.result;
  const deadline = Date.now() + p.timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, p.pollMs));
    const check = await call(`${p.apiUrl}?module=contract&action=checkverifystatus&guid=${encodeURIComponent(guid)}`);
    const result = check.result ?? "";
    if (/pending|in queue/i.test(result)) continue;
    if (/already verified/i.test(result)) return "already verified";
    if (check.status === "1" || /^pass/i.test(result)) return "verified";
    throw new FatalError(`verification of ${p.name} failed: ${result || check.message || "no reason given"}`);
  }
  throw new FatalError(`verification of ${p.name} still pending after ${Math.round(p.timeoutMs / 1000)} s (guid ${guid}) — check the explorer later`);
}

export async function verifyDeployment(p: VerifyParameters): Promise<void> {
  const explorer = explorers[p.chainId];
  const apiUrl = p.apiUrl ?? process.env.BLOCKSCOUT_API_URL ?? (explorer ? `${explorer}/api` : undefined);
  if (!apiUrl) throw new FatalError(`no block explorer for chain ${p.chainId}: --verify works on shapeSepolia and shape (or set BLOCKSCOUT_API_URL)`);
  const common = { apiUrl, pollMs: p.pollMs ?? Number(process.env.VERIFY_POLL_MS ?? 3000), timeoutMs: p.timeoutMs ?? 180_000 };
  for (const [name, address, args] of [
    ["AuctionHouse", p.deployment.auctionHouse, p.constructorArgs.auctionHouse],
    ["SothebaisCollection", p.deployment.collection, p.constructorArgs.collection],
  ] as const) {
    p.print(`verifying ${name} at ${address} on ${new URL(apiUrl).origin}`);
    const outcome = await verifyContract({ ...common, name, address, constructorArgs: args });
    p.print(`${name}: ${outcome}${explorer ? ` ${explorer}/address/${address}#code` : ""}`);
  }
}
