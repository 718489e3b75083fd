/**
 * @module auth/roles
 * Which AuctionHouse roles an address holds, read from the chain (`hasRole`), with a short per-address
 * cache so a page that polls does not cost an RPC read per request. The chain decides: nothing here is
 * stored beyond the cache, and {@link RoleReader.forget} drops an address at once (RoleRevoked).
 */
import { auctionHouseAbi } from "@sothebais/common/abis";
import type { Address } from "@sothebais/common/deployments";
import { keccak256, type PublicClient, toHex, zeroHash } from "viem";

/** The roles that open the operator API, by their console names (dapp/src/lib/contracts.ts `RoleName`). */
export const operatorRoles = {
  admin: zeroHash,
  auctioneer: keccak256(toHex("AUCTIONEER_ROLE")),
  pauser: keccak256(toHex("PAUSER_ROLE")),
} as const;
export type OperatorRole = keyof typeof operatorRoles;
export const operatorRoleNames = Object.keys(operatorRoles) as OperatorRole[];

/** The role name of an on-chain role id, if it is one that opens the operator API. */
export const roleNameOf = (id: string): OperatorRole | undefined =>
  operatorRoleNames.find((name) => operatorRoles[name].toLowerCase() === id.toLowerCase());

export type RoleReader = {
  /** The operator roles `address` holds now (cached for `cacheMs`). */
  rolesOf: (address: Address) => Promise<OperatorRole[]>;
  /** Forget the cached roles of `address` (a RoleRevoked or RoleGranted was seen). */
  forget: (address: Address) => void;
};

export function createRoleReader(o: { client: PublicClient; house: Address; cacheMs: number; now?: () => number }): RoleReader {
  const now = o.now ?? Date.now;
  const cache = new Map<string, { at: number; roles: Promise<OperatorRole[]> }>();
  const read = async (address: Address) => {
    const held = await Promise.all(
      operatorRoleNames.map((name) =>
        o.client.readContract({ address: o.house, abi: auctionHouseAbi, functionName: "hasRole", args: [operatorRoles[name], address] }),
      ),
    );
    return operatorRoleNames.filter((_, i) => held[i]);
  };
  return {
    rolesOf(address) {
      const key = address.toLowerCase();
      const hit = cache.get(key);
      if (hit && now() - hit.at < o.cacheMs) return hit.roles;
      const roles = read(address);
      cache.set(key, { at: now(), roles });
      // A failed read is not kept: the next request reads again.
      roles.catch(() => cache.get(key)?.roles === roles && cache.delete(key));
      if (cache.size > 10_000) cache.delete(cache.keys().next().value as string);
      return roles;
    },
    forget: (address) => void cache.delete(address.toLowerCase()),
  };
}
