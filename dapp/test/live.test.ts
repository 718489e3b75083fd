import { afterEach, describe, expect, it, vi } from "vitest";
import { listenLive, subscribeLive } from "../src/lib/live.ts";
import { listKeyOf, mergeBids } from "../src/hooks/data.ts";
import type { LiveSnapshot } from "@sothebais/common/live";
import type { Bid } from "../src/lib/types.ts";

/** The browser's EventSource as far as the live feed uses it; each instance is kept to drive it. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static opened: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  readonly url: string;
  readonly handlers = new Map<string, ((e: MessageEvent) => void)[]>();
  closed = false;
  constructor(url: string) {
    this.url = url;
    FakeEventSource.opened.push(this);
  }
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), fn]);
  }
  close() {
    this.closed = true;
    this.readyState = FakeEventSource.CLOSED;
  }
  emit(type: string, data: unknown) {
    for (const fn of this.handlers.get(type) ?? []) fn(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
  fail(readyState: number) {
    this.readyState = readyState;
    this.onerror?.(new Event("error"));
  }
}

const snapshot = (over: Partial<LiveSnapshot> = {}): LiveSnapshot =>
  ({ chainId: 31337, blockNumber: 10, blockTimestamp: 100, finalizedBlockNumber: 8, indexedAt: 1, paused: false, lot: null, bids: [], upcoming: [], ...over }) as LiveSnapshot;

describe("the live feed (/live/events)", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    FakeEventSource.opened = [];
  });

  it("subscribes to the indexer's /live/events through the dApp server and delivers snapshots and heads", () => {
    vi.stubGlobal("EventSource", FakeEventSource);
    const seen: unknown[] = [];
    const stop = subscribeLive({ snapshot: (s) => seen.push(["snapshot", s.blockNumber]), head: (h) => seen.push(["head", h.blockNumber]) });
    expect(FakeEventSource.opened[0].url).toMatch(/\/svc\/indexer\/live\/events$/);
    FakeEventSource.opened[0].emit("snapshot", snapshot());
    FakeEventSource.opened[0].emit("head", { blockNumber: 11, blockTimestamp: 101, finalizedBlockNumber: 9, indexedAt: 2 });
    expect(seen).toEqual([["snapshot", 10], ["head", 11]]);
    stop();
    expect(FakeEventSource.opened[0].closed).toBe(true);
  });

  it("opens a new stream after the server refused it for good (503 at the viewer limit), not after a drop", () => {
    vi.useFakeTimers();
    vi.stubGlobal("EventSource", FakeEventSource);
    const seen: number[] = [];
    const stop = subscribeLive({ snapshot: (s) => seen.push(s.blockNumber) });
    FakeEventSource.opened[0].fail(FakeEventSource.CONNECTING); // a drop: the browser reconnects by itself
    vi.advanceTimersByTime(10_000);
    expect(FakeEventSource.opened).toHaveLength(1);
    FakeEventSource.opened[0].fail(FakeEventSource.CLOSED); // an error status: the browser gives up
    vi.advanceTimersByTime(3000);
    expect(FakeEventSource.opened).toHaveLength(2);
    FakeEventSource.opened[1].emit("snapshot", snapshot({ blockNumber: 12 }));
    expect(seen).toEqual([12]);
    stop();
    FakeEventSource.opened[1].fail(FakeEventSource.CLOSED);
    vi.advanceTimersByTime(10_000);
    expect(FakeEventSource.opened).toHaveLength(2);
  });

  it("shares one stream per tab: a late listener gets the latest document at once, the last one closes it", () => {
    vi.stubGlobal("EventSource", FakeEventSource);
    const a: number[] = [];
    const b: number[] = [];
    const stopA = listenLive({ snapshot: (s) => a.push(s.blockNumber) });
    FakeEventSource.opened[0].emit("snapshot", snapshot({ blockNumber: 20 }));
    FakeEventSource.opened[0].emit("head", { blockNumber: 21, blockTimestamp: 1, finalizedBlockNumber: 1, indexedAt: 1 });
    const stopB = listenLive({ snapshot: (s) => b.push(s.blockNumber) });
    expect(FakeEventSource.opened).toHaveLength(1);
    expect(b).toEqual([21]);
    stopA();
    expect(FakeEventSource.opened[0].closed).toBe(false);
    stopB();
    expect(FakeEventSource.opened[0].closed).toBe(true);
  });
});

describe("live list updates", () => {
  it("a bid does not change the lists' key; a lot going live, ending or selling does", () => {
    const lot = { lotId: "1", status: "live" } as LiveSnapshot["lot"];
    const base = listKeyOf(snapshot({ lot }));
    expect(listKeyOf(snapshot({ lot, bids: [{ id: "x" } as LiveSnapshot["bids"][number]] }))).toBe(base);
    expect(listKeyOf(snapshot({ lot: { ...lot, status: "ended" } as LiveSnapshot["lot"] }))).not.toBe(base);
    expect(listKeyOf(snapshot({ lot: null }))).not.toBe(base);
  });

  it("merges the feed's last bids into the full history, newest first, once each", () => {
    const bid = (id: string, blockNumber: number): Bid => ({ id, blockNumber, logIndex: 0 }) as Bid;
    expect(mergeBids([bid("a", 1), bid("b", 2)], [bid("c", 3), bid("b", 2)]).map((b) => b.id)).toEqual(["c", "b", "a"]);
    expect(mergeBids(undefined, [bid("a", 1)]).map((b) => b.id)).toEqual(["a"]);
  });
});
