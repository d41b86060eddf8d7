// End to end: `shanji org`, `campaign` and `activity` against anvil, with keys from the keystore.
// The program runs in this process (runCli, as bin/shanji.js runs it): a dozen short commands
// would otherwise spend most of the test starting processes.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateCreditCode } from "@shanji/core";
import { anvilAccount } from "@shanji/indexer/_test/chainFixture.ts";
import { toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Ledger, PASSPHRASE, startLedger } from "../_test/cliFixture.ts";
import { saveKey } from "../keys/keystore.ts";

let ledger: Ledger;
beforeAll(async () => {
  ledger = await startLedger();
  for (const [name, i] of [
    ["new-admin", 7],
    ["new-operator", 8],
  ] as const) {
    const privateKey = toHex(anvilAccount(i).getHdKey().privateKey as Uint8Array);
    await saveKey({ dir: ledger.keystoreDir, name, privateKey, passphrase: PASSPHRASE, scryptN: 1024 });
  }
});
afterAll(async () => {
  await ledger?.stop();
});

const json = async (args: string[]) => {
  const r = await ledger.runInProcess(["--json", ...args]);
  return { code: r.code, body: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
};

describe("org, campaign, activity", () => {
  test("behavior: governance accredits, the admin adds an operator, who opens, discloses and closes a campaign", async () => {
    const code = generateCreditCode("53110105MJ0000099");
    const accredited = await json([
      "--key",
      "governance",
      "org",
      "accredit",
      "--kind",
      "charity",
      "--credit-code",
      code.toLowerCase(),
      "--name",
      "新慈善基金会",
      "--admin",
      anvilAccount(7).address,
    ]);
    expect(accredited.code, accredited.stderr).toBe(0);
    const orgId = String(accredited.body.orgId);

    const added = await json(["--key", "new-admin", "org", "add-operator", orgId, anvilAccount(8).address]);
    expect(added.code, added.stderr).toBe(0);
    expect((await json(["--key", "new-operator", "org", "whoami"])).body).toMatchObject({ orgId, role: "operator" });
    expect((await json(["org", "show", orgId])).body).toMatchObject({
      kind: "charity",
      status: "active",
      creditCode: code,
    });

    await writeFile(join(ledger.dir, "plan.txt"), "项目说明：冬季温暖包");
    const opened = await json([
      "--key",
      "new-operator",
      "campaign",
      "open",
      "--target",
      "80,000.00",
      "--start",
      "2026/11/01",
      "--end",
      "2027-02-28",
      "--description",
      join(ledger.dir, "plan.txt"),
      "--purpose",
      "elderly",
    ]);
    expect(opened.code, opened.stderr).toBe(0);
    const campaignId = String(opened.body.campaignId);
    expect((await json(["campaign", "show", campaignId])).body).toMatchObject({
      orgId,
      status: "open",
      currency: "CNY",
      balance: "0.00",
    });

    const disclosed = await json([
      "--key",
      "new-operator",
      "campaign",
      "disclose",
      campaignId,
      "--kind",
      "progress",
      "--report",
      `0x${"ab".repeat(32)}`,
      "--from",
      "2026-11-01",
      "--to",
      "2026-11-30",
    ]);
    expect(disclosed.code, disclosed.stderr).toBe(0);
    expect((await json(["--key", "new-operator", "campaign", "close", campaignId])).code).toBe(0);
    expect((await json(["campaign", "show", campaignId])).body).toMatchObject({ status: "closed" });

    // A suspended organisation cannot write: the chain's refusal is named in plain words.
    expect((await json(["--key", "governance", "org", "suspend", orgId, "--reason", "7"])).code).toBe(0);
    const refused = await ledger.runInProcess([
      "--key",
      "new-operator",
      "campaign",
      "open",
      "--start",
      "2026-12-01",
      "--description",
      `0x${"cd".repeat(32)}`,
    ]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain("the organisation is suspended and cannot write");
    expect(refused.stderr).toContain("RegistryOrgSuspended");
  });

  test("error: a wrong credit code is refused before anything is sent, naming the problem", async () => {
    const r = await ledger.run([
      "--key",
      "governance",
      "org",
      "accredit",
      "--kind",
      "charity",
      "--credit-code",
      "53110105MJ00000990",
      "--name",
      "x",
      "--admin",
      anvilAccount(9).address,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--credit-code: .*check/);
  });

  test("behavior: a volunteer organisation registers an activity", async () => {
    const r = await json([
      "--key",
      "volunteers",
      "activity",
      "register",
      "--description",
      `0x${"ef".repeat(32)}`,
      "--start",
      "2026-01-01",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect((await json(["activity", "show", String(r.body.activityId)])).body).toMatchObject({
      orgId: String(ledger.volunteers.orgId),
    });
  });
});
