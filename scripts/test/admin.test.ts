/**
 * The admin commands as a person runs them (real child processes) against a real Hardhat node with the
 * contracts deployed by the shared fixture: each command's happy path and its main failure lines.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { auctionHouseAbi, sothebaisCollectionAbi } from "@sothebais/common/abis";
import { roles } from "@sothebais/common/deploy";
import { loadDeployment, saveDeployment } from "@sothebais/common/deployments";
import { freePort, type Managed, localPrivateKey, startProcess, startTestStack, type TestStack } from "@sothebais/common/testing";
import { repoRoot } from "@sothebais/common/deployments";
import { type Abi, decodeAbiParameters, type Hex, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { oneErrorLine, runCli, runIn } from "./helpers.ts";

const STATUS = { live: 2, ended: 3, settled: 4, cancelled: 5 } as const;

describe("admin commands", { timeout: 900_000 }, () => {
  let stack: TestStack;
  let env: Record<string, string>;
  const temp = mkdtempSync(join(tmpdir(), "sothebais-admin-test-"));
  const cli = (command: string, args: string[] = [], extra: Record<string, string> = {}) => runIn(command, args, { ...env, ...extra });
  const house = () => ({ address: stack.auctionHouse, abi: auctionHouseAbi });
  const read = <T>(functionName: string, args: readonly unknown[] = []) =>
    stack.publicClient.readContract({ ...house(), functionName, args } as never) as Promise<T>;
  const readCollection = <T>(functionName: string, args: readonly unknown[] = []) =>
    stack.publicClient.readContract({ address: stack.collection, abi: sothebaisCollectionAbi, functionName, args } as never) as Promise<T>;

  // A second node with Shape Sepolia's chain id, started beside the fixture (they boot in parallel).
  let sepoliaNode: Managed | undefined;
  const startSepoliaNode = async () => {
    const port = await freePort();
    sepoliaNode = await startProcess({
      name: "hardhat node (11011)",
      command: join(repoRoot, "node_modules/.bin/hardhat"),
      args: ["node", "--hostname", "127.0.0.1", "--port", String(port), "--chain-id", "11011"],
      cwd: repoRoot,
      readyWhen: /Started HTTP and WebSocket JSON-RPC server/,
      timeoutMs: 120_000,
    });
    return `http://127.0.0.1:${port}`;
  };
  let sepoliaRpcUrl: string;

  before(async () => {
    [stack, sepoliaRpcUrl] = await Promise.all([startTestStack(), startSepoliaNode()]);
    env = { RPC_URL: stack.rpcUrl, DEPLOYMENTS_DIR: stack.deploymentsDir };
  });
  after(async () => {
    await Promise.all([stack?.stop(), sepoliaNode?.stop()]);
    rmSync(temp, { recursive: true, force: true });
  });

  it("every command answers --help with its usage and exit 0", async () => {
    const commands = ["deploy", "mint", "campaign", "status", "pause", "unpause", "cancel", "settle", "fee", "treasury", "collection", "role", "gasback", "keystore"];
    for (const c of commands) {
      const r = await runIn(c, ["--help"]);
      assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: ./sothebais ${c}`));
      assert.match(r.stdout, /--network/);
    }
  });

  it("as a process: a failure is one stderr line with exit code 1 and no stack trace", async () => {
    // One child process only (each costs seconds on a loaded machine); the rest run in-process.
    const failed = await runCli("pause", [], { ...env, ADMIN_PRIVATE_KEY: localPrivateKey(6) });
    assert.equal(oneErrorLine(failed), `error: pause reverted: ${stack.address(6)} lacks PAUSER_ROLE`);
    assert.equal(failed.stdout.includes("    at "), false);
  });

  describe("deploy", () => {
    it("deploys both contracts, grants the relayer and writes deployments/<chainId>.json", async () => {
      const dir = join(temp, "deploy");
      const r = await cli("deploy", ["--relayer", stack.address(9), "--treasury", stack.address(8), "--fee", "250", "--royalty-bps", "300"], { DEPLOYMENTS_DIR: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /wrote .*31337\.json/);
      const record = loadDeployment(31337, dir);
      assert.notEqual(record.auctionHouse, stack.auctionHouse);
      const c = { address: record.auctionHouse, abi: auctionHouseAbi };
      assert.equal(await stack.publicClient.readContract({ ...c, functionName: "hasRole", args: [roles.RELAYER_ROLE, stack.address(9)] }), true);
      assert.equal(await stack.publicClient.readContract({ ...c, functionName: "protocolFeeBps" }), 250);
      assert.equal(await stack.publicClient.readContract({ ...c, functionName: "treasury" }), stack.address(8));
      const [, royalty] = await stack.publicClient.readContract({ address: record.collection, abi: sothebaisCollectionAbi, functionName: "royaltyInfo", args: [1n, 10_000n] });
      assert.equal(royalty, 300n);
    });

    it("refuses an unfunded deployer in one line", async () => {
      const key = generatePrivateKey();
      const line = oneErrorLine(await cli("deploy", [], { DEPLOYER_PRIVATE_KEY: key, DEPLOYMENTS_DIR: join(temp, "unfunded") }));
      assert.equal(line, `error: account ${privateKeyToAddress(key)} has 0 ETH on local — fund it before deploying`);
    });

    it("--verify submits standard JSON input to the Blockscout API and waits for the verdict", async () => {
      const requests: { action: string; form?: URLSearchParams }[] = [];
      const server: Server = createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://x");
        let body = "";
        req.on("data", (d) => (body += d));
        req.on("end", () => {
          const action = url.searchParams.get("action") ?? "";
          requests.push({ action, form: req.method === "POST" ? new URLSearchParams(body) : undefined });
          res.setHeader("content-type", "application/json");
          if (action === "verifysourcecode") res.end(JSON.stringify({ status: "1", message: "OK", result: `guid-${requests.length}` }));
          else res.end(JSON.stringify({ status: "1", message: "OK", result: "Pass - Verified" }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as { port: number };
        const r = await cli("deploy", ["--verify", "--fee", "100"], { DEPLOYMENTS_DIR: join(temp, "verify"), BLOCKSCOUT_API_URL: `http://127.0.0.1:${port}/api`, VERIFY_POLL_MS: "20" });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /AuctionHouse: verified/);
        assert.match(r.stdout, /SothebaisCollection: verified/);
        const submits = requests.filter((q) => q.action === "verifysourcecode");
        assert.equal(submits.length, 2);
        const form = submits[0].form as URLSearchParams;
        assert.equal(form.get("codeformat"), "solidity-standard-json-input");
        assert.equal(form.get("contractname"), "project/contracts/src/AuctionHouse.sol:AuctionHouse");
        assert.match(form.get("compilerversion") ?? "", /^v0\.8\.30\+commit\.[0-9a-f]{8}$/);
        const input = JSON.parse(form.get("sourceCode") ?? "{}") as { language: string; sources: Record<string, unknown> };
        assert.equal(input.language, "Solidity");
        assert.ok("project/contracts/src/AuctionHouse.sol" in input.sources);
        const record = loadDeployment(31337, join(temp, "verify"));
        assert.equal(form.get("contractaddress"), record.auctionHouse);
        const [admin, treasury, fee] = decodeAbiParameters([{ type: "address" }, { type: "address" }, { type: "uint16" }], `0x${form.get("constructorArguments")}` as Hex);
        assert.deepEqual([admin, treasury, fee], [stack.accounts.admin, stack.accounts.admin, 100]);
        assert.equal(submits[1].form?.get("contractname"), "project/contracts/src/SothebaisCollection.sol:SothebaisCollection");
      } finally {
        server.close();
      }
    });
  });

  describe("status", () => {
    it("lists lots with their status and names the live lot; --json has the same facts", async () => {
      const lotId = await stack.mintAndCreateLot({ reserve: parseEther("0.1"), duration: 3600 });
      await stack.bid(4, lotId, parseEther("0.2"));
      const r = await cli("status");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`#${lotId}\\s+live .*0\\.2 ETH by ${stack.address(4)}`));
      assert.match(r.stdout, new RegExp(`live lot: #${lotId}`));
      assert.match(r.stdout, /balances: house 0\.2 ETH/);
      const j = await cli("status", ["--json"]);
      const doc = JSON.parse(j.stdout) as { liveLot: { lotId: string; amount: string }; balances: { auctionHouse: string }; paused: boolean };
      assert.equal(doc.liveLot.lotId, String(lotId));
      assert.equal(doc.liveLot.amount, parseEther("0.2").toString());
      assert.equal(doc.paused, false);
    });

    it("says when the record belongs to another chain (a restarted local node)", async () => {
      const dir = join(temp, "stale");
      saveDeployment({ ...stack.deployment, genesisHash: `0x${"ab".repeat(32)}` }, dir);
      const line = oneErrorLine(await cli("status", [], { DEPLOYMENTS_DIR: dir }));
      assert.match(line, /^error: .*31337\.json belongs to another chain .* — the local node was restarted: redeploy with \.\/sothebais deploy$/);
    });

    it("says when there is no deployment record", async () => {
      const line = oneErrorLine(await cli("status", [], { DEPLOYMENTS_DIR: join(temp, "empty") }));
      assert.match(line, /^error: no deployment for chain 31337 at .* — start the local stack/);
    });
  });

  describe("network and keys", () => {
    it("rejects an RPC that serves another chain than --network", async () => {
      const line = oneErrorLine(await cli("status", ["--network", "shapeSepolia", "--rpc-url", stack.rpcUrl]));
      assert.equal(line, `error: wrong network: ${stack.rpcUrl} serves chain 31337, but --network shapeSepolia is chain 11011`);
    });

    it("says when the RPC cannot be reached", async () => {
      const line = oneErrorLine(await cli("status", [], { RPC_URL: "http://127.0.0.1:9" }));
      assert.match(line, /^error: cannot reach http:\/\/127\.0\.0\.1:9\/? — start the local stack/);
    });

    it("rejects an unknown network and an unknown option", async () => {
      assert.equal(oneErrorLine(await cli("status", ["--network", "mainnet"])), "error: unknown network \"mainnet\": expected one of local, shapeSepolia, shape");
      assert.match(oneErrorLine(await cli("fee", ["--bogus"])), /^error: Unknown option '--bogus' \(see \.\/sothebais fee --help\)$/);
    });

    it("needs a key on a real network", async () => {
      const line = oneErrorLine(await cli("pause", ["--network", "shape", "--rpc-url", stack.rpcUrl]));
      assert.match(line, /wrong network|no signing key/);
    });

    it("says an account with the role but no ETH cannot pay", async () => {
      const key = generatePrivateKey();
      await cli("role", ["grant", "pauser", privateKeyToAddress(key)]);
      const line = oneErrorLine(await cli("pause", [], { ADMIN_PRIVATE_KEY: key }));
      assert.match(line, new RegExp(`^error: account ${privateKeyToAddress(key)} cannot pay for this transaction on local \\(balance 0 ETH\\) — fund it`));
      assert.equal(await read<boolean>("paused"), false);
    });

    it("signs with an encrypted keystore and refuses a wrong password", async () => {
      const file = join(temp, "admin.json");
      const made = await runIn("keystore", ["create", file, "--light"], { PRIVATE_KEY: localPrivateKey(0), KEYSTORE_PASSWORD: "a long password" });
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, new RegExp(`for ${stack.accounts.admin}`));
      assert.ok(!readFileSync(file, "utf8").includes(localPrivateKey(0).slice(2)));
      assert.ok(!made.stdout.includes(localPrivateKey(0).slice(2)));
      const addr = await runIn("keystore", ["address", file], { KEYSTORE_PASSWORD: "a long password" });
      assert.equal(addr.stdout.trim(), stack.accounts.admin);
      const ok = await cli("fee", ["300", "--keystore", file], { KEYSTORE_PASSWORD: "a long password" });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(await read<number>("protocolFeeBps"), 300);
      const bad = oneErrorLine(await cli("fee", ["400", "--keystore", file], { KEYSTORE_PASSWORD: "wrong" }));
      assert.equal(bad, `error: wrong password for ${file}`);
      assert.equal(await read<number>("protocolFeeBps"), 300);
      const noTty = oneErrorLine(await cli("fee", ["400", "--keystore", file]));
      assert.equal(noTty, "error: no terminal to ask for the keystore password: set KEYSTORE_PASSWORD");
    });
  });

  describe("pause / unpause", () => {
    it("pauses bids and lots, shows it in status, and unpauses", async () => {
      const lotId = await stack.mintAndCreateLot({ duration: 3600 });
      const r = await cli("pause");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await read<boolean>("paused"), true);
      assert.match((await cli("status")).stdout, /\*\* PAUSED \*\*/);
      await assert.rejects(stack.bid(4, lotId, parseEther("0.1")), /AuctionHousePaused/);
      assert.match(oneErrorLine(await cli("pause")), /^error: pause reverted: /);
      assert.equal((await cli("unpause")).code, 0);
      assert.equal(await read<boolean>("paused"), false);
      await stack.bid(4, lotId, parseEther("0.1"));
    });

    it("names the missing role of a non-pauser", async () => {
      const line = oneErrorLine(await cli("pause", [], { ADMIN_PRIVATE_KEY: localPrivateKey(6) }));
      assert.equal(line, `error: pause reverted: ${stack.address(6)} lacks PAUSER_ROLE`);
    });
  });

  describe("fee and treasury", () => {
    it("shows and sets the fee; a fee above the cap is decoded", async () => {
      assert.equal((await cli("fee", ["120"])).code, 0);
      assert.equal(await read<number>("protocolFeeBps"), 120);
      assert.match((await cli("fee")).stdout, /protocol fee: 120 bps \(1\.20 %\)/);
      assert.equal(oneErrorLine(await cli("fee", ["5000"])), "error: setProtocolFee reverted: AuctionHouseFeeTooHigh(5000, 1000)");
      assert.equal(oneErrorLine(await cli("fee", ["abc"])), "error: bps: expected basis points 0-10000, got \"abc\"");
    });

    it("shows and sets the treasury", async () => {
      assert.equal((await cli("treasury", [stack.address(7)])).code, 0);
      assert.equal(await read<string>("treasury"), stack.address(7));
      assert.match((await cli("treasury")).stdout, new RegExp(`treasury: ${stack.address(7)} \\(escrow 0 ETH`));
      assert.equal((await cli("treasury", [stack.accounts.treasury])).code, 0);
      assert.equal(oneErrorLine(await cli("treasury", ["0x1234"])), "error: address: expected a 0x-prefixed 20-byte address, got \"0x1234\"");
      assert.equal(oneErrorLine(await cli("treasury", [stack.address(7)], { ADMIN_PRIVATE_KEY: localPrivateKey(5) })), `error: setTreasury reverted: ${stack.address(5)} lacks DEFAULT_ADMIN_ROLE`);
    });
  });

  describe("collection", () => {
    it("shows, allows and disallows a collection; a disallowed collection cannot be auctioned; non-admins are refused", async () => {
      const other = stack.address(13);
      assert.match((await cli("collection")).stdout, new RegExp(`collection ${stack.collection}: allowed`));
      assert.match((await cli("collection", ["show", other])).stdout, new RegExp(`collection ${other}: not allowed`));
      let r = await cli("collection", ["allow", other]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await read<boolean>("isCollectionAllowed", [other]), true);
      assert.match((await cli("collection", ["allow", other])).stdout, /already allowed, nothing sent/);
      r = await cli("collection", ["disallow", stack.collection]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await read<boolean>("isCollectionAllowed", [stack.collection]), false);
      await assert.rejects(stack.mintAndCreateLot({ duration: 3600 }), /AuctionHouseCollectionNotAllowed/);
      assert.equal((await cli("collection", ["allow", stack.collection])).code, 0);
      assert.equal(await read<boolean>("isCollectionAllowed", [stack.collection]), true);
      assert.equal((await cli("collection", ["disallow", other])).code, 0);
      assert.equal(oneErrorLine(await cli("collection", ["allow"])), "error: collection allow needs the collection's address");
      assert.equal(oneErrorLine(await cli("collection", ["ban", other])), 'error: collection: expected allow, disallow or show, got "ban"');
      assert.equal(oneErrorLine(await cli("collection", ["allow", "0x1234"])), 'error: address: expected a 0x-prefixed 20-byte address, got "0x1234"');
      assert.equal(oneErrorLine(await cli("collection", ["allow", other], { ADMIN_PRIVATE_KEY: localPrivateKey(5) })), `error: setCollectionAllowed reverted: ${stack.address(5)} lacks DEFAULT_ADMIN_ROLE`);
    });
  });

  describe("mint", () => {
    it("mints each --uri to --to", async () => {
      const r = await cli("mint", ["--uri", "ipfs://bafy/a.json", "--uri", "ar://b", "--to", stack.address(3)]);
      assert.equal(r.code, 0, r.stderr);
      const ids = [...r.stdout.matchAll(/minted token (\d+) to/g)].map((m) => BigInt(m[1]));
      assert.equal(ids.length, 2);
      assert.equal(await readCollection<string>("ownerOf", [ids[0]]), stack.address(3));
      assert.equal(await readCollection<string>("tokenURI", [ids[1]]), "ar://b");
    });

    it("rejects a bad URI before sending and a non-minter by role", async () => {
      assert.match(oneErrorLine(await cli("mint", ["--uri", "http://x/1"])), /^error: --uri #1: expected a token URI starting with ipfs:\/\//);
      assert.equal(oneErrorLine(await cli("mint", ["--uri", "ipfs://x"], { ADMIN_PRIVATE_KEY: localPrivateKey(5) })), `error: mint reverted: ${stack.address(5)} lacks MINTER_ROLE`);
      assert.equal(oneErrorLine(await cli("mint")), "error: mint needs at least one --uri, or --file (see ./sothebais mint --help)");
    });

    it("--file needs a title, an artist, a readable file and a running operator API (test/e2e/artwork.test.ts: the upload itself)", async () => {
      const file = join(temp, "art.png");
      writeFileSync(file, "stands for an image: nothing is uploaded in this test");
      assert.equal(oneErrorLine(await cli("mint", ["--file", file])), "error: mint --file needs --title and --artist (and may take --description)");
      assert.match(oneErrorLine(await cli("mint", ["--file", join(temp, "missing.png"), "--title", "T", "--artist", "A"])), /^error: cannot read --file .*missing\.png/);
      const port = await freePort();
      assert.match(oneErrorLine(await cli("mint", ["--file", file, "--title", "T", "--artist", "A", "--operator-url", `http://127.0.0.1:${port}`])), new RegExp(`^error: the operator API at http://127.0.0.1:${port} did not answer`));
      assert.match(oneErrorLine(await cli("mint", ["--file", file, "--uri", "ipfs://x", "--title", "T", "--artist", "A"])), /^error: mint takes --file or --uri, not both/);
    });
  });

  describe("cancel and settle", () => {
    it("cancels a lot without bids and refuses one with a bid", async () => {
      const quiet = await stack.mintAndCreateLot();
      assert.equal((await cli("cancel", [String(quiet)])).code, 0);
      assert.equal(await read<number>("lotStatus", [quiet]), STATUS.cancelled);
      const busy = await stack.mintAndCreateLot();
      await stack.bid(4, busy, parseEther("0.01"));
      assert.equal(oneErrorLine(await cli("cancel", [String(busy)])), `error: cancelLot reverted: AuctionHouseLotHasBids(${busy})`);
      assert.equal(oneErrorLine(await cli("cancel", [String(busy)], { ADMIN_PRIVATE_KEY: localPrivateKey(5) })), `error: cancelLot reverted: ${stack.address(5)} lacks AUCTIONEER_ROLE`);
    });

    it("settles one lot, refuses a live one, and settles every ended lot with --all-ended", async () => {
      const a = await stack.mintAndCreateLot({ duration: 60 });
      const b = await stack.mintAndCreateLot({ duration: 60 });
      await stack.bid(5, a, parseEther("0.3"));
      assert.match(oneErrorLine(await cli("settle", [String(a)])), new RegExp(`^error: settle reverted: AuctionHouseLotNotEnded\\(${a}, \\d+\\)$`));
      await stack.increaseTime(3700); // past every lot created so far in this file
      const one = await cli("settle", [String(a)]);
      assert.equal(one.code, 0, one.stderr);
      assert.match(one.stdout, new RegExp(`lot ${a}: won by ${stack.address(5)} for 0\\.3 ETH`));
      assert.equal(await read<number>("lotStatus", [a]), STATUS.settled);
      const all = await cli("settle", ["--all-ended"]);
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, new RegExp(`lot ${b}: no winning bid, NFT back to the seller`));
      const lots = await read<bigint>("lotCount");
      for (let id = 1n; id <= lots; id++) assert.notEqual(await read<number>("lotStatus", [id]), STATUS.ended, `lot ${id} still ended`);
      assert.match((await cli("settle", ["--all-ended"])).stdout, /no ended lot waits for settlement/);
      // settled lots are cleared on chain; status rebuilds them from their events
      const status = (await cli("status")).stdout;
      assert.match(status, new RegExp(`#${a}\\s+settled\\s+campaign 0 token \\d+ +0\\.3 ETH won by ${stack.address(5)}`));
      assert.match(status, new RegExp(`#${b}\\s+settled\\s+campaign 0 token \\d+ +reserve 0 ETH, unsold`));
      assert.equal(oneErrorLine(await cli("settle")), "error: settle needs one lot id or --all-ended (see ./sothebais settle --help)");
    });
  });

  describe("role", () => {
    it("grants, lists and revokes roles on the right contract", async () => {
      const who = stack.address(11);
      assert.equal((await cli("role", ["grant", "auctioneer", who])).code, 0);
      assert.equal(await read<boolean>("hasRole", [roles.AUCTIONEER_ROLE, who]), true);
      assert.equal((await cli("role", ["grant", "minter", who])).code, 0);
      assert.equal(await readCollection<boolean>("hasRole", [roles.MINTER_ROLE, who]), true);
      const mine = await cli("role", ["list", who]);
      assert.match(mine.stdout, /AuctionHouse: AUCTIONEER_ROLE\n/);
      assert.match(mine.stdout, /SothebaisCollection: MINTER_ROLE\n/);
      const all = await cli("role", ["list"]);
      assert.match(all.stdout, new RegExp(`AUCTIONEER_ROLE\\s+${stack.accounts.admin}, ${who}`));
      assert.match(all.stdout, new RegExp(`RELAYER_ROLE\\s+${stack.accounts.relayer}`));
      assert.equal((await cli("role", ["revoke", "auctioneer", who])).code, 0);
      assert.equal(await read<boolean>("hasRole", [roles.AUCTIONEER_ROLE, who]), false);
      assert.match((await cli("role", ["revoke", "auctioneer", who])).stdout, /does not have AUCTIONEER_ROLE: nothing to do/);
      assert.doesNotMatch((await cli("role", ["list"])).stdout, new RegExp(`AUCTIONEER_ROLE.*${who}`));
    });

    it("refuses unknown roles, the default admin, and non-admins", async () => {
      assert.equal(oneErrorLine(await cli("role", ["grant", "janitor", stack.address(11)])), 'error: unknown role "janitor": expected one of default_admin, auctioneer, relayer, pauser, minter');
      assert.match(oneErrorLine(await cli("role", ["grant", "admin", stack.address(11)])), /default admin role moves with beginDefaultAdminTransfer/);
      assert.equal(oneErrorLine(await cli("role", ["grant", "pauser", stack.address(12)], { ADMIN_PRIVATE_KEY: localPrivateKey(5) })), `error: grantRole reverted: ${stack.address(5)} lacks DEFAULT_ADMIN_ROLE`);
    });
  });

  describe("gasback", () => {
    let gasback: `0x${string}`;
    const standInAbi = [
      { type: "function", name: "registeredTo", stateMutability: "view", inputs: [{ type: "address" }], outputs: [{ type: "address" }] },
    ] as const satisfies Abi;

    before(async () => {
      const solc = createRequire(import.meta.url)("solc") as { compile: (input: string) => string };
      const source = readFileSync(new URL("./stand-ins/GasbackStandIn.sol", import.meta.url), "utf8");
      const out = JSON.parse(
        solc.compile(JSON.stringify({ language: "Solidity", sources: { "GasbackStandIn.sol": { content: source } }, settings: { outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } } })),
      ) as { contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>; errors?: { severity: string; message: string }[] };
      const errors = (out.errors ?? []).filter((e) => e.severity === "error");
      assert.deepEqual(errors, []);
      const artifact = out.contracts["GasbackStandIn.sol"].GasbackStandIn;
      const hash = await stack.wallet(0).deployContract({ abi: artifact.abi, bytecode: `0x${artifact.evm.bytecode.object}` });
      const receipt = await stack.publicClient.waitForTransactionReceipt({ hash });
      gasback = receipt.contractAddress as `0x${string}`;
    });

    it("registers both contracts as their owner with the NFT going to --recipient", async () => {
      const r = await cli("gasback", ["--recipient", stack.address(2)], { GASBACK_ADDRESS: gasback });
      assert.equal(r.code, 0, r.stderr);
      for (const contract of [stack.auctionHouse, stack.collection]) {
        const to = await stack.publicClient.readContract({ address: gasback, abi: standInAbi, functionName: "registeredTo", args: [contract] });
        assert.equal(to, stack.address(2));
      }
    });

    it("needs the owner's key, a Gasback address with code, and one on the local chain", async () => {
      assert.equal(
        oneErrorLine(await cli("gasback", ["--contract", "house"], { GASBACK_ADDRESS: gasback, ADMIN_PRIVATE_KEY: localPrivateKey(5) })),
        `error: AuctionHouse.owner() is ${stack.accounts.admin}, not the signer ${stack.address(5)}: Gasback only accepts the owner`,
      );
      assert.equal(oneErrorLine(await cli("gasback", [], { GASBACK_ADDRESS: stack.address(9) })), `error: no contract at the Gasback address ${stack.address(9)} on local`);
      assert.equal(oneErrorLine(await cli("gasback")), "error: no Gasback address for local: set GASBACK_ADDRESS (see Shape's docs) or pass --gasback");
    });
  });

  describe("campaign", () => {
    it("creates a campaign whose lots run back to back, minting token URIs and using existing tokens", async () => {
      const minted = await cli("mint", ["--uri", "ipfs://bafy/existing.json"]);
      const existing = /minted token (\d+)/.exec(minted.stdout)?.[1];
      const file = join(temp, "campaign.json");
      writeFileSync(
        file,
        JSON.stringify({
          name: "Test Evening",
          metadataURI: "ipfs://bafy/campaign.json",
          gap: "10s",
          defaults: { reserve: "0.05", duration: "5m", minIncrementBps: 500, minIncrementFloor: "0.001", timeBuffer: "30s" },
          lots: [{ tokenURI: "ipfs://bafy/1.json" }, { tokenId: Number(existing), reserve: "1", duration: 120 }, { tokenURI: "data:application/json;base64,e30=" }],
        }),
      );
      const dry = await cli("campaign", [file, "--dry-run"]);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /dry run: the file is valid, nothing sent/);
      const countBefore = await read<bigint>("lotCount");
      assert.equal(await read<bigint>("lotCount"), countBefore);
      const r = await cli("campaign", [file]);
      assert.equal(r.code, 0, r.stderr);
      const ids = [countBefore + 1n, countBefore + 2n, countBefore + 3n];
      assert.match(r.stdout, new RegExp(`lots #${ids[0]}, #${ids[1]}, #${ids[2]}`));
      const lots = await Promise.all(ids.map((id) => read<{ startTime: number; endTime: number; reserve: bigint; tokenId: bigint; campaignId: bigint }>("lot", [id])));
      assert.equal(await read<number>("lotStatus", [ids[0]]), STATUS.live);
      assert.equal(lots[0].endTime - lots[0].startTime, 300);
      assert.equal(lots[1].startTime, lots[0].endTime + 10);
      assert.equal(lots[1].endTime - lots[1].startTime, 120);
      assert.equal(lots[2].startTime, lots[1].endTime + 10);
      assert.equal(lots[1].reserve, parseEther("1"));
      assert.equal(lots[1].tokenId, BigInt(existing as string));
      assert.equal(BigInt(lots[0].campaignId), BigInt(lots[2].campaignId));
    });

    it("reports every bad entry of a file and sends nothing", async () => {
      const file = join(temp, "bad.json");
      writeFileSync(file, JSON.stringify({ name: "", gap: "soon", extra: 1, defaults: { reserve: "lots" }, lots: [{ tokenURI: "http://x" }, { tokenId: 1, tokenURI: "ipfs://a" }, { tokenId: 999999, duration: "40d" }] }));
      const before = await read<bigint>("lotCount");
      const r = await cli("campaign", [file]);
      assert.equal(r.code, 1);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines[0], `error: ${file} has 7 problems:`);
      for (const expected of [
        "extra: unknown field",
        "name: expected a non-empty string",
        'gap: expected a duration like 300, "90s", "5m" or "1h", got "soon"',
        "lots[0].tokenURI: expected a token URI",
        'defaults.reserve: expected an ETH amount like "0.5", got "lots"',
        "lots[1]: give exactly one of tokenURI (to mint) or tokenId (already minted)",
        "lots[2].duration: expected 1 s to 30 days, got 3456000 s",
      ]) {
        assert.ok(lines.some((l) => l.includes(expected)), `missing "${expected}" in:\n${r.stderr}`);
      }
      assert.equal(await read<bigint>("lotCount"), before);
    });

    it("checks tokens and approvals on chain; the seller approves with `campaign approve`", async () => {
      const tokenId = await stack.mint({ to: stack.address(12) });
      const file = join(temp, "seller.json");
      writeFileSync(file, JSON.stringify({ name: "Artist night", seller: stack.address(12), lots: [{ tokenId: Number(tokenId) }, { tokenId: 999999 }] }));
      const r = await cli("campaign", [file]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /lots\[0\]\.tokenId: the seller 0x[0-9a-fA-F]{40} has not approved the AuctionHouse for token \d+/);
      assert.match(r.stderr, /lots\[1\]\.tokenId: token 999999 does not exist/);
      const approve = await cli("campaign", ["approve"], { ADMIN_PRIVATE_KEY: localPrivateKey(12) });
      assert.equal(approve.code, 0, approve.stderr);
      writeFileSync(file, JSON.stringify({ name: "Artist night", seller: stack.address(12), lots: [{ tokenId: Number(tokenId) }] }));
      const ok = await cli("campaign", [file]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(await readCollection<string>("ownerOf", [tokenId]), stack.auctionHouse);
    });

    it("adds lots to an existing campaign by campaignId, and refuses an unknown one", async () => {
      const campaignId = await stack.createCampaign("Existing");
      const file = join(temp, "more.json");
      writeFileSync(file, JSON.stringify({ campaignId: Number(campaignId), lots: [{ tokenURI: "ipfs://bafy/more.json" }] }));
      const before = await read<bigint>("lotCount");
      const r = await cli("campaign", [file]);
      assert.equal(r.code, 0, r.stderr);
      const lot = await read<{ campaignId: bigint }>("lot", [before + 1n]);
      assert.equal(BigInt(lot.campaignId), campaignId);
      assert.match((await cli("status")).stdout, new RegExp(`#${campaignId} Existing: 1 lots, 1 live`));
      writeFileSync(file, JSON.stringify({ campaignId: 999, lots: [{ tokenURI: "ipfs://bafy/more.json" }] }));
      const bad = await cli("campaign", [file]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, new RegExp(`campaignId: campaign 999 does not exist \\(there are ${campaignId}\\)`));
    });

    it("names an unreadable or malformed file in one line", async () => {
      assert.equal(oneErrorLine(await cli("campaign", [join(temp, "nope.json")])), `error: cannot read ${join(temp, "nope.json")}: no such file`);
      const file = join(temp, "broken.json");
      writeFileSync(file, "{ name: ");
      assert.match(oneErrorLine(await cli("campaign", [file])), new RegExp(`^error: ${file} is not valid JSON: `));
    });
  });

  describe("on a real network's chain id (a Hardhat node started as chain 11011, standing in for Shape Sepolia)", () => {
    const dir = join(temp, "sepolia");
    const sepolia = (command: string, args: string[] = [], extra: Record<string, string> = {}) =>
      runIn(command, [...args, "--network", "shapeSepolia"], { SHAPE_SEPOLIA_RPC_URL: sepoliaRpcUrl, DEPLOYMENTS_DIR: dir, ...extra });

    it("needs a key: there is no default signer off the local chain", async () => {
      assert.equal(oneErrorLine(await sepolia("deploy")), "error: no signing key for shapeSepolia: set DEPLOYER_PRIVATE_KEY or pass --keystore <file>");
      assert.equal(oneErrorLine(await sepolia("pause")), "error: no deployment for chain 11011 at " + join(dir, "11011.json") + " — deploy first: ./sothebais deploy --network <name>");
    });

    it("deploys with DEPLOYER_PRIVATE_KEY, and refuses to replace a live record without --force", async () => {
      const key = { DEPLOYER_PRIVATE_KEY: localPrivateKey(0) };
      const first = await sepolia("deploy", ["--relayer", stack.address(1)], key);
      assert.equal(first.code, 0, first.stderr);
      const record = loadDeployment(11011, dir);
      assert.match(first.stdout, new RegExp(`AuctionHouse +${record.auctionHouse}  https://sepolia\\.shapescan\\.xyz/address/${record.auctionHouse}`));
      assert.equal(record.chainId, 11011);
      const again = oneErrorLine(await sepolia("deploy", [], key));
      assert.equal(again, `error: ${join(dir, "11011.json")} already records a live AuctionHouse at ${record.auctionHouse} — pass --force to deploy a new one and replace the record`);
      const forced = await sepolia("deploy", ["--force"], key);
      assert.equal(forced.code, 0, forced.stderr);
      assert.notEqual(loadDeployment(11011, dir).auctionHouse, record.auctionHouse);
      const status = await sepolia("status");
      assert.match(status.stdout, /^shapeSepolia \(chain 11011\)/);
    });

    it("gasback refuses the built-in Sepolia address when nothing is deployed there", async () => {
      assert.equal(
        oneErrorLine(await sepolia("gasback", [], { ADMIN_PRIVATE_KEY: localPrivateKey(0) })),
        "error: no contract at the Gasback address 0xdF329d59bC797907703F7c198dDA2d770fC45034 on shapeSepolia",
      );
    });
  });
});
