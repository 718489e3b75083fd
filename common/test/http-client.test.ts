import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientAddress, limitKey, parseTrustedProxies } from "../src/http-client.ts";

describe("clientAddress (the address a per-client limit counts)", () => {
  const none = parseTrustedProxies("none");
  const local = parseTrustedProxies("loopback");
  const chain = parseTrustedProxies("127.0.0.1, 10.0.0.0/8, fd00::/8");

  it("an untrusted peer is the client, whatever it forwards", () => {
    assert.equal(clientAddress("203.0.113.7", "x-forwarded-for", ["1.2.3.4"], local), "203.0.113.7");
    assert.equal(clientAddress("127.0.0.1", "x-forwarded-for", ["1.2.3.4"], none), "127.0.0.1");
    assert.equal(clientAddress("::ffff:198.51.100.2", "forwarded", ["for=1.2.3.4"], local), "198.51.100.2");
  });

  it("behind trusted proxies, the right-most hop that is not one", () => {
    assert.equal(clientAddress("127.0.0.1", "x-forwarded-for", ["9.9.9.9, 198.51.100.2, 10.1.2.3"], chain), "198.51.100.2");
    assert.equal(clientAddress("::1", "x-forwarded-for", ["198.51.100.9"], local), "198.51.100.9");
    assert.equal(clientAddress("127.0.0.1", "forwarded", ['for=9.9.9.9, for="[2001:db8::1]:443";proto=https, for=10.0.0.2'], chain), "2001:db8::1");
    assert.equal(clientAddress("127.0.0.1", "x-forwarded-for", [], local), "127.0.0.1", "no header: the proxy itself");
  });

  it("an unreadable hop ends the walk at the proxy that wrote it", () => {
    assert.equal(clientAddress("127.0.0.1", "x-forwarded-for", ["198.51.100.2, garbage"], chain), "127.0.0.1");
    assert.equal(clientAddress("127.0.0.1", "forwarded", ["for=_hidden"], chain), "127.0.0.1");
  });

  it("refuses a bad TRUSTED_PROXIES entry", () => {
    assert.throws(() => parseTrustedProxies("10.0.0.0/33"), /prefix length/);
    assert.throws(() => parseTrustedProxies("proxy.example"), /not one/);
  });
});

describe("limitKey (what a per-client limit counts under)", () => {
  it("an IPv4 address itself; an IPv6 address its /64, however it is written", () => {
    assert.equal(limitKey("198.51.100.2"), "198.51.100.2");
    assert.equal(limitKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert.equal(limitKey("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64", "another address of the same /64: the same key");
    assert.equal(limitKey("2001:0db8::1"), "2001:db8:0:0::/64");
    assert.equal(limitKey("::1"), "0:0:0:0::/64");
    assert.equal(limitKey("unknown"), "unknown");
  });
});
