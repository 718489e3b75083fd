/** Redis for work in flight (chat bid queue, rate limits, link codes, pub/sub), as a child process. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startRedis } from "@sothebais/common/testing";
import type { StackService } from "./types.ts";

export const service: StackService = {
  name: "redis",
  async start(ctx) {
    if (process.env.REDIS_URL) {
      ctx.urls.redisUrl = process.env.REDIS_URL;
      ctx.progress(`using external Redis at ${process.env.REDIS_URL.replace(/\/\/[^@]*@/, "//***@")}`);
      return;
    }
    // Append-only, like production: the relayer's exactly-once records must survive a Redis restart.
    const persistDir = join(ctx.dataDir, "redis");
    mkdirSync(persistDir, { recursive: true });
    const redis = await startRedis({ port: ctx.ports.redis, echo: ctx.echo("redis"), persistDir });
    ctx.urls.redisUrl = redis.url;
    ctx.onStop("redis", () => redis.stop());
  },
};
