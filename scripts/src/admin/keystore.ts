/**
 * `node scripts/src/admin/keystore.ts create|address`: make or inspect an encrypted key file (Web3
 * Secret Storage v3) for the admin commands' --keystore. The key is never printed.
 */
import { existsSync, writeFileSync } from "node:fs";
import { FatalError } from "@sothebais/common/errors";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { readFileSync } from "node:fs";
import { promptHidden, type Command, runMain } from "../lib/cli.ts";
import { decryptKeystore, encryptKeystore } from "../lib/keystore.ts";

export const command: Command = {
  name: "keystore",
  summary: "Create an encrypted keystore (scrypt + aes-128-ctr, the geth/Foundry format) or show a keystore's address.",
  usage: "create <file> [--generate] | address <file>",
  options: { generate: { type: "boolean" }, light: { type: "boolean" }, force: { type: "boolean" } },
  help: {
    generate: "make a fresh random key instead of reading PRIVATE_KEY",
    light: "cheap scrypt parameters (tests only)",
    force: "overwrite an existing file",
  },
  details: `create reads the key from PRIVATE_KEY (or --generate), the password from KEYSTORE_PASSWORD or a prompt
(asked twice), and writes the file with mode 0600. Then use --keystore <file> with any admin command.
Foundry's \`cast wallet import\` and geth write the same format, so their files work too.
Examples:
  PRIVATE_KEY=0x… node scripts/src/admin/keystore.ts create ~/.sothebais/admin.json
  node scripts/src/admin/keystore.ts create ~/.sothebais/relayer.json --generate
  node scripts/src/admin/keystore.ts address ~/.sothebais/admin.json`,
  run: async (ctx) => {
    const [action, file, ...rest] = ctx.positionals;
    if (!file || rest.length) throw new FatalError("keystore needs create <file> or address <file> (see --help)");
    if (action === "address") {
      const json = JSON.parse(readFileSync(file, "utf8")) as { address?: string };
      if (process.env.KEYSTORE_PASSWORD !== undefined) {
        ctx.print(privateKeyToAddress(decryptKeystore(json, process.env.KEYSTORE_PASSWORD, file)));
      } else ctx.print(`0x${json.address ?? "(no address field)"}`);
      return;
    }
    if (action !== "create") throw new FatalError(`unknown keystore action "${action}": expected create or address`);
    if (existsSync(file) && !ctx.values.force) throw new FatalError(`${file} exists: pass --force to overwrite`);
    let key: `0x${string}`;
    if (ctx.values.generate) key = generatePrivateKey();
    else {
      const raw = process.env.PRIVATE_KEY?.trim();
      if (!raw) throw new FatalError("set PRIVATE_KEY (the key to encrypt) or pass --generate");
      const k = raw.startsWith("0x") ? raw : `0x${raw}`;
      if (!/^0x[0-9a-fA-F]{64}$/.test(k)) throw new FatalError("PRIVATE_KEY is not a 32-byte hex private key");
      key = k as `0x${string}`;
    }
    let password = process.env.KEYSTORE_PASSWORD;
    if (password === undefined) {
      password = await promptHidden("new keystore password: ");
      if ((await promptHidden("again: ")) !== password) throw new FatalError("the passwords differ");
    }
    if (password.length < 8) throw new FatalError("the keystore password needs at least 8 characters");
    const json = encryptKeystore(key, password, ctx.values.light ? "light" : "standard");
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
    ctx.print(`wrote ${file} for ${privateKeyToAddress(key)}`);
  },
};

if (import.meta.main) await runMain(command);
