import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "core",
          include: ["packages/core/src/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "contracts",
          include: ["test/**/*.test.ts"],
          // Each file gets its own in-process Hardhat chain; property tests mine thousands of blocks.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
