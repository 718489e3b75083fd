/**
 * Test harness: a deployed stack on a fresh Hardhat node, a real Redis and the operator API on a free
 * port, plus a sign-in helper that builds and signs EIP-4361 messages as a browser would (any field
 * can be overridden to make a bad one).
 */
import { createLogger } from "@sothebais/common/log";
import { freePort, localAccount, type RedisServer, startRedis, startTestStack, type TestStack } from "@sothebais/common/testing";
import type { Address, Hex, LocalAccount } from "viem";
import { createSiweMessage, type SiweMessage } from "viem/siwe";
import { loadConfig } from "../src/config.ts";
import { type RunningOperator, startOperator } from "../src/operator.ts";

export const ORIGIN = "http://console.test:5173";

export type Harness = {
  stack: TestStack;
  redis: RedisServer;
  op: RunningOperator;
  /** Every log line the operator wrote (JSON). */
  logs: string[];
  /** A request to the operator API from the console's origin, with the cookie if given. */
  call: (path: string, init?: { method?: string; body?: unknown; cookie?: string; origin?: string | null }) => Promise<Response>;
  /** A fresh nonce from GET /auth/nonce. */
  nonce: () => Promise<string>;
  /** An EIP-4361 message for the console, `fields` overriding the defaults (address, nonce, time...). */
  message: (address: Address, fields?: Partial<SiweMessage>) => Promise<string>;
  /** Signs in as `signer` (for `address`, default the signer's own); returns the response and the cookie. */
  signIn: (signer: LocalAccount, fields?: Partial<SiweMessage>) => Promise<{ res: Response; cookie: string | undefined; message: string; signature: Hex }>;
  stop: () => Promise<void>;
};

/** Starts the operator on its own chain and Redis, or on those given (`parts`: stopped by their owner). */
export async function startHarness(env: Record<string, string> = {}, parts?: { stack: TestStack; redis: RedisServer }): Promise<Harness> {
  const [stack, redis] = parts ? [parts.stack, parts.redis] : await Promise.all([startTestStack(), startRedis()]);
  const config = loadConfig({
    ...stack.env,
    REDIS_URL: redis.url,
    OPERATOR_PORT: String(await freePort()),
    OPERATOR_ORIGINS: ORIGIN,
    OPERATOR_POLL_MS: "100",
    ...env,
  });
  const logs: string[] = [];
  const op = await startOperator(config, createLogger({ service: "operator", level: "info", write: (line) => void logs.push(line) }));
  const call: Harness["call"] = (path, init = {}) => {
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers["content-type"] = "application/json";
    if (init.cookie) headers.cookie = init.cookie;
    if (init.origin !== null) headers.origin = init.origin ?? ORIGIN;
    return fetch(new URL(path, op.url), { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  };
  const nonce = async () => ((await (await call("/auth/nonce")).json()) as { nonce: string }).nonce;
  const message: Harness["message"] = async (address, fields = {}) =>
    createSiweMessage({
      address,
      chainId: 31337,
      domain: new URL(ORIGIN).host,
      uri: ORIGIN,
      version: "1",
      nonce: fields.nonce ?? (await nonce()),
      issuedAt: new Date(),
      statement: "Sign in to the SothebAIs operator console.",
      ...fields,
    });
  const signIn: Harness["signIn"] = async (signer, fields = {}) => {
    const text = await message(fields.address ?? signer.address, fields);
    const signature = await signer.signMessage({ message: text });
    const res = await call("/auth/login", { method: "POST", body: { message: text, signature } });
    const cookie = res.headers.getSetCookie()[0]?.split(";")[0];
    return { res, cookie, message: text, signature };
  };
  return {
    stack,
    redis,
    op,
    logs,
    call,
    nonce,
    message,
    signIn,
    stop: async () => {
      await op.stop();
      if (!parts) await Promise.allSettled([stack.stop(), redis.stop()]);
    },
  };
}

export const account = (index: number) => localAccount(index);
