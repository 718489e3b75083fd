import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type Deployment, loadDeployment, saveDeployment } from "../src/deployments.ts";
import { FatalError } from "../src/errors.ts";

const record: Deployment = {
  chainId: 31337,
  auctionHouse: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  collection: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  deployBlock: 1,
  deployer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  genesisHash: `0x${"11".repeat(32)}`,
  deployedAt: "2026-11-25T00:00:00.000Z",
};

describe("deployment records", () => {
  it("saveDeployment() then loadDeployment() round-trips", () => {
    const dir = mkdtempSync(join(tmpdir(), "deployments-"));
    saveDeployment(record, dir);
    assert.deepEqual(loadDeployment(31337, dir), record);
  });

  it("loadDeployment() explains a missing record with how to make one", () => {
    const dir = mkdtempSync(join(tmpdir(), "deployments-"));
    assert.throws(() => loadDeployment(11011, dir), (e: unknown) => e instanceof FatalError && /no deployment for chain 11011/.test(e.message) && /deploy/.test(e.hints[0]));
  });

  it("loadDeployment() names every bad field", () => {
    const dir = mkdtempSync(join(tmpdir(), "deployments-"));
    writeFileSync(join(dir, "31337.json"), JSON.stringify({ ...record, auctionHouse: "0x1", deployBlock: -1 }));
    assert.throws(() => loadDeployment(31337, dir), /auctionHouse: got "0x1", expected an address; deployBlock: got -1/);
  });

  it("loadDeployment() refuses a record for another chain", () => {
    const dir = mkdtempSync(join(tmpdir(), "deployments-"));
    writeFileSync(join(dir, "360.json"), JSON.stringify(record));
    assert.throws(() => loadDeployment(360, dir), /is for chain 31337, not 360/);
  });
});
