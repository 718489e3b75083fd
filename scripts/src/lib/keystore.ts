/**
 * @module lib/keystore
 * Encrypted key files in the Web3 Secret Storage v3 format (scrypt + aes-128-ctr, keccak-256 MAC), the
 * format geth, Foundry (`cast wallet import`) and MetaMask exports use, done with node:crypto alone.
 * The private key only ever lives in memory; nothing here prints or logs it.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID, scryptSync } from "node:crypto";
import { keccak256 } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { FatalError } from "@sothebais/common/errors";

export type Hex = `0x${string}`;

export type KeystoreV3 = {
  version: 3;
  id: string;
  address: string;
  crypto: {
    cipher: "aes-128-ctr";
    cipherparams: { iv: string };
    ciphertext: string;
    kdf: "scrypt";
    kdfparams: { dklen: number; n: number; r: number; p: number; salt: string };
    mac: string;
  };
};

/** scrypt cost: geth's "standard" n = 2^18 takes ~1 s and 256 MB; `light` (2^12) is for tests only. */
export type KdfStrength = "standard" | "light";

const mac = (derived: Buffer, ciphertext: Buffer) => keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext])).slice(2);

function derive(password: string, salt: Buffer, p: { dklen: number; n: number; r: number; p: number }): Buffer {
  return scryptSync(password.normalize("NFKC"), salt, p.dklen, { N: p.n, r: p.r, p: p.p, maxmem: 128 * p.n * p.r * p.p + 64 * 1024 * 1024 });
}

export function encryptKeystore(privateKey: Hex, password: string, strength: KdfStrength = "standard"): KeystoreV3 {
  if (!password) throw new FatalError("the keystore password is empty");
  const kdfparams = { dklen: 32, n: strength === "standard" ? 1 << 18 : 1 << 12, r: 8, p: 1, salt: randomBytes(32).toString("hex") };
  const derived = derive(password, Buffer.from(kdfparams.salt, "hex"), kdfparams);
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(privateKey.slice(2), "hex")), cipher.final()]);
  return {
    version: 3,
    id: randomUUID(),
    address: privateKeyToAddress(privateKey).slice(2).toLowerCase(),
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: iv.toString("hex") },
      ciphertext: ciphertext.toString("hex"),
      kdf: "scrypt",
      kdfparams,
      mac: mac(derived, ciphertext),
    },
  };
}

/** Decrypts a v3 keystore (scrypt or pbkdf2 is not supported: scrypt only, as every current tool writes). */
export function decryptKeystore(json: unknown, password: string, source = "keystore"): Hex {
  const k = json as Partial<KeystoreV3> & { Crypto?: KeystoreV3["crypto"] };
  const c = k?.crypto ?? k?.Crypto;
  if (k?.version !== 3 || !c) throw new FatalError(`${source} is not a Web3 Secret Storage v3 keystore`);
  if (c.kdf !== "scrypt") throw new FatalError(`${source} uses kdf "${c.kdf}": only scrypt keystores are supported`);
  if (c.cipher !== "aes-128-ctr") throw new FatalError(`${source} uses cipher "${c.cipher}": only aes-128-ctr is supported`);
  const derived = derive(password, Buffer.from(c.kdfparams.salt, "hex"), c.kdfparams);
  const ciphertext = Buffer.from(c.ciphertext, "hex");
  if (mac(derived, ciphertext) !== c.mac.toLowerCase()) throw new FatalError(`wrong password for ${source}`);
  const decipher = createDecipheriv("aes-128-ctr", derived.subarray(0, 16), Buffer.from(c.cipherparams.iv, "hex"));
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  return `0x${key.toString("hex")}` as Hex;
}
