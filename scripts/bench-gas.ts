/**
 * Gas benchmark: `npm run bench:gas`. Deploys the system on Hardhat's in-process network, measures
 * the gas of each write alone and per record in a batch of 100, and — in the same run — the floor:
 * a contract that takes the same calldata and only emits an event of the same size. Prints a table
 * and writes bench/results/gas.json (committed, so that changes show in review).
 *
 * "single" is the mean of 16 consecutive writes in steady state: the campaign, activity and volunteer already have entries,
 * as almost every write in a live ledger does. The first credit of a brand-new volunteer costs
 * more (two more storage slots start from zero) and is reported as creditIssueNewVolunteer.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { generateCreditCode } from "@shanji/core";
import { network } from "hardhat";
import { type Hex, keccak256, stringToHex, toHex } from "viem";

const BATCH = 100;
const { viem } = await network.create();
const publicClient = await viem.getPublicClient();
const [governance, charityAdmin, charityOperator, volunteerAdmin, volunteerOperator] = await viem.getWalletClients();
if (!governance || !charityAdmin || !charityOperator || !volunteerAdmin || !volunteerOperator) {
  throw new Error("Hardhat network needs at least 5 accounts");
}
const g = governance.account.address;

const log = await viem.deployContract("TransparencyLog", [3600, g]);
const registry = await viem.deployContract("Registry", [log.address, 3600, g, 3600n]);
const charity = await viem.deployContract("CharityLedger", [registry.address, log.address]);
const credit = await viem.deployContract("VolunteerCredit", [registry.address, log.address]);
const floor = await viem.deployContract("EventFloor", []);
for (const writer of [registry.address, charity.address, credit.address]) await log.write.setWriter([writer, true]);

const code = (first17: string): Hex => stringToHex(generateCreditCode(first17), { size: 18 });
const zero32 = `0x${"00".repeat(32)}` as Hex;
await registry.write.accredit([
  1,
  code("53110105MJ0000001"),
  "区慈善基金会",
  zero32,
  charityAdmin.account.address,
  false,
]);
await registry.write.accredit([
  3,
  code("52110105MJ0000002"),
  "区志愿者协会",
  zero32,
  volunteerAdmin.account.address,
  false,
]);
await registry.write.addOperator([1n, charityOperator.account.address], { account: charityAdmin.account });
await registry.write.addOperator([2n, volunteerOperator.account.address], { account: volunteerAdmin.account });

const asCharity = { account: charityOperator.account };
const asVolunteerOrg = { account: volunteerOperator.account };
await charity.write.openCampaign(
  [
    {
      currency: stringToHex("CNY", { size: 3 }),
      target: 100_000_000n,
      startTime: 0n,
      endTime: 0n,
      filingNumber: zero32,
      descriptionHash: keccak256("0x01"),
      purposeTags: [],
    },
  ],
  asCharity,
);

let refCounter = 0n;
const nextRef = (): Hex => toHex(++refCounter, { size: 32 });
const donation = () => ({
  externalRef: nextRef(),
  donorKind: 0,
  donor: keccak256(toHex(refCounter)),
  amount: 10_000n,
  channel: 3,
  purposeTag: zero32,
  inKindHash: zero32,
  claimId: 0n,
});
const disbursement = () => ({
  externalRef: nextRef(),
  category: 1,
  amount: 5_000n,
  payeeKind: 0,
  payee: keccak256("0xbeef"),
  payeeCampaignId: 0n,
  purposeTag: zero32,
  evidence: [keccak256(toHex(refCounter))],
});
const volunteer = (i: number): Hex => keccak256(toHex(`volunteer-${i}`));
const creditInput = (i: number) => ({
  externalRef: nextRef(),
  volunteer: volunteer(i),
  serviceMinutes: 120,
  points: 20n,
  serviceDate: 20261126,
});

async function gasOf(hash: Promise<Hex>): Promise<bigint> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
  if (receipt.status !== "success") throw new Error("benchmark transaction reverted");
  return receipt.gasUsed;
}
const perRecord = (gas: bigint) => Number(gas / BigInt(BATCH));
/**
 * A single write's gas depends on the log's size: appending merges as many Merkle peaks as the
 * size has trailing one bits, and the first peak of a new height is a new storage slot. So a
 * "single" figure is the mean of SINGLES consecutive writes, as a long-running ledger sees it.
 */
const SINGLES = 16;
async function meanOf(send: () => Promise<Hex>): Promise<bigint> {
  let total = 0n;
  for (let i = 0; i < SINGLES; i++) total += await gasOf(send());
  return total / BigInt(SINGLES);
}

// Steady state first: the campaign and its streams already have entries.
await gasOf(charity.write.recordDonation([1n, donation()], asCharity));
const donationSingle = await meanOf(() => charity.write.recordDonation([1n, donation()], asCharity));
const donationBatch = await gasOf(
  charity.write.recordDonations([1n, Array.from({ length: BATCH }, donation)], asCharity),
);
const disbursementSingle = await meanOf(() => charity.write.recordDisbursement([1n, disbursement()], asCharity));
const disbursementBatch = await gasOf(
  charity.write.recordDisbursements([1n, Array.from({ length: BATCH }, disbursement)], asCharity),
);

await credit.write.registerActivity([keccak256("0x02"), 0n, 0n], asVolunteerOrg);
const creditNewVolunteer = await gasOf(credit.write.issueCredit([1n, creditInput(0)], asVolunteerOrg));
const creditSingle = await meanOf(() => credit.write.issueCredit([1n, creditInput(0)], asVolunteerOrg));
const creditBatchNew = await gasOf(
  credit.write.issueCredits([1n, Array.from({ length: BATCH }, (_, i) => creditInput(i + 1))], asVolunteerOrg),
);
const creditBatch = await gasOf(
  credit.write.issueCredits([1n, Array.from({ length: BATCH }, (_, i) => creditInput(i + 1))], asVolunteerOrg),
);

const floorSingle = await meanOf(() => floor.write.donation([1n, donation()]));
const floorBatch = await gasOf(floor.write.donations([1n, Array.from({ length: BATCH }, donation)]));
const floorCreditSingle = await meanOf(() => floor.write.creditIssue([1n, creditInput(0)]));
const floorCreditBatch = await gasOf(
  floor.write.creditIssues([1n, Array.from({ length: BATCH }, (_, i) => creditInput(i + 1))]),
);
const floorDisbursement = await meanOf(() => floor.write.disbursement([1n, disbursement()]));
const floorDisbursementBatch = await gasOf(
  floor.write.disbursements([1n, Array.from({ length: BATCH }, disbursement)]),
);

const results = {
  floor: { single: Number(floorSingle), perRecordBatch100: perRecord(floorBatch) },
  donation: { single: Number(donationSingle), perRecordBatch100: perRecord(donationBatch) },
  disbursement: { single: Number(disbursementSingle), perRecordBatch100: perRecord(disbursementBatch) },
  creditIssue: { single: Number(creditSingle), perRecordBatch100: perRecord(creditBatch) },
  creditIssueNewVolunteer: { single: Number(creditNewVolunteer), perRecordBatch100: perRecord(creditBatchNew) },
  floorDisbursement: { single: Number(floorDisbursement), perRecordBatch100: perRecord(floorDisbursementBatch) },
  floorCredit: { single: Number(floorCreditSingle), perRecordBatch100: perRecord(floorCreditBatch) },
};
const targets: Record<string, { single?: number; perRecordBatch100?: number }> = {
  donation: { single: 80_000, perRecordBatch100: 50_000 },
  disbursement: { single: 90_000 },
  creditIssue: { single: 70_000, perRecordBatch100: 45_000 },
};

console.log("operation                 single    per record (batch of 100)   target");
for (const [op, r] of Object.entries(results)) {
  const t = targets[op];
  const batch = String(r.perRecordBatch100);
  const target = t ? `${t.single ?? "-"} / ${t.perRecordBatch100 ?? "-"}` : "";
  console.log(`${op.padEnd(24)}  ${String(r.single).padStart(7)}   ${batch.padStart(10)}                  ${target}`);
}
await mkdir("bench/results", { recursive: true });
await writeFile("bench/results/gas.json", `${JSON.stringify(results, null, 2)}\n`);
console.log("wrote bench/results/gas.json");
