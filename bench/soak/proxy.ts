/**
 * A tiny TCP proxy in front of the chain's RPC (HTTP and WebSocket on one port) that can be paused:
 * while paused it accepts connections but moves no bytes, which is what a stalled RPC provider looks like
 * to a client (requests hang; they do not fail fast).
 */
import { createConnection, createServer, type Socket } from "node:net";
import { freePort } from "@sothebais/common/testing";

export type StallProxy = { port: number; pause: () => void; resume: () => void; close: () => Promise<void> };

export async function startStallProxy(targetPort: number): Promise<StallProxy> {
  const port = await freePort();
  let paused = false;
  // Bytes that arrived while paused, per direction, flushed in order on resume.
  const links = new Set<{ held: [Socket, Buffer][]; sockets: Socket[] }>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    const link = { held: [] as [Socket, Buffer][], sockets: [client, upstream] };
    links.add(link);
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (paused || link.held.length) link.held.push([to, chunk]);
      else to.write(chunk);
    };
    client.on("data", forward(upstream));
    upstream.on("data", forward(client));
    const end = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      for (const link of links) for (const [to, chunk] of link.held.splice(0)) to.write(chunk);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const link of links) for (const s of link.sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
