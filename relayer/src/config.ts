/**
 * @module config
 * The relayer's configuration, from the environment, validated at start (one line per bad key).
 * The same service talks to the local chat server or to real Twitch by configuration only.
 */
import { env, type EnvSource, parseEnv } from "@sothebais/common/env";
import { ConfigError } from "@sothebais/common/errors";
import { parseEther, parseGwei } from "viem";
import { parseTrustedProxies } from "@sothebais/common/http-client";

const ether = (o: { fallback?: string } = {}) => ({
  fallback: o.fallback === undefined ? undefined : parseEther(o.fallback),
  parse: (v: string) => {
    if (!/^\d+(\.\d{1,18})?$/.test(v)) throw new Error("an amount in ETH, e.g. 0.05");
    return parseEther(v);
  },
});

const gwei = (o: { fallback: string }) => ({
  fallback: parseGwei(o.fallback),
  parse: (v: string) => {
    if (!/^\d+(\.\d{1,9})?$/.test(v)) throw new Error("an amount in gwei, e.g. 50");
    return parseGwei(v);
  },
});

/** "loopback" (default), "none", or a comma-separated list of IPs and CIDRs. */
const trustedProxies = (fallback: string) => ({
  fallback: parseTrustedProxies(fallback),
  parse: (v: string) => parseTrustedProxies(v),
});

export const configSchema = {
  PORT: env.port(8788),
  HOST: env.string({ fallback: "127.0.0.1" }),
  RPC_URL: env.url("http://127.0.0.1:8545", ["http:", "https:"]),
  CHAIN_ID: env.int({ fallback: 31337, min: 1 }),
  /** Where deployments/<chainId>.json lives (tests use a temp dir). */
  DEPLOYMENTS_DIR: env.string({ optional: true }),
  RELAYER_PRIVATE_KEY: env.privateKey(),
  REDIS_URL: env.url("redis://127.0.0.1:6390", ["redis:", "rediss:"]),
  INDEXER_URL: { ...env.url(undefined, ["http:", "https:"]), optional: true },
  TWITCH_SERVER: env.string({ fallback: "irc-ws.chat.twitch.tv" }),
  TWITCH_PORT: env.port(443),
  TWITCH_SECURE: env.bool(true),
  TWITCH_USERNAME: env.string({ fallback: "sothebais_bot" }),
  TWITCH_OAUTH_TOKEN: env.secret({ optional: true }),
  // --- Token refresh (issue 20 §4): on when the three below are set (twitch-token.ts). ---
  /** The Twitch application (dev console) the bot's token was issued to. */
  TWITCH_CLIENT_ID: env.string({ optional: true }),
  TWITCH_CLIENT_SECRET: env.secret({ optional: true }),
  /** From the Authorization Code flow; Twitch may answer a new one with each refresh (the newest is kept in Redis). */
  TWITCH_REFRESH_TOKEN: env.secret({ optional: true }),
  /**
   * Twitch's OAuth server: /oauth2/validate and /oauth2/token (tests point it at a local stand-in). Unset:
   * https://id.twitch.tv, or none when TWITCH_SERVER is a loopback address (see {@link twitchIdUrl}).
   */
  TWITCH_ID_URL: { ...env.url(undefined, ["http:", "https:"]), optional: true },
  /** How often the token is validated (Twitch asks for hourly) and, near its expiry, refreshed. */
  TWITCH_TOKEN_CHECK_S: env.int({ fallback: 3600, min: 1, max: 3600 }),
  /** A token with less than this left is refreshed before it expires. */
  TWITCH_TOKEN_REFRESH_MARGIN_S: env.int({ fallback: 600, min: 60, max: 3600 }),
  TWITCH_CHANNELS: env.list({ fallback: ["sothebais"] }),
  /** Recent-messages API used to catch up on lines missed while disconnected ("" disables). */
  CHAT_HISTORY_URL: { ...env.url(undefined, ["http:", "https:"]), optional: true },
  /** Outgoing chat limit: messages per 30 s (Twitch: 20, 100 when the bot is a moderator). */
  CHAT_RATE_LIMIT: env.int({ fallback: 20, min: 1 }),
  CHAT_RATE_WINDOW_MS: env.int({ fallback: 30_000, min: 100 }),
  /** Chat commands per user per 10 s, and all commands per second. */
  USER_RATE_LIMIT: env.int({ fallback: 8, min: 1 }),
  GLOBAL_RATE_LIMIT: env.int({ fallback: 5000, min: 1 }),
  /** A bid this many times the minimum next bid (or more) asks for !confirm. */
  CONFIRM_FACTOR: env.int({ fallback: 10, min: 2 }),
  CONFIRM_TTL_S: env.int({ fallback: 30, min: 1 }),
  /**
   * How late viewers see the stream (Twitch: 2-15 s): a chat bid goes to the lot that was on screen at
   * the line's send time (tmi-sent-ts) less this. Set it to the stream's real delay.
   */
  STREAM_DELAY_S: env.int({ fallback: 20, min: 0, max: 300 }),
  /** Command lines older than this (by tmi-sent-ts) are never executed: answered once, from history too. */
  MAX_LINE_AGE_S: env.int({ fallback: 30, min: 1, max: 3600 }),
  LINK_CODE_TTL_S: env.int({ fallback: 600, min: 10 }),
  /** Below this relayer balance, bids pause and /health reports it. */
  LOW_BALANCE_ETH: ether({ fallback: "0.01" }),
  BID_GAS_LIMIT: env.int({ fallback: 400_000, min: 21_000 }),
  /** Transactions in flight at once (several per block, no waiting for each receipt). */
  MAX_IN_FLIGHT: env.int({ fallback: 256, min: 1 }),
  /** Stable consumer name: a restarted instance resumes its own pending work first. */
  RELAYER_INSTANCE: env.string({ fallback: "relayer-1" }),
  /** Pending work of another instance idle this long is taken over. */
  CLAIM_IDLE_MS: env.int({ fallback: 15_000, min: 100 }),
  /** How often the sender checks receipts and the chain's nonce. */
  POLL_MS: env.int({ fallback: 100, min: 10 }),
  // --- Abuse limits and fee replacement (issue 19 §3). ---
  /** The relayer pays gas to register a chat authorization only for a bidder with at least this escrow. */
  LINK_MIN_ESCROW_ETH: ether({ fallback: "0.001" }),
  /** POST /link requests per client per minute. */
  LINK_RATE_LIMIT: env.int({ fallback: 30, min: 1 }),
  /** Peers whose forwarded header names the client (IPs/CIDRs, "loopback" or "none"); see @sothebais/common/http-client. */
  TRUSTED_PROXIES: trustedProxies("loopback"),
  /** Which header the trusted proxies set: only one is read, so a client cannot add the other. */
  TRUSTED_PROXY_HEADER: env.oneOf(["x-forwarded-for", "forwarded"], "x-forwarded-for"),
  /** Largest HTTP request body accepted (413 above). */
  HTTP_MAX_BODY_BYTES: env.int({ fallback: 8192, min: 256 }),
  /** How long !mybids waits for the indexer's GraphQL. */
  INDEXER_TIMEOUT_MS: env.int({ fallback: 2000, min: 100 }),
  /** A transaction not mined this many blocks after it was sent is replaced with a higher fee (same nonce). */
  FEE_BUMP_AFTER_BLOCKS: env.int({ fallback: 3, min: 1 }),
  /** Ceiling on maxFeePerGas, for first sends and replacements alike. */
  MAX_FEE_GWEI: gwei({ fallback: "50" }),
  // --- Keeper (issue 20 §1): settles every ended lot, which opens the campaign's next one. ---
  /** Run the keeper in this relayer (several instances may: one settle per lot between them). */
  KEEPER_ENABLED: env.bool(true),
  /** A claim on a lot outlives a holder that went silent (killed) by this long; then another instance settles it. */
  KEEPER_CLAIM_TTL_MS: env.int({ fallback: 15_000, min: 1000 }),
  /** Gas limit of a settle: above the contract's 300k NFT transfer allowance (only gas used is paid). */
  KEEPER_GAS_LIMIT: env.int({ fallback: 600_000, min: 400_000 }),
  LOG_LEVEL: env.oneOf(["debug", "info", "warn", "error"], "info"),
};

export type Config = ReturnType<typeof loadConfig>;

const refreshKeys = ["TWITCH_CLIENT_ID", "TWITCH_CLIENT_SECRET", "TWITCH_REFRESH_TOKEN"] as const;

/** Token refresh needs all three of its keys: a lone one is a half-done setup, said at start rather than at the first expiry. */
function refreshProblems(source: EnvSource): string[] {
  const set = refreshKeys.filter((k) => (source[k] ?? "").trim() !== "");
  if (set.length === 0 || set.length === refreshKeys.length) return [];
  const missing = refreshKeys.filter((k) => !set.includes(k));
  return [`${missing.join(", ")}: missing, expected with ${set.join(", ")} (token refresh needs all of ${refreshKeys.join(", ")}; unset them all to run without refresh)`];
}

/** Every bad key at once, the refresh trio's consistency included (one ConfigError). */
export function loadConfig(source: EnvSource = process.env) {
  const problems = refreshProblems(source);
  let config: ReturnType<typeof parseEnv<typeof configSchema>> | undefined;
  try {
    config = parseEnv(configSchema, source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.unshift(...error.problems);
  }
  if (problems.length || !config) throw new ConfigError(problems);
  return config;
}

/** The refresh credentials, when refresh is on (all three keys set). */
export function refreshCredentials(config: Config) {
  const { TWITCH_CLIENT_ID: clientId, TWITCH_CLIENT_SECRET: clientSecret, TWITCH_REFRESH_TOKEN: refreshToken } = config;
  return clientId && clientSecret && refreshToken ? { clientId, clientSecret, refreshToken } : undefined;
}

/**
 * Where the bot's token is validated and refreshed: TWITCH_ID_URL, else Twitch's own, except for a chat
 * server on this machine (the local chat server, whose tokens Twitch never issued): none, the token is
 * used as it is.
 */
export function twitchIdUrl(config: Config): string | undefined {
  if (config.TWITCH_ID_URL) return config.TWITCH_ID_URL;
  const local = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(config.TWITCH_SERVER);
  return local ? undefined : "https://id.twitch.tv";
}
