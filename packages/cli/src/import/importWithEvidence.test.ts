// End to end: disbursements with evidence uploaded to the API, volunteer credits under keyed
// pseudonyms, and `shanji export`, against the real API (@shanji/api's app over the real indexer
// and store, see _test/startApi.ts).
import { createHmac } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeLeaf, transparencyLogAbi } from "@shanji/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Ledger, startLedger } from "../_test/cliFixture.ts";
import { type Api, startApi } from "../_test/startApi.ts";
import { sha256Hex } from "../common/parse.ts";

let ledger: Ledger;
let api: Api;
const PSEUDONYM_KEY = `0x${"5a".repeat(32)}`;

beforeAll(async () => {
  ledger = await startLedger();
  api = await startApi(ledger);
  await writeFile(join(ledger.dir, "pseudonym.key"), `${PSEUDONYM_KEY}\n`);
});
afterAll(async () => {
  await api?.close();
  await ledger?.stop();
});

const entriesSince = async (size: bigint) => {
  const logs = await ledger.deployed.publicClient.getContractEvents({
    address: ledger.deployed.addresses.log,
    abi: transparencyLogAbi,
    eventName: "EntryAppended",
    fromBlock: 0n,
  });
  return logs.slice(Number(size)).map((l) => decodeLeaf(l.args.leaf as `0x${string}`));
};
const logSize = () =>
  ledger.deployed.publicClient.readContract({
    address: ledger.deployed.addresses.log,
    abi: transparencyLogAbi,
    functionName: "size",
  });

describe("import disbursements", () => {
  test("behavior: evidence files are uploaded (signed by the operator key) and their hashes recorded; payees are pseudonyms", async () => {
    const campaign = await ledger.openCampaign(["elderly"]);
    const donations = join(ledger.dir, "income.csv");
    await writeFile(donations, `row_id,campaign,amount\nIN-1,${campaign},"10,000.00"\n`);
    expect((await ledger.run(["--key", "charity", "import", "donations", donations])).code).toBe(0);

    await mkdir(join(ledger.dir, "invoices"), { recursive: true });
    await writeFile(join(ledger.dir, "invoices", "0001.txt"), "增值税电子普通发票 No.20260001 价税合计 ¥1,200.00");
    await writeFile(
      join(ledger.dir, "invoices", "0002.json"),
      JSON.stringify({ invoice: "20260002", total: "300.00" }),
    );
    const file = join(ledger.dir, "payments.csv");
    await writeFile(
      file,
      [
        "凭证号,项目编号,金额,支出类别,收款方,用途,凭证文件,日期",
        `PAY-1,${campaign},"1,200.00",项目支出,北京暖冬商贸有限公司,elderly,invoices/0001.txt;invoices/0002.json,2026-11-20`,
        `PAY-2,${campaign},300.00,administration,北京办公伙伴商贸有限公司,,invoices/0002.json,2026/11/21`,
      ].join("\n"),
    );
    const before = await logSize();
    // The API accepts uploads signed by operators it has indexed.
    await api.sync();
    const run = await ledger.run([
      "--json",
      "--key",
      "charity",
      "--api",
      api.url,
      "import",
      "disbursements",
      file,
      "--pseudonym-key",
      join(ledger.dir, "pseudonym.key"),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, recorded: 2, evidenceFiles: 2, evidenceUploaded: 2 });
    const invoice = await readFile(join(ledger.dir, "invoices", "0001.txt"));
    expect((await api.evidence.get(sha256Hex(invoice)))?.metadata).toMatchObject({
      contentType: "text/plain",
      orgId: ledger.charity.orgId,
      uploader: ledger.charity.operator,
      restricted: false,
    });

    const [first, second] = await entriesSince(before);
    const payee = `0x${createHmac("sha256", Buffer.from("5a".repeat(32), "hex"))
      .update("北京暖冬商贸有限公司")
      .digest("hex")}`;
    expect(first?.record).toMatchObject({
      type: "disbursementRecorded",
      amount: 120_000n,
      category: 1,
      payee,
      evidence: [sha256Hex(invoice), sha256Hex(await readFile(join(ledger.dir, "invoices", "0002.json")))],
    });
    expect(second?.record).toMatchObject({ type: "disbursementRecorded", amount: 30_000n, category: 2 });

    const again = await ledger.run([
      "--json",
      "--key",
      "charity",
      "--api",
      api.url,
      "import",
      "disbursements",
      file,
      "--pseudonym-key",
      join(ledger.dir, "pseudonym.key"),
    ]);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, recorded: 0, alreadyRecorded: 2 });
  });

  test("error: spending more than the campaign holds, and program spending without evidence, are refused before sending", async () => {
    const campaign = await ledger.openCampaign();
    const file = join(ledger.dir, "overspend.csv");
    await writeFile(
      file,
      [
        `row_id,campaign,amount,category,payee,evidence`,
        `X-1,${campaign},50.00,administration,某公司,`,
        `X-2,${campaign},50.00,program,某公司,`,
      ].join("\n"),
    );
    const run = await ledger.run([
      "--key",
      "charity",
      "import",
      "disbursements",
      file,
      "--pseudonym-key",
      join(ledger.dir, "pseudonym.key"),
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      "row 3, column evidence (凭证文件): program spending (项目支出) needs at least one evidence file",
    );
    expect(run.stderr).toContain(
      `row 2, column amount (金额): campaign ${campaign} holds 0.00 CNY; with this row its disbursements in the file come to 50.00 CNY`,
    );
  });
});

describe("import credits", () => {
  test("behavior: volunteers are recorded under the organisation's keyed pseudonym, never as their identity", async () => {
    const activity = await ledger.registerActivity();
    const file = join(ledger.dir, "hours.csv");
    await writeFile(
      file,
      [
        "记录号,活动编号,志愿者,服务时长（分钟）,积分,服务日期",
        `VS-1,${activity},CN-ID:110105199001011234,120,20,2026/11/01`,
        `VS-2,${activity},CN-ID:110105199202022345,90,,2026-11-02`,
      ].join("\n"),
    );
    const before = await logSize();
    const run = await ledger.run(["--json", "--key", "volunteers", "import", "credits", file], {
      SHANJI_PSEUDONYM_KEY: PSEUDONYM_KEY,
    });
    expect(run.code, run.stderr).toBe(0);
    const [first] = await entriesSince(before);
    const expected = `0x${createHmac("sha256", Buffer.from("5a".repeat(32), "hex"))
      .update("CN-ID:110105199001011234")
      .digest("hex")}`;
    expect(first?.record).toMatchObject({
      type: "creditIssued",
      volunteer: expected,
      minutes: 120,
      points: 20n,
      serviceDate: 20261101,
    });
    const leafText = JSON.stringify(first, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(leafText).not.toContain("110105199001011234");
  });

  test("error: without the pseudonym key, a file that names people is refused", async () => {
    const activity = await ledger.registerActivity();
    const file = join(ledger.dir, "hours-nokey.csv");
    await writeFile(file, `row_id,activity,volunteer,minutes,date\nV-1,${activity},someone,30,2026-11-01\n`);
    const run = await ledger.run(["--key", "volunteers", "import", "credits", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("pseudonym key is needed");
  });
});

describe("export", () => {
  test("behavior: writes the API's CSV export to a file", async () => {
    await api.sync();
    const out = join(ledger.dir, "export.csv");
    const run = await ledger.run([
      "--json",
      "--api",
      api.url,
      "export",
      "donations",
      "--org",
      String(ledger.charity.orgId),
      "-o",
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, rows: 1 });
    const text = await readFile(out, "utf8");
    expect(text.startsWith("\uFEFF")).toBe(true);
    const [header, row] = text.slice(1).trim().split(/\r?\n/);
    const columns = header?.split(",") ?? [];
    const cells = row?.split(",") ?? [];
    expect(cells[columns.indexOf("amount")]).toBe("10000.00");
    expect(cells[columns.indexOf("currency")]).toBe("CNY");
  });
});
