/**
 * @module config
 * The agent's configuration from the environment, validated at start (one line per bad key).
 */
import { env, type EnvSource, parseEnv } from "@sothebais/common/env";
import { ConfigError } from "@sothebais/common/errors";

export function loadConfig(source: EnvSource = process.env) {
  const c = parseEnv(
    {
      PORT: env.port(8791),
      BIND_HOST: env.string({ fallback: "127.0.0.1" }),
      INDEXER_URL: env.url("http://127.0.0.1:42069", ["http:", "https:"]),
      REDIS_URL: env.url("redis://127.0.0.1:6390", ["redis:", "rediss:"]),
      LIVE_POLL_MS: env.int({ fallback: 50, min: 10, max: 10_000 }),
      LLM_BASE_URL: { ...env.url(undefined, ["http:", "https:"]), optional: true },
      LLM_MODEL: env.string({ optional: true }),
      LLM_API_KEY: env.secret({ optional: true }),
      LLM_DEADLINE_MS: env.int({ fallback: 1500, min: 100, max: 60_000 }),
      LLM_TIMEOUT_MS: env.int({ fallback: 10_000, min: 100, max: 120_000 }),
      CHARACTER_FILE: env.string({ optional: true }),
      PGLITE_DATA_DIR: env.string({ optional: true }),
      POSTGRES_URL: { ...env.secret({ optional: true }), parse: (v: string) => (/^postgres(ql)?:\/\//.test(v) ? v : fail("a postgres:// URL")) },
      SECRET_SALT: env.secret({ optional: true }),
      MIN_GAP_MS: env.int({ fallback: 400, min: 0, max: 10_000 }),
      WORDS_PER_SECOND: env.int({ fallback: 3, min: 1, max: 10 }),
      HAMMER_GRACE_MS: env.int({ fallback: 1200, min: 0, max: 30_000 }),
      IDLE_MS: env.int({ fallback: 20_000, min: 1000, max: 600_000 }),
      DAPP_URL: { ...env.url(undefined, ["http:", "https:"]), optional: true },
    },
    source,
  );
  if (c.LLM_BASE_URL && !c.LLM_MODEL) throw new ConfigError(["LLM_MODEL: missing, expected a model name when LLM_BASE_URL is set"]);
  return c;
}

export type Config = ReturnType<typeof loadConfig>;

function fail(expected: string): never {
  throw new Error(expected);
}
