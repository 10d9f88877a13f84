import { defineConfig } from "vitest/config";

// Browser tests: the fixture site is built once (globalSetup), served on port 0 and driven with
// Chromium through playwright-core. Files run one at a time: two cores, one browser each.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
