import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { privateKeyToAddress } from "viem/accounts";
import { decryptKeystore, encryptKeystore } from "../src/lib/keystore.ts";

const key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as const;

describe("keystore", () => {
  it("round-trips a key and records its address", () => {
    const ks = encryptKeystore(key, "correct horse", "light");
    assert.equal(ks.version, 3);
    assert.equal(`0x${ks.address}`, privateKeyToAddress(key).toLowerCase());
    assert.ok(!JSON.stringify(ks).includes(key.slice(2)), "the plain key must not appear in the file");
    assert.equal(decryptKeystore(ks, "correct horse"), key);
  });
  it("rejects a wrong password by the MAC", () => {
    const ks = encryptKeystore(key, "correct horse", "light");
    assert.throws(() => decryptKeystore(ks, "wrong horse", "admin.json"), /wrong password for admin.json/);
  });
  it("reads what ethers writes and writes what ethers reads (same v3 format as geth and Foundry)", async (t) => {
    let ethers: typeof import("ethers");
    try {
      ethers = await import("ethers");
    } catch {
      return t.skip("ethers is not installed");
    }
    const theirs = ethers.encryptKeystoreJsonSync({ address: privateKeyToAddress(key), privateKey: key }, "pw-12345678", { scrypt: { N: 1 << 12 } });
    assert.equal(decryptKeystore(JSON.parse(theirs), "pw-12345678"), key);
    const ours = encryptKeystore(key, "pw-12345678", "light");
    const account = ethers.decryptKeystoreJsonSync(JSON.stringify(ours), "pw-12345678");
    assert.equal(account.privateKey, key);
  });
});
