/**
 * @module chains
 * The networks SothebAIs runs on. Definitions come from viem; nothing is redefined.
 */
import { type Chain, hardhat, shape, shapeSepolia } from "viem/chains";

export type NetworkName = "local" | "shapeSepolia" | "shape";

export const networks = {
  local: hardhat,
  shapeSepolia,
  shape,
} as const satisfies Record<NetworkName, Chain>;

export const networkNames = Object.keys(networks) as NetworkName[];

/** Shape's Blockscout explorers, for links in chat, the dApp and the stream. */
export const explorers: Record<number, string | undefined> = {
  [shape.id]: "https://shapescan.xyz",
  [shapeSepolia.id]: "https://sepolia.shapescan.xyz",
};

export function chainById(chainId: number): Chain {
  const chain = Object.values(networks).find((c) => c.id === chainId);
  if (!chain) throw new Error(`unknown chain id ${chainId}: expected one of ${Object.values(networks).map((c) => c.id).join(", ")}`);
  return chain;
}

export function networkByName(name: string): Chain {
  if (!(name in networks)) throw new Error(`unknown network "${name}": expected one of ${networkNames.join(", ")}`);
  return networks[name as NetworkName];
}

/** Link to a transaction on the chain's explorer, or undefined on the local chain. */
export function txUrl(chainId: number, hash: string): string | undefined {
  const base = explorers[chainId];
  return base ? `${base}/tx/${hash}` : undefined;
}
