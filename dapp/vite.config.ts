/**
 * Vite config for the dApp. The `sothebais` plugin serves `/config.json` (deployment + service list,
 * read per request) and proxies every service under `/svc/<name>` in both `vite` and `vite preview`.
 */
import { defineConfig, type Plugin, type ProxyOptions } from "vite";
import react from "@vitejs/plugin-react";
import { buildAppConfig, readDappEnv, upstreams } from "./server/config.ts";

const dappEnv = readDappEnv();

function proxies(): Record<string, ProxyOptions> {
  const out: Record<string, ProxyOptions> = {};
  for (const [name, target] of Object.entries(upstreams(dappEnv))) {
    out[`/svc/${name}`] = {
      target,
      changeOrigin: true,
      ws: name === "rpc",
      rewrite: (path) => path.slice(`/svc/${name}`.length) || "/",
    };
  }
  return out;
}

function sothebais(): Plugin {
  const serveConfig = (req: { url?: string }, res: import("node:http").ServerResponse, next: () => void) => {
    if (req.url?.split("?")[0] !== "/config.json") return next();
    res.setHeader("content-type", "application/json");
    res.setHeader("cache-control", "no-store");
    res.end(JSON.stringify(buildAppConfig(dappEnv)));
  };
  return {
    name: "sothebais-config",
    configureServer: (server) => void server.middlewares.use(serveConfig),
    configurePreviewServer: (server) => void server.middlewares.use(serveConfig),
  };
}

export default defineConfig({
  plugins: [react(), sothebais()],
  server: { host: dappEnv.DAPP_HOST, port: dappEnv.DAPP_PORT, strictPort: true, proxy: proxies() },
  preview: { host: dappEnv.DAPP_HOST, port: dappEnv.DAPP_PORT, strictPort: true, proxy: proxies() },
  build: { target: "es2022", sourcemap: true },
});
