/**
 * @module state
 * The loaded runtime config, shared through context so components need no prop drilling.
 */
import { createContext, type ReactNode, useContext } from "react";
import type { AppConfig } from "./lib/config.ts";

type AppState = { config: AppConfig };

const AppContext = createContext<AppState | null>(null);

export function AppProvider({ config, children }: { config: AppConfig; children: ReactNode }) {
  return <AppContext.Provider value={{ config }}>{children}</AppContext.Provider>;
}

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error("useApp outside <AppProvider>");
  return state;
}
