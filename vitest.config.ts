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
      {
        test: {
          name: "indexer",
          include: ["packages/indexer/src/**/*.test.ts", "scripts/lib/**/*.test.ts", "scripts/*.test.ts"],
          // Real anvil chains and databases: backfills, restarts and a 30 s RPC outage.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "api",
          include: ["packages/api/src/**/*.test.ts"],
          // Builds the demo chain once; each file loads its own copy (src/_test/demoChain.ts).
          globalSetup: ["packages/api/src/_test/globalSetup.ts"],
          // Each file indexes a demo ledger on anvil before it asks the API anything.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "cli",
          include: ["packages/cli/src/**/*.test.ts"],
          // End to end against anvil: imports of thousands of rows, killed and resumed.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "web",
          include: ["packages/web/e2e/**/*.test.ts"],
          // The whole stack (demo chain, indexer, API serving the built portal) once, for headless Chromium.
          globalSetup: ["packages/web/e2e/globalSetup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
