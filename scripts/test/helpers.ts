/**
 * Test helpers: run an admin command the way a person does, either as a real child process (`runCli`,
 * for the exit code and stderr contract) or in-process (`runIn`, same code path minus Node's start-up,
 * which matters on a loaded 2-core machine).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { repoRoot } from "@sothebais/common/deployments";
import type { Command } from "../src/lib/cli.ts";
import { runCommand } from "../src/lib/cli.ts";

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Env keys the commands read; cleared for in-process runs unless the test sets them. */
const commandEnv = ["RPC_URL", "SHAPE_SEPOLIA_RPC_URL", "SHAPE_RPC_URL", "DEPLOYMENTS_DIR", "ADMIN_PRIVATE_KEY", "DEPLOYER_PRIVATE_KEY", "PRIVATE_KEY", "KEYSTORE_PATH", "KEYSTORE_PASSWORD", "GASBACK_ADDRESS", "BLOCKSCOUT_API_URL", "VERIFY_POLL_MS"];

/**
 * Runs `node <script> ...args` from the repo root with only the env we give (plus PATH/HOME); killed after
 * `timeoutMs`. Colour codes are stripped from stdout (the doctor marks its lines with coloured ✓ / ✗).
 */
function runScript(script: string, args: string[], env: Record<string, string | undefined>, timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, script), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_NO_WARNINGS: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stripVTControlCharacters(stdout), stderr });
    });
  });
}

/** Runs `node scripts/src/admin/<command>.ts ...args` with only the env we give (plus PATH/HOME). */
export const runCli = (command: string, args: string[], env: Record<string, string | undefined> = {}) => runScript(`scripts/src/admin/${command}.ts`, args, env, 180_000);

/** Runs `node scripts/src/doctor.ts ...args` (what `./sothebais doctor` execs) with only the env we give. */
export const runDoctor = (args: string[], env: Record<string, string | undefined> = {}) => runScript("scripts/src/doctor.ts", args, env, 120_000);

const loaded = new Map<string, Command>();

/** Runs an admin command in this process with exactly `env` for the command's keys (tests run one at a time). */
export async function runIn(command: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  let cmd = loaded.get(command);
  if (!cmd) {
    cmd = ((await import(join(repoRoot, "scripts/src/admin", `${command}.ts`))) as { command: Command }).command;
    loaded.set(command, cmd);
  }
  const saved = Object.fromEntries(commandEnv.map((k) => [k, process.env[k]]));
  for (const k of commandEnv) delete process.env[k];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await runCommand(cmd, args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, stdout: out.map((l) => `${l}\n`).join(""), stderr: err.map((l) => `${l}\n`).join("") };
  } finally {
    for (const k of commandEnv) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

/** The failure contract of every command: exit 1 and exactly one `error: …` line, no stack trace. */
export function oneErrorLine(r: CliResult): string {
  const lines = r.stderr.trim().split("\n");
  if (r.code !== 1) throw new Error(`expected exit code 1, got ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  if (lines.length !== 1 || !lines[0].startsWith("error: ")) throw new Error(`expected one "error: " line, got:\n${r.stderr}`);
  return lines[0];
}
