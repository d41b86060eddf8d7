/**
 * CLI benchmark: `npm run bench:cli`. Two figures, written to bench/results/cli.json:
 *
 *  1. `shanji import donations` of BENCH_IMPORT_ROWS (default 100,000) rows, end to end (the
 *     command as its own process: CSV parsing, validation against the chain, the check of which
 *     rows are already recorded, receipt codes written, batches of 200 sent and confirmed), in
 *     rows/s; and in the same run the floor: the same batches (same calldata shape, the import's
 *     own sender and window) sent to contracts/test/EventFloor.sol, which only emits the events.
 *     Each on a fresh anvil with the contracts deployed. Target: the import at >= 50% of the
 *     floor's rate. Also the same batches sent to the real CharityLedger without the CLI, to tell
 *     what the contracts cost from what the CLI adds. BENCH_IMPORT_ROUNDS rounds (default 3) of
 *     the three; the round of the median ratio counts, and every round's figures are kept.
 *
 *     The chains (IMPORT_ANVIL_ARGS) are built like a consortium chain: a block every 0.5 s with
 *     a block gas limit of 1,000,000,000, so that a block holds many batches, as a QBFT network's
 *     blocks do; and only recent state kept (`--prune-history 64`), as a production node keeps
 *     it (Besu's Bonsai storage, geth's path scheme). anvil 1.7.1 rebuilds a contract's whole
 *     storage trie at each block, so on an automining anvil (a block per transaction) the
 *     ledger, whose state grows by a slot a record, slows more and more as the run goes on; a
 *     block of many transactions pays that once. 0.5 s rather than a production chain's 1 s or
 *     more, and 128 transactions in flight (BENCH_IMPORT_WINDOW): a slower cadence or a smaller
 *     window would cap the floor below what the node can take, and the ratio would measure the
 *     cadence. The run checks this: when most of the floor's blocks hold its whole window, the
 *     cadence capped it, and the target counts as not measured. The parts also report the blocks
 *     mined, the most transactions in one, and their rate in each fifth of the run.
 *
 *  2. `shanji verify ledger --from-chain` over a chain of BENCH_VERIFY_ENTRIES (default 1,000,000)
 *     entries: the seconds to recompute every leaf hash and the root once the logs are fetched
 *     (target <= 10 s), with the fetch time reported separately; each run also records the
 *     recompute's CPU seconds (all threads) and the 1-minute load average, since on a shared machine
 *     the wall-clock figure depends on what else runs. Filling such a chain takes many
 *     minutes; BENCH_CACHE_CHAIN=1 keeps it in .shanji/bench/ (git-ignored) as anvil's state dump,
 *     reused while the contracts and the fill are unchanged. Not by default: the dump of a million
 *     entries is about 7 GB, and anvil needs more memory than this 23 GB machine has to load it.
 *
 *   BENCH_PARTS=import,verify   which parts to run (default both); `recompute` runs only the
 *                               recompute, in this process, on BENCH_VERIFY_ENTRIES leaves made
 *                               in-process (packages/cli/src/_test/syntheticLedger.ts): seconds to
 *                               iterate on it without a chain; printed, not written to the results
 *   BENCH_IMPORT_ANVIL_ARGS=…   the anvil flags of the import's three chains, in place of the
 *                               default (IMPORT_ANVIL_ARGS); "--prune-history" for an automining
 *                               anvil, "" for anvil's own default (automining, all history)
 *   BENCH_IMPORT_WINDOW=n       transactions in flight, for the CLI (--window) and the other two alike
 *                               (default 128; "default" for the import's own default for the chain,
 *                               windowFor: 6 on anvil's 30,000,000 gas blocks, up to 64 on larger
 *                               ones). At 64, the floor filled 6 of its 8 blocks with all 64 of its
 *                               transactions in a run on this machine (2026-11-27): the cadence capped
 *                               it. 128 batches are ~6.6 MB pending from one sender: the bench's
 *                               chains take that; on a production node the import's default stays.
 *   BENCH_IMPORT_ROUNDS=3       rounds of the import's three parts
 *   BENCH_IMPORT_NODE=hardhat   the import's three chains on `hardhat node` (Hardhat's EDR) instead of
 *                               anvil, to compare nodes; the anvil flags do not apply then
 *   BENCH_CACHE_CHAIN=1         keep (and reuse) the verify chain in .shanji/bench/
 *   BENCH_VERIFY_RUNS=3         verify runs on the loaded chain; the median counts
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { charityLedgerAbi, generateCreditCode, registryAbi, transparencyLogAbi } from "@shanji/core";
import {
  type Abi,
  createPublicClient,
  createTestClient,
  createWalletClient,
  encodeFunctionData,
  type Hex,
  http,
  stringToHex,
  toHex,
} from "viem";
import { anvil } from "viem/chains";
import { syntheticLedger } from "../packages/cli/src/_test/syntheticLedger.ts";
import { createSender } from "../packages/cli/src/common/sender.ts";
import { commitment, windowFor } from "../packages/cli/src/import/runImport.ts";
import { externalRefOf } from "../packages/cli/src/import/validateRows.ts";
import { saveKey } from "../packages/cli/src/keys/keystore.ts";
import { recomputeLedger } from "../packages/cli/src/verify/recomputeLedger.ts";
import { anvilAccount, deployOnAnvil } from "../packages/indexer/src/_test/chainFixture.ts";
import type { Deployment } from "../packages/indexer/src/runIndexer.ts";
import { startAnvil } from "./lib/anvil.ts";
import { freePort } from "./lib/freePort.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CACHE_DIR = join(ROOT, ".shanji", "bench");
const RESULTS_FILE = join(ROOT, "bench", "results", "cli.json");
const BIN = join(ROOT, "packages", "cli", "bin", "shanji.js");
const MiB = 1024 * 1024;
const IMPORT_TARGET = 0.5;
/** The import's chains: a consortium chain's cadence and block size, recent state only (see the header). */
const IMPORT_ANVIL_ARGS = "--prune-history 64 --block-time 0.5 --gas-limit 1000000000";
const VERIFY_TARGET_SECONDS = 10;
/** The import's own defaults: batches of CharityLedger.MAX_BATCH, windowFor the chain in flight. */
const BATCH = 200;
const WINDOW = process.env.BENCH_IMPORT_WINDOW === "default" ? undefined : positiveInteger("BENCH_IMPORT_WINDOW", 128);
/** The gas each transaction of the floor and of the contract alone may use. */
const BATCH_GAS = 16_000_000n;
const CAMPAIGNS = 4;
/** Rounds of the import's three parts; the round of the median ratio counts. */
const IMPORT_ROUNDS = positiveInteger("BENCH_IMPORT_ROUNDS", 3);
/**
 * The verify chain: donations in batches of 200 over four campaigns, FILL.txsPerBlock transactions
 * per block (anvil's per-block work grows with its state, so one block per transaction would make
 * the fill quadratic), every request with a long timeout: on a busy machine anvil can take a while
 * to mine a full block.
 */
const FILL = { batchSize: 200, campaigns: 4, txsPerBlock: 16 } as const;
const CACHE_FORMAT = 1;
const LOAD_TIMEOUT_MS = 20 * 60_000;
const children = new Set<ChildProcess>();

type ImportFigures = {
  rows: number;
  /** The node of the three chains: anvil unless BENCH_IMPORT_NODE=hardhat. */
  node: "anvil" | "hardhat";
  /** The flags of the three anvil chains: IMPORT_ANVIL_ARGS unless BENCH_IMPORT_ANVIL_ARGS says otherwise. */
  anvilArgs: string[];
  cli: {
    rowsPerSecond: number;
    seconds: number;
    batches: number;
    /** Blocks mined during the import (an automining anvil mines one per transaction as it arrives). */
    blocks: number;
    /** The most of the import's transactions that one block held. */
    largestBlock: number;
    transactionsInFlight: number;
    phases: Record<string, number>;
  };
  eventFloor: { rowsPerSecond: number; seconds: number; batches: number } & Progression;
  /** The same batches to the real contract without the CLI; cliRatio = the CLI's rate over this one. */
  charityLedgerWithoutCli: {
    rowsPerSecond: number;
    seconds: number;
    ratioToEventFloor: number;
    cliRatio: number;
  } & Progression;
  /** The median round's: the CLI's rate over the EventFloor's. */
  ratio: number;
  /** Every round's rates (rows/s) and ratio; the figures above are the median round's. */
  rounds: { eventFloor: number; charityLedgerWithoutCli: number; cli: number; ratio: number }[];
  target: number;
  /**
   * True when most of the floor's blocks held every transaction it had in flight: on a chain that
   * mines at a fixed period the floor then waited for the next block, so the cadence, not the node,
   * set its rate, and the ratio says nothing. `met` is false then. (The first block of a run takes
   * the whole window whatever the node's speed, so one full block proves nothing.)
   */
  floorCappedByCadence: boolean;
  met: boolean;
  machine: ReturnType<typeof machine>;
};

/**
 * How a run of pipelined batches went: the blocks its transactions were mined in, and its rate in
 * each fifth of the transactions, first to last. A chain whose per-block work grows with the
 * contract's state shows it here as a rate that falls fifth after fifth.
 */
type Progression = {
  blocks: number;
  /** The most of the run's transactions that one block held. */
  largestBlock: number;
  /** Blocks that held transactionsInFlight of the run's transactions: as many as it ever had out. */
  fullBlocks: number;
  transactionsInFlight: number;
  rowsPerSecondByFifth: number[];
};

type VerifyFigures = {
  entries: number;
  blocks: number;
  recomputeSeconds: number;
  recomputeCpuSeconds: number;
  fetchSeconds: number;
  totalSeconds: number;
  /** Per run; recomputeCpuSeconds counts all threads, loadAverage is the 1-minute figure as the run ended. */
  runs: {
    recomputeSeconds: number;
    recomputeCpuSeconds: number;
    fetchSeconds: number;
    totalSeconds: number;
    loadAverage: number;
  }[];
  threads: number;
  target: number;
  met: boolean;
  machine: ReturnType<typeof machine>;
  chain: { cached: boolean; filledSeconds: number; loadedSeconds: number; cache: string };
};

async function main(): Promise<void> {
  const parts = (process.env.BENCH_PARTS ?? "import,verify").split(",").map((p) => p.trim());
  const rows = positiveInteger("BENCH_IMPORT_ROWS", 100_000);
  const entries = positiveInteger("BENCH_VERIFY_ENTRIES", 1_000_000);
  const verifyRuns = positiveInteger("BENCH_VERIFY_RUNS", 3);
  process.once("SIGINT", () => {
    for (const child of children) child.kill("SIGTERM");
    process.exit(130);
  });
  if (parts.includes("recompute")) await benchRecompute(entries, verifyRuns);
  if (!parts.includes("import") && !parts.includes("verify")) return;
  const fresh: Record<string, unknown> = {};
  if (parts.includes("import")) fresh.import = await benchImport(rows);
  if (parts.includes("verify")) fresh.verify = await benchVerify(entries, verifyRuns);
  // A run of one part keeps the other part's figures from the file (read now, not at the start).
  const previous = existsSync(RESULTS_FILE)
    ? (JSON.parse(await readFile(RESULTS_FILE, "utf8")) as Record<string, unknown>)
    : {};
  // Each part carries its own machine figures; a top-level block of an older layout is dropped.
  const { machine: _older, ...kept } = previous;
  const results: Record<string, unknown> = { ...kept, ...fresh };
  results.measuredAt = new Date().toISOString();
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${relative(ROOT, RESULTS_FILE)}`);
}

// ---------------------------------------------------------------- import

/**
 * One round of the import's three parts, each on a fresh chain: the floor, the contract alone, the
 * CLI. The CLI works in a folder of the round's own, with its own copy of the file: a receipt file
 * left by an earlier round would spare it the receipt codes.
 */
async function importRound(parent: string, sourceCsv: string, rows: number) {
  const dir = await mkdtemp(join(parent, "round-"));
  const csv = join(dir, "donations.csv");
  await copyFile(sourceCsv, csv);
  // The floor first, on a chain of its own.
  const floor = await withChain(async (url) => {
    const operator = anvilAccount(2);
    const client = createPublicClient({ transport: http(url), pollingInterval: 50 });
    const wallet = createWalletClient({ account: operator, transport: http(url) });
    const artifact = JSON.parse(
      await readFile(join(ROOT, "artifacts/contracts/test/EventFloor.sol/EventFloor.json"), "utf8"),
    ) as { abi: Abi; bytecode: Hex };
    const deployed = await client.waitForTransactionReceipt({
      hash: await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, chain: null }),
    });
    const floorAddress = deployed.contractAddress as Hex;
    const batches = donationBatches(rows).map((b) => ({
      to: floorAddress,
      data: encodeFunctionData({ abi: artifact.abi, functionName: "donations", args: [b.campaign, b.inputs] }),
      rows: b.inputs.length,
    }));
    return sendPipelined(url, operator, batches);
  });
  console.log(
    `import: EventFloor ${Math.round(rows / floor.seconds)} rows/s (${floor.seconds.toFixed(1)} s, ${floor.batches} transactions in ${floor.blocks} blocks, at most ${floor.largestBlock} in one, ${floor.fullBlocks} holding all ${floor.transactionsInFlight} in flight; by fifth ${floor.rowsPerSecondByFifth.join(" → ")})`,
  );

  // The same batches sent by the same sender to the real CharityLedger, without the CLI: what the
  // contracts themselves cost on this chain, so that the CLI's own overhead shows apart.
  const contract = await withChain(async (url) => {
    const deployed = await setUpCharity(url);
    const batches = donationBatches(rows).map((b) => ({
      to: deployed.addresses.charityLedger,
      data: encodeFunctionData({
        abi: charityLedgerAbi,
        functionName: "recordDonations",
        args: [b.campaign, b.inputs],
      }),
      rows: b.inputs.length,
    }));
    return sendPipelined(url, anvilAccount(2), batches);
  });
  console.log(
    `import: CharityLedger without the CLI ${Math.round(rows / contract.seconds)} rows/s (${contract.seconds.toFixed(1)} s, ${contract.blocks} blocks, at most ${contract.largestBlock} in one; by fifth ${contract.rowsPerSecondByFifth.join(" → ")})`,
  );

  const cli = await withChain(async (url) => {
    const deployed = await setUpCharity(url);
    const addresses = deployed.addresses;
    const deployment: Deployment = {
      chainId: deployed.chain.id,
      deployBlock: String(deployed.deployBlock),
      addresses,
    };
    await writeFile(join(dir, "deployment.json"), JSON.stringify(deployment));
    // A keystore as an organisation would have it (ethers' default scrypt cost): unlocking it is part of the run.
    const passphrase = randomBytes(16).toString("hex");
    await saveKey({
      dir: join(dir, "keys"),
      name: "operator",
      privateKey: toHex(anvilAccount(2).getHdKey().privateKey as Uint8Array),
      passphrase,
    });
    const before = await deployed.publicClient.readContract({
      address: addresses.log,
      abi: transparencyLogAbi,
      functionName: "size",
    });
    const firstBlock = await deployed.publicClient.getBlockNumber({ cacheTime: 0 });
    const started = performance.now();
    const windowArgs = WINDOW === undefined ? [] : ["--window", String(WINDOW)];
    const run = await runCli(["--json", "--quiet", "import", "donations", csv, ...windowArgs], {
      SHANJI_DEPLOYMENT: join(dir, "deployment.json"),
      SHANJI_RPC_URL: url,
      SHANJI_KEYSTORE_DIR: join(dir, "keys"),
      SHANJI_PASSPHRASE: passphrase,
    });
    const seconds = (performance.now() - started) / 1000;
    if (run.code !== 0) throw new Error(`shanji import failed (exit ${run.code}): ${run.stderr}`);
    const summary = JSON.parse(run.stdout) as {
      recorded: number;
      batches: number;
      window: number;
      phases: Record<string, number>;
    };
    console.log(`import: phases (s) ${JSON.stringify(summary.phases)}`);
    const after = await deployed.publicClient.readContract({
      address: addresses.log,
      abi: transparencyLogAbi,
      functionName: "size",
    });
    if (summary.recorded !== rows || after - before !== BigInt(rows))
      throw new Error(`the import recorded ${summary.recorded} rows, the log grew by ${after - before}`);
    const lastBlock = await deployed.publicClient.getBlockNumber({ cacheTime: 0 });
    let largestBlock = 0;
    for (let n = firstBlock + 1n; n <= lastBlock; n++)
      largestBlock = Math.max(largestBlock, await deployed.publicClient.getBlockTransactionCount({ blockNumber: n }));
    return {
      seconds,
      batches: summary.batches,
      blocks: Number(lastBlock - firstBlock),
      largestBlock,
      window: summary.window,
      phases: summary.phases,
    };
  });
  console.log(
    `import: shanji import ${Math.round(rows / cli.seconds)} rows/s (${cli.seconds.toFixed(1)} s, ${cli.batches} transactions in ${cli.blocks} blocks, at most ${cli.largestBlock} in one)`,
  );
  return { floor, contract, cli, ratio: round(floor.seconds / cli.seconds, 3) };
}

async function benchImport(rows: number): Promise<ImportFigures> {
  const dir = await mkdtemp(join(tmpdir(), "shanji-bench-cli-"));
  try {
    const csv = join(dir, "donations.csv");
    await writeFile(csv, donationsCsv(rows));
    console.log(
      `import: ${rows} rows in ${relative(ROOT, csv) || csv} (${Math.round((await stat(csv)).size / 1024)} KiB)`,
    );
    const anvilArgs = importAnvilArgs();
    const node = importNode();
    if (node === "hardhat") console.log("import: three chains on `hardhat node` (Hardhat's EDR)");
    else
      console.log(
        `import: three anvil chains with ${anvilArgs.length > 0 ? anvilArgs.join(" ") : "no extra flags"}${anvilArgs.includes("--prune-history") ? " (pruned history: only recent state kept, as a Besu Bonsai node keeps it)" : " (anvil keeps every block's state)"}`,
      );

    const rounds: Awaited<ReturnType<typeof importRound>>[] = [];
    for (let r = 1; r <= IMPORT_ROUNDS; r++) {
      if (IMPORT_ROUNDS > 1) console.log(`import: round ${r} of ${IMPORT_ROUNDS}`);
      const result = await importRound(dir, csv, rows);
      console.log(`import: round ${r}: ${Math.round(result.ratio * 100)}% of the EventFloor rate`);
      rounds.push(result);
    }
    // The round of the median ratio counts; every round's figures go into `rounds`.
    const median = [...rounds].sort((x, y) => x.ratio - y.ratio)[
      Math.floor((rounds.length - 1) / 2)
    ] as (typeof rounds)[number];
    const { floor, contract, cli } = median;
    const ratio = median.ratio;
    // Automining gives each transaction a block of its own: no cadence to wait for.
    const floorCappedByCadence = floor.blocks < floor.batches && floor.fullBlocks * 2 >= floor.blocks;
    const met = ratio >= IMPORT_TARGET && !floorCappedByCadence;
    console.log(
      `import: ${Math.round((contract.seconds / cli.seconds) * 100)}% of the rate of the same batches sent to CharityLedger without the CLI`,
    );
    if (floorCappedByCadence)
      console.log(
        `import: ${floor.fullBlocks} of the floor's ${floor.blocks} blocks held all ${floor.transactionsInFlight} of its transactions in flight: the block cadence capped the floor, so the ratio below does not count (use a shorter --block-time or a larger window)`,
      );
    console.log(
      `import: ${Math.round(ratio * 100)}% of the EventFloor rate (target ${IMPORT_TARGET * 100}%): ${met ? "met" : floorCappedByCadence ? "not measured (floor capped)" : "NOT met"} (load average ${loadavg()
        .map((l) => round(l, 2))
        .join(" ")})`,
    );
    return {
      rows,
      node,
      // The anvil flags apply only to anvil.
      anvilArgs: node === "anvil" ? anvilArgs : [],
      cli: {
        rowsPerSecond: Math.round(rows / cli.seconds),
        seconds: round(cli.seconds, 2),
        batches: cli.batches,
        blocks: cli.blocks,
        largestBlock: cli.largestBlock,
        transactionsInFlight: cli.window,
        phases: cli.phases,
      },
      eventFloor: {
        rowsPerSecond: Math.round(rows / floor.seconds),
        seconds: round(floor.seconds, 2),
        batches: floor.batches,
        blocks: floor.blocks,
        largestBlock: floor.largestBlock,
        fullBlocks: floor.fullBlocks,
        transactionsInFlight: floor.transactionsInFlight,
        rowsPerSecondByFifth: floor.rowsPerSecondByFifth,
      },
      charityLedgerWithoutCli: {
        rowsPerSecond: Math.round(rows / contract.seconds),
        seconds: round(contract.seconds, 2),
        ratioToEventFloor: round(floor.seconds / contract.seconds, 3),
        cliRatio: round(contract.seconds / cli.seconds, 3),
        blocks: contract.blocks,
        largestBlock: contract.largestBlock,
        fullBlocks: contract.fullBlocks,
        transactionsInFlight: contract.transactionsInFlight,
        rowsPerSecondByFifth: contract.rowsPerSecondByFifth,
      },
      ratio,
      rounds: rounds.map((r) => ({
        eventFloor: Math.round(rows / r.floor.seconds),
        charityLedgerWithoutCli: Math.round(rows / r.contract.seconds),
        cli: Math.round(rows / r.cli.seconds),
        ratio: r.ratio,
      })),
      target: IMPORT_TARGET,
      floorCappedByCadence,
      met,
      machine: machine(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The benchmark's CSV: deterministic rows over CAMPAIGNS campaigns, amounts with and without grouping. */
function donationsCsv(rows: number): string {
  const lines = ["row_id,campaign,amount,date,channel,donor_name"];
  for (let i = 0; i < rows; i++) {
    const fen = 100 + ((i * 7919) % 500_000);
    const amount = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
    lines.push(
      `BENCH-${String(i).padStart(7, "0")},${1 + (i % CAMPAIGNS)},${fen >= 100_000 ? `"${Number(amount).toLocaleString("en", { minimumFractionDigits: 2 })}"` : amount},2026-11-26,wechat_pay,`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The same batches the import sends: grouped by campaign in file order, 200 per batch. */
function donationBatches(rows: number) {
  const byCampaign = new Map<
    bigint,
    {
      externalRef: Hex;
      donorKind: number;
      donor: Hex;
      amount: bigint;
      channel: number;
      purposeTag: Hex;
      inKindHash: Hex;
      claimId: bigint;
    }[]
  >();
  const zero = `0x${"00".repeat(32)}` as Hex;
  for (let i = 0; i < rows; i++) {
    const campaign = BigInt(1 + (i % CAMPAIGNS));
    const list = byCampaign.get(campaign) ?? [];
    list.push({
      externalRef: externalRefOf("donations", `BENCH-${String(i).padStart(7, "0")}`),
      donorKind: 0,
      donor: commitment(`0x${randomBytes(32).toString("hex")}`),
      amount: BigInt(100 + ((i * 7919) % 500_000)),
      channel: 3,
      purposeTag: zero,
      inKindHash: zero,
      claimId: 0n,
    });
    byCampaign.set(campaign, list);
  }
  const batches: { campaign: bigint; inputs: NonNullable<ReturnType<typeof byCampaign.get>> }[] = [];
  for (const [campaign, list] of byCampaign)
    for (let i = 0; i < list.length; i += BATCH) batches.push({ campaign, inputs: list.slice(i, i + BATCH) });
  return batches;
}

/**
 * Sends transactions as the import does, with the import's own sender (createSender): each signed
 * at once and sent after the one before it, nonces counted, WINDOW (or the import's default for
 * the chain) in flight, each confirmed. A sender of its own here would make the floor depend on how
 * well it was written: viem's signer, for one, takes ~17 ms a batch against the import's ~6.
 */
async function sendPipelined(
  url: string,
  account: ReturnType<typeof anvilAccount>,
  txs: { to: Hex; data: Hex; rows: number }[],
): Promise<{ seconds: number; batches: number } & Progression> {
  // Both nodes run chain id 31337, anvil's (a node on another one refuses the signed transactions).
  const client = createPublicClient({ chain: anvil, transport: http(url), pollingInterval: 50 });
  const sender = await createSender({ client, chain: anvil }, account);
  const block = await client.getBlock();
  const window = WINDOW ?? windowFor(block.gasLimit, BATCH_GAS);
  const started = performance.now();
  const inFlight: Promise<Hex>[] = [];
  const blocks = new Map<bigint, number>();
  // When each transaction was confirmed, in the order sent (and confirmed).
  const confirmedAt: number[] = [];
  const settle = async () => {
    const hash = await (inFlight.shift() as Promise<Hex>);
    const receipt = await sender.wait(hash);
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    blocks.set(receipt.blockNumber, (blocks.get(receipt.blockNumber) ?? 0) + 1);
    confirmedAt.push(performance.now());
  };
  for (const tx of txs) {
    inFlight.push(sender.submit({ to: tx.to, data: tx.data, gas: BATCH_GAS }));
    if (inFlight.length >= window) await settle();
  }
  while (inFlight.length > 0) await settle();
  const rowsPerSecondByFifth: number[] = [];
  for (let fifth = 0, from = 0, since = started; fifth < 5; fifth++) {
    const to = Math.round((txs.length * (fifth + 1)) / 5);
    if (to === from) continue;
    const rows = txs.slice(from, to).reduce((sum, tx) => sum + tx.rows, 0);
    const until = confirmedAt[to - 1] as number;
    rowsPerSecondByFifth.push(Math.round(rows / ((until - since) / 1000)));
    from = to;
    since = until;
  }
  return {
    seconds: (performance.now() - started) / 1000,
    batches: txs.length,
    blocks: blocks.size,
    largestBlock: Math.max(...blocks.values()),
    fullBlocks: [...blocks.values()].filter((n) => n >= window).length,
    transactionsInFlight: window,
    rowsPerSecondByFifth,
  };
}

/** The campaigns both benchmark chains open: CNY, no target or end, no filing, a fixed description. */
const BENCH_CAMPAIGN = {
  currency: stringToHex("CNY", { size: 3 }),
  target: 0n,
  startTime: 1_767_225_600n,
  endTime: 0n,
  filingNumber: `0x${"00".repeat(32)}`,
  descriptionHash: `0x${"22".repeat(32)}`,
  purposeTags: [],
} as const;

async function withChain<T>(use: (url: string) => Promise<T>): Promise<T> {
  const chain =
    importNode() === "hardhat" ? await startHardhatNode() : await startAnvil({ silent: true, args: importAnvilArgs() });
  try {
    return await use(chain.url);
  } finally {
    await chain.stop();
  }
}

function importNode(): "anvil" | "hardhat" {
  const node = process.env.BENCH_IMPORT_NODE || "anvil";
  if (node !== "anvil" && node !== "hardhat")
    throw new Error(`BENCH_IMPORT_NODE must be anvil or hardhat, got ${node}`);
  return node;
}

/** `hardhat node` (EDR, automining, the same test accounts as anvil) on a free port. */
async function startHardhatNode(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js"), "node", "--port", String(port)],
    {
      cwd: ROOT,
      stdio: "ignore",
    },
  );
  children.add(child);
  const url = `http://127.0.0.1:${port}`;
  const exited = once(child, "exit");
  const stop = async () => {
    children.delete(child);
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  };
  const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await client.getChainId();
      return { url, stop };
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`hardhat node did not start on port ${port}`, { cause: error });
      }
      await sleep(200);
    }
  }
}

/** The anvil flags of the import's chains, the same for all three so that they compare (see the header). */
function importAnvilArgs(): string[] {
  return (process.env.BENCH_IMPORT_ANVIL_ARGS ?? IMPORT_ANVIL_ARGS).split(" ").filter(Boolean);
}

/** A fresh deployment with a charity (org 1, operator = account 2) and CAMPAIGNS open campaigns. */
async function setUpCharity(url: string) {
  const deployed = await deployOnAnvil(url);
  const addresses = deployed.addresses;
  const wallet = (i: number) =>
    createWalletClient({ account: anvilAccount(i), chain: deployed.chain, transport: http(url) });
  const send = async (hash: Promise<Hex>) => {
    const receipt = await deployed.publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error("setup transaction reverted");
  };
  const code = stringToHex(generateCreditCode("53110105MJ0000012"), { size: 18 });
  await send(
    wallet(0).writeContract({
      address: addresses.registry,
      abi: registryAbi,
      functionName: "accredit",
      args: [1, code, "基准测试基金会", `0x${"11".repeat(32)}`, anvilAccount(1).address, false],
    }),
  );
  await send(
    wallet(1).writeContract({
      address: addresses.registry,
      abi: registryAbi,
      functionName: "addOperator",
      args: [1n, anvilAccount(2).address],
    }),
  );
  for (let c = 0; c < CAMPAIGNS; c++) {
    await send(
      wallet(2).writeContract({
        address: addresses.charityLedger,
        abi: charityLedgerAbi,
        functionName: "openCampaign",
        args: [BENCH_CAMPAIGN],
      }),
    );
  }
  return deployed;
}

// ---------------------------------------------------------------- verify

async function benchVerify(wanted: number, runs: number): Promise<VerifyFigures> {
  const chain = await openVerifyChain(wanted);
  try {
    const dir = await mkdtemp(join(tmpdir(), "shanji-bench-verify-"));
    await writeFile(join(dir, "deployment.json"), JSON.stringify(chain.deployment));
    const figures: VerifyFigures["runs"] = [];
    let threads = 0;
    for (let run = 1; run <= runs; run++) {
      const started = performance.now();
      const result = await runCli(["--json", "--quiet", "verify", "ledger", "--from-chain"], {
        SHANJI_DEPLOYMENT: join(dir, "deployment.json"),
        SHANJI_RPC_URL: chain.url,
      });
      const totalSeconds = (performance.now() - started) / 1000;
      if (result.code !== 0)
        throw new Error(`verify ledger failed (exit ${result.code}): ${result.stdout} ${result.stderr}`);
      const report = JSON.parse(result.stdout) as {
        fetchSeconds: number;
        recomputeSeconds: number;
        recomputeCpuSeconds: number;
        threads: number;
        size: string;
      };
      if (Number(report.size) !== chain.entries)
        throw new Error(`verify saw ${report.size} entries, the chain has ${chain.entries}`);
      threads = report.threads;
      const load = round(loadavg()[0] ?? 0, 2);
      figures.push({
        recomputeSeconds: round(report.recomputeSeconds, 2),
        recomputeCpuSeconds: round(report.recomputeCpuSeconds, 2),
        fetchSeconds: round(report.fetchSeconds, 2),
        totalSeconds: round(totalSeconds, 2),
        loadAverage: load,
      });
      console.log(
        `verify ${run}/${runs}: recompute ${report.recomputeSeconds.toFixed(2)} s (${report.recomputeCpuSeconds.toFixed(2)} CPU s), fetch ${report.fetchSeconds.toFixed(1)} s, whole command ${totalSeconds.toFixed(1)} s (${threads} hashing threads besides the main one; load ${load})`,
      );
    }
    await rm(dir, { recursive: true, force: true });
    const median = [...figures].sort((a, b) => a.recomputeSeconds - b.recomputeSeconds)[
      Math.floor((figures.length - 1) / 2)
    ] as VerifyFigures["runs"][number];
    console.log(
      `verify: recompute ${median.recomputeSeconds} s for ${chain.entries} entries (target <= ${VERIFY_TARGET_SECONDS} s): ${median.recomputeSeconds <= VERIFY_TARGET_SECONDS ? "met" : "NOT met"}`,
    );
    return {
      entries: chain.entries,
      blocks: chain.blocks,
      recomputeSeconds: median.recomputeSeconds,
      recomputeCpuSeconds: median.recomputeCpuSeconds,
      fetchSeconds: median.fetchSeconds,
      totalSeconds: median.totalSeconds,
      runs: figures,
      threads,
      target: VERIFY_TARGET_SECONDS,
      met: median.recomputeSeconds <= VERIFY_TARGET_SECONDS,
      machine: machine(),
      chain: {
        cached: chain.cached,
        filledSeconds: chain.filledSeconds,
        loadedSeconds: chain.loadedSeconds,
        cache: relative(ROOT, chain.stateFile),
      },
    };
  } finally {
    await chain.stop();
  }
}

/** The recompute alone on leaves made in-process: for iterating on it, not the official figure. */
async function benchRecompute(entries: number, runs: number): Promise<void> {
  const made = performance.now();
  const leaves = syntheticLedger(entries);
  console.log(`recompute: ${entries} synthetic leaves made in ${((performance.now() - made) / 1000).toFixed(1)} s`);
  for (let run = 1; run <= runs; run++) {
    const r = await recomputeLedger(leaves);
    if (r.problem) throw new Error(`the synthetic ledger does not check: ${r.problem.reason}`);
    console.log(
      `recompute ${run}/${runs}: ${r.seconds.toFixed(2)} s (${r.cpuSeconds.toFixed(2)} CPU s, ${r.threads} hashing threads besides the main one; load ${round(loadavg()[0] ?? 0, 2)})`,
    );
  }
}

type CachedChain = { format: number; deployment: Deployment; head: string; entries: number; filledSeconds: number };

/**
 * A chain of at least `wanted` entries: the cached state dump when its key matches, else a fill
 * (cached for the next run). No historical states: verify reads root() at the head only.
 */
async function openVerifyChain(wanted: number) {
  const key = createHash("sha256").update(JSON.stringify({ CACHE_FORMAT, FILL, wanted }));
  for (const name of ["TransparencyLog", "Registry", "CharityLedger", "VolunteerCredit"]) {
    key.update(
      JSON.parse(await readFile(join(ROOT, "artifacts/contracts", `${name}.sol`, `${name}.json`), "utf8"))
        .bytecode as string,
    );
  }
  const id = key.digest("hex").slice(0, 12);
  const stateFile = join(CACHE_DIR, `cli-verify-${wanted}-${id}.anvil.json`);
  const metaFile = join(CACHE_DIR, `cli-verify-${wanted}-${id}.meta.json`);
  await mkdir(CACHE_DIR, { recursive: true });
  let filledSeconds: number;
  let cached = true;
  const caching = process.env.BENCH_CACHE_CHAIN === "1";
  if (!caching || !existsSync(stateFile) || !existsSync(metaFile)) {
    cached = false;
    const partial = `${stateFile}.${process.pid}.partial`;
    console.log(
      `verify: filling a chain of ${wanted} entries${caching ? ` (cached afterwards in ${relative(ROOT, CACHE_DIR)})` : ""} …`,
    );
    const started = performance.now();
    // --prune-history: anvil keeps no old states (verify reads root() at the head); with them, a
    // million entries outgrew this machine's 23 GB and anvil was killed mid-fill.
    const anvil = await startAnvil({
      silent: true,
      args: ["--prune-history", ...(caching ? ["--dump-state", partial] : [])],
    });
    let meta: CachedChain;
    try {
      const deployed = await deployOnAnvil(anvil.url);
      const fill = await fillDonations(anvil.url, deployed, wanted, (n) => {
        console.log(`  ${n} / ${wanted} entries sent (${Math.round((performance.now() - started) / 1000)} s)`);
      });
      filledSeconds = round((performance.now() - started) / 1000, 1);
      meta = {
        format: CACHE_FORMAT,
        deployment: {
          chainId: deployed.chain.id,
          deployBlock: String(deployed.deployBlock),
          addresses: deployed.addresses,
        },
        head: String(fill.toBlock),
        entries: Number(fill.logSize),
        filledSeconds,
      };
    } catch (error) {
      await anvil.stop();
      await rm(partial, { force: true });
      throw error;
    }
    // Measure on the chain just filled; its state is written to the cache when the run stops it
    // (a dump of a million entries takes a while, and reloading it is what later runs do).
    return {
      url: anvil.url,
      deployment: meta.deployment,
      entries: meta.entries,
      blocks: Number(BigInt(meta.head) - BigInt(meta.deployment.deployBlock) + 1n),
      cached,
      filledSeconds,
      loadedSeconds: 0,
      stateFile,
      stop: async () => {
        if (!caching || !isRunning(anvil.pid)) return anvil.stop();
        console.log("verify: anvil writes its state for the next run …");
        process.kill(anvil.pid, "SIGTERM");
        while (isRunning(anvil.pid)) await sleep(200);
        await anvil.stop();
        await rename(partial, stateFile);
        await writeFile(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
      },
    };
  }
  const meta = JSON.parse(await readFile(metaFile, "utf8")) as CachedChain;
  filledSeconds = meta.filledSeconds;
  console.log(`verify: loading ${relative(ROOT, stateFile)} (${Math.round((await stat(stateFile)).size / MiB)} MiB) …`);
  const loading = performance.now();
  const anvil = await startAnvil({
    silent: true,
    timeoutMs: LOAD_TIMEOUT_MS,
    args: ["--prune-history", "--load-state", stateFile],
  });
  const loadedSeconds = round((performance.now() - loading) / 1000, 1);
  const client = createPublicClient({ transport: http(anvil.url) });
  const size = Number(
    await client.readContract({
      address: meta.deployment.addresses.log,
      abi: transparencyLogAbi,
      functionName: "size",
    }),
  );
  if (size !== meta.entries) {
    await anvil.stop();
    throw new Error(
      `the cached chain holds ${size} entries, its description says ${meta.entries}: remove ${stateFile}`,
    );
  }
  return {
    url: anvil.url,
    deployment: meta.deployment,
    entries: size,
    blocks: Number(BigInt(meta.head) - BigInt(meta.deployment.deployBlock) + 1n),
    cached,
    filledSeconds,
    loadedSeconds,
    stateFile,
    stop: anvil.stop,
  };
}

/** Fills the chain with donations up to `wanted` log entries; returns the log's size and last block. */
async function fillDonations(
  url: string,
  deployed: Awaited<ReturnType<typeof deployOnAnvil>>,
  wanted: number,
  progress: (entries: number) => void,
): Promise<{ logSize: bigint; toBlock: bigint }> {
  const transport = http(url, { timeout: 600_000, retryCount: 0 });
  const client = createPublicClient({ transport, pollingInterval: 100 });
  const test = createTestClient({ mode: "anvil", transport });
  const { addresses } = deployed;
  const write = async (i: number, request: Parameters<ReturnType<typeof createWalletClient>["writeContract"]>[0]) => {
    const wallet = createWalletClient({ account: anvilAccount(i), chain: deployed.chain, transport });
    const receipt = await client.waitForTransactionReceipt({
      hash: await wallet.writeContract(request as never),
      timeout: 600_000,
    });
    if (receipt.status !== "success") throw new Error("fill setup reverted");
  };
  const code = stringToHex(generateCreditCode("53110105MJ0000012"), { size: 18 });
  await write(0, {
    address: addresses.registry,
    abi: registryAbi,
    functionName: "accredit",
    args: [1, code, "基准测试基金会", `0x${"11".repeat(32)}`, anvilAccount(1).address, false],
  } as never);
  await write(1, {
    address: addresses.registry,
    abi: registryAbi,
    functionName: "addOperator",
    args: [1n, anvilAccount(2).address],
  } as never);
  for (let c = 0; c < FILL.campaigns; c++) {
    await write(2, {
      address: addresses.charityLedger,
      abi: charityLedgerAbi,
      functionName: "openCampaign",
      args: [BENCH_CAMPAIGN],
    } as never);
  }
  const start = Number(
    await client.readContract({ address: addresses.log, abi: transparencyLogAbi, functionName: "size" }),
  );
  const operator = anvilAccount(2);
  const chainId = await client.getChainId();
  let nonce = await client.getTransactionCount({ address: operator.address, blockTag: "pending" });
  const block = await client.getBlock({ blockTag: "pending" });
  await test.setBlockGasLimit({ gasLimit: BigInt(FILL.txsPerBlock) * 2n * 16_000_000n });
  await test.setAutomine(false);
  const zero = `0x${"00".repeat(32)}` as Hex;
  let sent = start;
  let pending = 0;
  let last: Hex | undefined;
  let shown = 0;
  for (let n = 0; sent < wanted; n++) {
    const size = Math.min(FILL.batchSize, wanted - sent);
    const inputs = Array.from({ length: size }, (_, k) => {
      const i = sent + k;
      return {
        externalRef: createHash("sha256").update(`bench-ref-${i}`).digest("hex"),
        donor: createHash("sha256").update(`bench-donor-${i}`).digest("hex"),
        amount: BigInt(100 + ((i * 7919) % 500_000)),
        i,
      };
    }).map((d) => ({
      externalRef: `0x${d.externalRef}` as Hex,
      donorKind: 0,
      donor: `0x${d.donor}` as Hex,
      amount: d.amount,
      channel: d.i % 8,
      purposeTag: zero,
      inKindHash: zero,
      claimId: 0n,
    }));
    const data = encodeFunctionData({
      abi: charityLedgerAbi,
      functionName: "recordDonations",
      args: [BigInt(1 + (n % FILL.campaigns)), inputs],
    });
    const serializedTransaction = await operator.signTransaction({
      chainId,
      to: addresses.charityLedger,
      data,
      gas: 15_000_000n,
      nonce: nonce++,
      type: "eip1559",
      maxFeePerGas: (block.baseFeePerGas ?? 0n) * 4n + 1_000_000_000n,
      maxPriorityFeePerGas: 0n,
    });
    last = await client.sendRawTransaction({ serializedTransaction });
    sent += size;
    if (++pending >= FILL.txsPerBlock) {
      await test.mine({ blocks: 1 });
      pending = 0;
    }
    if (sent - shown >= wanted / 20) {
      shown = sent;
      progress(sent);
    }
  }
  for (let tries = 0; last && tries < 100; tries++) {
    if (await client.getTransactionReceipt({ hash: last }).catch(() => undefined)) break;
    await test.mine({ blocks: 1 });
  }
  await test.setAutomine(true);
  const logSize = await client.readContract({ address: addresses.log, abi: transparencyLogAbi, functionName: "size" });
  if (Number(logSize) !== wanted) throw new Error(`the fill left ${logSize} entries, not ${wanted} (a batch reverted)`);
  return { logSize, toBlock: await client.getBlockNumber({ cacheTime: 0 }) };
}

// ---------------------------------------------------------------- helpers

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => {
      stdout += t;
    });
    child.stderr.setEncoding("utf8").on("data", (t: string) => {
      stderr += t;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The machine and how busy it was (other work on it slows every figure). */
function machine() {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    node: process.version,
    loadAverage: loadavg().map((l) => round(l, 2)),
    measuredAt: new Date().toISOString(),
  };
}

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${text}`);
  return value;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

await main();
