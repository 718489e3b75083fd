/**
 * The go-live rehearsal (docs/GO-LIVE.md, "Rehearse first"): a Hardhat node started as Shape Sepolia
 * (chain id 11011, EDR's OP-stack chain type, so receipts carry the L1 data fee fields as on Shape), and the
 * admin commands run against it exactly as an operator runs them on the real network: `--network
 * shapeSepolia`, SHAPE_SEPOLIA_RPC_URL pointed at the node, fresh keys from the environment (one per role,
 * none from the repo, none of Hardhat's well-known accounts), an encrypted keystore for the auctioneer.
 *
 * deploy -> role grants -> collection show -> campaign -> status, then the record is read the way a service
 * reads it (loadDeployment + the real indexer on CHAIN_ID=11011) and `doctor --network shapeSepolia` must
 * pass. Each command is a child process of `node scripts/src/admin/<cmd>.ts` (what `./sothebais <cmd>` execs
 * once its setup is done; `./sothebais test` has run that setup already) with only the env we give it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import { roles } from "@sothebais/common/deploy";
import { type Address, deploymentPath, loadDeployment } from "@sothebais/common/deployments";
import { type HardhatNode, type RedisServer, rpc, type RunningIndexer, startHardhatNode, startIndexer, startRedis } from "@sothebais/common/testing";
import { createPublicClient, type Hash, http, parseEther, toHex } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { shapeSepolia } from "viem/chains";
import { type CliResult, runCli, runDoctor } from "./helpers.ts";

const run = (label: string, r: CliResult) => assert.equal(r.code, 0, `${label} failed:\n${r.stdout}\n${r.stderr}`);

describe("go-live rehearsal on a node started as Shape Sepolia (chain 11011, OP-stack rules)", { timeout: 900_000 }, () => {
  const temp = mkdtempSync(join(tmpdir(), "sothebais-rehearsal-"));
  const deploymentsDir = join(temp, "deployments");
  // One key per role, as docs/GO-LIVE.md asks; generated here, never read from the repo.
  const keys = {
    deployer: generatePrivateKey(), // deploys and is the first admin (grants the roles below)
    auctioneer: generatePrivateKey(),
    pauser: generatePrivateKey(),
    relayer: generatePrivateKey(),
  };
  const address = Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, privateKeyToAddress(v)])) as Record<keyof typeof keys, Address>;
  const treasury = privateKeyToAddress(generatePrivateKey());
  const keystorePassword = "rehearsal-password";
  const auctioneerKeystore = join(temp, "auctioneer.json");
  let node: HardhatNode;
  let redis: RedisServer | undefined;
  let indexer: RunningIndexer | undefined;
  let env: Record<string, string>;
  const client = () => createPublicClient({ chain: shapeSepolia, transport: http(node.rpcUrl) });
  const sepolia = (command: string, args: string[], extra: Record<string, string> = {}) =>
    runCli(command, [...args, "--network", "shapeSepolia"], { ...env, ...extra });

  before(async () => {
    // 1 s blocks (Shape makes one every 2 s): every command waits for its receipts as on the real chain.
    node = await startHardhatNode({ chainId: 11011, chainType: "op", intervalMs: 1000 });
    // The faucet's part: real ETH on real addresses, small amounts.
    for (const [who, eth] of [["deployer", "0.5"], ["auctioneer", "0.1"], ["pauser", "0.01"], ["relayer", "0.05"]] as const) {
      await rpc(node.rpcUrl, "hardhat_setBalance", [address[who], toHex(parseEther(eth))]);
    }
    env = { SHAPE_SEPOLIA_RPC_URL: node.rpcUrl, DEPLOYMENTS_DIR: deploymentsDir };
  });
  after(async () => {
    await Promise.all([indexer?.stop(), redis?.stop(), node?.stop()]);
    rmSync(temp, { recursive: true, force: true });
  });

  it("the node is chain 11011 with the OP stack's predeploys", async () => {
    assert.equal(await client().getChainId(), 11011);
    // The GasPriceOracle predeploy, which prices the L1 data fee of every OP-stack transaction.
    const oracle = await client().getCode({ address: "0x420000000000000000000000000000000000000F" });
    assert.ok(oracle && oracle.length > 2, "no GasPriceOracle predeploy: the node is not an OP-stack chain");
  });

  it("deploy --network shapeSepolia with DEPLOYER_PRIVATE_KEY writes deployments/11011.json", async () => {
    const r = await sepolia("deploy", ["--relayer", address.relayer, "--treasury", treasury], { DEPLOYER_PRIVATE_KEY: keys.deployer });
    run("deploy", r);
    assert.match(r.stdout, /on shapeSepolia \(chain 11011\)/);
    assert.match(r.stdout, new RegExp(`wrote ${deploymentPath(11011, deploymentsDir).replaceAll(".", "\\.")}`));
    assert.match(r.stdout, /AuctionHouse +0x[0-9a-fA-F]{40} {2}https:\/\/sepolia\.shapescan\.xyz\/address\//);
    assert.match(r.stdout, /granted RELAYER_ROLE/);
    assert.match(r.stdout, /allowed collection/);
  });

  it("the admin grants one role per key: auctioneer, pauser, and minter to the auctioneer", async () => {
    const admin = { ADMIN_PRIVATE_KEY: keys.deployer };
    run("role grant auctioneer", await sepolia("role", ["grant", "auctioneer", address.auctioneer], admin));
    run("role grant pauser", await sepolia("role", ["grant", "pauser", address.pauser], admin));
    run("role grant minter", await sepolia("role", ["grant", "minter", address.auctioneer], admin));
    const listed = await sepolia("role", ["list", address.auctioneer]);
    run("role list", listed);
    assert.match(listed.stdout, /AuctionHouse: AUCTIONEER_ROLE/);
    assert.match(listed.stdout, /SothebaisCollection: MINTER_ROLE/);
  });

  it("the project collection is allowed (collection show)", async () => {
    const r = await sepolia("collection", []);
    run("collection", r);
    assert.match(r.stdout, /allowed$/m);
    assert.doesNotMatch(r.stdout, /not allowed/);
  });

  it("campaign --network shapeSepolia signed by the auctioneer's encrypted keystore", async () => {
    run("keystore create", await runCli("keystore", ["create", auctioneerKeystore, "--light"], { PRIVATE_KEY: keys.auctioneer, KEYSTORE_PASSWORD: keystorePassword }));
    const file = join(temp, "campaign.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: "Rehearsal",
        start: "now",
        intermission: "10s",
        defaults: { reserve: "0.01", duration: "10m", minIncrementBps: 500, minIncrementFloor: "0.001", timeBuffer: "1m" },
        lots: [{ tokenURI: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/1.json" }, { tokenURI: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/2.json" }],
      }),
    );
    const ks = { KEYSTORE_PASSWORD: keystorePassword };
    run("campaign --dry-run", await sepolia("campaign", [file, "--dry-run", "--keystore", auctioneerKeystore], ks));
    const r = await sepolia("campaign", [file, "--keystore", auctioneerKeystore], ks);
    run("campaign", r);
    assert.match(r.stdout, new RegExp(`seller ${address.auctioneer}`));
    assert.match(r.stdout, /campaign #1: lots #1, #2/);
    assert.match(r.stdout, /lot #2: token 2, queued/);
    // OP-stack gas rules: the receipt of a campaign transaction carries the L1 data fee fields.
    const hash = r.stdout.match(/tx (0x[0-9a-f]{64})/)?.[1] as Hash;
    const receipt = (await client().getTransactionReceipt({ hash })) as unknown as { l1GasUsed?: bigint; status: string };
    assert.equal(receipt.status, "success");
    assert.ok(receipt.l1GasUsed !== undefined && receipt.l1GasUsed > 0n, "the receipt has no L1 data gas: not OP-stack rules");
  });

  it("status --network shapeSepolia shows lot 1 live and lot 2 queued", async () => {
    const r = await sepolia("status", ["--json"]);
    run("status", r);
    const s = JSON.parse(r.stdout) as { chainId: number; treasury: string; liveLot?: { lotId: string }; lots: { lotId: string; status: string }[] };
    assert.equal(s.chainId, 11011);
    assert.equal(s.treasury.toLowerCase(), treasury.toLowerCase());
    assert.equal(String(s.liveLot?.lotId), "1");
    assert.deepEqual(s.lots.map((l) => [String(l.lotId), l.status]), [["1", "live"], ["2", "queued"]]);
  });

  it("the record is the one services read: loadDeployment(11011) matches the chain", async () => {
    // As a service loads it: DEPLOYMENTS_DIR + chain id, nothing else.
    const saved = process.env.DEPLOYMENTS_DIR;
    process.env.DEPLOYMENTS_DIR = deploymentsDir;
    let record: ReturnType<typeof loadDeployment>;
    try {
      record = loadDeployment(11011);
    } finally {
      if (saved === undefined) delete process.env.DEPLOYMENTS_DIR;
      else process.env.DEPLOYMENTS_DIR = saved;
    }
    const c = client();
    assert.equal(record.chainId, 11011);
    assert.equal(record.deployer, address.deployer);
    assert.equal(record.genesisHash, (await c.getBlock({ blockNumber: 0n })).hash);
    // The deploy block is the AuctionHouse's: no code the block before, code from it on.
    assert.equal(await c.getCode({ address: record.auctionHouse, blockNumber: BigInt(record.deployBlock - 1) }), undefined);
    assert.ok(((await c.getCode({ address: record.auctionHouse, blockNumber: BigInt(record.deployBlock) })) ?? "0x").length > 2);
    assert.ok(((await c.getCode({ address: record.collection })) ?? "0x").length > 2);
    const house = { address: record.auctionHouse, abi: auctionHouseAbi } as const;
    const read = <T>(functionName: string, args: readonly unknown[] = [], target: { address: Address; abi: unknown } = house) =>
      c.readContract({ ...target, functionName, args } as never) as Promise<T>;
    assert.equal(await read("hasRole", [roles.RELAYER_ROLE, address.relayer]), true);
    assert.equal(await read("hasRole", [roles.AUCTIONEER_ROLE, address.auctioneer]), true);
    assert.equal(await read("hasRole", [roles.PAUSER_ROLE, address.pauser]), true);
    assert.equal(await read("isCollectionAllowed", [record.collection]), true);
    assert.equal((await read<string>("treasury")).toLowerCase(), treasury.toLowerCase());
    assert.equal(await read("lotCount"), 2n);
    const collection = { address: record.collection, abi: sothebaisCollectionAbi };
    assert.equal(await read("ownerOf", [1n], collection), record.auctionHouse);

    // The real indexer, configured as in production (CHAIN_ID + DEPLOYMENTS_DIR + RPC_URL), finds the lots.
    redis = await startRedis();
    indexer = await startIndexer({ stack: { rpcUrl: node.rpcUrl, deploymentsDir }, env: { CHAIN_ID: "11011", POLLING_INTERVAL_MS: "200" } });
    const lot = (await (await fetch(`${indexer.url}/lots/1`)).json()) as { chainId: number; lot: { status: string; seller: string } };
    assert.equal(lot.chainId, 11011);
    assert.equal(lot.lot.status, "live");
    assert.equal(lot.lot.seller.toLowerCase(), address.auctioneer.toLowerCase());
  });

  it("doctor --network shapeSepolia passes, and fails on a relayer without the role", async () => {
    assert.ok(indexer && redis, "the previous test starts the indexer and Redis");
    const doctorEnv = {
      ...env,
      REDIS_URL: redis.url,
      INDEXER_URL: indexer.url,
      RELAYER_PRIVATE_KEY: keys.relayer,
      TWITCH_CHANNELS: "sothebais_rehearsal",
      TWITCH_OAUTH_TOKEN: `oauth:${"r".repeat(30)}`,
      RTMP_URL: "rtmp://live.twitch.tv/app/live_rehearsal_key",
    };
    const r = await runDoctor(["--network", "shapeSepolia"], doctorEnv);
    assert.equal(r.code, 0, `doctor failed:\n${r.stdout}\n${r.stderr}`);
    for (const name of ["rpc", "deployment", "contracts", "collection", "redis", "indexer", "indexer lag", "relayer role", "relayer gas", "twitch", "rtmp"]) {
      assert.match(r.stdout, new RegExp(`^✓ ${name.padEnd(14)} `, "m"), `no passing "${name}" line:\n${r.stdout}`);
    }
    assert.match(r.stdout, /chain 11011/);
    assert.match(r.stdout, /all checks passed/);
    assert.match(r.stdout, /^✓ twitch +channels sothebais_rehearsal, token set, refresh off/m);

    const halfSet = await runDoctor(["--network", "shapeSepolia"], { ...doctorEnv, TWITCH_CLIENT_ID: "abc", TWITCH_REFRESH_TOKEN: "def" });
    assert.equal(halfSet.code, 1);
    assert.match(halfSet.stdout, /^✗ twitch +token refresh half set: TWITCH_CLIENT_SECRET missing \(set all three, or none\)/m);

    const stranger = await runDoctor(["--network", "shapeSepolia"], { ...doctorEnv, RELAYER_PRIVATE_KEY: generatePrivateKey() });
    assert.equal(stranger.code, 1);
    assert.match(stranger.stdout, /✗ relayer role +0x[0-9a-fA-F]{40} lacks RELAYER_ROLE: chat bids would revert — \.\/sothebais role grant relayer/);
  });

  it("a record made on the rehearsal node is refused when the same chain id is served by another chain", async () => {
    // A second node with the same chain id has another genesis: what the real Shape Sepolia RPC would be.
    const other = await startHardhatNode({ chainId: 11011, chainType: "op" });
    try {
      const r = await runDoctor(["--network", "shapeSepolia"], { ...env, SHAPE_SEPOLIA_RPC_URL: other.rpcUrl });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /✗ contracts +no code at/);
      const status = await runCli("status", ["--network", "shapeSepolia"], { ...env, SHAPE_SEPOLIA_RPC_URL: other.rpcUrl });
      assert.equal(status.code, 1);
      assert.match(status.stderr, /belongs to another chain \(its genesis differs/);
    } finally {
      await other.stop();
    }
  });
});
