import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { waitForImages } from "../src/images.ts";

describe("waitForImages() (the compose suite waiting for the background build)", () => {
  const dir = mkdtempSync(join(tmpdir(), "images-status-"));

  it("returns the build's outcome once the status file has one", async () => {
    const file = join(dir, "done.json");
    writeFileSync(file, JSON.stringify({ state: "running", pid: process.pid, startedAt: new Date().toISOString() }));
    setTimeout(() => writeFileSync(file, JSON.stringify({ state: "done", seconds: 12, images: { relayer: 10 } })), 500);
    assert.deepEqual(await waitForImages(file, 20_000), { state: "done", seconds: 12, images: { relayer: 10 } });
  });

  it("does not wait out its deadline for a build that died without writing an outcome", async () => {
    const gone = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim();
    const file = join(dir, "gone.json");
    writeFileSync(file, JSON.stringify({ state: "running", pid: Number(gone), startedAt: new Date().toISOString() }));
    const started = Date.now();
    const status = await waitForImages(file, 60_000);
    assert.equal(status.state, "failed");
    assert.match(status.state === "failed" ? status.error : "", new RegExp(`pid ${gone}`));
    assert.ok(Date.now() - started < 10_000);
  });

  it("gives up at its deadline when no status file appears", async () => {
    const status = await waitForImages(join(dir, "never.json"), 3000);
    assert.equal(status.state, "failed");
    assert.match(status.state === "failed" ? status.error : "", /did not finish/);
  });
});
