/**
 * The API's abuse limits from the environment. Ponder's process reads them here; the launcher
 * (service/config.ts) validates the same schema at start, so a bad value exits 2 before Ponder runs.
 */
import type { BlockList } from "node:net";
import { env, type EnvSource, type Field, parseEnv } from "@sothebais/common/env";
import type { GraphqlLimits } from "./graphql-limits.ts";
import { parseTrustedProxies } from "./peer.ts";

const trustedProxies: Field<string[]> = {
  fallback: [],
  parse: (v) => {
    const entries = v.split(",").map((s) => s.trim()).filter(Boolean);
    parseTrustedProxies(entries); // throws naming the bad entry
    return entries;
  },
};

export const apiEnv = {
  API_MAX_BODY_BYTES: env.int({ fallback: 65_536, min: 1024, max: 16_777_216 }),
  GRAPHQL_MAX_TOKENS: env.int({ fallback: 1000, min: 50, max: 100_000 }),
  GRAPHQL_MAX_DEPTH: env.int({ fallback: 8, min: 3, max: 100 }),
  GRAPHQL_MAX_ALIASES: env.int({ fallback: 15, min: 0, max: 1000 }),
  GRAPHQL_MAX_COST: env.int({ fallback: 50_000, min: 100, max: 100_000_000 }),
  // Off unless asked for: arbitrary read-only SQL is the widest read surface (the local stack turns it on for the dApp).
  INDEXER_SQL_OVER_HTTP: env.bool(false),
  LIVE_STREAMS_PER_ADDRESS: env.int({ fallback: 20, min: 1, max: 1_000_000 }),
  INDEXER_TRUSTED_PROXIES: trustedProxies,
};

export type ApiLimits = {
  maxBodyBytes: number;
  graphql: GraphqlLimits;
  sqlOverHttp: boolean;
  streamsPerAddress: number;
  trustedProxies: BlockList;
};

export function readApiLimits(source: EnvSource = process.env): ApiLimits {
  const e = parseEnv(apiEnv, source);
  return {
    maxBodyBytes: e.API_MAX_BODY_BYTES,
    graphql: { maxTokens: e.GRAPHQL_MAX_TOKENS, maxDepth: e.GRAPHQL_MAX_DEPTH, maxAliases: e.GRAPHQL_MAX_ALIASES, maxCost: e.GRAPHQL_MAX_COST },
    sqlOverHttp: e.INDEXER_SQL_OVER_HTTP,
    streamsPerAddress: e.LIVE_STREAMS_PER_ADDRESS,
    trustedProxies: parseTrustedProxies(e.INDEXER_TRUSTED_PROXIES),
  };
}
