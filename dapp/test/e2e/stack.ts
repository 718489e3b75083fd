/**
 * @module e2e/stack
 * The real stack for the browser tests, started the way `./sothebais up` starts it (scripts/src/stack),
 * on free ports in a temp dir: chain + demo campaign, Redis, indexer, local chat, relayer, dApp (built
 * preview). Parts that do not exist yet in the repo are skipped by startStack.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { freeStackPorts, type RunningStack, type StackPart, startStack } from "../../../scripts/src/stack/start.ts";

export async function startE2eStack(parts: readonly StackPart[] = ["chain", "redis", "indexer", "chat", "relayer", "dapp"]): Promise<RunningStack> {
  process.env.DAPP_MODE ??= "preview";
  process.env.DEMO_LOTS ??= "3";
  process.env.DEMO_LOT_SECONDS ??= "900";
  const dataDir = mkdtempSync(join(tmpdir(), "sothebais-dapp-e2e-"));
  const ports = await freeStackPorts();
  const verbose = process.env.E2E_VERBOSE === "1";
  return startStack({
    ports,
    dataDir,
    parts,
    echo: (name) => (line) => verbose && console.log(`[${name}] ${line}`),
    progress: (m) => verbose && console.log(`  ${m}`),
  });
}

/** Debian's Chromium, headless, with the flags TOOLCHAIN.md lists; a fresh profile per launch. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
