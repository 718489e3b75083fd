import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import type { HostLine, HostLineKind } from "@sothebais/common/channels";
import { linePriorities } from "../src/host.ts";
import { createSpeaker, type QueuedLine } from "../src/queue.ts";

function line(kind: HostLineKind, priority: number, text: string, now: number, over: Partial<QueuedLine> = {}): QueuedLine {
  return { id: `${kind}-${text}`, kind, text, priority, createdAt: now, expiresAt: now + 10_000, speak: true, chat: false, ...over };
}

function setup() {
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 });
  const out: { at: number; line: HostLine }[] = [];
  const drops: string[] = [];
  const speaker = createSpeaker({
    minGapMs: 300,
    wordsPerSecond: 2,
    publish: (l) => void out.push({ at: Date.now(), line: l }),
    onDrop: (l, reason) => void drops.push(`${l.kind}:${reason}`),
  });
  return { out, drops, speaker };
}

describe("createSpeaker()", () => {
  it("waits for the previous line to be spoken before the next of equal priority", (t) => {
    t.after(() => mock.timers.reset());
    const { out, speaker } = setup();
    speaker.push(line("bid", 70, "one two three four", Date.now())); // 4 words at 2 w/s = 2 s
    speaker.push(line("bid", 70, "next", Date.now(), { id: "b2" }));
    assert.equal(out.length, 1);
    mock.timers.tick(1999);
    assert.equal(out.length, 1);
    mock.timers.tick(1);
    assert.equal(out.length, 2);
    assert.equal(out[1]!.at - out[0]!.at, 2000);
  });
  it("lets a higher-priority line (SOLD) cut in after the minimum gap, ahead of small talk", (t) => {
    t.after(() => mock.timers.reset());
    const { out, speaker } = setup();
    speaker.push(line("filler", 10, "a long filler line of many many words", Date.now()));
    speaker.push(line("filler", 10, "more small talk", Date.now(), { id: "f2" }));
    speaker.push(line("sold", 100, "SOLD!", Date.now()));
    mock.timers.tick(300);
    assert.deepEqual(out.map((o) => o.line.kind), ["filler", "sold"]);
  });
  it("says a countdown step on its moment even while a long extension call is being spoken", (t) => {
    t.after(() => mock.timers.reset());
    const { out, drops, speaker } = setup();
    const p = linePriorities;
    // The call of a late bid: 16 words, 8 s at 2 words/s. "Going once" is due 4 s in, and lives 1 s.
    speaker.push(line("extension", p.extension, "Late bid! ann_bids at 0.5 ETH, and the clock goes back to 10 seconds. Who else wants it?", Date.now()));
    mock.timers.tick(4000);
    speaker.push(line("countdown", p.countdown, "Going once at 0.5 ETH...", Date.now(), { expiresAt: Date.now() + 1000 }));
    assert.deepEqual(out.map((o) => o.line.kind), ["extension", "countdown"]);
    assert.equal(out[1]!.at - out[0]!.at, 4000);
    assert.deepEqual(drops, []);
    // SOLD still outranks the countdown.
    assert.ok(p.sold > p.countdown && p.countdown > p.extension);
  });
  it("drops a line that expired while waiting, never says it late", (t) => {
    t.after(() => mock.timers.reset());
    const { out, drops, speaker } = setup();
    speaker.push(line("bid", 70, "one two three four five six", Date.now()));
    speaker.push(line("countdown", 70, "going once", Date.now(), { expiresAt: Date.now() + 1000 }));
    mock.timers.tick(5000);
    assert.deepEqual(out.map((o) => o.line.kind), ["bid"]);
    assert.deepEqual(drops, ["countdown:expired"]);
  });
  it("drops a line whose chain state moved on (validWhile false at publish time)", (t) => {
    t.after(() => mock.timers.reset());
    const { out, drops, speaker } = setup();
    let standing = true;
    speaker.push(line("open", 80, "one two three four", Date.now()));
    speaker.push(line("bid", 70, "alice at 0.5", Date.now(), { validWhile: () => standing }));
    standing = false;
    mock.timers.tick(3000);
    assert.deepEqual(out.map((o) => o.line.kind), ["open"]);
    assert.deepEqual(drops, ["bid:stale"]);
  });
  it("replaces a queued line with the same key (one bid call per lot)", (t) => {
    t.after(() => mock.timers.reset());
    const { out, drops, speaker } = setup();
    speaker.push(line("open", 80, "one two three four", Date.now()));
    speaker.push(line("bid", 70, "alice 0.5", Date.now(), { key: "bid:3" }));
    speaker.push(line("outbid", 70, "bob 0.6", Date.now(), { key: "bid:3" }));
    mock.timers.tick(3000);
    assert.deepEqual(out.map((o) => o.line.text), ["one two three four", "bob 0.6"]);
    assert.deepEqual(drops, ["bid:replaced"]);
  });
  it("publishes chat-only lines without waiting for the voice, and strips internal fields", (t) => {
    t.after(() => mock.timers.reset());
    const { out, speaker } = setup();
    speaker.push(line("open", 80, "one two three four five six", Date.now()));
    speaker.push(line("answer", 40, "@ann the minimum is 0.5 ETH", Date.now(), { speak: false, chat: true, key: "k", validWhile: () => true }));
    assert.equal(out.length, 2);
    assert.equal("validWhile" in out[1]!.line, false);
    assert.equal("key" in out[1]!.line, false);
  });
});
