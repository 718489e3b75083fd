/** Test helpers: run an admin command as a real child process and capture what a person would see. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "@sothebais/common/deployments";

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Runs `node scripts/src/admin/<command>.ts ...args` with only the env we give (plus PATH/HOME). */
export function runCli(command: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "scripts/src/admin", `${command}.ts`), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_NO_WARNINGS: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The failure contract of every command: exit 1 and exactly one `error: …` line, no stack trace. */
export function oneErrorLine(r: CliResult): string {
  const lines = r.stderr.trim().split("\n");
  if (r.code !== 1) throw new Error(`expected exit code 1, got ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  if (lines.length !== 1 || !lines[0].startsWith("error: ")) throw new Error(`expected one "error: " line, got:\n${r.stderr}`);
  return lines[0];
}
