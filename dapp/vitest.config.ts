import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// Component tests only; the browser end-to-end suite runs under node:test (test/e2e).
export default defineConfig({
  plugins: [react()],
  test: { environment: "jsdom", include: ["test/*.test.{ts,tsx}"], setupFiles: ["test/setup.ts"] },
});
