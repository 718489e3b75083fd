/**
 * There is no Docker engine on these machines, so the production files are checked as far as that
 * allows: every path a Dockerfile copies exists, every image runs a file that exists, ports agree
 * between EXPOSE, HEALTHCHECK and compose, and compose only references Dockerfiles that exist and
 * passes secrets through from the environment instead of spelling them out.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import yaml from "js-yaml";
import { repoRoot } from "@sothebais/common/deployments";

const services = ["indexer", "relayer", "broadcaster", "agent", "dapp"] as const;

type Instruction = { op: string; args: string };
function parseDockerfile(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
}

type Compose = { services: Record<string, { build?: { dockerfile: string }; ports?: string[]; environment?: Record<string, unknown>; image?: string }> };
const compose = yaml.load(readFileSync(join(repoRoot, "compose.yaml"), "utf8")) as Compose;

describe("Dockerfiles", () => {
  for (const name of services) {
    const file = join(repoRoot, name, "Dockerfile");
    const steps = parseDockerfile(readFileSync(file, "utf8"));

    it(`${name}: every COPY source from the build context exists`, () => {
      for (const step of steps.filter((s) => s.op === "COPY" && !s.args.startsWith("--from"))) {
        const parts = step.args.split(/\s+/);
        for (const source of parts.slice(0, -1)) assert.ok(existsSync(join(repoRoot, source)), `${name}/Dockerfile copies ${source}, which does not exist`);
      }
    });

    it(`${name}: runs as a non-root user and exposes the port its healthcheck probes`, () => {
      assert.ok(steps.some((s) => s.op === "USER" && s.args !== "root"), "no USER line");
      const exposed = steps.filter((s) => s.op === "EXPOSE").map((s) => s.args);
      assert.equal(exposed.length, 1);
      const health = steps.find((s) => s.op === "HEALTHCHECK");
      assert.ok(health?.args.includes(`127.0.0.1:${exposed[0]}/`), `healthcheck does not probe port ${exposed[0]}`);
    });

    it(`${name}: CMD starts a file or script that exists`, () => {
      const cmd = JSON.parse(steps.filter((s) => s.op === "CMD").at(-1)?.args ?? "[]") as string[];
      if (cmd[0] === "node") assert.ok(existsSync(join(repoRoot, cmd[1])), `CMD runs ${cmd[1]}, which does not exist`);
      else {
        const workspace = cmd[cmd.indexOf("-w") + 1];
        const pkg = JSON.parse(readFileSync(join(repoRoot, name, "package.json"), "utf8")) as { name: string; scripts: Record<string, string> };
        assert.equal(workspace, pkg.name);
        const script = cmd[1] === "run" ? cmd[2] : cmd[1];
        assert.ok(pkg.scripts[script], `${pkg.name} has no script "${script}"`);
      }
    });

    it(`${name}: compose builds it from this Dockerfile and maps its port`, () => {
      const svc = compose.services[name];
      assert.ok(svc, `compose.yaml has no service ${name}`);
      assert.equal(svc.build?.dockerfile, `${name}/Dockerfile`);
      const exposed = steps.find((s) => s.op === "EXPOSE")?.args;
      assert.ok(svc.ports?.some((p) => p.endsWith(`:${exposed}`)), `compose does not publish container port ${exposed}`);
    });
  }
});

describe("compose.yaml", () => {
  it("takes every secret from the environment, never a literal", () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(svc.environment ?? {})) {
        if (/KEY|TOKEN|PASSWORD|SECRET/.test(key)) assert.match(String(value), /^\$\{[A-Z_]+[:?-]/, `${name}.${key} is not taken from the environment`);
      }
    }
  });

  it("has the stores the services need: Postgres and Redis with persistence", () => {
    assert.ok(compose.services.postgres?.image?.startsWith("postgres:15"));
    assert.ok(compose.services.redis?.image?.startsWith("redis:7"));
  });
});
