/**
 * @module StreamPlayer
 * The auction room's stream: Twitch's player when a channel is configured, else the local HLS stream
 * (nginx-rtmp) through hls.js (its light build: no subtitles, alternate audio or DRM, which the stream
 * never has), loaded only when a stream exists and the browser cannot play HLS itself, so it stays out of the
 * initial bundle. Safari plays HLS natively.
 */
import { useEffect, useRef, useState } from "react";
import { useApp } from "../state.tsx";

export function StreamPlayer() {
  const { config } = useApp();
  if (config.twitchChannel) {
    const parent = window.location.hostname;
    return (
      <div className="stream">
        <iframe
          title={`Live stream on Twitch: ${config.twitchChannel}`}
          src={`https://player.twitch.tv/?channel=${encodeURIComponent(config.twitchChannel)}&parent=${parent}&muted=true`}
          allowFullScreen
        />
      </div>
    );
  }
  if (!config.streamPath) return null;
  return <HlsVideo src={config.streamPath} />;
}

function HlsVideo({ src }: { src: string }) {
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<"loading" | "playing" | "offline">("loading");
  useEffect(() => {
    const el = video.current;
    if (!el) return;
    let destroyed = false;
    let cleanup = () => {};
    const onPlaying = () => setState("playing");
    el.addEventListener("playing", onPlaying);
    if (el.canPlayType("application/vnd.apple.mpegurl")) {
      el.src = src;
      void el.play().catch(() => {});
    } else {
      void import("hls.js/light").then(({ default: Hls }) => {
        if (destroyed || !Hls.isSupported()) return setState("offline");
        // The live edge of the stream page's player (broadcaster/src/rtmp-server.ts playerHlsConfig, measured by
        // the glass-to-glass bench): 0.8 s behind the newest ~0.5 s fragment, caught up at up to 1.5x.
        const hls = new Hls({
          liveSyncDuration: 0.8,
          liveMaxLatencyDuration: 3,
          maxLiveSyncPlaybackRate: 1.5,
          lowLatencyMode: true,
          manifestLoadingMaxRetry: 1000,
          manifestLoadingRetryDelay: 2000,
        });
        hls.loadSource(src);
        hls.attachMedia(el);
        hls.on(Hls.Events.MANIFEST_PARSED, () => void el.play().catch(() => {}));
        hls.on(Hls.Events.ERROR, (_e, data) => {
          if (data.fatal) {
            setState("offline");
            // The broadcaster may still be starting: try again shortly, the player survives restarts.
            setTimeout(() => !destroyed && hls.loadSource(src), 3000);
          }
        });
        cleanup = () => hls.destroy();
      });
    }
    return () => {
      destroyed = true;
      el.removeEventListener("playing", onPlaying);
      cleanup();
    };
  }, [src]);
  return (
    <div className="stream">
      <video ref={video} muted playsInline controls aria-label="Live stream of the auction room" />
      {state !== "playing" ? <div className="stream-overlay">{state === "loading" ? "Connecting to the auction room…" : "The stream is offline for now."}</div> : null}
    </div>
  );
}
