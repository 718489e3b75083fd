import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// Component tests only; the browser end-to-end suite runs under node:test (test/e2e).
// Threads, not forks: forked workers died under load on this 2-core machine.
export default defineConfig({
  plugins: [react()],
  test: {
    environment: "jsdom",
    include: ["test/*.test.{ts,tsx}"],
    setupFiles: ["test/setup.ts"],
    pool: "threads",
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
