import { afterEach, describe, expect, it, vi } from "vitest";
import { subscribeSql } from "../src/lib/indexer.ts";

/** The browser's EventSource as far as subscribeSql uses it; each instance is kept to drive it. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static opened: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
    FakeEventSource.opened.push(this);
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
  push(rows: unknown[]) {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify({ rows }) }));
  }
  fail(readyState: number) {
    this.readyState = readyState;
    this.onerror?.(new Event("error"));
  }
}

describe("subscribeSql()", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    FakeEventSource.opened = [];
  });

  it("delivers the very first message: Ponder sends one per change and nothing on subscribe", () => {
    vi.stubGlobal("EventSource", FakeEventSource);
    const seen: unknown[][] = [];
    const stop = subscribeSql("select amount from lot", [], (rows) => seen.push(rows));
    FakeEventSource.opened[0].push([{ amount: "1" }]);
    expect(seen).toEqual([[{ amount: "1" }]]);
    expect(FakeEventSource.opened[0].url).toContain("/sql/live?sql=");
    stop();
  });

  it("opens a new stream after the server refused it for good (503 while the indexer starts), not after a drop", () => {
    vi.useFakeTimers();
    vi.stubGlobal("EventSource", FakeEventSource);
    const seen: unknown[][] = [];
    const stop = subscribeSql("select amount from lot", [], (rows) => seen.push(rows));
    FakeEventSource.opened[0].fail(FakeEventSource.CONNECTING); // a drop: the browser reconnects by itself
    vi.advanceTimersByTime(10_000);
    expect(FakeEventSource.opened).toHaveLength(1);
    FakeEventSource.opened[0].fail(FakeEventSource.CLOSED); // an error status: the browser gives up
    vi.advanceTimersByTime(3000);
    expect(FakeEventSource.opened).toHaveLength(2);
    FakeEventSource.opened[1].push([{ amount: "2" }]);
    expect(seen).toEqual([[{ amount: "2" }]]);
    stop();
    FakeEventSource.opened[1].fail(FakeEventSource.CLOSED);
    vi.advanceTimersByTime(10_000);
    expect(FakeEventSource.opened).toHaveLength(2);
  });
});
