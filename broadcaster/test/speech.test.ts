import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HostLine } from "@sothebais/common/channels";
import { waitFor } from "@sothebais/common/testing";
import { createSpeech } from "../src/audio/speech.ts";
import { createTts, parseWav, resample } from "../src/audio/tts.ts";

const line = (o: Partial<HostLine> & { id: string; text: string }, now = Date.now()): HostLine => ({
  kind: "bid",
  priority: 5,
  createdAt: now,
  expiresAt: now + 30_000,
  speak: true,
  chat: false,
  ...o,
});

const energy = (s: Int16Array) => s.reduce((a, v) => a + Math.abs(v), 0) / Math.max(1, s.length);

describe("createTts() with espeak-ng", () => {
  it("synthesizes a sentence to mono PCM", async () => {
    const pcm = await createTts({ engine: "espeak-ng" }).synthesize("Sold, for one point five ether.");
    assert.equal(pcm.sampleRate, 22050);
    assert.ok(pcm.samples.length > 22050 * 0.8, `${pcm.samples.length} samples`);
    assert.ok(energy(pcm.samples) > 100);
  });

  it("passes the text on stdin, so shell metacharacters are just words", async () => {
    const pcm = await createTts({ engine: "espeak-ng" }).synthesize("; rm -rf / $(reboot) `id`");
    assert.ok(pcm.samples.length > 0);
  });

  it("engine 'command' runs any WAV-producing command (here espeak-ng again)", async () => {
    const pcm = await createTts({ engine: "command", command: ["espeak-ng", "--stdout"] }).synthesize("hello");
    assert.ok(pcm.samples.length > 1000);
  });
});

describe("parseWav() and resample()", () => {
  it("reads a streamed WAV with a bogus data size and doubles the rate", () => {
    const header = Buffer.alloc(44);
    header.write("RIFF", 0);
    header.writeUInt32LE(0xffffffff, 4);
    header.write("WAVEfmt ", 8);
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(22050, 24);
    header.writeUInt32LE(44100, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write("data", 36);
    header.writeUInt32LE(0xffffffff, 40);
    const body = Buffer.alloc(8);
    [0, 1000, 2000, 3000].forEach((v, k) => body.writeInt16LE(v, k * 2));
    const pcm = parseWav(Buffer.concat([header, body]));
    assert.deepEqual([...pcm.samples], [0, 1000, 2000, 3000]);
    assert.deepEqual([...resample(pcm, 44100)], [0, 500, 1000, 1500, 2000, 2500, 3000, 3000]);
  });
});

describe("createSpeech()", () => {
  const rate = 44100;
  const chunk = rate / 30;

  it("gives silence (full-length zero chunks) when nobody speaks", () => {
    const speech = createSpeech({ tts: createTts({ engine: "espeak-ng" }), sampleRate: rate });
    const out = speech.pull(chunk);
    assert.equal(out.length, chunk);
    assert.equal(energy(out), 0);
    assert.equal(speech.caption(), null);
  });

  it("speaks a host line: voiced samples and the line as caption while it plays", async () => {
    const speech = createSpeech({ tts: createTts({ engine: "espeak-ng" }), sampleRate: rate });
    speech.enqueue(line({ id: "a", text: "Welcome to the evening sale." }));
    await waitFor(() => speech.stats().synthesizing === 0, { timeoutMs: 10_000 });
    let voiced = 0;
    for (let k = 0; k < 15; k++) voiced += energy(speech.pull(chunk));
    assert.ok(voiced > 1000);
    assert.deepEqual(speech.caption(), { text: "Welcome to the evening sale.", speaking: true });
    // After the line: silence again, the caption lingers briefly without the speaking state.
    for (let k = 0; k < 150; k++) speech.pull(chunk);
    assert.equal(energy(speech.pull(chunk)), 0);
    assert.equal(speech.caption()?.speaking, false);
  });

  it("drops an expired line and ignores speak=false lines", async () => {
    let now = 1_000_000;
    const speech = createSpeech({ tts: createTts({ engine: "espeak-ng" }), sampleRate: rate, now: () => now });
    speech.enqueue(line({ id: "old", text: "too late", expiresAt: now - 1 }, now));
    speech.enqueue(line({ id: "chat-only", text: "chat only", speak: false }, now));
    speech.enqueue(line({ id: "soon", text: "expires while queued", expiresAt: now + 10 }, now));
    await waitFor(() => speech.stats().synthesizing === 0, { timeoutMs: 10_000 });
    now += 1000;
    assert.equal(energy(speech.pull(chunk)), 0);
    assert.equal(speech.caption(), null);
    assert.equal(speech.stats().dropped, 2);
    assert.equal(speech.stats().spoken, 0);
  });

  it("a higher-priority line cuts a lower one short", async () => {
    const speech = createSpeech({ tts: createTts({ engine: "espeak-ng" }), sampleRate: rate });
    speech.enqueue(line({ id: "talk", text: "Let me tell you a long story about this remarkable piece and its provenance.", priority: 1 }));
    await waitFor(() => speech.stats().synthesizing === 0, { timeoutMs: 10_000 });
    speech.pull(chunk);
    assert.equal(speech.caption()?.text.startsWith("Let me"), true);
    speech.enqueue(line({ id: "sold", kind: "sold", text: "Sold!", priority: 10 }));
    await waitFor(() => speech.stats().synthesizing === 0, { timeoutMs: 10_000 });
    speech.pull(chunk);
    assert.deepEqual(speech.caption(), { text: "Sold!", speaking: true });
  });

  it("engine 'none' still paces the caption", async () => {
    const speech = createSpeech({ tts: createTts({ engine: "none" }), sampleRate: rate });
    speech.enqueue(line({ id: "n", text: "captions only tonight" }));
    await waitFor(() => speech.stats().synthesizing === 0, { timeoutMs: 5000 });
    assert.equal(energy(speech.pull(chunk)), 0);
    assert.equal(speech.caption()?.speaking, true);
  });
});
