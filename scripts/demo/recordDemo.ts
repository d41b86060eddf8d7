/**
 * Records a small, realistic demo data set for a Chinese district on a deployed Shanji system:
 * a district charity foundation, two community charities, an enterprise with CSR donations and
 * employee volunteer hours, a volunteer association whose volunteers include couriers and
 * ride-hailing drivers, a merchant, an auditor and the district civil-affairs bureau. Generated
 * from a seed, so every run records the same ledger.
 *
 * People's names, ID numbers and phone numbers exist only here and in off-chain evidence texts:
 * on chain, donors are SHA-256 commitments to random receipt secrets and volunteers are HMAC
 * pseudonyms under the volunteer association's key.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 as sha256Bytes } from "@noble/hashes/sha2.js";
import type { ContractReturnType } from "@nomicfoundation/hardhat-viem/types";
import {
  type Account,
  bytesToHex,
  type Hex,
  type PublicClient,
  parseEventLogs,
  sha256,
  stringToHex,
  toHex,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { demoPersons, type Person } from "./persons.ts";
import { createPrng } from "./prng.ts";

export type DemoSystem = {
  publicClient: PublicClient;
  /** At least 17 funded accounts; the first is the governance admin. */
  wallets: readonly WalletClient[];
  log: ContractReturnType<"TransparencyLog">;
  registry: ContractReturnType<"Registry">;
  charity: ContractReturnType<"CharityLedger">;
  credit: ContractReturnType<"VolunteerCredit">;
};

export type DemoOptions = { seed?: number; donations?: number; onStep?: (message: string) => void };

export type DemoSummary = {
  orgs: { orgId: bigint; name: string; creditCode: string }[];
  campaigns: { campaignId: bigint; orgId: bigint; title: string }[];
  counts: Record<string, number>;
  /** Receipt codes to hand to donors: the secret whose SHA-256 is on chain. */
  receipts: { code: Hex; campaignId: bigint; amountFen: bigint }[];
  /** Off-chain evidence and description texts by SHA-256 (they may name people). */
  documents: Map<Hex, string>;
  /** The people behind donations and volunteer records (never on chain). */
  persons: Person[];
};

type DonationInput = {
  externalRef: Hex;
  donorKind: number;
  donor: Hex;
  amount: bigint;
  channel: number;
  purposeTag: Hex;
  inKindHash: Hex;
  claimId: bigint;
};

const ZERO32 = `0x${"00".repeat(32)}` as Hex;
const CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

function creditCode(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CODE_ALPHABET.indexOf(first17[i] ?? "") * (CODE_WEIGHTS[i] as number);
  return first17 + CODE_ALPHABET[(31 - (sum % 31)) % 31];
}

const ORGS = [
  { key: "bureau", kind: 6, name: "朝阳区民政局", code: creditCode("11110105MB0000011") },
  { key: "foundation", kind: 1, name: "朝阳区慈善基金会", code: creditCode("53110105MJ0000012") },
  { key: "communityA", kind: 1, name: "望京街道社区公益服务中心", code: creditCode("52110105MJ0000013") },
  { key: "communityB", kind: 1, name: "双井社区互助会", code: creditCode("51110105MJ0000014") },
  { key: "enterprise", kind: 2, name: "北京华信科技有限公司", code: creditCode("91110105MA0000015") },
  { key: "volunteers", kind: 3, name: "朝阳区志愿者协会", code: creditCode("51110105MJ0000016") },
  { key: "merchant", kind: 4, name: "望京社区便民理发店", code: creditCode("92110105MA0000017") },
  { key: "auditor", kind: 5, name: "北京正信会计师事务所", code: creditCode("91110105MA0000018") },
] as const;

type OrgKey = (typeof ORGS)[number]["key"];

export async function recordDemo(system: DemoSystem, options: DemoOptions = {}): Promise<DemoSummary> {
  const { seed = 2026, donations: donationCount = 60, onStep = () => {} } = options;
  const { publicClient, wallets, registry, charity, credit, log } = system;
  const prng = createPrng(seed);
  const persons = demoPersons(seed, 40);
  const documents = new Map<Hex, string>();
  const counts: Record<string, number> = {};
  const count = (what: string, n = 1) => {
    counts[what] = (counts[what] ?? 0) + n;
  };
  const document = (text: string): Hex => {
    const hash = sha256(stringToHex(text));
    documents.set(hash, text);
    return hash;
  };
  const wallet = (i: number): WalletClient => {
    const w = wallets[i];
    if (w === undefined) throw new Error(`recordDemo needs at least ${i + 1} funded accounts`);
    return w;
  };
  const send = async (hash: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error("demo transaction reverted");
    return parseEventLogs({ abi: log.abi, logs: receipt.logs, eventName: "EntryAppended" });
  };
  const governance = wallet(0).account as Account;

  // ------------------------------------------------------------ organisations
  const orgIds = {} as Record<OrgKey, bigint>;
  const operators = {} as Record<OrgKey, { account: Account }>;
  for (const [i, org] of ORGS.entries()) {
    const admin = wallet(1 + 2 * i).account as Account;
    const operator = wallet(2 + 2 * i).account as Account;
    const code = stringToHex(org.code, { size: 18 });
    await send(
      registry.write.accredit([org.kind, code, org.name, document(`机构简介：${org.name}`), admin.address, false], {
        account: governance,
      }),
    );
    const orgId = await registry.read.orgIdByCreditCode([code]);
    await send(registry.write.addOperator([orgId, operator.address], { account: admin }));
    orgIds[org.key] = orgId;
    operators[org.key] = { account: operator };
    count("organisations");
  }
  onStep(`accredited ${ORGS.length} organisations, each with an operator key`);

  // ------------------------------------------------------------ campaigns
  const tag = (label: string): Hex => sha256(stringToHex(`purpose:${label}`));
  const campaignSpecs = [
    {
      org: "foundation",
      title: "2026年冬季困难家庭温暖包",
      target: 50_000_000n,
      tags: [tag("elderly"), tag("children")],
    },
    { org: "foundation", title: "社区助学金计划", target: 20_000_000n, tags: [tag("education")] },
    { org: "communityA", title: "望京独居老人助餐点", target: 5_000_000n, tags: [] },
    { org: "communityB", title: "双井邻里应急互助金", target: 3_000_000n, tags: [] },
  ] as const;
  const campaigns: DemoSummary["campaigns"] = [];
  for (const [i, spec] of campaignSpecs.entries()) {
    await send(
      charity.write.openCampaign(
        [
          {
            currency: stringToHex("CNY", { size: 3 }),
            target: spec.target,
            startTime: 1_767_225_600n, // 2026-01-01
            endTime: 1_798_761_600n, // 2027-01-01
            filingNumber: stringToHex(`53110105MJ0000012-2026-00${i + 1}`, { size: 32 }),
            descriptionHash: document(`项目说明：${spec.title}`),
            purposeTags: [...spec.tags],
          },
        ],
        operators[spec.org],
      ),
    );
    campaigns.push({ campaignId: BigInt(i + 1), orgId: orgIds[spec.org], title: spec.title });
    count("campaigns");
  }
  onStep(`opened ${campaigns.length} campaigns`);

  // ------------------------------------------------------------ donations (batches per campaign)
  const receipts: DemoSummary["receipts"] = [];
  const donationLeaves = new Map<Hex, Hex>();
  let ref = 0;
  const nextRef = (prefix: string): Hex => stringToHex(`${prefix}-${String(++ref).padStart(6, "0")}`, { size: 32 });
  for (const c of campaigns) {
    const spec = campaignSpecs[Number(c.campaignId) - 1];
    if (!spec) continue;
    const batch: DonationInput[] = [];
    for (let i = 0; i < donationCount / campaigns.length; i++) {
      const secret = bytesToHex(prng.bytes32());
      const amount = BigInt(1 + prng.int(2000)) * 100n; // whole yuan, 1..2,000
      const earmark =
        spec.tags.length > 0 && prng.int(3) === 0 ? (spec.tags[prng.int(spec.tags.length)] as Hex) : ZERO32;
      const inKind = prng.int(10) === 0;
      const donor = persons[prng.int(persons.length)] as Person;
      batch.push({
        externalRef: nextRef("DON"),
        donorKind: 0,
        donor: sha256(secret),
        amount,
        channel: 1 + prng.int(6),
        purposeTag: earmark,
        // The description may name the donor: only its hash goes on chain.
        inKindHash: inKind ? document(`物资捐赠：${donor.name} 捐赠冬衣 ${1 + prng.int(20)} 件`) : ZERO32,
        claimId: 0n,
      });
      receipts.push({ code: secret, campaignId: c.campaignId, amountFen: amount });
    }
    const org = campaignSpecs[Number(c.campaignId) - 1]?.org as OrgKey;
    const events = await send(charity.write.recordDonations([c.campaignId, batch], operators[org]));
    events.forEach((e, i) => {
      const b = batch[i];
      if (b) donationLeaves.set(b.externalRef, e.args.leaf);
    });
    count("donations", batch.length);
  }
  onStep(`recorded ${counts.donations} donations in batches`);

  // ------------------------------------------------------------ enterprise CSR: a claim and its confirmation
  const claimRef = nextRef("CSR");
  await send(
    charity.write.claimContribution(
      [
        {
          externalRef: claimRef,
          recipientOrg: orgIds.foundation,
          currency: stringToHex("CNY", { size: 3 }),
          amount: 10_000_000n,
          evidenceHash: document("华信科技 2026 年度公益捐赠协议"),
        },
      ],
      operators.enterprise,
    ),
  );
  await send(
    charity.write.recordDonation(
      [
        1n,
        {
          externalRef: nextRef("DON"),
          donorKind: 1,
          donor: toHex(orgIds.enterprise, { size: 32 }),
          amount: 10_000_000n,
          channel: 1,
          purposeTag: ZERO32,
          inKindHash: ZERO32,
          claimId: 1n,
        },
      ],
      operators.foundation,
    ),
  );
  count("csrContributions");
  onStep("the enterprise claimed a ¥100,000 contribution and the foundation confirmed it");

  // ------------------------------------------------------------ disbursements, a grant, a correction
  const spend = async (campaignId: bigint, org: OrgKey, category: number, amount: bigint, payee: string) =>
    send(
      charity.write.recordDisbursement(
        [
          campaignId,
          {
            externalRef: nextRef("PAY"),
            category,
            amount,
            payeeKind: 0,
            payee: sha256(stringToHex(`payee:${payee}`)),
            payeeCampaignId: 0n,
            purposeTag: ZERO32,
            evidence: [document(`发票：${payee} ${amount / 100n} 元`), document(`签收单：${payee}`)],
          },
        ],
        operators[org],
      ),
    ).then(() => count("disbursements"));
  await spend(1n, "foundation", 1, 3_000_000n, "北京冬衣供应有限公司");
  await spend(1n, "foundation", 2, 200_000n, "办公用品");
  await spend(2n, "foundation", 1, 1_000_000n, "朝阳区第三中学");
  await spend(2n, "foundation", 3, 50_000n, "募捐宣传印刷");
  await send(
    charity.write.recordDisbursement(
      [
        1n,
        {
          externalRef: nextRef("GRANT"),
          category: 1,
          amount: 2_000_000n,
          payeeKind: 1,
          payee: toHex(orgIds.communityA, { size: 32 }),
          payeeCampaignId: 3n,
          purposeTag: ZERO32,
          evidence: [document("资助协议：朝阳区慈善基金会—望京街道社区公益服务中心")],
        },
      ],
      operators.foundation,
    ),
  );
  count("grants");
  await spend(3n, "communityA", 1, 800_000n, "望京助餐点食材采购");
  const [firstRef, firstLeaf] = [...donationLeaves.entries()][0] ?? [];
  if (firstRef && firstLeaf) {
    // A donation recorded twice in the finance system is reversed (reason 1: duplicate).
    await send(charity.write.reverseRecord([firstRef, 1, firstLeaf], operators.foundation));
    count("corrections");
  }
  await send(
    charity.write.publishDisclosure(
      [1n, 1, document("2026年第三季度项目进展报告"), 1_782_864_000n, 1_790_726_400n],
      operators.foundation,
    ),
  );
  await send(charity.write.attest([orgIds.foundation, 0n, 1, document("2026年度审计报告"), 0n], operators.auditor));
  count("disclosures");
  count("attestations");
  onStep("recorded disbursements with evidence, a grant, a correction, a disclosure and an audit attestation");

  // ------------------------------------------------------------ volunteer credit
  const orgKey = sha256Bytes(new TextEncoder().encode(`demo volunteer-association key ${seed}`));
  const pseudonym = (p: Person): Hex =>
    bytesToHex(hmac(sha256Bytes, orgKey, new TextEncoder().encode(`CN-ID:${p.idNumber}`)));
  await send(
    credit.write.registerActivity([document("社区助老送餐（骑手志愿队）"), 1_767_225_600n, 0n], operators.volunteers),
  );
  await send(
    credit.write.registerActivity(
      [document("华信科技员工植树日"), 1_775_000_000n, 1_775_086_400n],
      operators.enterprise,
    ),
  );
  const volunteers = persons.slice(0, 12);
  const credits = volunteers.map((p, i) => ({
    externalRef: nextRef("VOL"),
    volunteer: pseudonym(p),
    serviceMinutes: 60 * (1 + prng.int(4)),
    points: BigInt(10 * (1 + prng.int(5))),
    serviceDate: 20261101 + (i % 20),
  }));
  const creditEvents = await send(credit.write.issueCredits([1n, credits], operators.volunteers));
  await send(
    credit.write.issueCredits(
      [
        2n,
        volunteers.slice(6, 10).map((p) => ({
          externalRef: nextRef("CSRVOL"),
          volunteer: pseudonym(p),
          serviceMinutes: 240,
          points: 0n,
          serviceDate: 20260401,
        })),
      ],
      operators.enterprise,
    ),
  );
  count("credits", credits.length + 4);

  // A courier redeems points at the barber's, consenting with the key in their phone wallet.
  const consent = privateKeyToAccount(bytesToHex(sha256Bytes(new TextEncoder().encode(`consent ${seed}`))));
  const courier = credits[0];
  if (courier) {
    // The association enrols the courier's wallet key, showing its own credit to the courier.
    const courierLeaf = creditEvents[0]?.args.leaf as Hex;
    await send(
      credit.write.setConsentKey(
        [courier.volunteer, consent.address, courier.externalRef, courierLeaf],
        operators.volunteers,
      ),
    );
    const input = {
      volunteer: courier.volunteer,
      points: 10n,
      externalRef: nextRef("RDM"),
      serviceHash: document("理发服务一次"),
      deadline: 4_102_444_800n, // 2100-01-01
    };
    const digest = await credit.read.redeemDigest([input, orgIds.merchant]);
    await send(credit.write.redeem([input, await consent.sign({ hash: digest })], operators.merchant));
    count("redemptions");
    const certificate = document(
      `志愿服务证明 编号 2026-0001：${volunteers[0]?.name}，身份证 ${volunteers[0]?.idNumber}`,
    );
    await send(credit.write.issueCertificate([courier.volunteer, certificate, 600n], operators.volunteers));
    count("certificates");
  }
  onStep(`issued ${counts.credits} volunteer credits, a redemption and a certificate`);

  return {
    orgs: ORGS.map((o) => ({ orgId: orgIds[o.key], name: o.name, creditCode: o.code })),
    campaigns,
    counts,
    receipts,
    documents,
    persons,
  };
}
