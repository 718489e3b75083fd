import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEther } from "viem";
import { HUMAN_DIGITS, humanMinimumBid, roundUpSignificant } from "../src/amounts.ts";

/** Significant digits of a whole number (0 has none). */
const significant = (n: bigint) => (n === 0n ? 0 : n.toString().replace(/0+$/, "").length);

/** The largest amount below `n` (n > 0) with at most `digits` significant digits: the answer's only rival. */
function previousShort(n: bigint, digits: number): bigint {
  const below = n - 1n;
  const length = below.toString().length;
  const step = length > digits ? 10n ** BigInt(length - digits) : 1n;
  return (below / step) * step;
}

/** The three properties together: not below the minimum, short, and nothing short lies in between. */
function assertHuman(minimum: bigint, got: bigint) {
  assert.ok(got >= minimum, `${got} < ${minimum}`);
  assert.ok(significant(got) <= HUMAN_DIGITS, `${got} has ${significant(got)} significant digits`);
  if (got > 0n) assert.ok(previousShort(got, HUMAN_DIGITS) < minimum, `${previousShort(got, HUMAN_DIGITS)} is shorter and still >= ${minimum}`);
}

describe("humanMinimumBid()", () => {
  it("rounds the bidding war of the issue to amounts people can say", () => {
    // 0.3362625 ETH plus the 5% increment is 0.353075625 on chain; the next, 0.37072940625.
    assert.equal(humanMinimumBid(parseEther("0.353075625")), parseEther("0.354"));
    assert.equal(humanMinimumBid(parseEther("0.37072940625")), parseEther("0.371"));
    assert.equal(humanMinimumBid(parseEther("1.05")), parseEther("1.05"));
    assert.equal(humanMinimumBid(parseEther("12.3456")), parseEther("12.4"));
    assert.equal(humanMinimumBid(parseEther("0.1")), parseEther("0.1"));
  });

  it("keeps a reserve of 0 at 0 and tiny minimums as they are (nothing shorter meets them)", () => {
    assert.equal(humanMinimumBid(0n), 0n);
    assert.equal(humanMinimumBid(1n), 1n);
    assert.equal(humanMinimumBid(999n), 999n);
    assert.equal(humanMinimumBid(1001n), 1010n);
  });

  it("carries into the next power of ten", () => {
    assert.equal(humanMinimumBid(9991n), 10000n);
    assert.equal(humanMinimumBid(parseEther("0.9995")), parseEther("1"));
    assert.equal(humanMinimumBid(parseEther("1") - 1n), parseEther("1"));
    assert.equal(humanMinimumBid(parseEther("999.5")), parseEther("1000"));
  });

  it("is exactly the smallest short amount >= the minimum, for every minimum from 0 to 300,000 wei", () => {
    // The oracle by brute force: walking down, the next short amount is n itself when n is short.
    const top = 300_000;
    const next = new Array<bigint>(top + 1);
    let upcoming = 300_000n; // 3 significant digits: short
    for (let n = top; n >= 0; n--) {
      if (significant(BigInt(n)) <= HUMAN_DIGITS) upcoming = BigInt(n);
      next[n] = upcoming;
    }
    for (let n = 0; n <= top; n++) assert.equal(humanMinimumBid(BigInt(n)), next[n], `minimum ${n}`);
  });

  it("holds the properties on 20,000 random minimums from a wei to 10,000 ETH", () => {
    let seed = 0x5eed;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return BigInt(seed);
    };
    for (let k = 0; k < 20_000; k++) {
      // A random number of digits (1 to 22), then random digits: every magnitude gets its share.
      const digits = Number(rnd() % 22n) + 1;
      let minimum = 0n;
      for (let d = 0; d < digits; d++) minimum = minimum * 10n + (rnd() % 10n);
      assertHuman(minimum, humanMinimumBid(minimum));
    }
  });

  it("is idempotent: a quoted amount quotes as itself", () => {
    for (const wei of [1n, 12345n, parseEther("0.353075625"), parseEther("7.77777")]) {
      const once = humanMinimumBid(wei);
      assert.equal(humanMinimumBid(once), once);
    }
  });

  it("refuses a negative minimum", () => {
    assert.throws(() => humanMinimumBid(-1n), RangeError);
  });
});

describe("roundUpSignificant()", () => {
  it("rounds up to the digits asked for", () => {
    assert.equal(roundUpSignificant(parseEther("0.25483"), 2), parseEther("0.26"));
    assert.equal(roundUpSignificant(parseEther("0.25483"), 1), parseEther("0.3"));
    assert.equal(roundUpSignificant(parseEther("0.25483")), parseEther("0.255"));
  });
  it("refuses a digit count that is not a whole number >= 1", () => {
    assert.throws(() => roundUpSignificant(5n, 0), RangeError);
    assert.throws(() => roundUpSignificant(5n, 1.5), RangeError);
  });
});
