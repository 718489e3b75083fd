/**
 * @module deployments
 * The deployment record `deployments/<chainId>.json`: where the contracts live on a chain and from
 * which block to index them. Written by the deploy script, read by every service and the dApp.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FatalError } from "./errors.ts";

export type Address = `0x${string}`;
export type Hash = `0x${string}`;

export type Deployment = {
  chainId: number;
  auctionHouse: Address;
  collection: Address;
  /** Block of the first deployment transaction: indexing starts here. */
  deployBlock: number;
  deployer: Address;
  /** Hash of block 0: a local chain restarted from scratch has a new one. */
  genesisHash: Hash;
  deployedAt: string;
};

/** Repo root, found from this file (common/src/deployments.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Where records live; `DEPLOYMENTS_DIR` overrides (tests use a temp dir). */
export function deploymentsDir(): string {
  return process.env.DEPLOYMENTS_DIR ? resolve(process.env.DEPLOYMENTS_DIR) : join(repoRoot, "deployments");
}

export function deploymentPath(chainId: number, dir = deploymentsDir()): string {
  return join(dir, `${chainId}.json`);
}

const isAddress = (v: unknown): v is Address => typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v);
const isHash = (v: unknown): v is Hash => typeof v === "string" && /^0x[0-9a-fA-F]{64}$/.test(v);

/** Checks a parsed record and names every bad field. */
export function validateDeployment(value: unknown, source = "deployment record"): Deployment {
  const v = (value ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (!Number.isSafeInteger(v.chainId)) problems.push(`chainId: got ${JSON.stringify(v.chainId)}, expected an integer`);
  for (const k of ["auctionHouse", "collection", "deployer"] as const) {
    if (!isAddress(v[k])) problems.push(`${k}: got ${JSON.stringify(v[k])}, expected an address`);
  }
  if (!Number.isSafeInteger(v.deployBlock) || (v.deployBlock as number) < 0) problems.push(`deployBlock: got ${JSON.stringify(v.deployBlock)}, expected a block number`);
  if (!isHash(v.genesisHash)) problems.push(`genesisHash: got ${JSON.stringify(v.genesisHash)}, expected a 32-byte hash`);
  if (problems.length) throw new FatalError(`${source} is invalid: ${problems.join("; ")}`);
  return v as unknown as Deployment;
}

export function loadDeployment(chainId: number, dir = deploymentsDir()): Deployment {
  const path = deploymentPath(chainId, dir);
  if (!existsSync(path)) {
    throw new FatalError(`no deployment for chain ${chainId} at ${path}`, {
      hints: [chainId === 31337 ? "start the local stack (./sothebais up) or deploy: ./sothebais deploy --network local" : `deploy first: ./sothebais deploy --network <name>`],
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new FatalError(`${path} is not valid JSON`, { cause });
  }
  const deployment = validateDeployment(parsed, path);
  if (deployment.chainId !== chainId) throw new FatalError(`${path} is for chain ${deployment.chainId}, not ${chainId}`);
  return deployment;
}

export function saveDeployment(deployment: Deployment, dir = deploymentsDir()): string {
  validateDeployment(deployment);
  const path = deploymentPath(deployment.chainId, dir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(deployment, null, 2)}\n`);
  return path;
}
