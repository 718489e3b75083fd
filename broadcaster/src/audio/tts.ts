/**
 * @module audio/tts
 * Text to speech behind one small interface, chosen by configuration: espeak-ng (Debian package,
 * offline, ~10 ms a sentence), any command that reads text on stdin and writes a WAV on stdout
 * (e.g. piper), or none (captions only, silent audio).
 */
import { spawn } from "node:child_process";

/** Mono 16-bit PCM. */
export type Pcm = { sampleRate: number; samples: Int16Array };

export type Tts = { name: string; synthesize: (text: string) => Promise<Pcm> };

export type TtsConfig = { engine: "espeak-ng" | "command" | "none"; voice?: string; wordsPerMinute?: number; command?: string[]; timeoutMs?: number };

/** Reads a PCM WAV (8/16-bit, any channel count -> first channel). Tolerates streaming headers with bogus sizes. */
export function parseWav(buf: Buffer): Pcm {
  if (buf.length < 12 || buf.toString("ascii", 0, 4) !== "RIFF" || buf.toString("ascii", 8, 12) !== "WAVE") throw new Error("not a WAV file");
  let at = 12;
  let channels = 1;
  let sampleRate = 22050;
  let bits = 16;
  while (at + 8 <= buf.length) {
    const id = buf.toString("ascii", at, at + 4);
    let size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === "fmt ") {
      channels = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
    } else if (id === "data") {
      // Streamed WAVs (espeak-ng --stdout) carry 0 or 0xffffffff here: take what is there.
      if (size === 0 || body + size > buf.length) size = buf.length - body;
      const frameBytes = (bits / 8) * channels;
      const n = Math.floor(size / frameBytes);
      const samples = new Int16Array(n);
      for (let k = 0; k < n; k++) {
        const p = body + k * frameBytes;
        samples[k] = bits === 16 ? buf.readInt16LE(p) : (buf[p] - 128) << 8;
      }
      return { sampleRate, samples };
    }
    at = body + size + (size & 1);
  }
  throw new Error("WAV without a data chunk");
}

/** Linear resampling to `rate` (speech only: fine for voice, cheap). */
export function resample(pcm: Pcm, rate: number): Int16Array {
  if (pcm.sampleRate === rate) return pcm.samples;
  const n = Math.floor((pcm.samples.length * rate) / pcm.sampleRate);
  const out = new Int16Array(n);
  const step = pcm.sampleRate / rate;
  for (let k = 0; k < n; k++) {
    const x = k * step;
    const i = Math.floor(x);
    const f = x - i;
    const a = pcm.samples[i] ?? 0;
    const b = pcm.samples[i + 1] ?? a;
    out[k] = Math.round(a + (b - a) * f);
  }
  return out;
}

function runToWav(cmd: string, args: string[], input: string | undefined, timeoutMs: number): Promise<Pcm> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} took more than ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout?.on("data", (d: Buffer) => out.push(d));
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${err.slice(0, 200)}`));
      try {
        resolve(parseWav(Buffer.concat(out)));
      } catch (e) {
        reject(e);
      }
    });
    if (input !== undefined && child.stdin) {
      child.stdin.on("error", () => {});
      child.stdin.end(input);
    }
  });
}

export function createTts(config: TtsConfig): Tts {
  const timeoutMs = config.timeoutMs ?? 10_000;
  if (config.engine === "none") return { name: "none", synthesize: async () => ({ sampleRate: 44100, samples: new Int16Array(0) }) };
  if (config.engine === "command") {
    const [cmd, ...args] = config.command ?? [];
    if (!cmd) throw new Error("TTS engine 'command' needs TTS_COMMAND");
    return { name: `command:${cmd}`, synthesize: (text) => runToWav(cmd, args, text, timeoutMs) };
  }
  const args = ["--stdout", "-v", config.voice ?? "en-gb", "-s", String(config.wordsPerMinute ?? 165)];
  // The text goes on stdin, never on the command line (it comes from chat-influenced agent lines).
  return { name: "espeak-ng", synthesize: (text) => runToWav("espeak-ng", args, text, timeoutMs) };
}
