/**
 * Builds every production image from the Dockerfile, tagged as compose.yaml names them
 * (sothebais/<target>:<IMAGE_TAG>), all six at once with BuildKit: the stages they share (the manifests,
 * the compile, the service dependencies) are built once, and every npm step reads one download cache.
 *
 *   node scripts/src/images.ts [--tag local] [--log-dir .tmp/images] [--status FILE]
 *
 * It starts Debian's dockerd when none runs and this user may (root), and makes sure the base images
 * exist (pulled, or stand-ins from Debian where no registry answers: scripts/test/compose/base-images.sh).
 * With --status it writes where it is to FILE as JSON ({ state: running | done | failed | skipped, ... }):
 * `./sothebais test` starts it in the background when the run includes the compose suite, which waits for
 * that file, so the build overlaps the suites before it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "@sothebais/common/deployments";

/** The Dockerfile's service targets; compose.yaml runs the indexer's image twice (writer and API replicas). */
export const imageTargets = ["indexer", "relayer", "agent", "broadcaster", "operator", "dapp"] as const;

export type Engine = { ok: true; startedDaemon?: ChildProcess } | { ok: false; reason: string };

export type ImagesStatus =
  | { state: "running"; pid: number; startedAt: string; daemonPid?: number }
  | { state: "done"; seconds: number; images: Record<string, number>; daemonPid?: number }
  | { state: "failed"; error: string; daemonPid?: number }
  | { state: "skipped"; reason: string };

/** A short command, its output kept (spawnSync with the repo as working directory). */
export function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}) {
  return spawnSync(cmd, args, { cwd: repoRoot, encoding: "utf8", env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, input: options.input, maxBuffer: 64 * 1024 * 1024 });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The engine that runs, or the one started here (detached: it outlives this process), or why none can. */
export async function ensureEngine(logDir: string): Promise<Engine> {
  if (run("docker", ["--version"]).error) return { ok: false, reason: "no docker CLI (./sothebais setup installs Debian's docker.io)" };
  if (run("docker", ["info"], { timeoutMs: 20_000 }).status === 0) return { ok: true };
  if (run("dockerd", ["--version"]).error) return { ok: false, reason: "no dockerd (./sothebais setup installs Debian's docker.io)" };
  if (process.getuid?.() !== 0) return { ok: false, reason: "no Docker daemon running, and this user cannot start dockerd (not root)" };
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, "dockerd.log");
  const daemon = spawn("dockerd", [], { stdio: ["ignore", openSync(logFile, "w"), openSync(logFile, "a")], detached: true });
  daemon.unref();
  let exited: number | null = null;
  daemon.once("exit", (code) => void (exited = code ?? -1));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline && exited === null; await sleep(500)) {
    if (run("docker", ["info"], { timeoutMs: 10_000 }).status === 0) return { ok: true, startedDaemon: daemon };
  }
  daemon.kill("SIGTERM");
  const text = readFileSync(logFile, "utf8");
  const errors = text.split("\n").filter((l) => /level=(error|fatal)|failed to start/i.test(l));
  return { ok: false, reason: `dockerd did not start${exited !== null ? ` (exit ${exited})` : ""}: ${(errors.at(-1) ?? text.trim().split("\n").at(-1) ?? "").trim()}` };
}

/**
 * A docker CLI that builds with BuildKit: the one on PATH when it does (Docker 23+ with buildx), else
 * Debian's 20.10 client, whose daemon has BuildKit built in (DOCKER_BUILDKIT=1). A newer CLI without the
 * buildx plugin refuses DOCKER_BUILDKIT=1 and has only the legacy builder, which cannot build the Dockerfile.
 */
export function buildkitCli(): { cli: string; env: NodeJS.ProcessEnv } | { error: string } {
  const env = { ...process.env, DOCKER_BUILDKIT: "1" };
  const tried: string[] = [];
  for (const cli of [...new Set(["docker", "/usr/bin/docker"])]) {
    const probe = run(cli, ["build", "-q", "-"], { env, input: "FROM scratch\nLABEL sothebais.probe=buildkit\n", timeoutMs: 60_000 });
    if (probe.status === 0) return { cli, env };
    tried.push(`${cli}: ${(probe.error?.message ?? probe.stderr ?? "").trim().split("\n").at(-1)}`);
  }
  return { error: `no docker CLI builds with BuildKit (${tried.join("; ")}); install Docker's buildx plugin` };
}

/** The base images, then the six service images in parallel. Seconds per image (from the start). */
export async function buildImages(options: { tag: string; logDir: string; progress: (line: string) => void }): Promise<Record<string, number>> {
  mkdirSync(options.logDir, { recursive: true });
  const started = Date.now();
  // Each step once more on failure: a package server that dropped a connection is the usual cause, and
  // BuildKit keeps every stage that finished, so the retry redoes only the step that failed.
  const step = (what: string, cmd: string, args: string[], log: string, env: NodeJS.ProcessEnv) =>
    runLogged(cmd, args, join(options.logDir, `${log}.log`), env).catch((error: Error) => {
      options.progress(`${what} failed (${error.message.split("\n")[0]}); trying once more`);
      return runLogged(cmd, args, join(options.logDir, `${log}.retry.log`), env);
    });
  await step("base images", join(repoRoot, "scripts/test/compose/base-images.sh"), [], "base-images", process.env);
  options.progress(`base images ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const builder = buildkitCli();
  if ("error" in builder) throw new Error(builder.error);
  const seconds: Record<string, number> = {};
  await Promise.all(
    imageTargets.map(async (target) => {
      const args = ["build", "--progress=plain", "--target", target, "-t", `sothebais/${target}:${options.tag}`, "."];
      await step(`sothebais/${target}:${options.tag}`, builder.cli, args, `image-${target}`, builder.env);
      seconds[target] = Math.round((Date.now() - started) / 1000);
      options.progress(`sothebais/${target}:${options.tag} built (${seconds[target]} s)`);
    }),
  );
  return seconds;
}

/** A long command with its output in a log file (and the tail of it in the error when it fails). */
export function runLogged(cmd: string, args: string[], file: string, env: NodeJS.ProcessEnv, timeoutMs = 60 * 60_000): Promise<void> {
  const fd = openSync(file, "w");
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: ["ignore", fd, fd] });
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(" ")} exited ${code} (log: ${file}):\n${readFileSync(file, "utf8").slice(-3000)}`));
    });
  });
}

/** Waits for a background build's status file to say it is over. */
export async function waitForImages(statusFile: string, timeoutMs = 60 * 60_000): Promise<Exclude<ImagesStatus, { state: "running" }>> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(2000)) {
    let status: ImagesStatus | undefined;
    try {
      status = JSON.parse(readFileSync(statusFile, "utf8")) as ImagesStatus;
    } catch {
      continue; // not written yet
    }
    if (status.state === "running") {
      // A build that died without a word (killed) is not waited for until the deadline.
      if (spawnSync("kill", ["-0", String(status.pid)]).status !== 0) return { state: "failed", error: `the image build (pid ${status.pid}) is gone without a result` };
      continue;
    }
    return status;
  }
  return { state: "failed", error: `the image build did not finish in ${timeoutMs / 60_000} minutes` };
}

async function main() {
  const { values } = parseArgs({
    options: { tag: { type: "string", default: "local" }, "log-dir": { type: "string", default: join(repoRoot, ".tmp/images") }, status: { type: "string" } },
  });
  const logDir = values["log-dir"] as string;
  const write = (status: ImagesStatus) => values.status && writeFileSync(values.status, JSON.stringify(status));
  const say = (line: string) => console.log(`[images] ${line}`);
  const started = Date.now();
  write({ state: "running", pid: process.pid, startedAt: new Date().toISOString() });
  const engine = await ensureEngine(logDir);
  if (!engine.ok) {
    say(`skipped: ${engine.reason}`);
    write({ state: "skipped", reason: engine.reason });
    return;
  }
  const daemonPid = engine.startedDaemon?.pid;
  if (daemonPid) say(`started dockerd (pid ${daemonPid})`);
  write({ state: "running", pid: process.pid, startedAt: new Date(started).toISOString(), daemonPid });
  try {
    const images = await buildImages({ tag: values.tag as string, logDir, progress: say });
    const seconds = Math.round((Date.now() - started) / 1000);
    say(`all ${imageTargets.length} images built in ${seconds} s`);
    write({ state: "done", seconds, images, daemonPid });
  } catch (error) {
    const message = (error as Error).message;
    console.error(`[images] failed: ${message}`);
    write({ state: "failed", error: message, daemonPid });
    process.exitCode = 1;
  }
}

if (import.meta.main) await main();
