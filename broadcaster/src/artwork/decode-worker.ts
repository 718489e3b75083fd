/**
 * @module artwork/decode-worker
 * Decodes one image and scales it to fit a box, off the render thread: a slow or hostile image can
 * only stall this worker (which the loader terminates on timeout), never a frame.
 */
import { parentPort } from "node:worker_threads";
import { createCanvas, Image } from "@napi-rs/canvas";

export type DecodeRequest = { id: number; bytes: Uint8Array; maxWidth: number; maxHeight: number };
export type DecodeReply =
  | { id: number; ok: true; width: number; height: number; rgba: ArrayBuffer }
  | { id: number; ok: false; error: string };

// Loading the native canvas module can take seconds on a busy machine: say when ready, so decode
// deadlines count decoding only.
parentPort?.postMessage({ ready: true });

parentPort?.on("message", (req: DecodeRequest) => {
  try {
    const image = new Image();
    let failed: unknown;
    image.onerror = (e: unknown) => {
      failed = e;
    };
    image.src = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
    if (failed || !image.complete || !image.width || !image.height) throw new Error(`not a decodable image${failed ? `: ${String(failed)}` : ""}`);
    const scale = Math.min(req.maxWidth / image.width, req.maxHeight / image.height, 4);
    const width = Math.max(1, Math.round(image.width * scale));
    const height = Math.max(1, Math.round(image.height * scale));
    const canvas = createCanvas(width, height);
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(image, 0, 0, width, height);
    const rgba = new Uint8Array(canvas.data()).buffer;
    const reply: DecodeReply = { id: req.id, ok: true, width, height, rgba };
    parentPort?.postMessage(reply, [rgba]);
  } catch (error) {
    const reply: DecodeReply = { id: req.id, ok: false, error: (error as Error).message ?? String(error) };
    parentPort?.postMessage(reply);
  }
});
