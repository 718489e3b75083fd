/**
 * The local RTMP ingest of `./sothebais up`: a private nginx with the RTMP module (Debian's
 * libnginx-mod-rtmp), repackaging the stream as HLS with a small player page, so the broadcast can
 * be watched in a browser. Publishes rtmpUrl (where the broadcaster pushes), hlsUrl (.m3u8) and
 * streamPageUrl.
 */
import { join } from "node:path";
import { startRtmpServer } from "@sothebais/broadcaster/rtmp-server";
import type { StackService } from "./types.ts";

export const service: StackService = {
  name: "rtmp",
  async start(ctx) {
    const server = await startRtmpServer({
      rtmpPort: ctx.ports.rtmp,
      hlsPort: ctx.ports.hls,
      dir: join(ctx.dataDir, "rtmp"),
      echo: ctx.echo("rtmp"),
    });
    ctx.onStop("rtmp", () => server.stop());
    ctx.urls.rtmpUrl = server.rtmpUrl;
    ctx.urls.hlsUrl = server.hlsUrl;
    ctx.urls.streamPageUrl = server.pageUrl;
    ctx.progress(`RTMP ingest ${server.rtmpUrl}; watch at ${server.pageUrl}`);
  },
};
