import { describe, expect, it } from "vitest";
import { parseEther } from "viem";
import { explorerUrl, formatAgo, formatCountdown, formatEth, shortAddress } from "../src/lib/format.ts";

describe("formatEth()", () => {
  it.each([
    [parseEther("1.25"), "1.25 ETH"],
    [parseEther("0.05"), "0.05 ETH"],
    [parseEther("2"), "2 ETH"],
    [parseEther("12345.5"), "12,345.5 ETH"],
    [0n, "0 ETH"],
    [1n, "<0.0001 ETH"],
    [parseEther("0.123456789"), "0.1234 ETH"],
  ])("formats %s wei as %s", (wei, text) => {
    expect(formatEth(wei)).toBe(text);
  });
  it("keeps more decimals when asked and drops the unit", () => {
    expect(formatEth(parseEther("0.0525"), { decimals: 6, unit: false })).toBe("0.0525");
  });
  it("never rounds a positive amount up", () => {
    expect(formatEth(parseEther("0.99999"), { decimals: 2 })).toBe("0.99 ETH");
  });
});

describe("formatCountdown()", () => {
  it.each([
    [59_000, "0:59"],
    [61_000, "1:01"],
    [3_600_000 + 62_000, "1h 01m 02s"],
    [2 * 86_400_000 + 3 * 3_600_000, "2d 03h"],
    [-5000, "0:00"],
    [500, "0:01"],
  ])("shows %i ms as %s", (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });
});

describe("formatAgo()", () => {
  it("says how long ago in words", () => {
    const now = 1_700_000_000_000;
    expect(formatAgo(now / 1000 - 3, now)).toBe("just now");
    expect(formatAgo(now / 1000 - 125, now)).toBe("2 min ago");
    expect(formatAgo(now / 1000 - 86_400, now)).toBe("1 day ago");
  });
});

describe("shortAddress() and explorerUrl()", () => {
  it("shortens an address to its ends", () => {
    expect(shortAddress("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65")).toBe("0x15d3…6A65");
  });
  it("shows the EIP-55 case wallets show, also for the lower case the indexer stores", () => {
    expect(shortAddress("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65")).toBe("0x15d3…6A65");
  });
  it("links Shape's Blockscout and nothing on the local chain", () => {
    expect(explorerUrl(360, "tx", "0xabc")).toBe("https://shapescan.xyz/tx/0xabc");
    expect(explorerUrl(11011, "address", "0xdef")).toBe("https://sepolia.shapescan.xyz/address/0xdef");
    expect(explorerUrl(360, "token", "0xnft", 7n)).toBe("https://shapescan.xyz/token/0xnft/instance/7");
    expect(explorerUrl(31337, "tx", "0xabc")).toBeUndefined();
  });
});
