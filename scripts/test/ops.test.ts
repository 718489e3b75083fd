/**
 * The ops files name things that live elsewhere: metrics the services register, ports the stack and
 * compose.yaml use, runbook sections of docs/OPERATIONS.md. These checks fail when one side moves, so a
 * renamed metric or port never leaves an alert silent or a dashboard panel empty without anyone noticing.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import yaml from "js-yaml";
import { repoRoot } from "@sothebais/common/deployments";
import { createMetrics } from "@sothebais/common/metrics";

const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");

type ScrapeConfig = { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] };
type PromConfig = { rule_files: string[]; scrape_configs: ScrapeConfig[] };
type Rule = { alert?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> };
type Rules = { groups: { name: string; rules: Rule[] }[] };
type Compose = { services: Record<string, { ports?: string[]; expose?: string[]; environment?: Record<string, unknown> }> };

const local = yaml.load(read("ops/prometheus.yml")) as PromConfig;
const production = yaml.load(read("ops/prometheus.production.yml")) as PromConfig;
const rules = (yaml.load(read("ops/alerts.yml")) as Rules).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(read("ops/grafana/sothebais.json")) as unknown;
const operations = read("docs/OPERATIONS.md");

/** Where each scraped part's own default PORT is declared (job names start with the part's name). */
const serviceConfigs: Record<string, string> = {
  indexer: "indexer/service/config.ts",
  relayer: "relayer/src/config.ts",
  broadcaster: "broadcaster/src/config.ts",
  agent: "agent/src/config.ts",
};
const partOf = (job: string) => job.split("-")[0];

/** Every value under `key` anywhere in the dashboard (panels, rows, targets, templating). */
function valuesOf(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((n) => valuesOf(n, key));
  if (!node || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([k, v]) => (k === key ? [v] : valuesOf(v, key)));
}
const exprs = [...rules.map((r) => r.expr), ...valuesOf(dashboard, "expr").map(String)];

function sourceFiles(dir: string): string[] {
  return (readdirSync(join(repoRoot, dir), { recursive: true }) as string[]).filter((f) => /\.tsx?$/.test(f)).map((f) => join(dir, f));
}

/** Full names of what the services register: createMetrics("<service>") prefixes each name with sothebais_<service>_. */
async function registeredMetrics(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of ["relayer/src", "broadcaster/src", "agent/src", "indexer/src", "indexer/service", "common/src"].flatMap(sourceFiles)) {
    const text = read(file);
    const registered = [...text.matchAll(/\.(?:counter|gauge|histogram)\(\s*"([a-z_][a-z0-9_]*)"/g)].map((m) => m[1]);
    if (!registered.length) continue;
    const created = [...text.matchAll(/createMetrics\(\s*"([a-z]+)"\s*\)/g)].map((m) => m[1]);
    // A module handed its service's registry (indexer/src/api/live-stream.ts) registers under the service
    // whose folder it is in; shared code (common/) has no service and must create its own.
    const owner = file.split("/")[0];
    const services = created.length ? created : owner === "common" ? [] : [owner];
    assert.equal(services.length, 1, `${file} registers metrics without one createMetrics("<service>") call: teach this test where their prefix comes from`);
    for (const name of registered) names.add(`sothebais_${services[0]}_${name}`);
  }
  // createMetrics also registers prom-client's process metrics under the sothebais_ prefix.
  for (const m of await createMetrics("probe").registry.getMetricsAsJSON()) names.add(m.name);
  return names;
}

/** Ponder's own metric names, from the installed version (a Ponder upgrade that renames one fails here). */
function ponderMetrics(): Set<string> {
  const dir = ["indexer/node_modules/ponder", "node_modules/ponder"].find((d) => existsSync(join(repoRoot, d)));
  assert.ok(dir, "ponder is not installed");
  return new Set([...read(join(dir, "dist/esm/internal/metrics.js")).matchAll(/name: "(ponder_[a-z0-9_]+)"/g)].map((m) => m[1]));
}

/** The series names an expression reads, with histogram suffixes stripped unless the full name is registered. */
function usedMetrics(expr: string, family: RegExp, known: Set<string>): string[] {
  return [...expr.matchAll(family)].map((m) => (known.has(m[1]) ? m[1] : m[1].replace(/_(bucket|sum|count)$/, "")));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
const anchors = new Set([...operations.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1])));

describe("ops metric names", () => {
  it("every sothebais_* series in the alerts and the dashboard is registered by a service", async () => {
    const known = await registeredMetrics();
    const used = exprs.flatMap((e) => usedMetrics(e, /\b(sothebais_[a-z0-9_]+)/g, known));
    assert.ok(used.length > 10, "no sothebais_* metrics found in the ops files");
    for (const name of used) assert.ok(known.has(name), `${name} is used in ops/ but no service registers it`);
  });

  it("every ponder_* series in them exists in the installed Ponder", () => {
    const known = ponderMetrics();
    for (const name of exprs.flatMap((e) => usedMetrics(e, /\b(ponder_[a-z0-9_]+)/g, known))) assert.ok(known.has(name), `${name} is not a Ponder metric`);
  });

});

describe("ops/prometheus.yml", () => {
  const upPorts = Object.fromEntries([...read("scripts/src/up.ts").matchAll(/([A-Z]+)_PORT: env\.port\((\d+)\)/g)].map((m) => [m[1].toLowerCase(), m[2]]));

  it("scrapes every service with /metrics at the port ./sothebais up gives it", () => {
    assert.deepEqual(new Set(local.scrape_configs.map((s) => partOf(s.job_name))), new Set(Object.keys(serviceConfigs)));
    for (const s of local.scrape_configs) {
      const part = partOf(s.job_name);
      assert.ok(upPorts[part], `scripts/src/up.ts has no ${part.toUpperCase()}_PORT`);
      assert.deepEqual(s.static_configs.flatMap((c) => c.targets), [`127.0.0.1:${upPorts[part]}`], `job ${s.job_name}`);
    }
  });

  it("those ports are also each service's own default PORT", () => {
    for (const [part, file] of Object.entries(serviceConfigs)) {
      const port = read(file).match(/\bPORT: env\.port\((\d+)\)/)?.[1];
      assert.equal(port, upPorts[part], `${file} defaults PORT to ${port}, the stack to ${upPorts[part]}`);
    }
  });

  it("loads alerts.yml, as the production config does", () => {
    for (const config of [local, production]) assert.deepEqual(config.rule_files, ["alerts.yml"]);
  });
});

describe("ops/prometheus.production.yml", () => {
  const compose = yaml.load(read("compose.yaml")) as Compose;

  it("has the same jobs and paths as the local config", () => {
    const shape = (c: PromConfig) => c.scrape_configs.map((s) => `${s.job_name} ${s.metrics_path ?? "/metrics"}`);
    assert.deepEqual(shape(production), shape(local));
  });

  // Prometheus scrapes on the compose network, so a port only exposed there (the indexer writer, never published)
  // is as reachable as a published one.
  it("scrapes each compose service by name at the port it listens on", () => {
    for (const s of production.scrape_configs) {
      const part = partOf(s.job_name);
      const service = compose.services[part];
      assert.ok(service, `compose.yaml has no service ${part}`);
      const port = String(service.environment?.PORT);
      const reachable = service.ports?.some((p) => p.endsWith(`:${port}`)) || service.expose?.includes(port);
      assert.ok(reachable, `compose.yaml ${part} neither publishes nor exposes its PORT ${port}`);
      assert.deepEqual(s.static_configs.flatMap((c) => c.targets), [`${part}:${port}`], `job ${s.job_name}`);
    }
  });
});

describe("ops/alerts.yml", () => {
  const alerts = rules.filter((r) => r.alert);

  it("has an alert for each SLO in docs/OPERATIONS.md", () => {
    for (const slo of ["bid-success", "chat-to-chain", "stream", "indexer-lag"]) assert.ok(alerts.some((a) => a.labels?.slo === slo), `no alert for SLO ${slo}`);
  });

  it("gives every alert a severity, a summary and a runbook section that exists", () => {
    assert.ok(alerts.length > 0);
    for (const a of alerts) {
      assert.ok(["page", "ticket"].includes(a.labels?.severity ?? ""), `${a.alert}: severity must be page or ticket`);
      assert.ok(a.annotations?.summary, `${a.alert}: no summary`);
      const section = a.annotations?.runbook?.match(/^docs\/OPERATIONS\.md#(.+)$/)?.[1];
      assert.ok(section, `${a.alert}: runbook must be docs/OPERATIONS.md#<section>, got ${a.annotations?.runbook}`);
      assert.ok(anchors.has(section), `${a.alert}: docs/OPERATIONS.md has no section #${section}`);
    }
  });
});

describe("ops/grafana/sothebais.json", () => {
  it("queries the Prometheus chosen in its datasource variable, never a fixed one", () => {
    const sources = valuesOf(dashboard, "datasource");
    assert.ok(sources.length > 0);
    for (const s of sources) assert.deepEqual(s, { type: "prometheus", uid: "${datasource}" });
  });
});
