/**
 * The production files checked without an engine, in seconds (test/compose builds and runs them for real):
 * every path the Dockerfile copies exists, every stage it copies from is defined before use,
 * each service's target runs a file that exists as a non-root user, ports agree between EXPOSE,
 * HEALTHCHECK and compose, and compose builds only targets that exist and passes secrets through
 * from the environment instead of spelling them out.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import yaml from "js-yaml";
import { repoRoot } from "@sothebais/common/deployments";

const services = ["indexer", "relayer", "broadcaster", "agent", "dapp"] as const;

type Instruction = { op: string; args: string };
type Stage = { name: string; from: string; steps: Instruction[] };

/** The Dockerfile as stages (FROM ... AS name), each with its own instructions. */
function parseStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of text.replace(/\\\n/g, " ").split("\n")) {
    const l = line.trim();
    if (!l || l.startsWith("#")) continue;
    const [op, ...rest] = l.split(/\s+/);
    if (op.toUpperCase() === "FROM") {
      assert.equal(rest[1]?.toUpperCase(), "AS", `every stage is named: ${l}`);
      stages.push({ name: rest[2], from: rest[0], steps: [] });
    } else stages.at(-1)?.steps.push({ op: op.toUpperCase(), args: rest.join(" ") });
  }
  return stages;
}

type Compose = { services: Record<string, { build?: { context: string; dockerfile?: string; target?: string }; ports?: string[]; environment?: Record<string, unknown>; image?: string }> };
const compose = yaml.load(readFileSync(join(repoRoot, "compose.yaml"), "utf8")) as Compose;
const stages = parseStages(readFileSync(join(repoRoot, "Dockerfile"), "utf8"));

describe("Dockerfile", () => {
  it("copies only sources that exist, and from stages defined above the copy", () => {
    const seen = new Set<string>();
    for (const stage of stages) {
      if (!stage.from.includes(":")) assert.ok(seen.has(stage.from), `stage ${stage.name} starts from ${stage.from}, not defined above it`);
      for (const step of stage.steps.filter((s) => s.op === "COPY")) {
        const from = /^--from=(\S+)/.exec(step.args)?.[1];
        if (from) assert.ok(seen.has(from), `stage ${stage.name} copies from ${from}, not defined above it`);
        else for (const source of step.args.split(/\s+/).filter((a) => !a.startsWith("--")).slice(0, -1)) assert.ok(existsSync(join(repoRoot, source)), `stage ${stage.name} copies ${source}, which does not exist`);
      }
      seen.add(stage.name);
    }
  });

  it("the Node services share one production dependency layer of their workspaces; the dApp's server has its own", () => {
    const install = (stage: string) => stages.find((s) => s.name === stage)?.steps.find((s) => s.op === "RUN" && s.args.includes("npm ci"))?.args ?? "";
    for (const workspace of ["common", "indexer", "relayer", "broadcaster", "agent", "operator"]) assert.ok(install("service-deps").includes(`-w @sothebais/${workspace} `) || install("service-deps").endsWith(`-w @sothebais/${workspace}`), `service-deps does not install ${workspace}`);
    assert.ok(!install("service-deps").includes("@sothebais/dapp"), "the dApp's browser packages are not a service dependency");
    assert.match(install("service-deps"), /--omit=dev/);
    assert.match(install("dapp-deps"), /--omit=dev .*-w @sothebais\/dapp/);
    assert.ok(stages.find((s) => s.name === "runtime")?.steps.some((s) => s.op === "COPY" && s.args.startsWith("--from=service-deps ")));
  });

  it("every npm ci reads one BuildKit download cache (packages fetched once for all images)", () => {
    const installs = stages.flatMap((s) => s.steps).filter((s) => s.op === "RUN" && s.args.includes("npm ci"));
    assert.ok(installs.length >= 3);
    for (const step of installs) assert.match(step.args, /--mount=type=cache,target=\/root\/\.npm/, step.args);
  });

  for (const name of services) {
    const target = stages.find((s) => s.name === name);
    const steps = target?.steps ?? [];

    it(`${name}: its target runs as a non-root user and exposes the port its healthcheck probes`, () => {
      assert.ok(target, `no stage named ${name}`);
      assert.ok(steps.some((s) => s.op === "USER" && s.args !== "root"), "no USER line");
      // One EXPOSE line; its first port is the service's (a second one, like the dApp's metrics port, is not published).
      const exposed = steps.filter((s) => s.op === "EXPOSE").map((s) => s.args.split(/\s+/)[0]);
      assert.equal(exposed.length, 1);
      const health = steps.find((s) => s.op === "HEALTHCHECK");
      assert.ok(health?.args.includes(`127.0.0.1:${exposed[0]}/`), `healthcheck does not probe port ${exposed[0]}`);
    });

    it(`${name}: its target copies its own code (the dApp: its server and the built bundle)`, () => {
      const copies = steps.filter((s) => s.op === "COPY").map((s) => s.args.replace(/^--chown=\S+\s+/, ""));
      if (name === "dapp") {
        assert.ok(copies.includes("dapp/server dapp/server"), "the dapp target does not copy its server");
        assert.ok(copies.includes("--from=dapp-build /app/dapp/dist dapp/dist"), "the dapp target does not copy the built bundle");
      } else assert.ok(copies.includes(`${name} ${name}`), `the ${name} target does not copy ${name}/`);
    });

    it(`${name}: CMD starts a file or script that exists`, () => {
      const cmd = JSON.parse(steps.filter((s) => s.op === "CMD").at(-1)?.args ?? "[]") as string[];
      if (cmd[0] === "node") {
        // Node's own flags (the broadcaster's V8 flags) come before the file.
        const file = cmd.slice(1).find((arg) => !arg.startsWith("-")) ?? "";
        assert.ok(existsSync(join(repoRoot, file)), `CMD runs ${file}, which does not exist`);
      }
      else {
        const workspace = cmd[cmd.indexOf("-w") + 1];
        const pkg = JSON.parse(readFileSync(join(repoRoot, name, "package.json"), "utf8")) as { name: string; scripts: Record<string, string> };
        assert.equal(workspace, pkg.name);
        const script = cmd[1] === "run" ? cmd[2] : cmd[1];
        assert.ok(pkg.scripts[script], `${pkg.name} has no script "${script}"`);
      }
    });

    it(`${name}: compose builds this target from the root Dockerfile and maps its port`, () => {
      const svc = compose.services[name];
      assert.ok(svc, `compose.yaml has no service ${name}`);
      assert.equal(svc.build?.context, ".");
      assert.equal(svc.build?.dockerfile ?? "Dockerfile", "Dockerfile");
      assert.equal(svc.build?.target, name);
      const exposed = steps.find((s) => s.op === "EXPOSE")?.args.split(/\s+/)[0];
      // The indexer's writer is not published: its API replicas (same target) are.
      const published = name === "indexer" ? compose.services["indexer-api"] : svc;
      assert.equal(published?.build?.target, name);
      assert.ok(published?.ports?.some((p) => p.endsWith(`:${exposed}`)), `compose does not publish container port ${exposed}`);
    });
  }

  it("compose builds no target the Dockerfile lacks", () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.build) assert.ok(stages.some((s) => s.name === svc.build?.target), `${name} builds target ${svc.build.target}, which the Dockerfile lacks`);
    }
  });
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
    // Postgres 15 with pgvector (the agent's ElizaOS memory needs the `vector` type).
    assert.ok(compose.services.postgres?.image?.startsWith("pgvector/pgvector:pg15"));
    assert.ok(compose.services.redis?.image?.startsWith("redis:7"));
  });

  it("lists every variable it reads in .env.production.example", () => {
    const text = readFileSync(join(repoRoot, "compose.yaml"), "utf8").replace(/\$\$/g, "");
    const read = new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
    const example = readFileSync(join(repoRoot, ".env.production.example"), "utf8");
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    assert.ok(read.size > 20, `only ${read.size} variables found in compose.yaml`);
    const missing = [...read].filter((v) => !listed.has(v));
    assert.deepEqual(missing, [], `compose.yaml reads ${missing.join(", ")}, not in .env.production.example`);
  });

  it("publishes the API replicas and not the indexer writer; Postgres is not published", () => {
    assert.equal(compose.services.indexer?.ports, undefined);
    assert.equal(compose.services.postgres?.ports, undefined);
    assert.ok(compose.services["indexer-api"]?.ports?.length);
    assert.equal(compose.services["indexer-api"]?.environment?.INDEXER_MODE, "serve");
  });

  it("runs Redis with the AOF fsynced on every write and one ACL user per service, each REDIS_URL carrying its own", () => {
    const start = readFileSync(join(repoRoot, "ops/redis/start.sh"), "utf8");
    assert.match(start, /--appendonly yes --appendfsync always/);
    assert.deepEqual((compose.services.redis as { command?: string[] }).command, ["/bin/sh", "/etc/sothebais/redis/start.sh"]);
    const acl = readFileSync(join(repoRoot, "ops/redis/users.acl"), "utf8");
    const users = new Map([...acl.matchAll(/^user (\S+) (.*)$/gm)].map((m) => [m[1], m[2]]));
    assert.match(users.get("default") ?? "", /\boff\b/, "the default user must be off");
    for (const name of ["relayer", "agent", "broadcaster"]) {
      const url = String(compose.services[name]?.environment?.REDIS_URL ?? "");
      assert.match(url, new RegExp(`^redis://${name}:\\$\\{REDIS_${name.toUpperCase()}_PASSWORD\\}@redis:6379$`), `${name}'s REDIS_URL`);
      assert.ok(users.get(name)?.includes(`>\${REDIS_${name.toUpperCase()}_PASSWORD}`), `no ACL user ${name}`);
    }
    // Only the relayer may write: the others hold read-only key patterns and no write command.
    assert.match(users.get("relayer") ?? "", /~sothebais:relayer:\*/);
    for (const name of ["agent", "broadcaster", "monitor"]) {
      const rules = users.get(name) ?? "";
      assert.doesNotMatch(rules, /(^|\s)~/, `${name} has a read-write key pattern`);
      assert.doesNotMatch(rules, /\+(@write|@all|set|hset|xadd|del|eval)\b/i, `${name} may write`);
    }
    assert.equal(compose.services.indexer?.environment?.REDIS_URL, undefined, "the indexer does not use Redis");
  });

  it("gives the agent Postgres through the role of ops/postgres/init (read-only on the indexer's database)", () => {
    assert.match(String(compose.services.agent?.environment?.POSTGRES_URL), /^postgres:\/\/agent:\$\{AGENT_DB_PASSWORD\}@postgres:5432\/agent$/);
    const init = readFileSync(join(repoRoot, "ops/postgres/init/10-roles.sh"), "utf8");
    assert.match(init, /default_transaction_read_only = on/);
    assert.match(init, /GRANT SELECT ON TABLES TO agent/);
  });

  it("gives the dApp its environment: chain, public RPC for wallets, the indexer replicas and the relayer", () => {
    const e = compose.services.dapp?.environment ?? {};
    for (const key of ["CHAIN_ID", "RPC_URL", "PUBLIC_RPC_URL", "INDEXER_URL", "RELAYER_URL", "DEPLOYMENTS_DIR", "DAPP_HOST", "DAPP_PORT"]) assert.ok(key in e, `dapp has no ${key}`);
    assert.equal(e.INDEXER_URL, "http://indexer-api:42069");
    assert.equal(e.AGENT_URL, undefined, "no agent pass-through");
  });

  it("terminates TLS with Caddy for the dApp, the indexer API and the stream page, and keeps secrets out of images", () => {
    const caddy = compose.services.caddy as { image?: string; ports?: string[]; volumes?: string[] };
    assert.ok(caddy?.image?.startsWith("caddy:2"));
    assert.ok(caddy.ports?.some((p) => p.endsWith(":443")));
    assert.ok(caddy.volumes?.includes("./ops/Caddyfile:/etc/caddy/Caddyfile:ro"));
    const file = readFileSync(join(repoRoot, "ops/Caddyfile"), "utf8");
    for (const upstream of ["dapp:5173", "indexer-api", "broadcaster:8790"]) assert.ok(file.includes(upstream), `Caddyfile does not proxy ${upstream}`);
    const ignore = readFileSync(join(repoRoot, ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
    for (const entry of [".env", ".env.*", "!.env.production.example", "node_modules", "**/node_modules", ".tools", "test-results", "deployments"]) assert.ok(ignore.includes(entry), `.dockerignore lacks ${entry}`);
  });
});
