import { defineConfig } from "vitest/config";

// Unit and golden tests. The browser suite has its own config (vitest.e2e.config.ts).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**"],
    testTimeout: 60_000,
  },
});
