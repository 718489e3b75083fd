import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HttpRequestError, InvalidInputRpcError, RpcRequestError, TimeoutError } from "viem";
import { isNetworkError } from "../src/errors.ts";

const url = "http://127.0.0.1:8545";
// A signed transaction whose hex happens to hold "503" and "502": the old message regex called it an outage.
const body = { method: "eth_sendRawTransaction", params: ["0x02f8d1827a6962830f4240847503b13487025026a80"] };

describe("isNetworkError()", () => {
  it("is false for a JSON-RPC answer, whatever digits the quoted request holds", () => {
    const answer = new InvalidInputRpcError(new RpcRequestError({ body, url, error: { code: -32602, message: "Nonce too low. Expected nonce to be 99 but got 98." } }));
    assert.match(answer.message, /503/);
    assert.equal(isNetworkError(answer), false);
    assert.equal(isNetworkError(new Error("execution reverted: 504")), false);
  });

  it("is true for a refused connection, a timeout and a gateway error", () => {
    const refused = new HttpRequestError({ body, url, cause: Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) }) });
    assert.equal(isNetworkError(refused), true);
    assert.equal(isNetworkError(new TimeoutError({ body, url })), true);
    assert.equal(isNetworkError(new HttpRequestError({ body, url, status: 503 })), true);
    assert.equal(isNetworkError(new HttpRequestError({ body, url, status: 400 })), false);
    assert.equal(isNetworkError(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })), true);
  });
});
