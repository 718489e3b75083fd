/**
 * @module testing/process
 * Start real child processes for tests and the local stack, wait until they say they are ready,
 * and stop them (process group, SIGTERM then SIGKILL) so nothing is left running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { stripVTControlCharacters } from "node:util";
import { createServer } from "node:net";

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export type Managed = {
  child: ChildProcess;
  /** Everything printed so far (stdout + stderr), for error messages. */
  output: () => string;
  /** SIGTERM to the process group, SIGKILL after `graceMs`. Resolves when it exited. */
  stop: (graceMs?: number) => Promise<void>;
  /** SIGKILL now (crash simulation). */
  kill: () => Promise<void>;
  exited: Promise<number | null>;
};

export type StartOptions = {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Resolve once the output matches; omitted = resolve at once. */
  readyWhen?: RegExp | ((output: string) => boolean);
  timeoutMs?: number;
  /** Echo output lines with a prefix (the local stack does, tests do not). */
  echo?: (line: string) => void;
};

/** Process groups still running: killed when this process exits, however it exits (a test runner that
 * force-exits, an uncaught error), so no node, Redis or nginx outlives the test that started it. */
const running = new Set<number>();
process.once("exit", () => {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {}
  }
});

export async function startProcess(options: StartOptions): Promise<Managed> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  if (child.pid) running.add(child.pid);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      if (child.pid) running.delete(child.pid);
      resolve(code);
    }),
  );
  const ready = options.readyWhen;
  const matches = () => (ready instanceof RegExp ? ready.test(output) : ready ? ready(output) : true);
  let pending = "";
  const onData = (chunk: Buffer) => {
    // Tools colour their output when CI sets FORCE_COLOR or a TERM; readiness patterns match plain text.
    const text = stripVTControlCharacters(chunk.toString());
    if (output.length < 1_000_000) output += text;
    if (options.echo) {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) options.echo(line);
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);

  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {}
  };
  const managed: Managed = {
    child,
    output: () => output,
    exited,
    stop: async (graceMs = 5000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup("SIGKILL");
      await exited;
    },
  };

  await new Promise<void>((resolve, reject) => {
    const timeout = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      cleanup();
      void managed.kill();
      reject(new Error(`${options.name} not ready after ${timeout} ms:\n${output.slice(-2000)}`));
    }, timeout);
    const check = () => {
      if (matches()) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${options.name} exited (code ${code}) before it was ready:\n${output.slice(-2000)}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      child.stderr?.off("data", check);
      child.off("exit", onExit);
    };
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.once("exit", onExit);
    check();
  });
  return managed;
}

/** Poll `fn` until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(fn: () => Promise<T> | T, { timeoutMs = 10_000, intervalMs = 50, what = "condition" } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}
