// How many transactions an import keeps in flight (--window, or windowFor the chain), and why it
// matters: on a chain that mines at a fixed period, as QBFT does, each block takes at most the
// window's transactions of one import. End to end against anvil mining one block a second with a
// block gas limit of 1,000,000,000 (a private chain's kind of limit), switched to interval mining
// after the fixture's set-up.
import { createTestClient, type Hex, http } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Ledger, startLedger, writeDonations } from "../_test/cliFixture.ts";
import { windowFor } from "./runImport.ts";

describe("windowFor", () => {
  const batchOf200Donations = 250_000n + 200n * 75_000n;

  test("args: enough transactions to fill two blocks", () => {
    expect(windowFor(100_000_000n, batchOf200Donations)).toBe(12);
  });

  test("args: at least 6, where a block holds one or two batches (anvil's 30,000,000 gas)", () => {
    expect(windowFor(30_000_000n, batchOf200Donations)).toBe(6);
    expect(windowFor(10_000_000n, batchOf200Donations)).toBe(6);
  });

  test("args: at most 64, however large the blocks", () => {
    expect(windowFor(1_000_000_000n, batchOf200Donations)).toBe(64);
    expect(windowFor(2n ** 63n, 21_000n)).toBe(64);
  });

  test("args: a transaction of no gas (never made) gives the minimum, not a division by zero", () => {
    expect(windowFor(30_000_000n, 0n)).toBe(6);
  });
});

describe("import on a chain that mines once a second", () => {
  let ledger: Ledger;
  let anvil: ReturnType<typeof createTestClient>;
  beforeAll(async () => {
    ledger = await startLedger({ anvilArgs: ["--gas-limit", "1000000000"] });
    anvil = createTestClient({ mode: "anvil", transport: http(ledger.url) });
  });
  afterAll(async () => {
    await ledger?.stop();
  });

  /**
   * Imports `batches` batches of 200 donations; returns the summary and the most of its
   * transactions that one block holds.
   */
  async function importBatches(prefix: string, batches: number, extraArgs: string[] = []) {
    const { file } = await writeDonations(ledger, prefix, batches * 200, prefix);
    await anvil.setIntervalMining({ interval: 1 });
    try {
      const run = await ledger.run(["--json", "--key", "charity", "import", "donations", file, ...extraArgs]);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as { recorded: number; window: number; transactions: Hex[] };
      const perBlock = new Map<bigint, number>();
      for (const hash of summary.transactions) {
        const { blockNumber } = await ledger.deployed.publicClient.getTransactionReceipt({ hash });
        perBlock.set(blockNumber, (perBlock.get(blockNumber) ?? 0) + 1);
      }
      return { summary, mostInOneBlock: Math.max(...perBlock.values()) };
    } finally {
      await anvil.setAutomine(true);
    }
  }

  test("behavior: by default the window fills the blocks: a block holds more than 6 of the import's 20 transactions", async () => {
    const { summary, mostInOneBlock } = await importBatches("WIDE", 20);
    expect(summary.recorded).toBe(4_000);
    expect(summary.window).toBe(64);
    // All 20 are sent at once, within a block or two (a block a second).
    expect(mostInOneBlock).toBeGreaterThan(6);
  });

  test("args: --window 6 is obeyed: no block holds more than 6 of the import's transactions", async () => {
    const { summary, mostInOneBlock } = await importBatches("NARROW", 20, ["--window", "6"]);
    expect(summary.recorded).toBe(4_000);
    expect(summary.window).toBe(6);
    expect(mostInOneBlock).toBeLessThanOrEqual(6);
  });
});
