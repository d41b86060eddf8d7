// Deployment tests: the Ignition module on a fresh in-process chain, `hardhat ignition deploy` as a
// user runs it against a standalone `hardhat node`, and the shared fixture built on the module.
import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { decodeLeaf, governanceStream } from "@shanji/core";
import { network } from "hardhat";
import { type Address, createPublicClient, getAddress, http, parseAbi, zeroHash } from "viem";
import { describe, expect, test } from "vitest";
import ShanjiModule from "../ignition/modules/Shanji.ts";
import {
  accreditOrg,
  creditCodeCheckCharacter,
  creditCodeToBytes18,
  deploySystem,
  makeCreditCode,
  orgKind,
  readEntries,
} from "./_fixture/deploySystem.ts";
import { governanceRecord } from "./_moduleKit.ts";

const TWO_DAYS = 2n * 24n * 60n * 60n;
/**
 * What a deployment leaves in the log: the log's constructor records its first governance admin
 * (GOVERNANCE_CHANGED), then one WRITER_SET entry per setWriter call. The registry's first admin,
 * granted while it is constructed and not yet a writer, is not an entry.
 */
const DEPLOYMENT_ENTRIES = 4n;

describe("Shanji Ignition module", () => {
  test("behavior: deploys the system on a fresh in-process network with the modules as writers", async () => {
    const { ignition, viem } = await network.create();
    const { log, registry, charityLedger, volunteerCredit } = await ignition.deploy(ShanjiModule);
    const [deployer] = await viem.getWalletClients();
    const governance = getAddress(deployer?.account.address as Address);

    for (const module of [registry, charityLedger, volunteerCredit]) {
      expect(await log.read.isWriter([module.address])).toBe(true);
    }
    expect(await log.read.size()).toBe(DEPLOYMENT_ENTRIES);
    expect(await log.read.root()).not.toBe(zeroHash);
    expect(await log.read.defaultAdmin()).toBe(governance);
    expect(await registry.read.defaultAdmin()).toBe(governance);
    expect(await log.read.defaultAdminDelay()).toBe(Number(TWO_DAYS));
    expect(await registry.read.adminTransferDelay()).toBe(TWO_DAYS);
  });

  test("behavior: the log's first entry records its governance admin, the next three make the registry, charity ledger and volunteer credit writers, in that order", async () => {
    const system = await deploySystem();
    const governance = getAddress(system.wallets.governance.account.address);
    const entries = (await readEntries(system)).map(({ leaf }) => decodeLeaf(leaf));

    expect(entries.map(({ index }) => index)).toEqual([0n, 1n, 2n, 3n]);
    for (const entry of entries) {
      expect(entry.actorOrg).toBe(0n);
      expect(entry.operator).toBe(governance);
      expect(entry.streams.map(({ id }) => id)).toEqual([governanceStream()]);
    }
    expect(entries.map(({ record }) => record)).toEqual([
      governanceRecord(system.log.address, "roleGranted", governance),
      { type: "writerSet", writer: getAddress(system.registry.address), allowed: true },
      { type: "writerSet", writer: getAddress(system.charity.address), allowed: true },
      { type: "writerSet", writer: getAddress(system.credit.address), allowed: true },
    ]);
  });

  test("behavior: a governance other than account 0 deploys when it is also the default sender", async () => {
    const { ignition, viem } = await network.create();
    const [, governance] = await viem.getWalletClients();
    const address = getAddress(governance?.account.address as Address);

    const { log, registry } = await ignition.deploy(ShanjiModule, {
      parameters: { Shanji: { governance: address } },
      defaultSender: address,
    });

    expect(await log.read.defaultAdmin()).toBe(address);
    expect(await registry.read.defaultAdmin()).toBe(address);
    expect(await log.read.size()).toBe(DEPLOYMENT_ENTRIES);
    const [first] = await (await viem.getPublicClient()).getContractEvents({
      address: log.address,
      abi: log.abi,
      eventName: "EntryAppended",
      fromBlock: 0n,
      strict: true,
    });
    expect(first && decodeLeaf(first.args.leaf).record).toEqual(governanceRecord(log.address, "roleGranted", address));
  });

  test("error: setWriter reverts when governance is not the account sending the calls", async () => {
    const { ignition, viem } = await network.create();
    const [, governance] = await viem.getWalletClients();

    await expect(
      ignition.deploy(ShanjiModule, { parameters: { Shanji: { governance: governance?.account.address as Address } } }),
    ).rejects.toThrow(/AccessControlUnauthorizedAccount/);
  });

  test("behavior: `hardhat ignition deploy` deploys the system to a standalone node", {
    timeout: 120_000,
  }, async () => {
    const deploymentId = `deploy-test-${process.pid}`;
    const node = await startNode();
    try {
      const { code, output } = await hardhat(
        [
          // The deploy task builds with the production profile by default, which recompiles every
          // contract (about 40 s) and rewrites artifacts/ under the other test files. The default
          // profile reuses the build `npm run test:contracts` has just made.
          "--build-profile",
          "default",
          "ignition",
          "deploy",
          "ignition/modules/Shanji.ts",
          "--network",
          "localhost",
          // A deployment of its own, so that a developer's chain-31337 deployment is left alone.
          "--deployment-id",
          deploymentId,
        ],
        // No prompt is shown for chain id 31337; the variable keeps one from hanging the test anyway.
        { SHANJI_RPC_URL: node.url, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "true" },
      );
      expect(code, output).toBe(0);
      expect(output).toContain("successfully deployed");

      const addresses = JSON.parse(
        await readFile(path.join(ROOT, "ignition/deployments", deploymentId, "deployed_addresses.json"), "utf8"),
      ) as Record<string, Address>;
      const log = addresses["Shanji#TransparencyLog"] as Address;
      const client = createPublicClient({ transport: http(node.url) });
      expect(await client.readContract({ address: log, abi: LOG_ABI, functionName: "size" })).toBe(DEPLOYMENT_ENTRIES);
      for (const id of ["Shanji#Registry", "Shanji#CharityLedger", "Shanji#VolunteerCredit"]) {
        const writer = addresses[id] as Address;
        expect(
          await client.readContract({ address: log, abi: LOG_ABI, functionName: "isWriter", args: [writer] }),
        ).toBe(true);
      }
    } finally {
      await node.stop();
      await rm(path.join(ROOT, "ignition/deployments", deploymentId), { recursive: true, force: true });
    }
  });
});

describe("deploySystem fixture", () => {
  test("behavior: creditCodeCheckCharacter matches the worked examples of GB 32100-2015", () => {
    for (const code of ["91350200776049653A", "91440101MA5CJQ4N59", "53100000500021676K"]) {
      expect(creditCodeCheckCharacter(code.slice(0, 17))).toBe(code[17]);
    }
  });

  test("behavior: accreditOrg accredits with distinct valid credit codes and adds the operators", async () => {
    const system = await deploySystem();
    const charity = await accreditOrg(system, { kind: orgKind.Charity, name: "Test Charity Foundation" });
    const operators = [system.wallets.fresh(), system.wallets.fresh()];
    const enterprise = await accreditOrg(system, { kind: orgKind.Enterprise, name: "Test Enterprise", operators });

    expect(charity.creditCode).toBe(makeCreditCode(orgKind.Charity, 1));
    expect(enterprise.creditCode).toBe(makeCreditCode(orgKind.Enterprise, 2));
    expect([charity.orgId, enterprise.orgId]).toEqual([1n, 2n]);
    const org = await system.registry.read.org([enterprise.orgId]);
    expect(org.kind).toBe(orgKind.Enterprise);
    expect(org.creditCode).toBe(creditCodeToBytes18(enterprise.creditCode));
    expect(org.admin).toBe(getAddress(enterprise.admin.account.address));
    for (const operator of [...charity.operators, ...operators]) {
      const key = await system.registry.read.keyInfo([operator.account.address]);
      expect(key.role).toBe(2); // KeyRole.Operator
    }
    // The deployment's 4 entries, then accreditation + 1 operator, then accreditation + 2 operators.
    expect((await readEntries(system)).map(({ index }) => index)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
  });
});

// ---------------------------------------------------------------- a standalone node
const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Hardhat's CLI run by this very Node binary: `npx` and a shebang could find another Node on PATH. */
const HARDHAT_CLI = path.join(ROOT, "node_modules/hardhat/dist/src/cli.js");
const LOG_ABI = parseAbi([
  "function size() view returns (uint256)",
  "function isWriter(address writer) view returns (bool)",
]);

/** Runs a Hardhat command to completion and returns its exit code and combined output. */
function hardhat(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT_CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 100_000,
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

/**
 * Starts `hardhat node` on a free port (two checkouts or two runs may test at once) in a process
 * group of its own, and resolves once it answers JSON-RPC.
 */
async function startNode(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [HARDHAT_CLI, "node", "--port", "0"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    process.kill(-child.pid, "SIGTERM");
    const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  let output = "";
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hardhat node did not start:\n${output}`)), 60_000);
    // Keep reading for the node's whole life: it logs every request, and a full pipe would block it.
    child.stdout.on("data", (chunk) => {
      if (output.length < 10_000) output += chunk;
      const match = /JSON-RPC server at http:\/\/[^/]+:(\d+)\//.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr.on("data", (chunk) => {
      if (output.length < 10_000) output += chunk;
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hardhat node exited with code ${code}:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });

  // The node listens on every interface inside Docker; this machine reaches it on loopback.
  const url = `http://127.0.0.1:${port}`;
  const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
  for (let attempt = 0; ; attempt++) {
    try {
      await client.getChainId();
      break;
    } catch (error) {
      if (attempt === 50) {
        await stop();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return { url, stop };
}
