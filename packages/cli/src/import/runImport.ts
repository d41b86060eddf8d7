/**
 * `shanji import donations | disbursements | credits FILE.csv`, from file to chain:
 *
 *  1. read the CSV and validate every row (locally, then against the chain at one pinned block);
 *     any bad row: report them all and send nothing;
 *  2. find the rows already on the ledger (their record stream has a head) and skip them;
 *  3. donations from people: receipt codes, reused from the receipt file or new, written to it
 *     (atomically, fsync) before anything is sent;
 *  4. upload the evidence files the rows name;
 *  5. send the records in batches (one campaign or activity per batch, as the contracts take them),
 *     several transactions in flight, each batch atomic on chain.
 *
 * A kill at any point leaves whole batches on chain and a receipt file that holds every code on
 * chain; running the same command again skips what is recorded and sends the rest. An import of
 * donations holds the receipt file's lock (importLock.ts) from start to end, so that a second
 * import of the same file, started meanwhile, is refused instead of writing codes of its own.
 */
import { hash as hashOnce } from "node:crypto";
import { dirname } from "node:path";
import { charityLedgerAbi, registryAbi, toDecimalString, volunteerCreditAbi } from "@shanji/core";
import { type Address, encodeFunctionData, type Hex } from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { CliError, type ExitCode, exitCode } from "../common/cliError.ts";
import type { ChainConnection } from "../common/deployment.ts";
import type { GlobalOptions } from "../common/globalOptions.ts";
import type { Output } from "../common/output.ts";
import { readPseudonymKey } from "../common/parse.ts";
import { createSender, decodeRevert, type Sender } from "../common/sender.ts";
import { openChain } from "../common/session.ts";
import { findKey, unlockKey } from "../keys/keystore.ts";
import { passphraseInEnv, readPassphrase } from "../keys/readPassphrase.ts";
import { batchEncoder } from "./batchCalldata.ts";
import type { EvidenceFile } from "./evidenceFile.ts";
import { lockReceipts } from "./importLock.ts";
import { createLedgerFacts } from "./ledgerFacts.ts";
import { readCsv } from "./readCsv.ts";
import { newReceiptCodes, type ReceiptRow, readReceipts, writeReceipts } from "./receiptsFile.ts";
import { recordedRefs } from "./recordedRefs.ts";
import type { ImportKind } from "./templates.ts";
import { uploadEvidence } from "./uploadEvidence.ts";
import { checkBalances, externalRefOf, type ImportRecord, type RowError, validateRows } from "./validateRows.ts";

export type RunImportParameters = {
  kind: ImportKind;
  file: string;
  options: GlobalOptions;
  out: Output;
  dryRun: boolean;
  /** --campaign / --activity: the id for rows that leave the column empty (or files without it). */
  campaign?: string | undefined;
  activity?: string | undefined;
  /** --org: the organisation to validate for in a dry run without a key. */
  org?: string | undefined;
  receipts?: string | undefined;
  pseudonymKey?: string | undefined;
  upload: boolean;
  restricted: boolean;
  batchSize?: number | undefined;
  /** Transactions in flight at once. */
  window?: number | undefined;
  passphraseEnv?: string | undefined;
  /** Set by a SIGINT: stop sending, let the batches in flight finish. */
  signal?: AbortSignal | undefined;
};

export type ImportSummary = {
  ok: boolean;
  kind: ImportKind;
  file: string;
  dryRun: boolean;
  orgId: bigint;
  rows: number;
  alreadyRecorded: number;
  toSend: number;
  recorded: number;
  batches: number;
  transactions: Hex[];
  receiptsFile: string | null;
  newReceiptCodes: number;
  evidenceFiles: number;
  evidenceUploaded: number;
  firstEntryIndex: bigint | null;
  seconds: number;
  /** Seconds spent in each phase: reading and validating, finding recorded rows, receipt codes, uploads, sending. */
  phases: Record<string, number>;
  /** Transactions in flight at once while sending: --window, or the default for the chain (windowFor). */
  window: number | null;
  interrupted?: boolean;
};

/** CharityLedger.MAX_BATCH and VolunteerCredit.MAX_BATCH. */
const MAX_BATCH: Record<ImportKind, number> = { donations: 200, disbursements: 200, credits: 150 };
/**
 * Gas per record, generous (measured in batches of 100: a donation ~42,000, a disbursement ~44,000,
 * a volunteer's first credit ~86,500) so that a batch never runs out; only what is used is paid,
 * and the largest batch stays under the 16,777,216 a transaction may use (EIP-7825).
 */
const GAS_PER_RECORD: Record<ImportKind, bigint> = { donations: 75_000n, disbursements: 70_000n, credits: 105_000n };
const GAS_PER_EVIDENCE = 5_000n;
const GAS_BASE = 250_000n;
const GAS_CAP = 16_700_000n;

/** The default window's bounds: see windowFor. */
const WINDOW_MIN = 6;
const WINDOW_MAX = 64;

/**
 * Transactions in flight when --window is not given: as many as fill two blocks of `blockGasLimit`
 * with transactions of `transactionGas`, from 6 to 64. A chain that mines at a fixed period (QBFT)
 * puts at most the window's transactions of one import in each block, so a window of one block's
 * worth would leave the next block empty while receipts come back; two keep every block full. On
 * a 1-second chain with a block gas limit of 1,000,000,000, 32 in flight imported 3 times as many
 * rows a second as 6 (`bench:cli` with BENCH_IMPORT_ANVIL_ARGS, see README.md); on a chain mining
 * every 0.5 s, 32 would cap an import at 12,800 rows a second, below what the node can take. 64
 * batches are ~4 MB of transactions, within what nodes keep pending from one sender (geth
 * guarantees 16 a sender and takes more while its pool has room; Besu's layered pool keeps up to
 * 200 sequential transactions a sender, `tx-pool-max-future-by-sender`, within a memory bound).
 * Where a block holds at most a few batches (the 30,000,000 gas of anvil and many chains, 2
 * batches of 200 donations) the window stays 6: more in flight would only wait in the pool.
 */
export function windowFor(blockGasLimit: bigint, transactionGas: bigint): number {
  const perBlock = transactionGas > 0n ? blockGasLimit / transactionGas : 0n;
  return Number(min(max(2n * perBlock, BigInt(WINDOW_MIN)), BigInt(WINDOW_MAX)));
}

export type RunImportReturnType = Promise<{ code: ExitCode; summary?: ImportSummary }>;

export async function runImport(p: RunImportParameters): RunImportReturnType {
  const receiptsFile = p.kind === "donations" ? (p.receipts ?? defaultReceiptsFile(p.file)) : null;
  // A dry run writes nothing, and reads the receipt file only to count the codes it would add.
  const lock = receiptsFile && !p.dryRun ? await lockReceipts(receiptsFile, p.file) : undefined;
  try {
    return await importFile(p, receiptsFile);
  } finally {
    await lock?.release();
  }
}

async function importFile(p: RunImportParameters, receiptsFile: string | null): RunImportReturnType {
  const started = performance.now();
  const phases: Record<string, number> = {};
  let mark = started;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = round(now - mark);
    mark = now;
  };
  const { out, options } = p;
  // The key (the one importingOrg reads the organisation of): with the passphrase in the
  // environment, it unlocks from the start, scrypt running on the thread pool while this thread
  // reads and validates the file; a passphrase typed at a prompt is asked for once the file has
  // proved valid and there is something to send.
  let unlocking: Promise<PrivateKeyAccount> | undefined;
  const unlock = () => {
    unlocking ??= (async () => {
      const key = await findKey(options.keystoreDir, options.key);
      const passphrase = await readPassphrase({
        prompt: `Passphrase for key "${key.name}": `,
        envName: p.passphraseEnv,
      });
      return privateKeyToAccount(await unlockKey(key, passphrase));
    })();
    return unlocking;
  };
  if (!p.dryRun && passphraseInEnv(p.passphraseEnv)) unlock().catch(() => {});
  const read = await readCsv(p.file, p.kind, { campaign: p.campaign, activity: p.activity });
  if (read.ignoredColumns.length > 0)
    out.note(`ignoring columns that are not in the ${p.kind} template: ${read.ignoredColumns.join(", ")}`);
  if (read.fileErrors.length > 0) {
    reportInvalid(p, read.rows.length, read.fileErrors, []);
    return { code: exitCode.invalidInput };
  }

  const chain = await openChain(options);
  const { orgId } = await importingOrg(p, chain);
  const block = await chain.client.getBlockNumber({ cacheTime: 0 });
  const facts = createLedgerFacts(chain, block);
  // Which rows are on the ledger already: asked of the node while this process validates the rows.
  // Each row id's reference, hashed once: for this check and for the validation.
  const refs = new Map<string, Hex>();
  for (const { cells } of read.rows) {
    const id = cells.rowId ?? "";
    if (id !== "" && !refs.has(id)) refs.set(id, externalRefOf(p.kind, id));
  }
  const recording = recordedRefs({
    rpcUrl: options.rpc,
    log: chain.deployment.addresses.log,
    orgId,
    refs: [...refs.values()],
    block,
  });
  recording.catch(() => {});
  const validated = await validateRows({
    kind: p.kind,
    rows: read.rows,
    refs,
    orgId,
    facts,
    baseDir: dirname(p.file),
    pseudonymKey: () => readPseudonymKey(p.pseudonymKey),
    today: todayCst(),
  });
  const errors: RowError[] = [...validated.errors];
  const records = validated.records;
  phase("validate");

  const recorded = await recording;
  const pending = records.filter((r) => !recorded.has(r.externalRef));
  phase("findRecorded");
  if (p.kind === "disbursements") {
    errors.push(
      ...(await checkBalances(
        pending.filter((r) => r.kind === "disbursements"),
        facts,
      )),
    );
  }
  if (errors.length > 0) {
    reportInvalid(p, read.rows.length, [], errors);
    return { code: exitCode.invalidInput };
  }

  const evidence = new Map<Hex, EvidenceFile>();
  for (const r of pending) for (const file of evidenceOf(r)) evidence.set(file.sha256, file);
  const receipts = receiptsFile ? await readReceipts(receiptsFile) : new Map<string, ReceiptRow>();
  const needCodes = pending.filter((r) => r.kind === "donations" && r.donorOrg === 0n && !receipts.has(r.rowId));
  const summary: ImportSummary = {
    ok: true,
    kind: p.kind,
    file: p.file,
    dryRun: p.dryRun,
    orgId,
    rows: read.rows.length,
    alreadyRecorded: records.length - pending.length,
    toSend: pending.length,
    recorded: 0,
    batches: 0,
    transactions: [],
    receiptsFile,
    newReceiptCodes: needCodes.length,
    evidenceFiles: evidence.size,
    evidenceUploaded: 0,
    firstEntryIndex: null,
    seconds: 0,
    phases,
    window: null,
  };
  if (records.length > pending.length) {
    out.note(`${records.length - pending.length} of ${records.length} rows are already on the ledger: skipping them`);
    const lost = records.filter(
      (r) => r.kind === "donations" && r.donorOrg === 0n && recorded.has(r.externalRef) && !receipts.has(r.rowId),
    );
    if (receiptsFile && lost.length > 0) {
      out.note(
        `warning: ${lost.length} donations on the ledger have no receipt code in ${receiptsFile} (first: row ${lost[0]?.row}); the file was replaced or lost, and only the lost file holds their codes`,
      );
    }
  }

  if (p.dryRun) {
    summary.seconds = round(performance.now() - started);
    out.result(summary, () => {
      out.line(`${p.file}: all ${read.rows.length} rows are valid (dry run: nothing sent)`);
      out.line(`  ${summary.alreadyRecorded} already on the ledger, ${pending.length} to send`);
      if (receiptsFile) out.line(`  ${needCodes.length} new receipt codes would be written to ${receiptsFile}`);
      if (evidence.size > 0) out.line(`  ${evidence.size} evidence files would be uploaded`);
    });
    return { code: exitCode.ok, summary };
  }
  if (pending.length === 0) {
    summary.seconds = round(performance.now() - started);
    out.result(summary, () =>
      out.line(`${p.file}: nothing to do, all ${records.length} rows are already on the ledger`),
    );
    return { code: exitCode.ok, summary };
  }

  const account = await unlock();
  const sender = await createSender(chain, account);
  phase("unlockKey");

  // Receipt codes: on disk, durably, before the first batch that uses them is sent.
  if (receiptsFile && needCodes.length > 0) {
    const codes = newReceiptCodes(needCodes.length);
    for (const [i, r] of needCodes.entries()) {
      if (r.kind !== "donations") continue;
      receipts.set(r.rowId, {
        rowId: r.rowId,
        code: codes[i] as Hex,
        campaign: String(r.campaignId),
        amount: toDecimalString(r.amount, r.currency),
        currency: r.currency,
        date: r.date,
        donorName: r.donorName,
      });
    }
    await writeReceipts(receiptsFile, receipts.values());
    out.note(`wrote ${needCodes.length} new receipt codes to ${receiptsFile} (give each donor their code)`);
  }
  phase("receiptCodes");

  if (evidence.size > 0 && p.upload) {
    const bar = out.progress("uploading evidence", evidence.size);
    for (const file of evidence.values()) {
      await uploadEvidence({
        api: options.api,
        chainId: chain.deployment.chainId,
        registry: chain.deployment.addresses.registry,
        orgId,
        account,
        file,
        restricted: p.restricted,
      });
      summary.evidenceUploaded += 1;
      bar.tick();
    }
    bar.done();
  }
  phase("uploadEvidence");

  const batches = makeBatches(pending, Math.min(p.batchSize ?? MAX_BATCH[p.kind], MAX_BATCH[p.kind]));
  const code = await sendBatches({ p, chain, sender, batches, receipts, summary, orgId });
  phase("send");
  summary.seconds = round(performance.now() - started);
  summary.ok = code === exitCode.ok;
  if (code === exitCode.ok || code === exitCode.interrupted) {
    out.result(summary, () => {
      out.line(
        `${p.file}: recorded ${summary.recorded} ${p.kind} in ${summary.batches} transactions` +
          (summary.alreadyRecorded > 0 ? ` (${summary.alreadyRecorded} were already on the ledger)` : "") +
          ` in ${summary.seconds} s`,
      );
      if (summary.interrupted) out.line("  interrupted: run the same command again to send the rest");
      if (receiptsFile && summary.newReceiptCodes > 0) out.line(`  receipt codes for donors: ${receiptsFile}`);
    });
  }
  return { code, summary };
}

type Batch = { target: bigint; records: ImportRecord[] };

/** Groups records by campaign or activity, in the file's order within each, and cuts batches. */
function makeBatches(records: ImportRecord[], size: number): Batch[] {
  const groups = new Map<bigint, ImportRecord[]>();
  for (const r of records) {
    const target = r.kind === "credits" ? r.activityId : r.campaignId;
    const group = groups.get(target) ?? [];
    group.push(r);
    groups.set(target, group);
  }
  const batches: Batch[] = [];
  for (const [target, group] of groups) {
    for (let i = 0; i < group.length; i += size) batches.push({ target, records: group.slice(i, i + size) });
  }
  return batches;
}

const encodeDonations = batchEncoder(charityLedgerAbi, "recordDonations");
const encodeCredits = batchEncoder(volunteerCreditAbi, "issueCredits");

/** The transaction of one batch: its contract, calldata and gas. */
export function batchTransaction(
  kind: ImportKind,
  batch: Batch,
  addresses: { charityLedger: Address; volunteerCredit: Address },
  receipts: Map<string, ReceiptRow>,
): { to: Address; data: Hex; gas: bigint } {
  const gas = batchGas(kind, batch.records);
  if (kind === "credits") {
    const inputs = batch.records.map((r) => {
      if (r.kind !== "credits") throw new Error("mixed batch");
      return {
        externalRef: r.externalRef,
        volunteer: r.volunteer,
        serviceMinutes: r.minutes,
        points: r.points,
        serviceDate: r.serviceDate,
      };
    });
    return {
      to: addresses.volunteerCredit,
      data: encodeCredits(batch.target, inputs),
      gas,
    };
  }
  if (kind === "donations") {
    const inputs = batch.records.map((r) => {
      if (r.kind !== "donations") throw new Error("mixed batch");
      const receipt = r.donorOrg === 0n ? receipts.get(r.rowId) : undefined;
      if (r.donorOrg === 0n && !receipt) throw new Error(`no receipt code for row ${r.row}`);
      return {
        externalRef: r.externalRef,
        donorKind: r.donorOrg === 0n ? 0 : 1,
        donor: receipt ? commitment(receipt.code) : (`0x${r.donorOrg.toString(16).padStart(64, "0")}` as Hex),
        amount: r.amount,
        channel: r.channel,
        purposeTag: r.purposeTag,
        inKindHash: r.inKind?.sha256 ?? (`0x${"00".repeat(32)}` as Hex),
        claimId: r.claimId,
      };
    });
    return {
      to: addresses.charityLedger,
      data: encodeDonations(batch.target, inputs),
      gas,
    };
  }
  const inputs = batch.records.map((r) => {
    if (r.kind !== "disbursements") throw new Error("mixed batch");
    return {
      externalRef: r.externalRef,
      category: r.category,
      amount: r.amount,
      payeeKind: r.payeeKind,
      payee: r.payee,
      payeeCampaignId: r.payeeCampaignId,
      purposeTag: r.purposeTag,
      evidence: r.evidence.map((e) => e.sha256),
    };
  });
  return {
    to: addresses.charityLedger,
    data: encodeFunctionData({
      abi: charityLedgerAbi,
      functionName: "recordDisbursements",
      args: [batch.target, inputs],
    }),
    gas,
  };
}

/** The gas a batch's transaction may use: GAS_PER_RECORD a record, GAS_PER_EVIDENCE an evidence hash, capped. */
function batchGas(kind: ImportKind, records: readonly ImportRecord[]): bigint {
  let gas = GAS_BASE + GAS_PER_RECORD[kind] * BigInt(records.length);
  for (const r of records) if (r.kind === "disbursements") gas += GAS_PER_EVIDENCE * BigInt(r.evidence.length);
  return min(gas, GAS_CAP);
}

/** The donor commitment of a receipt code: SHA-256 of its 32 bytes. */
export function commitment(code: Hex): Hex {
  return `0x${hashOnce("sha256", Buffer.from(code.slice(2), "hex"), "hex")}`;
}

async function sendBatches(c: {
  p: RunImportParameters;
  chain: ChainConnection;
  sender: Sender;
  batches: Batch[];
  receipts: Map<string, ReceiptRow>;
  summary: ImportSummary;
  orgId: bigint;
}): Promise<ExitCode> {
  const { p, chain, sender, receipts, summary } = c;
  const window = p.window !== undefined ? Math.max(1, p.window) : await defaultWindow(p.kind, c.batches, chain);
  summary.window = window;
  const total = c.batches.reduce((n, b) => n + b.records.length, 0);
  const bar = p.out.progress(`sending ${p.kind}`, total);
  // Submitted in nonce order: signed, and sent or waiting for the sends before them.
  const inFlight: { batch: Batch; hash: Promise<Hex> }[] = [];
  let failure: CliError | undefined;
  const queue = [...c.batches];
  let retried = 0;

  const settle = async () => {
    const submitted = inFlight.shift();
    if (!submitted) return;
    let hash: Hex;
    try {
      hash = await submitted.hash;
    } catch (error) {
      // Later submissions were not sent either (the sender keeps nonce order): they end up here too.
      failure ??= new CliError("the chain did not accept a transaction", {
        exitCode: exitCode.unavailable,
        details: `${error instanceof Error ? error.message.split("\n")[0] : String(error)}\nBatches before it are recorded; run the same command again to send the rest.`,
        cause: error,
      });
      return;
    }
    const { batch } = submitted;
    const receipt = await sender.wait(hash);
    if (receipt.status === "success") {
      summary.recorded += batch.records.length;
      summary.batches += 1;
      summary.transactions.push(hash);
      const first = receipt.logs.find((l) => l.address.toLowerCase() === chain.deployment.addresses.log.toLowerCase());
      if (first && summary.firstEntryIndex === null && first.topics[1])
        summary.firstEntryIndex = BigInt(first.topics[1]);
      bar.tick(batch.records.length);
      return;
    }
    // A batch is atomic: nothing of it is on chain. Learn why, by replaying it at the block before.
    const tx = batchTransaction(p.kind, batch, chain.deployment.addresses, receipts);
    let revert: ReturnType<typeof decodeRevert>;
    try {
      await chain.client.call({
        account: sender.address,
        to: tx.to,
        data: tx.data,
        gas: tx.gas,
        blockNumber: receipt.blockNumber - 1n,
      });
    } catch (error) {
      revert = decodeRevert(error);
    }
    if (revert && /RecordExists$/.test(revert.name) && retried < 3) {
      // Another import of the same rows got there first: keep only what is still missing.
      retried += 1;
      const onChain = await recordedRefs({
        rpcUrl: p.options.rpc,
        log: chain.deployment.addresses.log,
        orgId: c.orgId,
        refs: batch.records.map((r) => r.externalRef),
      });
      const rest = batch.records.filter((r) => !onChain.has(r.externalRef));
      summary.alreadyRecorded += batch.records.length - rest.length;
      bar.tick(batch.records.length - rest.length);
      if (rest.length > 0) queue.unshift({ target: batch.target, records: rest });
      return;
    }
    const rows = batch.records;
    failure ??= new CliError(
      `the batch of rows ${rows[0]?.row}–${rows[rows.length - 1]?.row} was refused by the chain: ${revert?.explanation ?? revert?.name ?? "it reverted"}`,
      {
        exitCode: exitCode.refused,
        details: `${revert?.text ?? `transaction ${hash}`}\nBatches before it are recorded; fix the cause and run the same command again to send the rest.`,
        data: { transaction: hash, contractError: revert?.name, summary },
      },
    );
  };

  const prepare = (batch: Batch | undefined) =>
    batch && { batch, tx: batchTransaction(p.kind, batch, chain.deployment.addresses, receipts) };
  try {
    let next = prepare(queue.shift());
    while (!failure && (next || inFlight.length > 0)) {
      if (!next) {
        // All sent: confirm the oldest. A batch that another import partly recorded first comes
        // back to the queue with what is still missing, and is sent in turn.
        await settle();
        next = prepare(queue.shift());
        continue;
      }
      if (p.signal?.aborted) {
        summary.interrupted = true;
        break;
      }
      // Signed now, sent after the ones before it. The next batch is encoded before the oldest is
      // waited for, while the node is busy mining (a batch that settle puts back goes after it).
      inFlight.push({ batch: next.batch, hash: sender.submit(next.tx) });
      next = prepare(queue.shift());
      if (inFlight.length >= window) await settle();
    }
    while (inFlight.length > 0) await settle();
  } finally {
    bar.done();
  }
  if (failure) throw failure;
  return summary.interrupted ? exitCode.interrupted : exitCode.ok;
}

/** windowFor the chain's block gas limit and the gas of the import's largest batch. */
async function defaultWindow(kind: ImportKind, batches: readonly Batch[], chain: ChainConnection): Promise<number> {
  const gas = batches.reduce((most, b) => max(most, batchGas(kind, b.records)), 0n);
  const block = await chain.client.getBlock({ blockTag: "latest" });
  return windowFor(block.gasLimit, gas);
}

/** The importing organisation: the key's (read without unlocking it), or --org for a dry run. */
async function importingOrg(p: RunImportParameters, chain: ChainConnection): Promise<{ orgId: bigint }> {
  if (p.dryRun && p.org) {
    if (!/^\d+$/.test(p.org))
      throw new CliError(`--org ${p.org} is not an organisation id`, { exitCode: exitCode.usage });
    return { orgId: BigInt(p.org) };
  }
  let key: Awaited<ReturnType<typeof findKey>>;
  try {
    key = await findKey(p.options.keystoreDir, p.options.key);
  } catch (error) {
    if (p.dryRun && error instanceof CliError) {
      throw new CliError(`${error.message}; a dry run without a key needs --org ID`, { exitCode: exitCode.usage });
    }
    throw error;
  }
  const info = await chain.client.readContract({
    address: chain.deployment.addresses.registry,
    abi: registryAbi,
    functionName: "keyInfo",
    args: [key.address],
  });
  if (info.role !== 2) {
    throw new CliError(`key "${key.name}" (${key.address}) is not an operator key of any organisation`, {
      exitCode: exitCode.key,
      details:
        "Records are written by operator keys; your organisation's admin adds one with `shanji org add-operator ORG ADDRESS`.",
    });
  }
  return { orgId: info.orgId };
}

function reportInvalid(p: RunImportParameters, rows: number, fileErrors: string[], errors: RowError[]): void {
  const badRows = new Set(errors.map((e) => e.row)).size;
  const sorted = [...errors].sort((a, b) => a.row - b.row);
  const message =
    fileErrors.length > 0
      ? `${p.file} cannot be imported: ${fileErrors.length === 1 ? fileErrors[0] : `${fileErrors.length} problems`}; nothing was sent`
      : `${p.file}: ${badRows} of ${rows} rows are invalid; nothing was sent`;
  const details = [
    ...(fileErrors.length > 1 ? fileErrors : []),
    ...sorted.map((e) => `row ${e.row}, column ${e.column} (${e.header}): ${e.reason}`),
  ].join("\n");
  p.out.error(
    new CliError(message, {
      exitCode: exitCode.invalidInput,
      details: details || undefined,
      data: { file: p.file, rows, invalidRows: badRows, fileErrors, errors: sorted },
    }),
  );
}

function evidenceOf(r: ImportRecord): EvidenceFile[] {
  if (r.kind === "disbursements") return r.evidence;
  if (r.kind === "donations" && r.inKind) return [r.inKind];
  return [];
}

export function defaultReceiptsFile(csv: string): string {
  return `${csv.replace(/\.csv$/i, "")}.receipts.csv`;
}

function todayCst(): number {
  const d = new Date(Date.now() + 8 * 3600_000);
  return d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function round(ms: number): number {
  return Math.round(ms / 10) / 100;
}
