import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEther } from "viem";
import { parseBps, parseDuration, parseEth, parseTime, parseTokenURI } from "../src/lib/parse.ts";

describe("parseEth()", () => {
  it("reads ETH decimals and wei", () => {
    assert.equal(parseEth("0.5"), parseEther("0.5"));
    assert.equal(parseEth(".25"), parseEther("0.25"));
    assert.equal(parseEth(2), parseEther("2"));
    assert.equal(parseEth("123wei"), 123n);
  });
  it("rejects what is not an amount", () => {
    for (const bad of ["", "abc", "-1", "1e18", "0.1234567890123456789", null]) assert.throws(() => parseEth(bad), /ETH amount/);
  });
});

describe("parseDuration()", () => {
  it("reads seconds and units", () => {
    assert.equal(parseDuration(300), 300);
    assert.equal(parseDuration("90s"), 90);
    assert.equal(parseDuration("5m"), 300);
    assert.equal(parseDuration("1h30m"), 5400);
  });
  it("rejects other text", () => assert.throws(() => parseDuration("5 minutes"), /duration/));
});

describe("parseTime()", () => {
  it("reads now, offsets, unix seconds and ISO dates", () => {
    assert.equal(parseTime("now", 1000), 1000);
    assert.equal(parseTime("+5m", 1000), 1300);
    assert.equal(parseTime(1234, 0), 1234);
    assert.equal(parseTime("2026-12-01T18:00:00Z", 0), Date.UTC(2026, 11, 1, 18) / 1000);
  });
  it("rejects nonsense", () => assert.throws(() => parseTime("tomorrow", 0), /expected "now"/));
});

describe("parseBps() and parseTokenURI()", () => {
  it("bounds basis points", () => {
    assert.equal(parseBps("250"), 250);
    assert.throws(() => parseBps("10001"), /0-10000/);
    assert.throws(() => parseBps("2.5"), /basis points/);
  });
  it("accepts the URI schemes the collection takes", () => {
    for (const ok of ["ipfs://bafy/1.json", "ar://abc", "https://x.y/1", "data:application/json;base64,e30="]) assert.equal(parseTokenURI(ok), ok);
    assert.throws(() => parseTokenURI("http://insecure/1"), /ipfs:\/\//);
  });
});
