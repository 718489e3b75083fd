/**
 * @module lib/cli
 * What every admin command shares: argument parsing (node:util parseArgs) with the common options,
 * `--help`, network and RPC selection, the signing key (env or encrypted keystore, never printed),
 * the deployment record, simulate-then-send transactions, and one `error: …` line with exit code 1
 * instead of a stack trace.
 *
 * @example
 * await runCommand({
 *   name: "pause", summary: "Stop new lots and bids.", usage: "", options: {},
 *   run: async (ctx) => { const { house } = await ctx.contracts(); await ctx.send({ ...house, functionName: "pause", args: [] }); },
 * });
 */
import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import { networkByName, type NetworkName, networkNames, txUrl } from "@sothebais/common/chains";
import { type Address, type Deployment, deploymentPath, loadDeployment } from "@sothebais/common/deployments";
import { FatalError } from "@sothebais/common/errors";
import { localPrivateKey } from "@sothebais/common/testing";
import {
  type Abi,
  type Chain,
  createPublicClient,
  createWalletClient,
  type Hash,
  http,
  type PrivateKeyAccount,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { explainError } from "./errors.ts";
import { decryptKeystore } from "./keystore.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;
type OptionHelp = Record<string, string>;

export type Command = {
  name: string;
  /** One line: what it does. */
  summary: string;
  /** Arguments after the command name, e.g. "<lotId> | --all-ended". */
  usage: string;
  options: Options;
  /** A line of help per option (key = option name). */
  help?: OptionHelp;
  /** Extra paragraphs for --help (examples, env). */
  details?: string;
  /** Which env key holds the signing key first: deploy prefers DEPLOYER_PRIVATE_KEY. */
  keyEnv?: readonly string[];
  run: (ctx: CommandContext) => Promise<void>;
};

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export type SendParameters = {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
  value?: bigint;
  /** For the progress line, e.g. "pause AuctionHouse". */
  what?: string;
};

export type Contracts = {
  deployment: Deployment;
  house: { address: Address; abi: typeof auctionHouseAbi };
  collection: { address: Address; abi: typeof sothebaisCollectionAbi };
};

export type CommandContext = {
  values: Values;
  positionals: string[];
  network: NetworkName;
  chain: Chain;
  rpcUrl: string;
  print: (line: string) => void;
  publicClient: () => Promise<PublicClient<Transport, Chain>>;
  signer: () => Promise<{ account: PrivateKeyAccount; wallet: WalletClient<Transport, Chain, PrivateKeyAccount> }>;
  /** The deployment record for this chain, checked against the chain (local genesis, code at the addresses). */
  contracts: () => Promise<Contracts>;
  /** Read-only contract call. */
  read: <T = unknown>(p: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[] }) => Promise<T>;
  /** Simulates (so a revert is decoded before anything is signed), sends, waits, prints the tx line. */
  send: (p: SendParameters) => Promise<TransactionReceipt>;
};

const commonOptions: Options = {
  network: { type: "string", short: "n", default: "local" },
  "rpc-url": { type: "string" },
  keystore: { type: "string" },
  help: { type: "boolean", short: "h" },
};

const commonHelp: OptionHelp = {
  network: `local | shapeSepolia | shape (default local)`,
  "rpc-url": "RPC endpoint; default from RPC_URL / SHAPE_SEPOLIA_RPC_URL / SHAPE_RPC_URL, else the chain's public RPC",
  keystore: "encrypted key file (Web3 Secret Storage v3); password from KEYSTORE_PASSWORD or a prompt",
  help: "show this help",
};

const rpcEnv: Record<NetworkName, string> = { local: "RPC_URL", shapeSepolia: "SHAPE_SEPOLIA_RPC_URL", shape: "SHAPE_RPC_URL" };

export function usageText(cmd: Command): string {
  const all = { ...cmd.options, ...commonOptions };
  const help = { ...commonHelp, ...cmd.help };
  const lines = Object.entries(all).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? " <value>" : ""}`;
    return `  ${flag.padEnd(30)} ${help[name] ?? ""}`;
  });
  return [
    `Usage: ./sothebais ${cmd.name} ${cmd.usage}`.trimEnd(),
    "",
    cmd.summary,
    "",
    "Options:",
    ...lines,
    ...(cmd.details ? ["", cmd.details.trim()] : []),
    "",
    "Keys: ADMIN_PRIVATE_KEY or DEPLOYER_PRIVATE_KEY, or --keystore <file> (create one: node scripts/src/admin/keystore.ts create).",
    "On --network local without a key, the local admin (Hardhat account 0) signs.",
  ].join("\n");
}

export type Io = { out: (line: string) => void; err: (line: string) => void };

const consoleIo: Io = { out: (line) => console.log(line), err: (line) => console.error(line) };

/**
 * Runs a command: parses, prints help, executes, and turns any failure into one `error: …` line.
 * Returns the exit code (0 or 1); tests call it in-process with their own `io`.
 */
export async function runCommand(cmd: Command, argv = process.argv.slice(2), io: Io = consoleIo): Promise<number> {
  let ctx: CommandContext | undefined;
  let signerAddress: string | undefined;
  try {
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: argv, options: { ...cmd.options, ...commonOptions }, allowPositionals: true, strict: true }) as typeof parsed;
    } catch (error) {
      // node:util's message goes on about '--' positionals; the first sentence is the useful part.
      const first = (error as Error).message.split("\n")[0].split(". To specify")[0];
      throw new FatalError(`${first} (see ./sothebais ${cmd.name} --help)`);
    }
    if (parsed.values.help) {
      io.out(usageText(cmd));
      return 0;
    }
    ctx = createContext(cmd, parsed.values, parsed.positionals, io, (a) => {
      signerAddress = a;
    });
    await cmd.run(ctx);
    return 0;
  } catch (error) {
    let balance: bigint | undefined;
    if (ctx && signerAddress) {
      try {
        balance = await (await ctx.publicClient()).getBalance({ address: signerAddress as Address });
      } catch {}
    }
    io.err(`error: ${explainError(error, { account: signerAddress, network: ctx?.network, rpcUrl: ctx?.rpcUrl, balance })}`);
    if (process.env.SOTHEBAIS_DEBUG) console.error(error);
    return 1;
  }
}

/** Entry point of an admin script: run, then exit with the command's code. */
export async function runMain(cmd: Command): Promise<void> {
  process.exitCode = await runCommand(cmd);
}

function createContext(cmd: Command, values: Values, positionals: string[], io: Io, onSigner: (address: string) => void): CommandContext {
  const networkName = String(values.network);
  if (!(networkNames as string[]).includes(networkName)) {
    throw new FatalError(`unknown network "${networkName}": expected one of ${networkNames.join(", ")}`);
  }
  const network = networkName as NetworkName;
  const chain = networkByName(network);
  const rpcUrl = (values["rpc-url"] as string | undefined) || process.env[rpcEnv[network]] || (network === "local" ? "http://127.0.0.1:8545" : chain.rpcUrls.default.http[0]);
  const transport = http(rpcUrl, { retryCount: 1 });
  const pollingInterval = network === "local" ? 100 : 1000;

  let publicClient: PublicClient<Transport, Chain> | undefined;
  const getPublicClient = async () => {
    if (publicClient) return publicClient;
    const client = createPublicClient({ chain, transport, pollingInterval }) as PublicClient<Transport, Chain>;
    const chainId = await client.getChainId();
    if (chainId !== chain.id) {
      throw new FatalError(`wrong network: ${rpcUrl} serves chain ${chainId}, but --network ${network} is chain ${chain.id}`);
    }
    publicClient = client;
    return client;
  };

  let signer: Awaited<ReturnType<CommandContext["signer"]>> | undefined;
  const getSigner = async () => {
    if (signer) return signer;
    const account = privateKeyToAccount(await loadKey(cmd, values, network));
    onSigner(account.address);
    signer = { account, wallet: createWalletClient({ account, chain, transport, pollingInterval }) };
    return signer;
  };

  let contracts: Contracts | undefined;
  const getContracts = async () => {
    if (contracts) return contracts;
    const client = await getPublicClient();
    const deployment = loadDeployment(chain.id);
    const genesis = await client.getBlock({ blockNumber: 0n });
    if (genesis.hash !== deployment.genesisHash) {
      throw new FatalError(`${deploymentPath(chain.id)} belongs to another chain (its genesis differs from ${rpcUrl}'s)`, {
        hints: [network === "local" ? "the local node was restarted: redeploy with ./sothebais deploy" : "check the RPC URL"],
      });
    }
    const code = await client.getCode({ address: deployment.auctionHouse });
    if (!code || code === "0x") throw new FatalError(`no contract at the AuctionHouse address ${deployment.auctionHouse} on ${network}`);
    contracts = {
      deployment,
      house: { address: deployment.auctionHouse, abi: auctionHouseAbi },
      collection: { address: deployment.collection, abi: sothebaisCollectionAbi },
    };
    return contracts;
  };

  const print = io.out;

  const ctx: CommandContext = {
    values,
    positionals,
    network,
    chain,
    rpcUrl,
    print,
    publicClient: getPublicClient,
    signer: getSigner,
    contracts: getContracts,
    read: async (p) => {
      const client = await getPublicClient();
      return (await client.readContract({ address: p.address, abi: p.abi, functionName: p.functionName, args: p.args ?? [] })) as never;
    },
    send: async (p) => {
      const client = await getPublicClient();
      const { account, wallet } = await getSigner();
      const { request } = await client.simulateContract({
        address: p.address,
        abi: p.abi,
        functionName: p.functionName,
        args: p.args,
        value: p.value,
        account,
      } as never);
      const hash: Hash = await wallet.writeContract(request as never);
      const receipt = await client.waitForTransactionReceipt({ hash });
      const link = txUrl(chain.id, hash);
      if (receipt.status !== "success") throw new FatalError(`${p.what ?? p.functionName} reverted on chain (tx ${hash})`);
      print(`  tx ${hash} (block ${receipt.blockNumber}, gas ${receipt.gasUsed})${link ? ` ${link}` : ""}`);
      return receipt;
    },
  };
  return ctx;
}

/** The signing key: --keystore, else env (command's order), else the local admin on the local chain. */
async function loadKey(cmd: Command, values: Values, network: NetworkName): Promise<`0x${string}`> {
  const keystorePath = (values.keystore as string | undefined) || process.env.KEYSTORE_PATH;
  if (keystorePath) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(keystorePath, "utf8"));
    } catch (error) {
      throw new FatalError(`cannot read keystore ${keystorePath}: ${(error as Error).message.split("\n")[0]}`);
    }
    const password = process.env.KEYSTORE_PASSWORD ?? (await promptHidden(`password for ${keystorePath}: `));
    return decryptKeystore(json, password, keystorePath);
  }
  for (const key of cmd.keyEnv ?? ["ADMIN_PRIVATE_KEY", "DEPLOYER_PRIVATE_KEY"]) {
    const raw = process.env[key]?.trim();
    if (!raw) continue;
    const k = raw.startsWith("0x") ? raw : `0x${raw}`;
    if (!/^0x[0-9a-fA-F]{64}$/.test(k)) throw new FatalError(`${key} is not a 32-byte hex private key`);
    return k as `0x${string}`;
  }
  if (network === "local") return localPrivateKey(0);
  throw new FatalError(`no signing key for ${network}: set ${(cmd.keyEnv ?? ["ADMIN_PRIVATE_KEY"])[0]} or pass --keystore <file>`);
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new FatalError("no terminal to ask for the keystore password: set KEYSTORE_PASSWORD"));
  return new Promise((resolve, reject) => {
    process.stderr.write(question);
    let input = "";
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = (fn: () => void) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      fn();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done(() => resolve(input));
        if (ch === "\u0003") return done(() => reject(new FatalError("cancelled")));
        if (ch === "\u007f" || ch === "\b") input = input.slice(0, -1);
        else input += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** Wraps a parser so its error names the field: `--fee: expected …`. */
export function field<T>(name: string, parse: (v: unknown) => T, value: unknown): T {
  try {
    return parse(value);
  } catch (error) {
    throw new FatalError(`${name}: ${(error as Error).message}`);
  }
}
