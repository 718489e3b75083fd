import { describe, expect, it } from "vitest";
import { addLines, filtersFromSearch, keyFields, type LogLine, logServiceOf, logsPath } from "../src/lib/logs.ts";

const line = (id: number, fields: Record<string, unknown> = {}): LogLine => ({ id: String(id), time: id, service: "relayer", level: "info", msg: `line ${id}`, fields });

describe("filtersFromSearch() and logsPath()", () => {
  it("reads the filters back from the path an error card links to", () => {
    const path = logsPath({ service: logServiceOf("relayer"), level: "warn" });
    expect(path).toBe("/admin/logs?service=relayer&level=warn");
    expect(filtersFromSearch(path.slice(path.indexOf("?")))).toEqual({ service: "relayer", level: "warn", q: "", correlation: "" });
  });
  it("drops a level the API does not know, and names the chain's log after its stack part", () => {
    expect(filtersFromSearch("?level=loud&correlation=abc").level).toBe("");
    expect(logServiceOf("rpc")).toBe("chain");
    expect(logsPath()).toBe("/admin/logs");
  });
});

describe("addLines()", () => {
  it("puts new lines first, each id once, and keeps at most the cap", () => {
    let lines = addLines([], [line(1), line(2)]);
    expect(lines.map((l) => l.id)).toEqual(["2", "1"]);
    lines = addLines(lines, [line(2), line(3), line(4)], 3);
    expect(lines.map((l) => l.id)).toEqual(["4", "3", "2"]);
  });
});

describe("keyFields()", () => {
  it("shows the ids that follow a bid in a fixed order, long values shortened, other fields left for the JSON", () => {
    const tx = `0x${"ab".repeat(32)}`;
    expect(keyFields(line(1, { other: 1, error: "e".repeat(100), txHash: tx, msgId: "m-1" }))).toEqual([
      ["msgId", "m-1"],
      ["txHash", tx],
      ["error", `${"e".repeat(77)}…`],
    ]);
  });
});
