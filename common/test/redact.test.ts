import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger } from "../src/log.ts";
import { redactSecrets, redactUrl } from "../src/redact.ts";

describe("redactUrl()", () => {
  it("keeps scheme and host, drops path, query, fragment and credentials", () => {
    assert.equal(redactUrl("https://shape-mainnet.g.alchemy.com/v2/KEY123"), "https://shape-mainnet.g.alchemy.com/[redacted]");
    assert.equal(redactUrl("http://127.0.0.1:9/v2/A?apikey=B#c"), "http://127.0.0.1:9/[redacted]");
    assert.equal(redactUrl("https://user:pass@rpc.example"), "https://[redacted]@rpc.example");
    assert.equal(redactUrl("wss://eth.example/ws/v3/abc"), "wss://eth.example/[redacted]");
    assert.equal(redactUrl("http://127.0.0.1:8545"), "http://127.0.0.1:8545");
    assert.equal(redactUrl("not a url"), "[redacted]");
  });

  it("keeps the RTMP app name and masks the stream key after it", () => {
    assert.equal(redactUrl("rtmp://live.twitch.tv/app/live_123_abc"), "rtmp://live.twitch.tv/app/[redacted]");
    assert.equal(redactUrl("rtmps://ingest.example:443/app/key?x=1"), "rtmps://ingest.example:443/app/[redacted]");
    assert.equal(redactUrl("rtmp://127.0.0.1:1935/live"), "rtmp://127.0.0.1:1935/live");
  });
});

describe("redactSecrets()", () => {
  it("redacts URLs in free text and in JSON-escaped text, and tokens", () => {
    const viem = 'HTTP request failed.\n\nURL: http://127.0.0.1:1/v2/SECRETKEY123?apikey=SECRETKEY456\nRequest body: {"method":"eth_blockNumber"}';
    const out = redactSecrets(viem);
    assert.ok(!out.includes("SECRETKEY"), out);
    assert.match(out, /URL: http:\/\/127\.0\.0\.1:1\/\[redacted\]\n/);
    const json = JSON.stringify({ error: viem, url: "https://rpc.example/v2/SECRETKEY789" });
    assert.ok(!redactSecrets(json).includes("SECRETKEY"));
    assert.doesNotThrow(() => JSON.parse(redactSecrets(json)), "JSON stays JSON");
    assert.equal(redactSecrets("token oauth:abc123 and Bearer eyJ.x-y_z"), "token oauth:[redacted] and Bearer [redacted]");
    assert.equal(redactSecrets("retry with apikey=XYZ&x=1"), "retry with apikey=[redacted]&x=1");
  });

  it("is idempotent: a line redacted twice (fields by the logger, then the whole line) keeps its masks whole", () => {
    for (const text of ["cannot reach http://rpc.example/v2/KEY", '{"msg":"boom at http://rpc.example/v2/KEY"}', "(see https://rpc.example/v2/KEY).", "rtmp://h/live/KEY: refused"]) {
      const once = redactSecrets(text);
      assert.equal(redactSecrets(once), once);
    }
    assert.equal(redactSecrets("boom at http://rpc.example/[redacted]"), "boom at http://rpc.example/[redacted]");
    assert.equal(redactSecrets("(see https://rpc.example/v2/KEY)."), "(see https://rpc.example/[redacted]).");
  });

  it("redacts stream keys in ffmpeg's error lines", () => {
    const line = "[rtmp @ 0x55d1c0a2b3c0] Cannot open connection tcp://127.0.0.1:9\nrtmp://127.0.0.1:9/live/SECRETKEY_abc123: Connection refused";
    const out = redactSecrets(line);
    assert.ok(!out.includes("SECRETKEY"), out);
    assert.match(out, /rtmp:\/\/127\.0\.0\.1:9\/live\/\[redacted\]: Connection refused/);
  });

  it("redacts private keys but keeps labelled hashes readable", () => {
    const key = `0x${"ab".repeat(32)}`;
    assert.equal(redactSecrets(`signer ${key} loaded`), "signer [redacted] loaded");
    assert.equal(redactSecrets(`PRIVATE_KEY=${key}`), "PRIVATE_KEY=[redacted]");
    assert.equal(redactSecrets(`tx ${key} mined`), `tx ${key} mined`);
    assert.equal(redactSecrets(`Transaction with hash "${key}" could not be found`), `Transaction with hash "${key}" could not be found`);
    assert.equal(redactSecrets(key, true), key, "a field named as a hash keeps its value");
    assert.equal(redactSecrets(`txHash: ${key}`), `txHash: ${key}`);
    assert.equal(redactSecrets(`paid ${key}`), "paid [redacted]", "a word merely ending in 'id' is no label");
    // Longer hex (calldata, signatures) is not a key.
    const calldata = `0x${"cd".repeat(68)}`;
    assert.equal(redactSecrets(calldata), calldata);
  });

  it("redacts password=, key=, token= values and URL credentials", () => {
    assert.equal(redactSecrets("redis password=hunter2 ok"), "redis password=[redacted] ok");
    assert.equal(redactSecrets('stream_key="abc def" x'), "stream_key=[redacted] x");
    assert.equal(redactSecrets("access_token=abc;next"), "access_token=[redacted];next");
    assert.equal(redactSecrets("see https://a:b@host.example/x?y"), "see https://[redacted]@host.example/[redacted]");
    assert.equal(redactSecrets("connect redis://default:hunter2@10.0.0.5:6379/0 failed"), "connect redis://[redacted]@10.0.0.5:6379/0 failed");
    assert.equal(redactUrl("postgres://ponder:pw@db:5432/ponder?sslmode=require"), "postgres://[redacted]@db:5432/ponder?[redacted]");
    assert.equal(redactUrl("redis://127.0.0.1:6390"), "redis://127.0.0.1:6390");
  });

  it("leaves ordinary text and bare origins alone", () => {
    for (const text of ["lot #3 sold for 1 ETH", "bid 0.8 ETH on lot 4", "http://127.0.0.1:42069", "https://example.com/", "0xabc123"]) {
      assert.equal(redactSecrets(text), text);
    }
  });
});

describe("createLogger() redaction by shape", () => {
  it("redacts the message, string fields, error messages and causes", () => {
    const lines: string[] = [];
    const log = createLogger({ service: "x", pretty: false, write: (l) => lines.push(l) });
    const cause = new Error("connect to wss://eth.example/v3/SECRET_CAUSE failed");
    const error = new Error("HTTP request failed. URL: https://rpc.example/v2/SECRET_MSG", { cause });
    log.error("ingest rtmp://live.example/app/SECRET_STREAM down", { error, url: "https://rpc.example/?apikey=SECRET_FIELD", list: ["Bearer SECRET_LIST"] });
    assert.equal(lines.length, 1);
    for (const secret of ["SECRET_CAUSE", "SECRET_MSG", "SECRET_STREAM", "SECRET_FIELD", "SECRET_LIST"]) {
      assert.ok(!lines[0].includes(secret), `${secret} in ${lines[0]}`);
    }
    const record = JSON.parse(lines[0]);
    assert.equal(record.msg, "ingest rtmp://live.example/app/[redacted] down");
    assert.equal(record.error.cause.message, "connect to wss://eth.example/[redacted] failed");
  });

  it("keeps hashes in fields named as hashes", () => {
    const lines: string[] = [];
    const log = createLogger({ service: "x", pretty: false, write: (l) => lines.push(l) });
    const hash = `0x${"12".repeat(32)}`;
    log.info("mined", { txHash: hash, chatIdHash: hash, value: hash });
    const record = JSON.parse(lines[0]);
    assert.equal(record.txHash, hash);
    assert.equal(record.chatIdHash, hash);
    assert.equal(record.value, "[redacted]");
  });
});
