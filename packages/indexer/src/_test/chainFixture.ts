// A Shanji chain for the indexer's integration tests: `deployOnAnvil` deploys the four contracts
// over plain JSON-RPC (from the Hardhat artifacts, in the order of ignition/modules/Shanji.ts), and
// `fillLedger` writes a realistic, seeded ledger on it — a charity, campaigns, donations in
// batches, disbursements and a few reversals — fast enough to build ~100,000 entries in well under
// a minute or two. Transactions are signed here and sent with standard JSON-RPC; only packing them
// into blocks (`txsPerBlock` > 1) uses anvil's own methods.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { charityLedgerAbi, registryAbi, transparencyLogAbi, volunteerCreditAbi } from "@shanji/core";
import { creditCodeCheckCharacter, disbursementCategory, donorKind, orgKind, payeeKind } from "@shanji/core";
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  type Hex,
  http,
  isAddressEqual,
  type PublicClient,
  parseEventLogs,
  stringToHex,
  type TestClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";
import { type HDAccount, mnemonicToAccount } from "viem/accounts";
import { type StartAnvilReturnType, startAnvil } from "../../../../scripts/lib/anvil.ts";

/** The mnemonic of anvil's (and Hardhat's) funded default accounts. */
export const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

/** Account `index` of the test mnemonic; anvil funds 0..9. */
export function anvilAccount(index: number): HDAccount {
  return mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index });
}

/** Who signs what: governance deploys; the charity's admin adds its operator, who writes records. */
const GOVERNANCE = 0;
const CHARITY_ADMIN = 1;
const CHARITY_OPERATOR = 2;
/** Seconds a governance or organisation admin transfer waits: short enough to cross in a test. */
const ADMIN_DELAY = 3600;
/** The fill's charity: a foundation (53) in Beijing, Chaoyang (110105). */
const CHARITY_CODE_FIRST17 = "53110105MJ0000012";
const CHARITY_NAME = "善迹测试慈善基金会";

const ARTIFACTS = new URL("../../../../artifacts/contracts/", import.meta.url);

// ---------------------------------------------------------------- deployOnAnvil
export interface ShanjiAddresses {
  log: Address;
  registry: Address;
  charityLedger: Address;
  volunteerCredit: Address;
}

export interface DeployOnAnvilReturnType {
  addresses: ShanjiAddresses;
  /** The block of the log's deployment: an indexer scans from here. */
  deployBlock: bigint;
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  /** Account 0: deployer and governance admin of the log and the registry. */
  governance: WalletClient<Transport, Chain, Account>;
}

/**
 * Deploys TransparencyLog(3600, gov) → Registry(log, 3600, gov, 3600) → CharityLedger(registry,
 * log) → VolunteerCredit(registry, log) from account 0, the governance admin, then makes the three
 * modules writers of the log (one WRITER_SET entry each). Needs `npx hardhat build` to have run.
 */
export async function deployOnAnvil(url: string): Promise<DeployOnAnvilReturnType> {
  const probe = createPublicClient({ transport: http(url) });
  const chain = defineChain({
    id: await probe.getChainId(),
    name: "anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  // anvil mines at once: poll for receipts every 50 ms, not every 4 s.
  const publicClient = createPublicClient({ chain, transport: http(url), pollingInterval: 50 });
  const governance = createWalletClient({ account: anvilAccount(GOVERNANCE), chain, transport: http(url) });
  const gov = governance.account.address;

  const deploy = async (hash: Hex): Promise<{ address: Address; blockNumber: bigint }> => {
    const receipt = await succeeded(publicClient, hash);
    if (!receipt.contractAddress) throw new Error(`deployOnAnvil: ${hash} created no contract`);
    return { address: receipt.contractAddress, blockNumber: receipt.blockNumber };
  };
  const logArtifact = artifact("TransparencyLog");
  const log = await deploy(await governance.deployContract({ ...logArtifact, args: [ADMIN_DELAY, gov] }));
  const registry = await deploy(
    await governance.deployContract({
      ...artifact("Registry"),
      args: [log.address, ADMIN_DELAY, gov, BigInt(ADMIN_DELAY)],
    }),
  );
  const charityLedger = await deploy(
    await governance.deployContract({ ...artifact("CharityLedger"), args: [registry.address, log.address] }),
  );
  const volunteerCredit = await deploy(
    await governance.deployContract({ ...artifact("VolunteerCredit"), args: [registry.address, log.address] }),
  );
  for (const writer of [registry.address, charityLedger.address, volunteerCredit.address]) {
    await succeeded(
      publicClient,
      await governance.writeContract({
        address: log.address,
        abi: logArtifact.abi,
        functionName: "setWriter",
        args: [writer, true],
      }),
    );
  }
  return {
    addresses: {
      log: log.address,
      registry: registry.address,
      charityLedger: charityLedger.address,
      volunteerCredit: volunteerCredit.address,
    },
    deployBlock: log.blockNumber,
    chain,
    publicClient,
    governance,
  };
}

/** The ABIs of packages/core, by contract: the types of what the artifacts hold. */
interface ShanjiAbis {
  TransparencyLog: typeof transparencyLogAbi;
  Registry: typeof registryAbi;
  CharityLedger: typeof charityLedgerAbi;
  VolunteerCredit: typeof volunteerCreditAbi;
}

const artifacts = new Map<string, { abi: Abi; bytecode: Hex }>();

/**
 * Contract `name`'s ABI and creation bytecode from its Hardhat artifact. Calls are encoded with the
 * artifact's ABI, the one the deployed code has, and typed by packages/core's, which
 * `npm run abi` regenerates from the artifacts.
 */
function artifact<N extends keyof ShanjiAbis>(name: N): { abi: ShanjiAbis[N]; bytecode: Hex } {
  let loaded = artifacts.get(name);
  if (loaded === undefined) {
    const file = new URL(`${name}.sol/${name}.json`, ARTIFACTS);
    try {
      loaded = JSON.parse(readFileSync(file, "utf8")) as { abi: Abi; bytecode: Hex };
    } catch (error) {
      throw new Error(`chainFixture: cannot read ${file.pathname}; run \`npx hardhat build\``, { cause: error });
    }
    artifacts.set(name, loaded);
  }
  return { abi: loaded.abi as ShanjiAbis[N], bytecode: loaded.bytecode };
}

async function succeeded(client: PublicClient<Transport, Chain>, hash: Hex): Promise<TransactionReceipt> {
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

// ---------------------------------------------------------------- fillLedger
export interface FillLedgerParameters {
  url: string;
  addresses: ShanjiAddresses;
  /** Donations to record, spread round-robin over the campaigns in batches. */
  donations: number;
  /** Records per recordDonations / recordDisbursements call (default 200, at most MAX_BATCH 256). */
  batchSize?: number;
  /** Campaigns to open (default 4). Every call opens new ones. */
  campaigns?: number;
  /** Disbursements to record (default: one for every ten donations). */
  disbursements?: number;
  /** Records to reverse, alternately donations and disbursements (default: donations / 1000, at least 1). */
  reversals?: number;
  /** Seeds every amount, reference and hash (default 1): the same seed on the same chain writes the same records. */
  seed?: number;
  /**
   * Transactions per block while filling (default 16). anvil's per-block work grows with the size
   * of the state (an empty block takes ~100 ms once the ledger holds 20,000 records), so one block
   * per transaction makes a large fill quadratic. Above 1, the fill turns automine off, mines with
   * `anvil_mine` and raises the block gas limit for the duration (anvil-only methods, restored
   * afterwards); 1 keeps to standard JSON-RPC and relies on the node mining by itself.
   */
  txsPerBlock?: number;
  /** Called after each transaction is sent. */
  onProgress?: (progress: FillLedgerProgress) => void;
}

export interface FillLedgerProgress {
  /** Entries sent so far by this call (in transactions that will append them). */
  entries: number;
  /** Entries this call will append in all. */
  total: number;
}

export interface FillLedgerReturnType {
  /** The charity's organisation id. */
  orgId: bigint;
  /** The campaigns this call opened. */
  campaignIds: bigint[];
  /** Entries appended by this call: setup, campaigns, donations, disbursements, reversals. */
  entries: number;
  donations: number;
  disbursements: number;
  reversals: number;
  /** The log's size after the fill. */
  logSize: bigint;
  /** The blocks this call's transactions are in. */
  fromBlock: bigint;
  toBlock: bigint;
}

/** A plan step: one transaction of the fill. */
type Step =
  | { type: "donations"; campaign: number; inputs: DonationInput[] }
  | { type: "disbursements"; campaign: number; inputs: DisbursementInput[] }
  | { type: "reversal"; of: "donation" | "disbursement"; step: number; position: number; externalRef: Hex };

interface DonationInput {
  externalRef: Hex;
  donorKind: number;
  donor: Hex;
  amount: bigint;
  channel: number;
  purposeTag: Hex;
  inKindHash: Hex;
  claimId: bigint;
}

interface DisbursementInput {
  externalRef: Hex;
  category: number;
  amount: bigint;
  payeeKind: number;
  payee: Hex;
  payeeCampaignId: bigint;
  purposeTag: Hex;
  evidence: Hex[];
}

const ZERO32: Hex = `0x${"00".repeat(32)}`;
const MAX_BATCH = 256;
/**
 * Reversals undo a record this many donation batches back, which is mined already unless the fill
 * packs more transactions per block than that; reversing a record of the batch just sent would
 * make the fill mine a block just for it.
 */
const REVERSAL_LAG = 32;
/** Generous gas per record: a batched donation uses ~42k, a disbursement ~44k. */
const GAS_PER_RECORD = 70_000n;
const GAS_BASE = 300_000n;
/** Under EIP-7825's cap of 2^24 gas per transaction (Osaka), which anvil can be told to enforce. */
const GAS_CAP = 16_000_000n;

/**
 * Writes a seeded ledger through the charity ledger: accredits one charity (or reuses it on a
 * chain filled before) with an operator, opens campaigns, then sends donation batches,
 * disbursement batches and reversals without waiting for receipts (nonces counted here), and
 * checks at the end that the log grew by exactly the planned number of entries.
 */
export async function fillLedger(parameters: FillLedgerParameters): Promise<FillLedgerReturnType> {
  const {
    url,
    addresses,
    donations,
    batchSize = 200,
    campaigns = 4,
    seed = 1,
    txsPerBlock = 16,
    onProgress,
  } = parameters;
  const disbursements = parameters.disbursements ?? Math.floor(donations / 10);
  const reversals = parameters.reversals ?? Math.max(1, Math.floor(donations / 1000));
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
    throw new Error(`fillLedger: batchSize must be 1..${MAX_BATCH}, got ${batchSize}`);
  }
  if (campaigns < 1) throw new Error("fillLedger: at least one campaign");
  if (!Number.isInteger(txsPerBlock) || txsPerBlock < 1) throw new Error("fillLedger: txsPerBlock must be >= 1");
  if (reversals > donations + disbursements) throw new Error("fillLedger: more reversals than records");

  // Receipts are awaited only for reversals and at the end; anvil mines at once, so poll fast.
  const publicClient = createPublicClient({ transport: http(url), pollingInterval: 50 });
  const chainId = await publicClient.getChainId();
  const abi = {
    log: artifact("TransparencyLog").abi,
    registry: artifact("Registry").abi,
    charity: artifact("CharityLedger").abi,
  };
  const logSizeNow = () => publicClient.readContract({ address: addresses.log, abi: abi.log, functionName: "size" });
  const orgIdOf = (code: Hex) =>
    publicClient.readContract({
      address: addresses.registry,
      abi: abi.registry,
      functionName: "orgIdByCreditCode",
      args: [code],
    });
  const startSize = await logSizeNow();
  const fromBlock = (await publicClient.getBlockNumber()) + 1n;

  // ------------------------------------------------ setup: the charity, its operator, campaigns
  const code = stringToHex(CHARITY_CODE_FIRST17 + creditCodeCheckCharacter(CHARITY_CODE_FIRST17), { size: 18 });
  const admin = new Sender(publicClient, chainId, anvilAccount(CHARITY_ADMIN));
  const operator = new Sender(publicClient, chainId, anvilAccount(CHARITY_OPERATOR));
  await Promise.all([admin.init(), operator.init()]);
  let setupEntries = 0;
  let orgId = await orgIdOf(code);
  if (orgId === 0n) {
    const governance = new Sender(publicClient, chainId, anvilAccount(GOVERNANCE));
    await governance.init();
    const name = stringToHex(CHARITY_NAME);
    await governance.confirm(
      await governance.send(
        addresses.registry,
        500_000n,
        encodeFunctionData({
          abi: abi.registry,
          functionName: "accredit",
          args: [orgKind.charity, code, CHARITY_NAME, sha256(name), admin.address, false],
        }),
      ),
    );
    orgId = await orgIdOf(code);
    await admin.confirm(
      await admin.send(
        addresses.registry,
        300_000n,
        encodeFunctionData({ abi: abi.registry, functionName: "addOperator", args: [orgId, operator.address] }),
      ),
    );
    setupEntries += 2;
  }

  const random = new Random(seed);
  const firstCampaign =
    (await publicClient.readContract({
      address: addresses.charityLedger,
      abi: abi.charity,
      functionName: "campaignCount",
    })) + 1n;
  const campaignIds = Array.from({ length: campaigns }, (_, i) => firstCampaign + BigInt(i));
  const tags = campaignIds.map((_, c) => [random.bytes32(`tag:${c}:0`), random.bytes32(`tag:${c}:1`)] as const);
  let lastHash: Hex | undefined;
  for (let c = 0; c < campaigns; c++) {
    const input = {
      currency: stringToHex("CNY", { size: 3 }),
      target: random.int(0, 3) === 0 ? 0n : BigInt(random.int(1, 1000)) * 1_000_000n, // 0 = no target
      startTime: 1_767_225_600n, // 2026-01-01
      endTime: 0n,
      filingNumber: stringToHex(`FIL-${seed}-${firstCampaign + BigInt(c)}`, { size: 32 }),
      descriptionHash: random.bytes32(`description:${c}`),
      purposeTags: [...(tags[c] ?? [])],
    };
    lastHash = await operator.send(
      addresses.charityLedger,
      500_000n,
      encodeFunctionData({ abi: abi.charity, functionName: "openCampaign", args: [input] }),
    );
  }
  if (lastHash) await operator.confirm(lastHash);
  setupEntries += campaigns;

  // ------------------------------------------------ the plan: every record, decided up front
  // References carry the first campaign's id, so that filling the same chain again never repeats one.
  const refPrefix = `${seed}-${firstCampaign}`;
  const steps = plan({ donations, disbursements, reversals, batchSize, campaigns, tags, refPrefix, random });
  const total = setupEntries + donations + disbursements + reversals;
  let entries = setupEntries;
  onProgress?.({ entries, total });

  // ------------------------------------------------ send
  const hashes: Hex[] = [];
  const blocks = txsPerBlock > 1 ? await BlockPacker.start(url, publicClient, txsPerBlock) : undefined;
  try {
    for (const step of steps) {
      if (step.type === "reversal") {
        const target = hashAt(hashes, step.step);
        await blocks?.flush(target);
        const leaf = await leafOf(publicClient, addresses.log, target, step.position);
        const reason = 1 + (step.position % 9);
        hashes.push(
          await operator.send(
            addresses.charityLedger,
            400_000n,
            encodeFunctionData({
              abi: abi.charity,
              functionName: "reverseRecord",
              args: [step.externalRef, reason, leaf],
            }),
          ),
        );
        entries += 1;
      } else {
        const campaignId = campaignIds[step.campaign] as bigint;
        const gas = min(GAS_BASE + GAS_PER_RECORD * BigInt(step.inputs.length), GAS_CAP);
        const data =
          step.type === "donations"
            ? encodeFunctionData({
                abi: abi.charity,
                functionName: "recordDonations",
                args: [campaignId, step.inputs],
              })
            : encodeFunctionData({
                abi: abi.charity,
                functionName: "recordDisbursements",
                args: [campaignId, step.inputs],
              });
        hashes.push(await operator.send(addresses.charityLedger, gas, data));
        entries += step.inputs.length;
      }
      await blocks?.sent();
      onProgress?.({ entries, total });
    }
    const last = hashes.at(-1);
    if (last) await blocks?.flush(last);
  } finally {
    await blocks?.stop();
  }

  // ------------------------------------------------ check
  const last = hashes.at(-1);
  const toBlock = last ? (await operator.confirm(last)).blockNumber : await publicClient.getBlockNumber();
  const logSize = await logSizeNow();
  if (logSize !== startSize + BigInt(total)) {
    const failed = await firstFailed(publicClient, hashes);
    throw new Error(
      `fillLedger: the log grew by ${logSize - startSize} entries, not ${total}` +
        (failed ? `; transaction ${failed} (step ${hashes.indexOf(failed)}) reverted` : ""),
    );
  }
  return {
    orgId,
    campaignIds,
    entries: total,
    donations,
    disbursements,
    reversals,
    logSize,
    fromBlock,
    toBlock,
  };
}

/** The contract's balance of a campaign, in minor units. */
export async function campaignBalance(url: string, addresses: ShanjiAddresses, campaignId: bigint): Promise<bigint> {
  const client = createPublicClient({ transport: http(url) });
  const campaign = await client.readContract({
    address: addresses.charityLedger,
    abi: artifact("CharityLedger").abi,
    functionName: "campaign",
    args: [campaignId],
  });
  return campaign.balance;
}

/** A disclosure (a report's hash) of a campaign of an earlier fillLedger call, by its operator; waits until it is mined. */
export async function publishDisclosure(url: string, addresses: ShanjiAddresses, campaignId: bigint): Promise<void> {
  const publicClient = createPublicClient({ transport: http(url), pollingInterval: 50 });
  const operator = new Sender(publicClient, await publicClient.getChainId(), anvilAccount(CHARITY_OPERATOR));
  await operator.init();
  const data = encodeFunctionData({
    abi: artifact("CharityLedger").abi,
    functionName: "publishDisclosure",
    args: [campaignId, 1, new Random(Number(campaignId)).bytes32("report"), 1_767_225_600n, 1_769_904_000n],
  });
  await operator.confirm(await operator.send(addresses.charityLedger, 300_000n, data));
}

export interface RecordDonationsParameters {
  url: string;
  addresses: ShanjiAddresses;
  /** A campaign that fillLedger opened. */
  campaignId: bigint;
  /** Donations in the one batch (at most MAX_BATCH 256). */
  donations: number;
  /** Seeds the amounts, references and receipt commitments (distinct seeds give distinct references). */
  seed: number;
  /** Then, in the same block, a disbursement of this amount from the campaign (none when undefined). */
  disburse?: bigint;
}

/**
 * One more batch of donations, by receipt donors with no purpose, to a campaign of an earlier
 * fillLedger call, through the same operator, and optionally a disbursement after it; waits until
 * both are mined. Returns the donations' sum.
 */
export async function recordDonations(parameters: RecordDonationsParameters): Promise<bigint> {
  const { url, addresses, campaignId, donations, seed, disburse } = parameters;
  if (!Number.isInteger(donations) || donations < 1 || donations > MAX_BATCH) {
    throw new Error(`recordDonations: donations must be 1..${MAX_BATCH}, got ${donations}`);
  }
  const publicClient = createPublicClient({ transport: http(url), pollingInterval: 50 });
  const operator = new Sender(publicClient, await publicClient.getChainId(), anvilAccount(CHARITY_OPERATOR));
  await operator.init();
  const random = new Random(seed);
  const inputs: DonationInput[] = Array.from({ length: donations }, (_, i) => ({
    externalRef: stringToHex(`more-${seed}-${campaignId}-${i}`, { size: 32 }),
    donorKind: donorKind.receipt,
    donor: random.bytes32(`receipt:${i}`),
    amount: BigInt(random.int(1, 2000)) * 100n,
    channel: random.int(0, 7),
    purposeTag: ZERO32,
    inKindHash: ZERO32,
    claimId: 0n,
  }));
  const abi = artifact("CharityLedger").abi;
  const data = encodeFunctionData({ abi, functionName: "recordDonations", args: [campaignId, inputs] });
  const sent = [await operator.send(addresses.charityLedger, GAS_BASE + GAS_PER_RECORD * BigInt(donations), data)];
  if (disburse !== undefined) {
    const payout: DisbursementInput = {
      externalRef: stringToHex(`more-${seed}-${campaignId}-payout`, { size: 32 }),
      category: disbursementCategory.program,
      amount: disburse,
      payeeKind: payeeKind.external,
      payee: random.bytes32("payee"),
      payeeCampaignId: 0n,
      purposeTag: ZERO32,
      evidence: [random.bytes32("evidence")],
    };
    const payoutData = encodeFunctionData({ abi, functionName: "recordDisbursements", args: [campaignId, [payout]] });
    sent.push(await operator.send(addresses.charityLedger, GAS_BASE + GAS_PER_RECORD, payoutData));
  }
  for (const hash of sent) await operator.confirm(hash);
  return inputs.reduce((sum, input) => sum + input.amount, 0n);
}

interface PlanParameters {
  donations: number;
  disbursements: number;
  reversals: number;
  batchSize: number;
  campaigns: number;
  tags: (readonly [Hex, Hex])[];
  refPrefix: string;
  random: Random;
}

/**
 * Decides every transaction of the fill from the seed alone. Donation batches go round-robin over
 * the campaigns; after each one, the disbursements due by then (spread evenly) are paid from the
 * same campaign; reversals, spread evenly too, undo a record sent REVERSAL_LAG batches before
 * (or the first batch's). Campaign balances are tracked so that no disbursement or reversal can
 * fail for want of funds.
 */
function plan(p: PlanParameters): Step[] {
  const { donations, disbursements, reversals, batchSize, campaigns, tags, refPrefix, random } = p;
  const steps: Step[] = [];
  const balances = new Array<bigint>(campaigns).fill(0n);
  const donationBatches = Math.ceil(donations / batchSize);
  let donated = 0;
  let disbursed = 0;
  let reversed = 0;
  /** The steps of each donation batch and of the disbursements paid after it. */
  const batches: { donations: number; disbursements: number | undefined }[] = [];
  /** Positions already reversed, by step. */
  const reversedAt = new Map<number, Set<number>>();
  const ref = (kind: string, n: number): Hex => stringToHex(`${kind}-${refPrefix}-${n}`, { size: 32 });

  for (let b = 0; b < donationBatches; b++) {
    const campaign = b % campaigns;
    const campaignTags = tags[campaign] ?? [ZERO32, ZERO32];
    const donationStep = steps.length;
    const inputs: DonationInput[] = [];
    for (let i = 0; i < batchSize && donated < donations; i++, donated++) {
      const amount = BigInt(random.int(1, 2000)) * 100n; // 1 .. 2,000 yuan, in fen
      balances[campaign] = (balances[campaign] ?? 0n) + amount;
      inputs.push({
        externalRef: ref("D", donated),
        donorKind: donorKind.receipt,
        donor: random.bytes32(`receipt:${donated}`), // a receipt commitment
        amount,
        channel: random.int(0, 7),
        purposeTag: random.int(0, 4) === 0 ? (campaignTags[random.int(0, 1)] ?? ZERO32) : ZERO32,
        inKindHash: random.int(0, 19) === 0 ? random.bytes32(`inkind:${donated}`) : ZERO32,
        claimId: 0n,
      });
    }
    steps.push({ type: "donations", campaign, inputs });

    // Disbursements due by the end of this batch, paid from this campaign, one batch at most.
    const due = Math.floor((disbursements * (b + 1)) / donationBatches) - disbursed;
    let disbursementStep: number | undefined;
    const payouts: DisbursementInput[] = [];
    for (let i = 0; i < Math.min(due, batchSize); i++) {
      const amount = BigInt(random.int(1, 500)) * 100n;
      if (amount > (balances[campaign] ?? 0n)) break;
      balances[campaign] = (balances[campaign] ?? 0n) - amount;
      const category = [disbursementCategory.program, disbursementCategory.administration][random.int(0, 1)] ?? 1;
      const evidenceCount = category === disbursementCategory.program ? random.int(1, 3) : random.int(0, 1);
      payouts.push({
        externalRef: ref("P", disbursed + i),
        category: random.int(0, 9) === 0 ? disbursementCategory.fundraising : category,
        amount,
        payeeKind: payeeKind.external,
        payee: random.bytes32(`payee:${random.int(0, 49)}`), // a keyed pseudonym; payees recur
        payeeCampaignId: 0n,
        purposeTag: random.int(0, 3) === 0 ? (campaignTags[random.int(0, 1)] ?? ZERO32) : ZERO32,
        evidence: Array.from({ length: evidenceCount }, (_, e) => random.bytes32(`evidence:${disbursed + i}:${e}`)),
      });
    }
    if (payouts.length > 0) {
      disbursementStep = steps.length;
      steps.push({ type: "disbursements", campaign, inputs: payouts });
      disbursed += payouts.length;
    }

    // Reversals due by now, alternately of a donation and of a disbursement, from the batch
    // REVERSAL_LAG batches back: far enough that the fill has mined it already.
    batches.push({ donations: donationStep, disbursements: disbursementStep });
    const source = batches[Math.max(0, b - REVERSAL_LAG)];
    const reversalsDue = Math.floor((reversals * (b + 1)) / donationBatches) - reversed;
    for (let r = 0; r < reversalsDue && source !== undefined; r++) {
      const ofPayout = reversed % 2 === 1 && source.disbursements !== undefined;
      const targetStep = ofPayout ? (source.disbursements as number) : source.donations;
      const records = steps[targetStep];
      if (records === undefined || records.type === "reversal") break;
      const used = reversedAt.get(targetStep) ?? new Set<number>();
      reversedAt.set(targetStep, used);
      if (used.size === records.inputs.length) break;
      let position = random.int(0, records.inputs.length - 1);
      while (used.has(position)) position = (position + 1) % records.inputs.length;
      const target = records.inputs[position];
      if (target === undefined) break;
      // A reversed donation comes back out of its campaign's balance; a reversed payout goes back in.
      const balance = balances[records.campaign] ?? 0n;
      if (!ofPayout && target.amount > balance) break;
      balances[records.campaign] = ofPayout ? balance + target.amount : balance - target.amount;
      used.add(position);
      steps.push({
        type: "reversal",
        of: ofPayout ? "disbursement" : "donation",
        step: targetStep,
        position,
        externalRef: target.externalRef,
      });
      reversed += 1;
    }
  }
  if (disbursed !== disbursements || reversed !== reversals) {
    throw new Error(
      `fillLedger: could fit only ${disbursed} disbursements and ${reversed} reversals in ${donationBatches} ` +
        `batches of ${batchSize}; ask for fewer or a larger batchSize`,
    );
  }
  return steps;
}

/** The leaf of the `position`-th entry that transaction `hash` appended to the log. */
async function leafOf(client: PublicClient, log: Address, hash: Hex, position: number): Promise<Hex> {
  const receipt = await client.waitForTransactionReceipt({ hash });
  const appended = parseEventLogs({
    abi: artifact("TransparencyLog").abi,
    logs: receipt.logs,
    eventName: "EntryAppended",
  }).filter((event) => isAddressEqual(event.address, log));
  const event = appended[position];
  if (event === undefined) throw new Error(`fillLedger: transaction ${hash} appended no entry #${position}`);
  return event.args.leaf;
}

async function firstFailed(client: PublicClient, hashes: Hex[]): Promise<Hex | undefined> {
  for (const hash of hashes) {
    const receipt = await client.getTransactionReceipt({ hash });
    if (receipt.status !== "success") return hash;
  }
  return undefined;
}

function hashAt(hashes: Hex[], index: number): Hex {
  const hash = hashes[index];
  if (hash === undefined) throw new Error(`fillLedger: no transaction at step ${index}`);
  return hash;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function sha256(data: Hex): Hex {
  return `0x${createHash("sha256")
    .update(Buffer.from(data.slice(2), "hex"))
    .digest("hex")}`;
}

/**
 * Packs the fill's transactions into blocks of `txsPerBlock` on anvil: automine off, a block mined
 * after every `txsPerBlock` sends, and a block gas limit that holds them at under half full (so
 * the base fee falls). `stop` puts automine and the gas limit back.
 */
class BlockPacker {
  private readonly client: TestClient<"anvil">;
  private readonly reader: PublicClient;
  private readonly txsPerBlock: number;
  private readonly automine: boolean;
  private readonly gasLimit: bigint;
  private pending = 0;

  private constructor(
    client: TestClient<"anvil">,
    reader: PublicClient,
    txsPerBlock: number,
    automine: boolean,
    gasLimit: bigint,
  ) {
    this.client = client;
    this.reader = reader;
    this.txsPerBlock = txsPerBlock;
    this.automine = automine;
    this.gasLimit = gasLimit;
  }

  static async start(url: string, reader: PublicClient, txsPerBlock: number): Promise<BlockPacker> {
    const client = createTestClient({ mode: "anvil", transport: http(url) });
    // The pending block has the gas limit the next block will get (the latest may be a packed one).
    const [automine, block] = await Promise.all([client.getAutomine(), reader.getBlock({ blockTag: "pending" })]);
    const needed = 2n * BigInt(txsPerBlock) * GAS_CAP;
    if (block.gasLimit < needed) await client.setBlockGasLimit({ gasLimit: needed });
    await client.setAutomine(false);
    return new BlockPacker(client, reader, txsPerBlock, automine, block.gasLimit);
  }

  /** Counts one sent transaction; mines a block when `txsPerBlock` are waiting. */
  async sent(): Promise<void> {
    this.pending += 1;
    if (this.pending < this.txsPerBlock) return;
    await this.client.mine({ blocks: 1 });
    this.pending = 0;
  }

  /** Mines until transaction `hash` is in a block. */
  async flush(hash: Hex): Promise<void> {
    for (let tries = 0; tries < 100; tries++) {
      const receipt = await this.reader.getTransactionReceipt({ hash }).catch(() => undefined);
      if (receipt) return;
      await this.client.mine({ blocks: 1 });
      this.pending = 0;
    }
    throw new Error(`fillLedger: transaction ${hash} is still not mined after 100 blocks`);
  }

  async stop(): Promise<void> {
    await this.client.setAutomine(this.automine);
    await this.client.setBlockGasLimit({ gasLimit: this.gasLimit });
  }
}

/**
 * Signs and sends one account's transactions with nonces counted here and fixed gas and fees, so
 * that each send is one eth_sendRawTransaction and never waits for a receipt.
 */
class Sender {
  readonly address: Address;
  private readonly client: PublicClient;
  private readonly chainId: number;
  private readonly account: HDAccount;
  private nonce = 0;
  private maxFeePerGas = 0n;

  constructor(client: PublicClient, chainId: number, account: HDAccount) {
    this.client = client;
    this.chainId = chainId;
    this.account = account;
    this.address = account.address;
  }

  async init(): Promise<void> {
    const [nonce, block] = await Promise.all([
      this.client.getTransactionCount({ address: this.address, blockTag: "pending" }),
      this.client.getBlock(),
    ]);
    this.nonce = nonce;
    // Blocks of the fill stay under half full, so the base fee only falls; 4x leaves room anyway.
    this.maxFeePerGas = (block.baseFeePerGas ?? 1_000_000_000n) * 4n + 1n;
  }

  async send(to: Address, gas: bigint, data: Hex): Promise<Hex> {
    const serialized = await this.account.signTransaction({
      type: "eip1559",
      chainId: this.chainId,
      nonce: this.nonce++,
      to,
      data,
      gas,
      maxFeePerGas: this.maxFeePerGas,
      maxPriorityFeePerGas: 0n,
    });
    return this.client.sendRawTransaction({ serializedTransaction: serialized });
  }

  async confirm(hash: Hex): Promise<TransactionReceipt> {
    const receipt = await this.client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== "success") throw new Error(`fillLedger: transaction ${hash} reverted`);
    return receipt;
  }
}

/**
 * Deterministic randomness: small integers from a seeded mulberry32, 32-byte values as SHA-256 of
 * the seed and a label (so a value does not depend on how many came before it).
 */
class Random {
  private state: number;
  private readonly seed: number;

  constructor(seed: number) {
    this.seed = seed;
    this.state = seed >>> 0;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    return min + Math.floor(unit * (max - min + 1));
  }

  bytes32(label: string): Hex {
    return `0x${createHash("sha256").update(`shanji-fill:${this.seed}:${label}`).digest("hex")}`;
  }
}

// ---------------------------------------------------------------- startFilledChain
export interface StartFilledChainReturnType {
  anvil: StartAnvilReturnType;
  deployment: DeployOnAnvilReturnType;
  filled: FillLedgerReturnType;
}

/**
 * A test file's chain: a fresh anvil, the contracts deployed on it and a ledger filled as `fill`
 * says. The caller stops anvil after its tests; if deploying or filling fails, it is stopped here.
 */
export async function startFilledChain(
  fill: Omit<FillLedgerParameters, "url" | "addresses">,
): Promise<StartFilledChainReturnType> {
  const anvil = await startAnvil({ silent: true });
  try {
    const deployment = await deployOnAnvil(anvil.url);
    const filled = await fillLedger({ url: anvil.url, addresses: deployment.addresses, ...fill });
    return { anvil, deployment, filled };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
