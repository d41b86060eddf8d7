/**
 * `npm start`: the whole ledger on one machine, as far as it exists today. Starts a local chain
 * (`hardhat node`, in memory), deploys the contracts with the Ignition module, records the demo
 * data set, prints what it did, and keeps the chain running until Ctrl-C or SIGTERM.
 *
 * Environment: SHANJI_RPC_URL (default http://127.0.0.1:8545) picks the port; SHANJI_DATA_DIR
 * (default .shanji) receives the deployment addresses, the donors' receipt codes and the
 * off-chain documents; SHANJI_DEMO=0 skips the demo data; SHANJI_EXIT=1 exits once recorded.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { network } from "hardhat";
import { createPublicClient, http } from "viem";
import ShanjiModule from "../ignition/modules/Shanji.ts";
import { recordDemo } from "./demo/recordDemo.ts";

const rpcUrl = new URL(process.env.SHANJI_RPC_URL ?? "http://127.0.0.1:8545");
const dataDir = process.env.SHANJI_DATA_DIR ?? ".shanji";
const say = (message: string) => console.log(`[shanji] ${message}`);

async function startChain(): Promise<ChildProcess> {
  const probe = createPublicClient({ transport: http(rpcUrl.href, { retryCount: 0 }) });
  if (await probe.getChainId().catch(() => undefined)) {
    throw new Error(`something already answers at ${rpcUrl.href}; stop it or set SHANJI_RPC_URL to a free port`);
  }
  say(`starting a local chain at ${rpcUrl.href} (hardhat node, in memory)`);
  const child = spawn("npx", ["hardhat", "node", "--hostname", rpcUrl.hostname, "--port", rpcUrl.port || "8545"], {
    stdio: ["ignore", "ignore", "inherit"],
    detached: true, // its own process group, so that stopping reaches the node and not only npx
  });
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with code ${child.exitCode}`);
    if (await probe.getChainId().catch(() => undefined)) return child;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("the local chain did not answer within 60 s");
}

const chain = await startChain();
const stop = () => {
  try {
    if (chain.pid) process.kill(-chain.pid, "SIGTERM");
  } catch {
    // already gone
  }
};
process.on("exit", stop);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    say("stopping the local chain");
    process.exit(0);
  });
}

try {
  const connection = await network.connect({ network: "localhost" });
  // The chain is new on every start, so an earlier local deployment journal no longer applies.
  await rm("ignition/deployments/chain-31337", { recursive: true, force: true });
  const { log, registry, charityLedger, volunteerCredit } = await connection.ignition.deploy(ShanjiModule, {
    displayUi: false,
  });
  const addresses = {
    transparencyLog: log.address,
    registry: registry.address,
    charityLedger: charityLedger.address,
    volunteerCredit: volunteerCredit.address,
  };
  say("deployed the contracts:");
  for (const [name, address] of Object.entries(addresses)) say(`  ${name.padEnd(16)} ${address}`);
  await mkdir(join(dataDir, "documents"), { recursive: true });
  await writeFile(
    join(dataDir, "deployment.json"),
    `${JSON.stringify({ rpcUrl: rpcUrl.href, ...addresses }, null, 2)}\n`,
  );

  if (process.env.SHANJI_DEMO !== "0") {
    say("recording the demo data set (a district's charities, an enterprise, volunteers) ...");
    const { viem } = connection;
    const demo = await recordDemo(
      {
        publicClient: await viem.getPublicClient(),
        wallets: await viem.getWalletClients(),
        log,
        registry,
        charity: charityLedger,
        credit: volunteerCredit,
      },
      { onStep: (message) => say(`  ${message}`) },
    );
    for (const [hash, text] of demo.documents)
      await writeFile(join(dataDir, "documents", `${hash.slice(2)}.txt`), text);
    const receipts = demo.receipts.map((r) => `${r.code},${r.campaignId},${r.amountFen}`).join("\n");
    await writeFile(join(dataDir, "receipts.csv"), `receipt_code,campaign_id,amount_fen\n${receipts}\n`);
    say(`wrote ${demo.receipts.length} donor receipt codes to ${join(dataDir, "receipts.csv")}`);
    say(`wrote ${demo.documents.size} off-chain documents to ${join(dataDir, "documents")}`);
  }
  const size = await log.read.size();
  const root = await log.read.root();
  say(`the ledger holds ${size} entries; root ${root}`);
  if (process.env.SHANJI_EXIT === "1") process.exit(0);
  say("the chain keeps running; press Ctrl-C to stop");
} catch (error) {
  console.error(error);
  process.exit(1);
}
