/**
 * @module encoder
 * Raw frames and PCM in, H.264 + AAC in FLV out to an RTMP ingest, with settings Twitch accepts
 * (CBR, keyframe every 2 s, yuv420p, AAC-LC 128 kbps 44.1 kHz). The ffmpeg command is built with
 * fluent-ffmpeg: video goes in on ffmpeg's stdin, written directly (a frame buffer is reused once the
 * pipe has taken it), audio through a named pipe.
 *
 * When ffmpeg exits (ingest down, network gone) the encoder starts it again with exponential backoff.
 * The renderer is never restarted: while no ffmpeg runs, frames are simply not sent.
 */
import { execFileSync } from "node:child_process";
import { closeSync, constants, createWriteStream, mkdtempSync, openSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";
import { redactSecrets, redactUrl } from "@sothebais/common/redact";
import ffmpeg from "fluent-ffmpeg";

export type EncoderOptions = {
  /** rtmp://host/app/key (Twitch: rtmp://<ingest>/app/<stream key>). */
  url: string;
  width: number;
  height: number;
  /** Layout of the frames `write` gets: yuv420p (I420, what the stream carries) or rgba (ffmpeg converts). */
  pixelFormat: "yuv420p" | "rgba";
  fps: number;
  videoKbps: number;
  audioKbps: number;
  sampleRate: 44100 | 48000;
  keyframeSeconds: number;
  preset: string;
  /** Backoff between restarts: doubles from min to max, back to min after a healthy minute. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** No progress from ffmpeg for this long while running: kill and restart it. */
  stallMs?: number;
  /**
   * Frames that may wait for ffmpeg to read them before a new one is dropped (default 15, half a second
   * at 30 fps): enough to ride out a busy core or a GC pause without losing frames, bounded so a stuck
   * ffmpeg cannot grow memory or latency without limit.
   */
  maxQueuedFrames?: number;
  log?: (level: "info" | "warn", msg: string, fields?: Record<string, unknown>) => void;
};

export type EncoderStatus = {
  /** ffmpeg is running and reporting progress: frames reach the ingest. */
  connected: boolean;
  running: boolean;
  restarts: number;
  /** ffmpeg's own figures from its last progress line. */
  speed: number | null;
  fps: number | null;
  kbps: number | null;
  framesSent: number;
  /** Frames the encoder could not take in time (backpressure), while connected. */
  framesDropped: number;
  lastError: string | null;
};

export type Encoder = {
  /**
   * Hands one frame and its audio to ffmpeg; false when it was not sent (not running, or backpressure).
   * The frame is copied, so the caller may draw the next one into the same buffer at once.
   */
  write: (pixels: Uint8Array | Uint8ClampedArray, pcm: Int16Array) => boolean;
  status: () => EncoderStatus;
  close: () => Promise<void>;
};

/** Parses ffmpeg's progress line ("frame= 12 fps= 30 ... bitrate=4500.0kbits/s ... speed=1.00x"). */
export function parseProgress(line: string): { frame: number; fps: number; kbps: number | null; speed: number | null } | null {
  const frame = /frame=\s*(\d+)/.exec(line);
  if (!frame) return null;
  const fps = /fps=\s*([\d.]+)/.exec(line);
  const kbps = /bitrate=\s*([\d.]+)kbits/.exec(line);
  const speed = /speed=\s*([\d.]+)x/.exec(line);
  return { frame: Number(frame[1]), fps: fps ? Number(fps[1]) : 0, kbps: kbps ? Number(kbps[1]) : null, speed: speed ? Number(speed[1]) : null };
}

/** Output options, separate so tests and docs can read them. */
export function outputOptions(o: Pick<EncoderOptions, "fps" | "videoKbps" | "audioKbps" | "sampleRate" | "keyframeSeconds" | "preset">): string[] {
  const gop = Math.round(o.fps * o.keyframeSeconds);
  return [
    "-map 1:v:0",
    "-map 0:a:0",
    "-c:v libx264",
    `-preset ${o.preset}`,
    "-tune zerolatency",
    "-profile:v high",
    "-pix_fmt yuv420p",
    `-r ${o.fps}`,
    `-g ${gop}`,
    `-keyint_min ${gop}`,
    "-sc_threshold 0",
    `-b:v ${o.videoKbps}k`,
    `-minrate ${o.videoKbps}k`,
    `-maxrate ${o.videoKbps}k`,
    `-bufsize ${o.videoKbps}k`,
    "-x264-params nal-hrd=cbr:force-cfr=1",
    // One encoding thread: x264's sliced threads (zerolatency) cost more CPU in total here and wake
    // on both cores at every frame, where they preempt the frame clock; one core encodes 720p30 with
    // room to spare.
    "-threads 1",
    "-c:a aac",
    `-b:a ${o.audioKbps}k`,
    `-ar ${o.sampleRate}`,
    "-ac 2",
    "-flvflags no_duration_filesize",
  ];
}

export function createEncoder(o: EncoderOptions): Encoder {
  const log = o.log ?? (() => {});
  const frameBytes = o.pixelFormat === "rgba" ? o.width * o.height * 4 : (o.width * o.height * 3) / 2;
  const dir = mkdtempSync(join(tmpdir(), "sothebais-enc-"));
  const backoffMin = o.backoffMinMs ?? 500;
  const backoffMax = o.backoffMaxMs ?? 10_000;
  const stallMs = o.stallMs ?? 10_000;
  let backoff = backoffMin;
  let closed = false;
  let run = 0;
  let current: {
    command: ffmpeg.FfmpegCommand;
    video?: Writable;
    /** Frames written to stdin that the pipe has not taken yet. */
    queued: number;
    audio?: WriteStream;
    audioOpen: boolean;
    fifo: string;
    startedAt: number;
    lastProgressAt: number;
    lastFrame: number;
    done: boolean;
  } | null = null;
  let restartTimer: NodeJS.Timeout | undefined;
  const status: EncoderStatus = { connected: false, running: false, restarts: 0, speed: null, fps: null, kbps: null, framesSent: 0, framesDropped: 0, lastError: null };

  const start = () => {
    if (closed) return;
    run++;
    const fifo = join(dir, `audio-${run}.pcm`);
    execFileSync("mkfifo", [fifo]);
    const command = ffmpeg()
      .input(fifo)
      .inputFormat("s16le")
      // Raw inputs need no probing; the default probe (5 MB / 5 s) would wait for audio the loop only
      // sends alongside video, which ffmpeg has not started reading yet.
      .inputOptions(["-ar", String(o.sampleRate), "-ac", "1", "-thread_queue_size", "1024", "-probesize", "32", "-analyzeduration", "0"])
      .input("pipe:0")
      .inputFormat("rawvideo")
      .inputOptions(["-pix_fmt", o.pixelFormat, "-s", `${o.width}x${o.height}`, "-r", String(o.fps), "-thread_queue_size", "1024", "-probesize", "32", "-analyzeduration", "0"])
      .outputOptions(["-hide_banner", "-loglevel", "warning", "-stats", "-stats_period", "0.5", ...outputOptions(o)])
      .format("flv")
      .output(o.url);
    const self = { command, video: undefined as Writable | undefined, queued: 0, audio: undefined as WriteStream | undefined, audioOpen: false, fifo, startedAt: Date.now(), lastProgressAt: Date.now(), lastFrame: 0, done: false };
    current = self;
    status.running = true;

    command.on("start", () => {
      // fluent-ffmpeg keeps the child process on the command; its stdin is the video input.
      const video = (command as unknown as { ffmpegProc: ChildProcess }).ffmpegProc.stdin;
      video?.on("error", () => {});
      self.video = video ?? undefined;
      // ffmpeg opens its first input (this pipe) before anything else, so both tracks start on the same tick.
      const audio = createWriteStream(fifo);
      self.audio = audio;
      audio.on("open", () => {
        self.audioOpen = true;
      });
      audio.on("error", () => {});
    });
    command.on("stderr", (line: string) => {
      const p = parseProgress(line);
      if (!p) {
        // ffmpeg names the output URL (stream key included) in its errors; lastError goes to /health and the logs.
        if (/error|failed|refused|broken pipe/i.test(line)) status.lastError = redactSecrets(line.trim()).slice(0, 300);
        return;
      }
      if (p.frame > self.lastFrame) {
        self.lastFrame = p.frame;
        self.lastProgressAt = Date.now();
        if (!status.connected) log("info", "ingest connected", { url: redactUrl(o.url), run });
        status.connected = true;
      }
      status.fps = p.fps;
      status.speed = p.speed;
      status.kbps = p.kbps;
    });
    const finish = (error?: Error) => {
      if (self.done) return;
      self.done = true;
      if (current === self) current = null;
      const wasConnected = status.connected;
      status.connected = false;
      status.running = false;
      // fluent-ffmpeg's message quotes ffmpeg's stderr, which names the output URL.
      if (error) status.lastError = status.lastError ?? redactSecrets(error.message.split("\n")[0]).slice(0, 300);
      self.video?.destroy();
      // A writer still waiting for ffmpeg to open the pipe would block a libuv thread forever: open the read end to release it.
      if (!self.audioOpen) {
        try {
          closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
        } catch {}
      }
      self.audio?.destroy();
      rmSync(fifo, { force: true });
      if (closed) return;
      // Healthy for a minute: the next failure starts from the short delay again.
      if (Date.now() - self.startedAt > 60_000 && wasConnected) backoff = backoffMin;
      log("warn", "encoder stopped; restarting", { error: status.lastError, inMs: backoff, run });
      status.restarts++;
      restartTimer = setTimeout(start, backoff);
      backoff = Math.min(backoffMax, backoff * 2);
    };
    command.on("error", (error: Error) => finish(error));
    command.on("end", () => finish(new Error("ffmpeg ended")));
    command.run();
  };

  const watchdog = setInterval(() => {
    const c = current;
    // A starting ffmpeg gets longer: on a busy machine its first frame can take many seconds.
    const limit = c && c.lastFrame === 0 ? Math.max(stallMs, 30_000) : stallMs;
    if (c && Date.now() - c.lastProgressAt > limit) {
      status.lastError = `no progress for ${limit} ms`;
      c.command.kill("SIGKILL");
    }
  }, 1000);
  watchdog.unref();

  start();

  // Frame buffers the pipe has finished with, reused: a fresh 3.7 MB buffer per frame costs more in
  // page faults and GC than the copy into it.
  const free: Buffer[] = [];
  const maxQueued = o.maxQueuedFrames ?? 15;

  return {
    write: (pixels, pcm) => {
      const c = current;
      const video = c?.video;
      if (!c || c.done || !video || !c.audioOpen || !c.audio) return false;
      // ffmpeg is behind: skip this frame (video and audio together, so they stay in sync).
      if (c.queued >= maxQueued || c.audio.writableLength > pcm.byteLength * 30) {
        if (status.connected) status.framesDropped++;
        return false;
      }
      const buf = free.pop() ?? Buffer.allocUnsafeSlow(frameBytes);
      if (pixels.byteLength !== frameBytes) throw new RangeError(`frame is ${pixels.byteLength} bytes, expected ${frameBytes} (${o.pixelFormat})`);
      buf.set(pixels);
      c.queued++;
      c.audio.write(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      // The callback runs once the pipe has taken the bytes (or the stream was destroyed).
      video.write(buf, () => {
        c.queued--;
        if (free.length <= maxQueued) free.push(buf);
      });
      status.framesSent++;
      return true;
    },
    status: () => ({ ...status }),
    close: async () => {
      closed = true;
      clearTimeout(restartTimer);
      clearInterval(watchdog);
      const c = current;
      if (c && !c.done) {
        const ended = new Promise<void>((resolve) => {
          c.command.once("error", () => resolve());
          c.command.once("end", () => resolve());
        });
        // Closing stdin lets ffmpeg flush and finish the FLV; SIGKILL if it takes too long.
        c.video?.end();
        c.audio?.end();
        const timer = setTimeout(() => c.command.kill("SIGKILL"), 3000);
        await ended;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
