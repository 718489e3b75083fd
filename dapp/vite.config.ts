/**
 * Vite config for the dApp. In development (`vite`), the `sothebais` plugin serves `/config.json` (the
 * same builder as the production server, server/config.ts) and proxies each service under `/svc/<name>`.
 * Production is `vite build` served by the dApp's own server (`npm start`, server/main.ts), which
 * proxies only what the browser needs; `vite preview` is not used.
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
      rewrite: (path) => path.slice(`/svc/${name}`.length) || "/",
    };
  }
  return out;
}

function sothebais(): Plugin {
  return {
    name: "sothebais-config",
    configureServer: (server) =>
      void server.middlewares.use((req, res, next) => {
        if (req.url?.split("?")[0] !== "/config.json") return next();
        res.setHeader("content-type", "application/json");
        res.setHeader("cache-control", "no-store");
        res.end(JSON.stringify(buildAppConfig(dappEnv)));
      }),
  };
}

export default defineConfig({
  plugins: [react(), sothebais()],
  server: { host: dappEnv.DAPP_HOST, port: dappEnv.DAPP_PORT, strictPort: true, proxy: proxies() },
  build: { target: "es2022", sourcemap: true, manifest: true },
});
