/**
 * @module http
 * The admin surface: `/health` (fps, dropped frames, encoder speed, ingest connected, data age),
 * Prometheus `/metrics`, `/preview.png` (the latest frame) and `/preview.mjpeg` (a low-rate live
 * preview), `/chat` (the chat pane's lines), and `/` (a page showing both). Loopback by default; it exposes no secrets.
 */
import type { Metrics } from "@sothebais/common/metrics";
import { Hono } from "hono";
import { stream } from "hono/streaming";

export type HttpDeps = {
  health: () => { status: "ok" | "degraded"; [k: string]: unknown };
  metrics: Metrics;
  /** The latest frame encoded, shared by every connection and re-encoded at most once per interval (preview.ts); null before the first frame. */
  snapshot: (format: "png" | "jpeg") => Promise<Buffer | null>;
  previewFps: number;
  /** What the stream's chat pane shows (public already: it is on the stream). */
  chatLines?: () => readonly { id: string; name: string; text: string }[];
};

const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SothebAIs broadcaster</title>
<style>body{margin:0;background:#0b0b10;color:#ddd;font:14px system-ui,sans-serif}main{max-width:1280px;margin:auto;padding:16px}
img{width:100%;aspect-ratio:16/9;background:#000}pre{background:#15151c;padding:12px;overflow:auto}</style></head>
<body><main><img src="/preview.mjpeg" alt="live preview"><pre id="h"></pre></main>
<script>async function f(){try{const r=await fetch('/health');document.getElementById('h').textContent=JSON.stringify(await r.json(),null,2)}catch{}setTimeout(f,1000)}f()</script>
</body></html>`;

export function createApp(d: HttpDeps): Hono {
  const app = new Hono();
  app.get("/", (c) => c.html(page));
  app.get("/health", (c) => c.json(d.health()));
  app.get("/chat", (c) => c.json({ lines: (d.chatLines?.() ?? []).map((l) => ({ id: l.id, name: l.name, text: l.text })) }));
  app.get("/metrics", async (c) => c.body(await d.metrics.render(), 200, { "content-type": d.metrics.contentType }));
  app.get("/preview.png", async (c) => {
    const png = await d.snapshot("png");
    if (!png) return c.text("no frame yet", 503);
    return c.body(new Uint8Array(png), 200, { "content-type": "image/png", "cache-control": "no-store" });
  });
  app.get("/preview.mjpeg", (c) => {
    const boundary = "sothebaisframe";
    c.header("content-type", `multipart/x-mixed-replace; boundary=${boundary}`);
    c.header("cache-control", "no-store");
    return stream(c, async (s) => {
      let open = true;
      s.onAbort(() => {
        open = false;
      });
      while (open) {
        const jpeg = await d.snapshot("jpeg");
        if (jpeg) {
          await s.write(`--${boundary}\r\ncontent-type: image/jpeg\r\ncontent-length: ${jpeg.length}\r\n\r\n`);
          await s.write(new Uint8Array(jpeg));
          await s.write("\r\n");
        }
        await s.sleep(1000 / d.previewFps);
      }
    });
  });
  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((error, c) => c.json({ error: error.message }, 500));
  return app;
}
