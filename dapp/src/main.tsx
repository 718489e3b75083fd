/**
 * Entry: load /config.json (deployment + services, read by the server at request time), then render.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { WagmiProvider } from "wagmi";
import { App } from "./App.tsx";
import { loadConfig } from "./lib/config.ts";
import { createWagmiConfig } from "./lib/wagmi.ts";
import { AppProvider } from "./state.tsx";
import "./styles.css";

const root = createRoot(document.getElementById("root") as HTMLElement);

async function start() {
  const config = await loadConfig();
  const wagmi = await createWagmiConfig(config);
  const queryClient = new QueryClient({
    defaultOptions: { queries: { staleTime: 1000, retry: 2, retryDelay: (n) => Math.min(1000 * 2 ** n, 8000), refetchOnWindowFocus: true } },
  });
  root.render(
    <StrictMode>
      <AppProvider config={config}>
        <WagmiProvider config={wagmi}>
          <QueryClientProvider client={queryClient}>
            <App />
          </QueryClientProvider>
        </WagmiProvider>
      </AppProvider>
    </StrictMode>,
  );
}

start().catch((error: unknown) => {
  // Never a blank screen: say what failed and offer a retry.
  root.render(
    <main className="fatal" role="alert">
      <h1>SothebAIs could not start</h1>
      <p>{error instanceof Error ? error.message : String(error)}</p>
      <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
        Try again
      </button>
    </main>,
  );
});
