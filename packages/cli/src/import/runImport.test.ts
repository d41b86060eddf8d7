// End to end: `shanji import` as its own process against anvil with the contracts deployed.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { charityLedgerAbi, decodeLeaf, recordStream, transparencyLogAbi } from "@shanji/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Ledger, startLedger, writeDonations } from "../_test/cliFixture.ts";
import { commitment } from "./runImport.ts";
import { externalRefOf } from "./validateRows.ts";

let ledger: Ledger;
beforeAll(async () => {
  ledger = await startLedger();
});
afterAll(async () => {
  await ledger?.stop();
});

const logSize = () =>
  ledger.deployed.publicClient.readContract({
    address: ledger.deployed.addresses.log,
    abi: transparencyLogAbi,
    functionName: "size",
  });

describe("import donations", () => {
  test("behavior: records every row with a receipt code; a re-run records nothing new", async () => {
    const { campaign, file } = await writeDonations(ledger, "donations", 450, "DON");
    const before = await logSize();

    const first = await ledger.run(["--json", "--key", "charity", "import", "donations", file]);
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({
      ok: true,
      rows: 450,
      recorded: 450,
      alreadyRecorded: 0,
      batches: 3,
      newReceiptCodes: 450,
    });
    expect(await logSize()).toBe(before + 450n);

    const receipts = await readFile(join(ledger.dir, "donations.receipts.csv"), "utf8");
    const lines = receipts
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\n");
    expect(lines[0]).toBe("row_id,receipt_code,campaign,amount,currency,date,donor_name");
    expect(lines).toHaveLength(451);
    expect(lines[3]).toMatch(/^DON-00003,0x[0-9a-f]{64},\d+,1003.50,CNY,2026-11-04,捐赠人3$/);

    // The donor's commitment on chain is SHA-256 of the code in the file.
    const [rowId, code] = (lines[1] as string).split(",") as [string, `0x${string}`];
    const head = await ledger.deployed.publicClient.readContract({
      address: ledger.deployed.addresses.log,
      abi: transparencyLogAbi,
      functionName: "streamHead",
      args: [recordStream(ledger.charity.orgId, externalRefOf("donations", rowId))],
    });
    const logs = await ledger.deployed.publicClient.getContractEvents({
      address: ledger.deployed.addresses.log,
      abi: transparencyLogAbi,
      eventName: "EntryAppended",
      args: { index: head.lastIndex },
      fromBlock: 0n,
    });
    const record = decodeLeaf(logs[0]?.args.leaf as `0x${string}`).record;
    expect(record).toMatchObject({
      type: "donationRecorded",
      donor: commitment(code),
      amount: 10_100n,
      campaignId: campaign,
    });

    const second = await ledger.run(["--json", "--key", "charity", "import", "donations", file]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      ok: true,
      recorded: 0,
      alreadyRecorded: 450,
      newReceiptCodes: 0,
    });
    expect(await logSize()).toBe(before + 450n);
    expect(await readFile(join(ledger.dir, "donations.receipts.csv"), "utf8")).toBe(receipts);
    const balance = await ledger.deployed.publicClient.readContract({
      address: ledger.deployed.addresses.charityLedger,
      abi: charityLedgerAbi,
      functionName: "campaign",
      args: [campaign],
    });
    expect(balance.balance).toBeGreaterThan(0n);
  });
});

const GOLDEN = new URL("./__golden__/", import.meta.url);

/** Compares with a golden file; UPDATE_GOLDEN=1 rewrites it. */
async function golden(name: string, actual: string): Promise<void> {
  const file = new URL(name, GOLDEN);
  if (process.env.UPDATE_GOLDEN) await writeFile(file, actual);
  expect(actual).toBe(await readFile(file, "utf8"));
}

describe("import: the bad-row report", () => {
  test("error: every bad row is reported with its row, column and reason, and nothing is sent", async () => {
    const campaign = await ledger.openCampaign(["elderly"]);
    const c = String(campaign);
    const file = join(ledger.dir, "bad-donations.csv");
    const rows = [
      "row_id,campaign,amount,currency,date,channel,purpose,donor_org,donor_name,in_kind_description",
      `OK-1,${c},100.00,,2026-11-26,wechat_pay,,,张三,`,
      `BAD-GROUPS,${c},"12,34.5",,,,,,,`,
      `BAD-NEGATIVE,${c},-5,,,,,,,`,
      `OK-2,${c},"1,234.56",CNY,2026/11/26,alipay,elderly,,,`,
      `,${c},10,,,,,,,`,
      `OK-1,${c},10,,,,,,,`,
      "NO-CAMPAIGN,999,10,,,,,,,",
      `BAD-DAY,${c},10,,2026-02-30,,,,,`,
      `BAD-CHANNEL,${c},10,,,paypal,,,,`,
      `BAD-PURPOSE,${c},10,,,,children,,,`,
      `BAD-CURRENCY,${c},10,USD,,,,,,`,
      `BAD-FILE,${c},10,,,,,,,items/missing.txt`,
      `BAD-FEN,${c},10.005,,,,,,,`,
      `BAD-SYMBOL,${c},¥10,,,,,,,`,
      `BAD-DONOR,${c},10,,,,,77,,`,
      `EMPTY-AMOUNT,${c},,,,,,,,`,
    ];
    await writeFile(file, `${rows.join("\n")}\n`);
    const before = await logSize();
    const normalize = (text: string) =>
      text
        .replaceAll(ledger.dir, "{dir}")
        .replaceAll(`campaign ${c} `, "campaign {campaign} ")
        .replaceAll(`campaign ${c}\n`, "campaign {campaign}\n");

    const human = await ledger.run(["--key", "charity", "import", "donations", file]);
    expect(human.code).toBe(3);
    expect(human.stdout).toBe("");
    await golden("bad-donations.txt", normalize(human.stderr));

    const json = await ledger.run(["--json", "--key", "charity", "import", "donations", file, "--dry-run"]);
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ ok: false, error: { exitCode: 3, rows: 16, invalidRows: 14 } });
    await golden("bad-donations.json", `${normalize(JSON.stringify(report.error.errors, null, 2))}\n`);

    expect(await logSize()).toBe(before);
    await expect(readFile(join(ledger.dir, "bad-donations.receipts.csv"))).rejects.toThrow();
  });

  test("error: a file without a required column is refused as a whole", async () => {
    const file = join(ledger.dir, "no-amount.csv");
    await writeFile(file, "凭证号,项目编号\nA-1,1\n");
    const result = await ledger.run(["--key", "charity", "import", "donations", file, "--dry-run"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("the required column amount (金额) is missing");
  });
});

/** A receipt file's rows (after the header), split into cells. */
async function receiptRows(file: string): Promise<string[][]> {
  return (await readFile(file, "utf8"))
    .replace(/^\uFEFF/, "")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
}

/** The records of the entries appended after the log had `before` entries. */
async function recordsSince(before: bigint) {
  const logs = await ledger.deployed.publicClient.getContractEvents({
    address: ledger.deployed.addresses.log,
    abi: transparencyLogAbi,
    eventName: "EntryAppended",
    fromBlock: 0n,
  });
  return logs.slice(Number(before)).map((l) => decodeLeaf(l.args.leaf as `0x${string}`).record);
}

/** Whether every record is a donation whose donor is the commitment of one of `codes`. */
function allDonorsAmong(records: Awaited<ReturnType<typeof recordsSince>>, codes: string[][]): boolean {
  const commitments = new Set(codes.map(([, code]) => commitment(code as `0x${string}`)));
  return records.every((r) => r.type === "donationRecorded" && commitments.has(r.donor));
}

/** `shanji import donations FILE` sending slowly: batches of `batchSize`, one transaction in flight. */
function slowImport(file: string, batchSize: number) {
  const child = ledger.spawn([
    "--key",
    "charity",
    "import",
    "donations",
    file,
    "--batch-size",
    String(batchSize),
    "--window",
    "1",
  ]);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited };
}

describe("import: interrupted and resumed", () => {
  test("behavior: a kill mid-import leaves whole batches only, and a re-run finishes without new codes for sent rows", async () => {
    const rows = 2000;
    const { file } = await writeDonations(ledger, "big", rows, "BIG");
    const before = await logSize();
    const { child, exited } = slowImport(file, 20);
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (t: string) => {
      stderr += t;
    });
    // Kill it once a few hundred records are on chain.
    for (;;) {
      const grown = (await logSize()) - before;
      if (grown >= 300n) break;
      if (child.exitCode !== null) throw new Error(`the import ended before it was killed: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    await exited;
    // The killed import's lock stays behind, naming a process that is gone: the re-run takes it over.
    const lockFile = join(ledger.dir, "big.receipts.csv.lock");
    expect(JSON.parse(await readFile(lockFile, "utf8"))).toMatchObject({ pid: child.pid });
    const partial = Number((await logSize()) - before);
    expect(partial).toBeGreaterThanOrEqual(300);
    expect(partial).toBeLessThan(rows);
    expect(partial % 20).toBe(0);

    // Every donation on chain has its code in the receipt file, written before the batches went out.
    const receiptsFile = join(ledger.dir, "big.receipts.csv");
    const codes = await receiptRows(receiptsFile);
    expect(codes).toHaveLength(rows);
    expect(allDonorsAmong(await recordsSince(before), codes)).toBe(true);

    const resumed = await ledger.run(["--json", "--key", "charity", "import", "donations", file]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      ok: true,
      alreadyRecorded: partial,
      recorded: rows - partial,
      newReceiptCodes: 0,
    });
    expect(await logSize()).toBe(before + BigInt(rows));
    expect(await receiptRows(receiptsFile)).toEqual(codes);
    expect(existsSync(lockFile)).toBe(false);
  });

  test("error: a second import of the same file while the first runs is refused (exit 7) and writes nothing", async () => {
    const rows = 600;
    const { file } = await writeDonations(ledger, "twice", rows, "TWICE");
    const before = await logSize();
    const { child: first, exited } = slowImport(file, 10);
    // Once the first has written its codes and is sending, it is paused (SIGSTOP) while the
    // second runs, so that it is sure to be still at work then, however fast the machine.
    while ((await logSize()) - before < 20n) {
      if (first.exitCode !== null) throw new Error("the first import ended too soon");
      await new Promise((r) => setTimeout(r, 20));
    }
    first.kill("SIGSTOP");
    const receiptsFile = join(ledger.dir, "twice.receipts.csv");
    const codes = await readFile(receiptsFile, "utf8");

    const second = await ledger.run(["--json", "--key", "charity", "import", "donations", file]);
    expect(second.code, second.stderr).toBe(7);
    expect(second.stderr).toContain(`another shanji import is using ${receiptsFile} (process ${first.pid}`);
    expect(await readFile(receiptsFile, "utf8")).toBe(codes);
    // A dry run takes no lock: it only reads.
    const dry = await ledger.run(["--json", "--key", "charity", "import", "donations", file, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);

    first.kill("SIGCONT");
    expect(await exited).toBe(0);
    expect(await logSize()).toBe(before + BigInt(rows));
    // Every donation on chain carries a code of the file: the second import wrote none.
    const recorded = await recordsSince(before);
    expect(recorded).toHaveLength(rows);
    expect(allDonorsAmong(recorded, await receiptRows(receiptsFile))).toBe(true);
    expect(existsSync(`${receiptsFile}.lock`)).toBe(false);
  });
});
