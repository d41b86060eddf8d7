// The CLI's test fixture: an anvil chain with the contracts deployed (the indexer's chainFixture),
// a charity and a volunteer organisation accredited with their operator keys, those keys in a
// keystore folder, a deployment file, and `shanji` run as its own process against all of it.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { charityLedgerAbi, generateCreditCode, registryAbi, volunteerCreditAbi } from "@shanji/core";
import { anvilAccount, type DeployOnAnvilReturnType, deployOnAnvil } from "@shanji/indexer/_test/chainFixture.ts";
import { type Address, createWalletClient, type Hex, http, stringToHex, toHex } from "viem";
import { startAnvil } from "../../../../scripts/lib/anvil.ts";
import { runCli } from "../createProgram.ts";
import { saveKey } from "../keys/keystore.ts";

export const BIN = fileURLToPath(new URL("../../bin/shanji.js", import.meta.url));
export const PASSPHRASE = "correct horse battery staple 善迹";

export type RunResult = { code: number | null; stdout: string; stderr: string };

export type Ledger = {
  url: string;
  dir: string;
  deploymentFile: string;
  keystoreDir: string;
  deployed: DeployOnAnvilReturnType;
  /** The charity (org 1, campaigns opened by tests) and the volunteer organisation (org 2). */
  charity: { orgId: bigint; operator: Address; key: string };
  volunteers: { orgId: bigint; operator: Address; key: string };
  env: (extra?: Record<string, string>) => NodeJS.ProcessEnv;
  run: (args: string[], extra?: Record<string, string>) => Promise<RunResult>;
  /** The same program in this process (no process start): for tests of many short commands. */
  runInProcess: (args: string[], extra?: Record<string, string>) => Promise<RunResult>;
  spawn: (args: string[], extra?: Record<string, string>) => ChildProcess;
  openCampaign: (tags?: string[]) => Promise<bigint>;
  registerActivity: () => Promise<bigint>;
  stop: () => Promise<void>;
};

/** `anvilArgs`: more flags for anvil (say, its block gas limit). */
export async function startLedger(options: { anvilArgs?: string[] } = {}): Promise<Ledger> {
  const anvil = await startAnvil({ silent: true, ...(options.anvilArgs ? { args: options.anvilArgs } : {}) });
  const deployed = await deployOnAnvil(anvil.url);
  const dir = await mkdtemp(join(tmpdir(), "shanji-cli-test-"));
  const deploymentFile = join(dir, "deployment.json");
  await writeFile(
    deploymentFile,
    JSON.stringify({
      chainId: deployed.chain.id,
      deployBlock: String(deployed.deployBlock),
      addresses: deployed.addresses,
    }),
  );
  const keystoreDir = join(dir, "keys");
  const privateKey = (i: number) => toHex(anvilAccount(i).getHdKey().privateKey as Uint8Array);
  // Throw-away keys: a light scrypt cost keeps each unlock in milliseconds.
  for (const [name, i] of [
    ["governance", 0],
    ["charity", 2],
    ["volunteers", 4],
  ] as const) {
    await saveKey({ dir: keystoreDir, name, privateKey: privateKey(i), passphrase: PASSPHRASE, scryptN: 1024 });
  }
  const wallet = (i: number) =>
    createWalletClient({ account: anvilAccount(i), chain: deployed.chain, transport: http(anvil.url) });
  const { publicClient } = deployed;
  const send = async (hash: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error("fixture transaction reverted");
  };
  const { registry, charityLedger, volunteerCredit } = deployed.addresses;
  const accredit = async (kind: number, first17: string, name: string, admin: number, operator: number) => {
    const code = stringToHex(generateCreditCode(first17), { size: 18 });
    await send(
      wallet(0).writeContract({
        address: registry,
        abi: registryAbi,
        functionName: "accredit",
        args: [kind, code, name, `0x${"11".repeat(32)}`, anvilAccount(admin).address, false],
      }),
    );
    const orgId = await publicClient.readContract({
      address: registry,
      abi: registryAbi,
      functionName: "orgIdByCreditCode",
      args: [code],
    });
    await send(
      wallet(admin).writeContract({
        address: registry,
        abi: registryAbi,
        functionName: "addOperator",
        args: [orgId, anvilAccount(operator).address],
      }),
    );
    return orgId;
  };
  const charityOrg = await accredit(1, "53110105MJ0000012", "善迹测试慈善基金会", 1, 2);
  const volunteerOrg = await accredit(3, "51110105MJ0000016", "善迹测试志愿者协会", 3, 4);

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    SHANJI_DEPLOYMENT: deploymentFile,
    SHANJI_RPC_URL: anvil.url,
    SHANJI_API_URL: "http://127.0.0.1:9",
    SHANJI_KEYSTORE_DIR: keystoreDir,
    SHANJI_PASSPHRASE: PASSPHRASE,
    ...extra,
  });
  const spawnShanji = (args: string[], extra?: Record<string, string>) =>
    spawn(process.execPath, [BIN, ...args], { env: env(extra), stdio: ["ignore", "pipe", "pipe"] });
  const run = (args: string[], extra?: Record<string, string>) =>
    new Promise<RunResult>((resolve, reject) => {
      const child = spawnShanji(args, extra);
      let stdout = "";
      let stderr = "";
      child.stdout?.setEncoding("utf8").on("data", (t: string) => {
        stdout += t;
      });
      child.stderr?.setEncoding("utf8").on("data", (t: string) => {
        stderr += t;
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });

  let campaigns = 0n;
  const openCampaign = async (tags: string[] = []) => {
    const { purposeTag } = await import("../common/parse.ts");
    await send(
      wallet(2).writeContract({
        address: charityLedger,
        abi: charityLedgerAbi,
        functionName: "openCampaign",
        args: [
          {
            currency: stringToHex("CNY", { size: 3 }),
            target: 0n,
            startTime: 1_767_225_600n,
            endTime: 0n,
            filingNumber: `0x${"00".repeat(32)}`,
            descriptionHash: `0x${"22".repeat(32)}`,
            purposeTags: tags.map(purposeTag),
          },
        ],
      }),
    );
    campaigns = await publicClient.readContract({
      address: charityLedger,
      abi: charityLedgerAbi,
      functionName: "campaignCount",
    });
    return campaigns;
  };
  const registerActivity = async () => {
    await send(
      wallet(4).writeContract({
        address: volunteerCredit,
        abi: volunteerCreditAbi,
        functionName: "registerActivity",
        args: [`0x${"33".repeat(32)}`, 1_767_225_600n, 0n],
      }),
    );
    return publicClient.readContract({
      address: volunteerCredit,
      abi: volunteerCreditAbi,
      functionName: "activityCount",
    });
  };

  return {
    url: anvil.url,
    dir,
    deploymentFile,
    keystoreDir,
    deployed,
    charity: { orgId: charityOrg, operator: anvilAccount(2).address, key: "charity" },
    volunteers: { orgId: volunteerOrg, operator: anvilAccount(4).address, key: "volunteers" },
    env,
    run,
    async runInProcess(args, extra) {
      const saved = { ...process.env };
      Object.assign(process.env, env(extra));
      let stdout = "";
      let stderr = "";
      const sink = (write: (t: string) => void) =>
        new Writable({
          write(chunk, _encoding, done) {
            write(String(chunk));
            done();
          },
        });
      try {
        const code = await runCli(args, {
          writeOut: (t) => (stdout += t),
          writeErr: (t) => (stderr += t),
          stdout: sink((t) => (stdout += t)),
          stderr: sink((t) => (stderr += t)),
        });
        return { code, stdout, stderr };
      } finally {
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
      }
    },
    spawn: spawnShanji,
    openCampaign,
    registerActivity,
    async stop() {
      await anvil.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a campaign and writes `${name}.csv` in the ledger's folder: `rows` donations to it (Chinese
 * headers), row ids `${prefix}-00001`..., amounts with and without thousands separators, dates in
 * the 2026/11/26 form, both channel spellings. Returns the campaign and the file's path.
 */
export async function writeDonations(
  ledger: Ledger,
  name: string,
  rows: number,
  prefix: string,
): Promise<{ campaign: bigint; file: string }> {
  const campaign = await ledger.openCampaign();
  const lines = ["凭证号,项目编号,金额,日期,渠道,捐赠人"];
  for (let i = 1; i <= rows; i++) {
    const amount = i % 3 === 0 ? `"${(1000 + i).toLocaleString("en")}.50"` : `${100 + i}.00`;
    lines.push(
      `${prefix}-${String(i).padStart(5, "0")},${campaign},${amount},2026/11/${1 + (i % 28)},${i % 2 ? "wechat_pay" : "支付宝"},捐赠人${i}`,
    );
  }
  const file = join(ledger.dir, `${name}.csv`);
  await writeFile(file, `${lines.join("\n")}\n`);
  return { campaign, file };
}
