import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { env, parseEnv } from "../src/env.ts";
import { ConfigError } from "../src/errors.ts";

describe("parseEnv()", () => {
  it("returns parsed values and fallbacks", () => {
    const config = parseEnv(
      { PORT: env.port(8788), RPC_URL: env.url(), DEBUG: env.bool(false), MODE: env.oneOf(["a", "b"] as const, "a") },
      { PORT: "9000", RPC_URL: "http://127.0.0.1:8545" },
    );
    assert.deepEqual(config, { PORT: 9000, RPC_URL: "http://127.0.0.1:8545", DEBUG: false, MODE: "a" });
  });

  it("reports every bad key in one error, one line each, naming the value and what is allowed", () => {
    const error = (() => {
      try {
        parseEnv(
          { PORT: env.port(), RPC_URL: env.url(), ADDRESS: env.address(), KEY: env.privateKey(), N: env.int({ min: 1, max: 5 }) },
          { PORT: "99999", RPC_URL: "ftp://x", ADDRESS: "0x12", N: "7" },
        );
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems, [
      'PORT: got "99999", expected a TCP port 1-65535',
      'RPC_URL: got "ftp://x", expected a URL (http: https: ws: wss:)',
      'ADDRESS: got "0x12", expected a 0x-prefixed 20-byte address',
      "KEY: missing, expected a 32-byte hex private key",
      'N: got "7", expected an integer >= 1 <= 5',
    ]);
  });

  it("never echoes a secret value in its error", () => {
    assert.throws(
      () => parseEnv({ KEY: env.privateKey() }, { KEY: "not-a-key-but-maybe-a-secret" }),
      (e: unknown) => e instanceof ConfigError && e.problems[0] === "KEY: got (hidden), expected a 32-byte hex private key",
    );
  });

  it("accepts a private key without 0x and normalises it", () => {
    const key = "ab".repeat(32);
    assert.equal(parseEnv({ KEY: env.privateKey() }, { KEY: key }).KEY, `0x${key}`);
  });

  it("splits lists and rejects empty ones", () => {
    assert.deepEqual(parseEnv({ L: env.list() }, { L: " a, b ,,c" }).L, ["a", "b", "c"]);
    assert.throws(() => parseEnv({ L: env.list() }, { L: " , " }), ConfigError);
  });
});
