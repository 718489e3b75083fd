import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger } from "../src/log.ts";

describe("createLogger()", () => {
  it("writes one JSON object per line with service, level and fields", () => {
    const lines: string[] = [];
    const log = createLogger({ service: "relayer", level: "info", pretty: false, write: (l) => lines.push(l) });
    log.child({ lotId: 3n }).info("bid placed", { amount: 10n ** 18n });
    log.debug("hidden below level");
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0]);
    assert.equal(record.service, "relayer");
    assert.equal(record.level, "info");
    assert.equal(record.msg, "bid placed");
    assert.equal(record.lotId, "3");
    assert.equal(record.amount, "1000000000000000000");
  });

  it("redacts private keys and OAuth tokens at any depth", () => {
    const lines: string[] = [];
    const log = createLogger({ service: "x", pretty: false, write: (l) => lines.push(l) });
    log.info("config", { privateKey: "0xdeadbeef", nested: { TWITCH_OAUTH_TOKEN: "oauth:abc", channel: "sothebais" } });
    assert.ok(!lines[0].includes("0xdeadbeef"));
    assert.ok(!lines[0].includes("oauth:abc"));
    assert.equal(JSON.parse(lines[0]).nested.channel, "sothebais");
  });
});
