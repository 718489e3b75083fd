/**
 * @module env
 * Configuration from the environment, validated at start. `parseEnv` checks every key and throws one
 * {@link ConfigError} with a line per bad key (`KEY: got "x", expected ...`), never just the first.
 *
 * @example
 * const config = parseEnv({
 *   PORT: env.port(8788),
 *   RPC_URL: env.url("http://127.0.0.1:8545"),
 *   RELAYER_PRIVATE_KEY: env.privateKey(),
 * });
 */
import { ConfigError } from "./errors.ts";

export type EnvSource = Record<string, string | undefined>;
export type Field<T> = {
  /** Parses a present value, or throws an Error whose message says what was expected. */
  parse: (raw: string) => T;
  /** Value when unset; `undefined` with `optional` false means the key is required. */
  fallback?: T;
  optional?: boolean;
  /** Hide the value in error messages. */
  secret?: boolean;
  description?: string;
};
type Parsed<S> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export function parseEnv<S extends Record<string, Field<unknown>>>(schema: S, source: EnvSource = process.env): Parsed<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema)) {
    const raw = source[key];
    if (raw === undefined || raw === "") {
      if (field.fallback !== undefined || field.optional) out[key] = field.fallback;
      else problems.push(`${key}: missing, expected ${describe(field)}`);
      continue;
    }
    try {
      out[key] = field.parse(raw.trim());
    } catch (error) {
      const got = field.secret ? "(hidden)" : JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
      problems.push(`${key}: got ${got}, expected ${(error as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out as Parsed<S>;
}

function describe(field: Field<unknown>): string {
  try {
    field.parse("");
  } catch (error) {
    return (error as Error).message;
  }
  return "a value";
}

type Opts<T> = { fallback?: T; optional?: boolean; description?: string };

const fail = (expected: string): never => {
  throw new Error(expected);
};

export const env = {
  string: (o: Opts<string> = {}): Field<string> => ({ ...o, parse: (v) => v || fail("a non-empty string") }),
  int: (o: Opts<number> & { min?: number; max?: number } = {}): Field<number> => ({
    ...o,
    parse: (v) => {
      const n = Number(v);
      const range = `an integer${o.min !== undefined ? ` >= ${o.min}` : ""}${o.max !== undefined ? ` <= ${o.max}` : ""}`;
      if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n)) return fail(range);
      if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) return fail(range);
      return n;
    },
  }),
  port: (fallback?: number): Field<number> => ({
    fallback,
    parse: (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? Number(v) : fail("a TCP port 1-65535")),
  }),
  bool: (fallback?: boolean): Field<boolean> => ({
    fallback,
    parse: (v) => (/^(1|true|yes|on)$/i.test(v) ? true : /^(0|false|no|off)$/i.test(v) ? false : fail("true or false")),
  }),
  url: (fallback?: string, protocols: string[] = ["http:", "https:", "ws:", "wss:"]): Field<string> => ({
    fallback,
    parse: (v) => {
      try {
        const u = new URL(v);
        if (protocols.includes(u.protocol)) return v;
      } catch {}
      return fail(`a URL (${protocols.join(" ")})`);
    },
  }),
  address: (o: Opts<`0x${string}`> = {}): Field<`0x${string}`> => ({
    ...o,
    parse: (v) => (/^0x[0-9a-fA-F]{40}$/.test(v) ? (v as `0x${string}`) : fail("a 0x-prefixed 20-byte address")),
  }),
  privateKey: (o: Opts<`0x${string}`> = {}): Field<`0x${string}`> => ({
    ...o,
    secret: true,
    parse: (v) => {
      const k = v.startsWith("0x") ? v : `0x${v}`;
      return /^0x[0-9a-fA-F]{64}$/.test(k) ? (k as `0x${string}`) : fail("a 32-byte hex private key");
    },
  }),
  secret: (o: Opts<string> = {}): Field<string> => ({ ...o, secret: true, parse: (v) => v || fail("a non-empty secret") }),
  oneOf: <T extends string>(values: readonly T[], fallback?: T): Field<T> => ({
    fallback,
    parse: (v) => ((values as readonly string[]).includes(v) ? (v as T) : fail(`one of ${values.join(", ")}`)),
  }),
  list: (o: Opts<string[]> = {}): Field<string[]> => ({
    ...o,
    parse: (v) => {
      const items = v.split(",").map((s) => s.trim()).filter(Boolean);
      return items.length ? items : fail("a comma-separated list");
    },
  }),
};
