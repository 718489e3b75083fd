/** `./sothebais role grant|revoke|list`: manage AccessControl roles on the AuctionHouse and the collection. */
import { roles, type RoleName } from "@sothebais/common/deploy";
import type { Address } from "@sothebais/common/deployments";
import { FatalError } from "@sothebais/common/errors";
import { getAbiItem, type AbiEvent } from "viem";
import { type Contracts, field, type Command, runMain } from "../lib/cli.ts";
import { roleName } from "../lib/errors.ts";
import { scanLogs } from "../lib/lots.ts";
import { parseAddress } from "../lib/parse.ts";

const houseRoles: RoleName[] = ["DEFAULT_ADMIN_ROLE", "AUCTIONEER_ROLE", "RELAYER_ROLE", "PAUSER_ROLE"];
const collectionRoles: RoleName[] = ["DEFAULT_ADMIN_ROLE", "MINTER_ROLE"];

function parseRole(value: string, allowed: RoleName[]): RoleName {
  const upper = value.toUpperCase();
  const name = (upper.endsWith("_ROLE") ? upper : `${upper}_ROLE`) as RoleName;
  const normal = upper === "ADMIN" || upper === "DEFAULT_ADMIN" ? "DEFAULT_ADMIN_ROLE" : name;
  if (!allowed.includes(normal)) throw new FatalError(`unknown role "${value}": expected one of ${allowed.map((r) => r.replace(/_ROLE$/, "").toLowerCase()).join(", ")}`);
  return normal;
}

export const command: Command = {
  name: "role",
  summary: "Grant, revoke or list roles (auctioneer, relayer, pauser on the house; minter on the collection).",
  usage: "grant|revoke <role> <address> | list [address]",
  options: { contract: { type: "string" } },
  help: { contract: "house | collection (default: collection for minter, else house)" },
  details: `The default admin (owner()) is transferred with a delay through AccessControlDefaultAdminRules, not here.
Examples:
  ./sothebais role grant relayer 0xRelayerSender --network shapeSepolia
  ./sothebais role revoke auctioneer 0xOldOps
  ./sothebais role list                 # every holder, from RoleGranted/RoleRevoked events
  ./sothebais role list 0xSomeone       # which roles 0xSomeone has`,
  run: async (ctx) => {
    const [action, ...rest] = ctx.positionals;
    const c = await ctx.contracts();
    const pick = (role: RoleName): Contracts["house"] | Contracts["collection"] => {
      const which = (ctx.values.contract as string | undefined) ?? (role === "MINTER_ROLE" ? "collection" : "house");
      if (which !== "house" && which !== "collection") throw new FatalError(`--contract: expected house or collection, got "${which}"`);
      return which === "house" ? c.house : c.collection;
    };
    if (action === "grant" || action === "revoke") {
      if (rest.length !== 2) throw new FatalError(`role ${action} needs <role> <address> (see ./sothebais role --help)`);
      const role = parseRole(rest[0], [...new Set([...houseRoles, ...collectionRoles])]);
      if (role === "DEFAULT_ADMIN_ROLE") throw new FatalError("the default admin role moves with beginDefaultAdminTransfer/acceptDefaultAdminTransfer, not grant/revoke");
      const account = field("address", parseAddress, rest[1]);
      const target = pick(role);
      const has = await ctx.read<boolean>({ ...target, functionName: "hasRole", args: [roles[role], account] });
      if ((action === "grant") === has) {
        ctx.print(`${account} ${has ? "already has" : "does not have"} ${role}: nothing to do`);
        return;
      }
      ctx.print(`${action === "grant" ? "granting" : "revoking"} ${role} ${action === "grant" ? "to" : "from"} ${account}`);
      await ctx.send({ ...target, functionName: action === "grant" ? "grantRole" : "revokeRole", args: [roles[role], account] });
      ctx.print(`done: ${account} ${action === "grant" ? "has" : "no longer has"} ${role}`);
      return;
    }
    if (action === "list") {
      if (rest.length > 1) throw new FatalError("role list takes at most one address");
      const targets = [
        { label: "AuctionHouse", contract: c.house, roles: houseRoles },
        { label: "SothebaisCollection", contract: c.collection, roles: collectionRoles },
      ];
      if (rest.length === 1) {
        const account = field("address", parseAddress, rest[0]);
        for (const t of targets) {
          const held: string[] = [];
          for (const r of t.roles) if (await ctx.read<boolean>({ ...t.contract, functionName: "hasRole", args: [roles[r], account] })) held.push(r);
          ctx.print(`${t.label}: ${held.length ? held.join(", ") : "no roles"}`);
        }
        return;
      }
      const client = await ctx.publicClient();
      const fromBlock = BigInt(c.deployment.deployBlock);
      for (const t of targets) {
        const holders = new Map<string, Set<Address>>();
        const events = [
          getAbiItem({ abi: t.contract.abi, name: "RoleGranted" }),
          getAbiItem({ abi: t.contract.abi, name: "RoleRevoked" }),
        ] as AbiEvent[];
        const logs = (
          await Promise.all(events.map((event) => scanLogs(client, { address: t.contract.address, event, fromBlock })))
        )
          .flat()
          .sort((a, b) => Number(a.blockNumber - b.blockNumber) || (a.logIndex ?? 0) - (b.logIndex ?? 0));
        for (const log of logs) {
          const { role, account } = log.args as { role: string; account: Address };
          const set = holders.get(roleName(role)) ?? new Set<Address>();
          if (log.eventName === "RoleGranted") set.add(account);
          else set.delete(account);
          holders.set(roleName(role), set);
        }
        ctx.print(`${t.label} ${t.contract.address}`);
        for (const r of t.roles) ctx.print(`  ${r.padEnd(19)} ${[...(holders.get(r) ?? [])].join(", ") || "-"}`);
      }
      return;
    }
    throw new FatalError("role needs grant, revoke or list (see ./sothebais role --help)");
  },
};

if (import.meta.main) await runMain(command);
