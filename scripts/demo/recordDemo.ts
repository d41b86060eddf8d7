/**
 * Records a realistic demo data set for a Chinese district on a newly deployed Shanji system:
 * a district charity foundation, two community charities, an enterprise with CSR donations and
 * employee volunteer hours, a volunteer association whose volunteers include couriers and
 * ride-hailing drivers earning points, a merchant where points are redeemed, an auditor and the
 * district civil-affairs bureau. Six campaigns (one grants to each community charity), a few
 * thousand donations, disbursements with evidence, corrections, disclosures, attestations,
 * volunteer credit with redemptions and certificates. Generated from a seed, so every run records
 * the same ledger (only the block timestamps differ).
 *
 * People's names, ID numbers and phone numbers exist only here and in the off-chain evidence texts
 * (`documents`): on chain, donors are SHA-256 commitments to random receipt secrets, volunteers and
 * external payees are HMAC pseudonyms under the organisation's key, and every text is a SHA-256.
 *
 * The data set assumes a fresh deployment (organisations and campaigns get ids 1, 2, …) and the
 * default accounts of a development chain: account 0 governs, organisation i (1-based) has admin
 * 2i-1 and operator 2i. Tests rely on both (test/encoding.test.ts), and on the last volunteer
 * credit being the enterprise's.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 as sha256Bytes } from "@noble/hashes/sha2.js";
import {
  charityLedgerAbi,
  generateCreditCode,
  registryAbi,
  transparencyLogAbi,
  volunteerCreditAbi,
} from "@shanji/core";
import {
  type Account,
  type Address,
  bytesToHex,
  type Chain,
  getContract,
  type Hex,
  type PublicClient,
  parseEventLogs,
  sha256,
  stringToHex,
  type Transport,
  toHex,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { demoPersons, type Person } from "./persons.ts";
import { createPrng } from "./prng.ts";

/** The deployed contracts (any object with their address: viem or Hardhat contracts) and clients. */
export type DemoSystem = {
  publicClient: PublicClient<Transport, Chain>;
  /** At least 17 funded accounts; the first is the governance admin. */
  wallets: readonly WalletClient<Transport, Chain, Account>[];
  log: { address: Address };
  registry: { address: Address };
  charity: { address: Address };
  credit: { address: Address };
};

export type DemoOptions = {
  seed?: number;
  /**
   * The size of the data set: donations from people (default 3,000). Disbursements, volunteer
   * credits and the other records scale with it, with minimums that keep every kind of record.
   */
  donations?: number;
  onStep?: (message: string) => void;
  /**
   * Stops recording after the transaction in flight is mined (the promise rejects with the
   * signal's reason), so that the chain is never stopped in the middle of a transaction.
   */
  signal?: AbortSignal;
};

export type DemoSummary = {
  orgs: { orgId: bigint; name: string; creditCode: string }[];
  campaigns: { campaignId: bigint; orgId: bigint; title: string }[];
  counts: Record<string, number>;
  /** Receipt codes to hand to donors: the secret whose SHA-256 is on chain. */
  receipts: { code: Hex; campaignId: bigint; amountFen: bigint }[];
  /** Off-chain evidence and description texts by SHA-256 (they may name people). */
  documents: Map<Hex, string>;
  /**
   * The documents that name people (in-kind donors, aid recipients, signers of delivery notes,
   * volunteers' certificates): evidence to serve only to regulators. The others (invoices between
   * organisations, descriptions, reports) are public. An array, so that the summary survives JSON.
   */
  restrictedDocuments: Hex[];
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

type DisbursementInput = {
  externalRef: Hex;
  category: number;
  amount: bigint;
  payeeKind: number;
  payee: Hex;
  payeeCampaignId: bigint;
  purposeTag: Hex;
  evidence: Hex[];
};

type CreditInput = { externalRef: Hex; volunteer: Hex; serviceMinutes: number; points: bigint; serviceDate: number };

const ZERO32 = `0x${"00".repeat(32)}` as Hex;
const CNY = stringToHex("CNY", { size: 3 });
/** CharityLedger.MAX_BATCH and VolunteerCredit.MAX_BATCH. */
const DONATION_BATCH = 200;
const CREDIT_BATCH = 150;
/** packages/core: donationChannel, disbursementCategory, disclosureKind, attestationOpinion. */
const CHANNEL = { bankTransfer: 1, onlinePlatform: 2, wechatPay: 3, alipay: 4, cash: 5, other: 7 } as const;
const CATEGORY = { program: 1, administration: 2, fundraising: 3 } as const;
const DISCLOSURE = { progress: 1, annualWorkReport: 3, correctionNotice: 8 } as const;
const OPINION = { unqualified: 1, qualified: 2 } as const;
/** The demo organisations' own reversal reason codes (the contracts only require a non-zero code). */
const REASON = { duplicate: 1, wrongAmount: 2, refunded: 3 } as const;
const YEAR_START = 1_767_225_600n; // 2026-01-01 00:00 UTC+0
const YEAR_END = 1_798_761_600n; // 2027-01-01

const ORGS = [
  { key: "bureau", kind: 6, name: "朝阳区民政局", code: generateCreditCode("11110105MB0000011") },
  { key: "foundation", kind: 1, name: "朝阳区慈善基金会", code: generateCreditCode("53110105MJ0000012") },
  { key: "communityA", kind: 1, name: "望京街道社区公益服务中心", code: generateCreditCode("52110105MJ0000013") },
  { key: "communityB", kind: 1, name: "双井社区互助会", code: generateCreditCode("51110105MJ0000014") },
  { key: "enterprise", kind: 2, name: "北京华信科技有限公司", code: generateCreditCode("91110105MA0000015") },
  { key: "volunteers", kind: 3, name: "朝阳区志愿者协会", code: generateCreditCode("51110105MJ0000016") },
  { key: "merchant", kind: 4, name: "望京社区便民理发店", code: generateCreditCode("92110105MA0000017") },
  { key: "auditor", kind: 5, name: "北京正信会计师事务所", code: generateCreditCode("91110105MA0000018") },
] as const;

type OrgKey = (typeof ORGS)[number]["key"];
type CharityKey = "foundation" | "communityA" | "communityB";

/** What a campaign spends its money on, and who is paid (suppliers are companies; aid goes to households). */
type Spending = { item: string; supplier?: string; household?: string; tag?: string; place: string };

type CampaignSpec = {
  org: CharityKey;
  title: string;
  target: bigint;
  tags: readonly string[];
  /** Share of the donations from people, in percent. */
  share: number;
  /** What people give in kind. */
  inKind: string;
  spending: readonly Spending[];
};

// Campaign i+1 is CAMPAIGNS[i]; campaign 4 stays the smaller community charity's (tests close it).
const CAMPAIGNS: readonly CampaignSpec[] = [
  {
    org: "foundation",
    title: "2026年冬季困难家庭温暖包",
    target: 80_000_000n,
    tags: ["elderly", "children"],
    share: 36,
    inKind: "冬衣",
    spending: [
      {
        item: "冬季温暖包（羽绒服、棉被、米面油）",
        supplier: "北京暖冬商贸有限公司",
        tag: "elderly",
        place: "朝阳区各街道",
      },
      { item: "儿童冬衣与学习用品", supplier: "北京童心服饰有限公司", tag: "children", place: "朝阳区各社区" },
      { item: "电暖器", supplier: "北京惠民家电销售有限公司", tag: "elderly", place: "独居老人家中" },
      { item: "物资配送服务", supplier: "北京快捷同城物流有限公司", place: "朝阳区各街道" },
    ],
  },
  {
    org: "foundation",
    title: "社区助学金计划",
    target: 30_000_000n,
    tags: ["education"],
    share: 18,
    inKind: "课外书",
    spending: [
      { item: "助学金", household: "student", tag: "education", place: "朝阳区第三中学" },
      { item: "助学金", household: "student", tag: "education", place: "朝阳区实验小学" },
      { item: "书包与文具", supplier: "北京文华文具有限公司", tag: "education", place: "朝阳区实验小学" },
    ],
  },
  {
    org: "communityA",
    title: "望京独居老人助餐点",
    target: 8_000_000n,
    tags: [],
    share: 12,
    inKind: "米面油礼包",
    spending: [
      { item: "助餐点食材", supplier: "望京农副产品配送中心", place: "望京助餐点" },
      { item: "助餐点厨具", supplier: "北京厨艺设备有限公司", place: "望京助餐点" },
      { item: "送餐上门保温箱", supplier: "北京快捷同城物流有限公司", place: "望京助餐点" },
    ],
  },
  {
    org: "communityB",
    title: "双井邻里应急互助金",
    target: 5_000_000n,
    tags: [],
    share: 10,
    inKind: "生活用品礼包",
    spending: [
      { item: "应急互助金", household: "resident", place: "双井街道" },
      { item: "临时生活物资", supplier: "双井便民超市", place: "双井街道" },
    ],
  },
  {
    org: "communityA",
    title: "望京社区四点半课堂",
    target: 4_000_000n,
    tags: ["children"],
    share: 9,
    inKind: "儿童绘本",
    spending: [
      { item: "课外读物", supplier: "北京新知图书发行有限公司", tag: "children", place: "望京社区活动室" },
      { item: "课堂桌椅", supplier: "北京宜居家具有限公司", tag: "children", place: "望京社区活动室" },
    ],
  },
  {
    org: "foundation",
    title: "重阳敬老·银龄关爱行动",
    target: 20_000_000n,
    tags: ["elderly"],
    share: 15,
    inKind: "老年人助行器",
    spending: [
      { item: "老年人免费体检", supplier: "朝阳区社区卫生服务中心", tag: "elderly", place: "朝阳区各社区" },
      { item: "重阳节慰问品", supplier: "北京福寿食品有限公司", tag: "elderly", place: "朝阳区各社区" },
    ],
  },
];

/** Volunteer activities of the association (the enterprise's own activity comes last). */
const ACTIVITIES = [
  { text: "社区助老送餐（骑手志愿队）", start: YEAR_START, end: 0n },
  { text: "网约车司机“爱心送考”", start: 1_780_704_000n, end: 1_781_049_600n }, // 2026-06-06 .. 06-10
  { text: "社区垃圾分类督导", start: YEAR_START, end: 0n },
  { text: "汛期社区值守", start: 1_780_272_000n, end: 1_788_220_800n }, // 2026-06-01 .. 09-01
] as const;

/** The occupations whose volunteers join the riders' and drivers' activities. */
const GIG_WORKERS = new Set(["外卖骑手", "网约车司机", "快递员"]);

export async function recordDemo(system: DemoSystem, options: DemoOptions = {}): Promise<DemoSummary> {
  const { seed = 2026, donations: donationCount = 3_000, onStep = () => {}, signal } = options;
  const { publicClient, wallets } = system;
  const prng = createPrng(seed);
  const persons = demoPersons(seed, 120);
  const documents = new Map<Hex, string>();
  const restrictedDocuments = new Set<Hex>();
  const counts: Record<string, number> = {};
  const count = (what: string, n = 1) => {
    counts[what] = (counts[what] ?? 0) + n;
  };
  /** An off-chain text; `namesPeople` when it names a person, which restricts it to regulators. */
  const document = (text: string, namesPeople = false): Hex => {
    const hash = sha256(stringToHex(text));
    documents.set(hash, text);
    if (namesPeople) restrictedDocuments.add(hash);
    return hash;
  };
  const wallet = (i: number): WalletClient<Transport, Chain, Account> => {
    const w = wallets[i];
    if (w === undefined) throw new Error(`recordDemo needs at least ${i + 1} funded accounts`);
    return w;
  };
  // The contracts with @shanji/core's ABIs (a test keeps them equal to the compiled artifacts).
  const client = { public: publicClient, wallet: wallet(0) };
  const log = getContract({ address: system.log.address, abi: transparencyLogAbi, client });
  const registry = getContract({ address: system.registry.address, abi: registryAbi, client });
  const charity = getContract({ address: system.charity.address, abi: charityLedgerAbi, client });
  const credit = getContract({ address: system.credit.address, abi: volunteerCreditAbi, client });
  const send = async (hash: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error("demo transaction reverted");
    signal?.throwIfAborted();
    return parseEventLogs({ abi: log.abi, logs: receipt.logs, eventName: "EntryAppended" });
  };
  const person = (): Person => persons[prng.int(persons.length)] as Person;
  const yuan = (fen: bigint) => `¥${fen / 100n}.${String(fen % 100n).padStart(2, "0")}`;
  const date = (dayOfYear: number) => {
    const d = new Date(Date.UTC(2026, 0, 1 + dayOfYear));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}-${String(d.getUTCDate()).padStart(2, "0")}`;
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

  // Each organisation's key for pseudonyms of people it deals with (volunteers, households).
  const orgKey = (org: OrgKey) => sha256Bytes(new TextEncoder().encode(`demo ${org} pseudonym key ${seed}`));
  const pseudonym = (org: OrgKey, identity: string): Hex =>
    bytesToHex(hmac(sha256Bytes, orgKey(org), new TextEncoder().encode(identity)));

  // ------------------------------------------------------------ campaigns
  const tag = (label: string): Hex => sha256(stringToHex(`purpose:${label}`));
  const campaigns: DemoSummary["campaigns"] = [];
  const campaignSerial: Partial<Record<OrgKey, number>> = {};
  for (const [i, spec] of CAMPAIGNS.entries()) {
    const org = ORGS.find((o) => o.key === spec.org);
    const serial = (campaignSerial[spec.org] ?? 0) + 1;
    campaignSerial[spec.org] = serial;
    await send(
      charity.write.openCampaign(
        [
          {
            currency: CNY,
            target: spec.target,
            startTime: YEAR_START,
            endTime: YEAR_END,
            // 备案编号: the organisation's credit code, the year and a serial.
            filingNumber: stringToHex(`${org?.code}-2026-${String(serial).padStart(3, "0")}`, { size: 32 }),
            descriptionHash: document(`项目说明：${spec.title}（${org?.name}，目标 ${yuan(spec.target)}）`),
            purposeTags: spec.tags.map(tag),
          },
        ],
        operators[spec.org],
      ),
    );
    campaigns.push({ campaignId: BigInt(i + 1), orgId: orgIds[spec.org], title: spec.title });
    count("campaigns");
  }
  onStep(`opened ${campaigns.length} campaigns`);

  // ------------------------------------------------------------ donations from people
  const receipts: DemoSummary["receipts"] = [];
  const leaves = new Map<Hex, Hex>(); // externalRef → leaf of its entry
  const balance = new Map<bigint, bigint>(); // campaign → available, as the contract keeps it
  const addBalance = (campaignId: bigint, amount: bigint) =>
    balance.set(campaignId, (balance.get(campaignId) ?? 0n) + amount);
  /** The external reference of each receipt's donation, by the receipt's position in `receipts`. */
  const receiptRefs: Hex[] = [];
  let ref = 0;
  const nextRef = (prefix: string): Hex => stringToHex(`${prefix}-${String(++ref).padStart(6, "0")}`, { size: 32 });
  const donationAmount = (): bigint => {
    const roll = prng.int(100);
    // Most gifts are small online payments (some with fen, like ¥66.66); a few are large.
    if (roll < 60) return BigInt(10 + prng.int(191)) * 100n;
    if (roll < 70) return [6_666n, 8_888n, 16_800n, 52_000n][prng.int(4)] as bigint;
    if (roll < 95) return BigInt(200 + prng.int(1801)) * 100n;
    return BigInt(2_000 + prng.int(18_001)) * 100n;
  };
  const channelOf = (): number => {
    const roll = prng.int(100);
    if (roll < 40) return CHANNEL.wechatPay;
    if (roll < 65) return CHANNEL.alipay;
    if (roll < 80) return CHANNEL.onlinePlatform;
    if (roll < 95) return CHANNEL.bankTransfer;
    return CHANNEL.cash;
  };
  const duplicates: { campaignId: bigint; org: CharityKey; ref: Hex; amount: bigint }[] = [];
  for (const [i, spec] of CAMPAIGNS.entries()) {
    const campaignId = BigInt(i + 1);
    const n = Math.max(2, Math.round((donationCount * spec.share) / 100));
    const all: DonationInput[] = [];
    for (let k = 0; k < n; k++) {
      const secret = bytesToHex(prng.bytes32());
      const amount = donationAmount();
      const earmark = spec.tags.length > 0 && prng.int(3) === 0 ? tag(prng.pick(spec.tags)) : ZERO32;
      const inKind = prng.int(20) === 0;
      const donor = person();
      all.push({
        externalRef: nextRef("DON"),
        donorKind: 0,
        donor: sha256(secret),
        amount,
        channel: inKind ? CHANNEL.other : channelOf(),
        purposeTag: earmark,
        // The description may name the donor: only its hash goes on chain.
        inKindHash: inKind
          ? document(
              `物资捐赠登记：${donor.name}（电话 ${donor.phone}）捐赠${spec.inKind} ${1 + prng.int(20)} 件，估值 ${yuan(amount)}`,
              true,
            )
          : ZERO32,
        claimId: 0n,
      });
      receipts.push({ code: secret, campaignId, amountFen: amount });
      receiptRefs.push((all[all.length - 1] as DonationInput).externalRef);
      // Now and then the finance system exports a row twice under a new row id: reversed below.
      if (k === 1 && duplicates.length < 2) {
        const original = all[all.length - 1] as DonationInput;
        const duplicate = { ...original, externalRef: nextRef("DON") };
        all.push(duplicate);
        duplicates.push({ campaignId, org: spec.org, ref: duplicate.externalRef, amount: duplicate.amount });
      }
    }
    for (let start = 0; start < all.length; start += DONATION_BATCH) {
      const batch = all.slice(start, start + DONATION_BATCH);
      const events = await send(charity.write.recordDonations([campaignId, batch], operators[spec.org]));
      events.forEach((e, j) => {
        const b = batch[j];
        if (b) leaves.set(b.externalRef, e.args.leaf);
      });
      for (const b of batch) addBalance(campaignId, b.amount);
      count("donations", batch.length);
    }
  }
  onStep(`recorded ${counts.donations} donations from people, in batches of up to ${DONATION_BATCH}`);

  // ------------------------------------------------------------ enterprise CSR: claims and their confirmations
  const csr = [
    { org: "foundation", campaignId: 1n, amount: 10_000_000n, text: "华信科技 2026 年度公益捐赠协议（冬季温暖包）" },
    { org: "communityB", campaignId: 4n, amount: 500_000n, text: "华信科技 双井邻里互助金捐赠确认函" },
  ] as const;
  for (const [i, c] of csr.entries()) {
    await send(
      charity.write.claimContribution(
        [
          {
            externalRef: nextRef("CSR"),
            recipientOrg: orgIds[c.org],
            currency: CNY,
            amount: c.amount,
            evidenceHash: document(c.text),
          },
        ],
        operators.enterprise,
      ),
    );
    await send(
      charity.write.recordDonation(
        [
          c.campaignId,
          {
            externalRef: nextRef("DON"),
            donorKind: 1,
            donor: toHex(orgIds.enterprise, { size: 32 }),
            amount: c.amount,
            channel: CHANNEL.bankTransfer,
            purposeTag: ZERO32,
            inKindHash: ZERO32,
            claimId: BigInt(i + 1),
          },
        ],
        operators[c.org],
      ),
    );
    addBalance(c.campaignId, c.amount);
    count("csrContributions");
  }
  onStep(`the enterprise claimed ${csr.length} CSR contributions and the recipients confirmed them`);

  // ------------------------------------------------------------ corrections of donations
  const reverse = async (org: CharityKey, externalRef: Hex, reason: number) => {
    const leaf = leaves.get(externalRef);
    if (!leaf) throw new Error(`recordDemo: no leaf for ${externalRef}`);
    await send(charity.write.reverseRecord([externalRef, reason, leaf], operators[org]));
    count("corrections");
  };
  for (const d of duplicates) {
    await reverse(d.org, d.ref, REASON.duplicate);
    addBalance(d.campaignId, -d.amount);
  }
  // A donation entered with a wrong amount is reversed and entered again with the right one; a
  // donor who asked for their money back is refunded.
  {
    const index = receipts.findIndex((r) => r.campaignId === 3n);
    const wrong = receipts[index];
    const wrongRef = receiptRefs[index];
    if (wrong && wrongRef) {
      await reverse("communityA", wrongRef, REASON.wrongAmount);
      addBalance(3n, -wrong.amountFen);
      const corrected = wrong.amountFen / 10n; // ¥1,000.00 typed for ¥100.00
      const events = await send(
        charity.write.recordDonation(
          [
            3n,
            {
              externalRef: nextRef("DON"),
              donorKind: 0,
              donor: sha256(wrong.code),
              amount: corrected,
              channel: CHANNEL.wechatPay,
              purposeTag: ZERO32,
              inKindHash: ZERO32,
              claimId: 0n,
            },
          ],
          operators.communityA,
        ),
      );
      if (!events[0]) throw new Error("recordDemo: the corrected donation appended no entry");
      wrong.amountFen = corrected;
      addBalance(3n, corrected);
      count("donations");
    }
    const refundIndex = receipts.findIndex((r) => r.campaignId === 4n);
    const refund = receipts[refundIndex];
    const refundRef = receiptRefs[refundIndex];
    if (refund && refundRef) {
      await reverse("communityB", refundRef, REASON.refunded);
      addBalance(4n, -refund.amountFen);
    }
  }
  onStep(`corrected donations: ${counts.corrections} reversals (duplicates, a wrong amount, a refund)`);

  // ------------------------------------------------------------ grants between organisations
  const grants = [
    { from: 1n, org: "foundation", to: 3n, toOrg: "communityA", amount: 2_000_000n },
    { from: 6n, org: "foundation", to: 4n, toOrg: "communityB", amount: 800_000n },
  ] as const;
  for (const g of grants) {
    const recipient = ORGS.find((o) => o.key === g.toOrg)?.name;
    // At most a quarter of what the paying campaign holds, so that small data sets work too.
    const quarter = (balance.get(g.from) ?? 0n) / 4n;
    const amount = g.amount < quarter ? g.amount : quarter - (quarter % 100n);
    await send(
      charity.write.recordDisbursement(
        [
          g.from,
          {
            externalRef: nextRef("GRANT"),
            category: CATEGORY.program,
            amount,
            payeeKind: 1,
            payee: toHex(orgIds[g.toOrg], { size: 32 }),
            payeeCampaignId: g.to,
            purposeTag: ZERO32,
            evidence: [
              document(`资助协议：朝阳区慈善基金会—${recipient}，资助金额 ${yuan(amount)}`),
              document(`银行转账回单：朝阳区慈善基金会 → ${recipient} ${yuan(amount)}`),
            ],
          },
        ],
        operators.foundation,
      ),
    );
    addBalance(g.from, -amount);
    addBalance(g.to, amount);
    count("grants");
  }
  onStep(`recorded ${grants.length} grants from the foundation into the community charities' campaigns`);

  // ------------------------------------------------------------ disbursements with evidence
  let invoice = 20_260_000;
  const perCampaign = Math.max(3, Math.round(donationCount / 60));
  let firstDisbursement: { org: CharityKey; campaignId: bigint; input: DisbursementInput } | undefined;
  for (const [i, spec] of CAMPAIGNS.entries()) {
    const campaignId = BigInt(i + 1);
    const org = ORGS.find((o) => o.key === spec.org);
    // Spend about two thirds of what the campaign holds, a little each time.
    let budget = ((balance.get(campaignId) ?? 0n) * 2n) / 3n;
    const batch: DisbursementInput[] = [];
    for (let k = 0; k < perCampaign && budget > 10_000n; k++) {
      const day = 30 + Math.floor((300 * k) / perCampaign) + prng.int(10);
      const overhead = k % 6 === 5;
      const spending = prng.pick(spec.spending);
      let amount = ((budget / BigInt(perCampaign - k)) * BigInt(80 + prng.int(41))) / 100n;
      amount = amount - (amount % 100n) + BigInt(prng.int(100)); // invoices carry fen
      if (amount <= 0n || amount > budget) amount = budget;
      budget -= amount;
      let evidence: Hex[];
      let payee: Hex;
      let category: number = CATEGORY.program;
      let purpose = spending.tag ? tag(spending.tag) : ZERO32;
      if (overhead) {
        // Administration and fundraising costs: an office supplier or a printer.
        category = k % 12 === 5 ? CATEGORY.administration : CATEGORY.fundraising;
        const supplier = category === CATEGORY.administration ? "北京办公伙伴商贸有限公司" : "北京印象广告印刷有限公司";
        payee = pseudonym(spec.org, `payee:${supplier}`);
        purpose = ZERO32;
        evidence = [
          document(
            `增值税电子普通发票 No.${++invoice}\n开票日期：${date(day)}\n购买方：${org?.name}\n销售方：${supplier}\n项目：${category === CATEGORY.administration ? "办公用品" : "募捐宣传物料印刷"}\n价税合计：${yuan(amount)}`,
          ),
        ];
      } else if (spending.household) {
        // Aid paid to a household: the payee is a pseudonym; the signed confirmation names the person.
        const recipient = person();
        payee = pseudonym(spec.org, `CN-ID:${recipient.idNumber}`);
        const what = spending.household === "student" ? `学生家长 ${recipient.name}` : `居民 ${recipient.name}`;
        evidence = [
          document(
            `${spending.item}发放确认书\n项目：${spec.title}\n领取人：${what}（身份证 ${recipient.idNumber}，电话 ${recipient.phone}）\n发放地点：${spending.place}\n金额：${yuan(amount)}\n日期：${date(day)}`,
            true,
          ),
          document(`银行转账回单：${org?.name} → ${recipient.name} ${yuan(amount)} ${date(day)}`, true),
        ];
      } else {
        const supplier = spending.supplier ?? "";
        payee = pseudonym(spec.org, `payee:${supplier}`);
        const signers = Array.from({ length: 3 + prng.int(4) }, () => person().name).join("、");
        evidence = [
          document(
            `增值税电子普通发票 No.${++invoice}\n开票日期：${date(day)}\n购买方：${org?.name}\n销售方：${supplier}\n项目：${spending.item}\n价税合计：${yuan(amount)}`,
          ),
          document(
            `物资签收单\n项目：${spec.title}\n物资：${spending.item}\n发放地点：${spending.place}\n领取人签字：${signers}\n日期：${date(day)}`,
            true,
          ),
        ];
        if (prng.int(2) === 0)
          evidence.push(
            document(`现场照片说明：${date(day)} 于${spending.place}发放${spending.item}，照片 ${2 + prng.int(8)} 张`),
          );
      }
      batch.push({
        externalRef: nextRef("PAY"),
        category,
        amount,
        payeeKind: 0,
        payee,
        payeeCampaignId: 0n,
        purposeTag: purpose,
        evidence,
      });
    }
    if (batch.length === 0) continue;
    const events = await send(charity.write.recordDisbursements([campaignId, batch], operators[spec.org]));
    events.forEach((e, j) => {
      const b = batch[j];
      if (b) leaves.set(b.externalRef, e.args.leaf);
    });
    for (const b of batch) addBalance(campaignId, -b.amount);
    count("disbursements", batch.length);
    count(
      "evidenceFiles",
      batch.reduce((n, b) => n + b.evidence.length, 0),
    );
    if (!firstDisbursement && batch[0]) firstDisbursement = { org: spec.org, campaignId, input: batch[0] };
  }
  // An invoice entered with the wrong amount: reversed, then recorded again as invoiced.
  if (firstDisbursement) {
    const { org, campaignId, input } = firstDisbursement;
    await reverse(org, input.externalRef, REASON.wrongAmount);
    addBalance(campaignId, input.amount);
    // The clerk typed 10% too much.
    const corrected = { ...input, externalRef: nextRef("PAY"), amount: input.amount - input.amount / 10n };
    await send(charity.write.recordDisbursement([campaignId, corrected], operators[org]));
    addBalance(campaignId, -corrected.amount);
    count("disbursements");
    await send(
      charity.write.publishDisclosure(
        [
          campaignId,
          DISCLOSURE.correctionNotice,
          document(
            `更正公告：${CAMPAIGNS[Number(campaignId) - 1]?.title} 一笔支出金额录入有误，已冲销并按发票重新登记。`,
          ),
          YEAR_START,
          1_790_726_400n,
        ],
        operators[org],
      ),
    );
    count("disclosures");
  }
  onStep(
    `recorded ${counts.disbursements} disbursements with ${counts.evidenceFiles} evidence files, and corrected one`,
  );

  // ------------------------------------------------------------ disclosures and attestations
  for (const [i, spec] of CAMPAIGNS.entries()) {
    await send(
      charity.write.publishDisclosure(
        [
          BigInt(i + 1),
          DISCLOSURE.progress,
          document(`2026年第三季度项目进展报告：${spec.title}`),
          1_782_864_000n,
          1_790_726_400n,
        ],
        operators[spec.org],
      ),
    );
    count("disclosures");
  }
  await send(
    charity.write.publishDisclosure(
      [0n, DISCLOSURE.annualWorkReport, document("朝阳区慈善基金会 2026 年度工作报告"), YEAR_START, YEAR_END],
      operators.foundation,
    ),
  );
  count("disclosures");
  const size = await log.read.size();
  await send(
    charity.write.attest(
      [
        orgIds.foundation,
        0n,
        OPINION.unqualified,
        document("北京正信会计师事务所：朝阳区慈善基金会 2026 年度专项审计报告"),
        size - 1n,
      ],
      operators.auditor,
    ),
  );
  await send(
    charity.write.attest(
      [orgIds.communityA, 3n, OPINION.qualified, document("朝阳区民政局：望京独居老人助餐点项目检查意见"), size - 1n],
      operators.bureau,
    ),
  );
  count("attestations", 2);
  onStep("published progress reports and an annual report; the auditor and the bureau attested");

  // ------------------------------------------------------------ volunteer credit
  for (const a of ACTIVITIES) {
    await send(credit.write.registerActivity([document(a.text), a.start, a.end], operators.volunteers));
    count("activities");
  }
  await send(
    credit.write.registerActivity(
      [document("华信科技员工志愿服务日（植树、社区义务维修）"), 1_775_000_000n, 1_775_086_400n],
      operators.enterprise,
    ),
  );
  count("activities");
  const enterpriseActivity = BigInt(ACTIVITIES.length + 1);
  // Riders, drivers and couriers first: they make up most of the association's volunteers, who
  // serve several times each (so that some have points to redeem even in a small data set).
  const creditsByActivity = new Map<bigint, CreditInput[]>();
  const creditTotal = Math.max(24, Math.round(donationCount / 5));
  const volunteers = [
    ...persons.filter((p) => GIG_WORKERS.has(p.occupation)),
    ...persons.filter((p) => !GIG_WORKERS.has(p.occupation)),
  ].slice(0, Math.min(80, Math.max(8, Math.round(creditTotal / 6))));
  const issued: { activityId: bigint; input: CreditInput }[] = [];
  for (let k = 0; k < creditTotal; k++) {
    const v = volunteers[prng.int(volunteers.length)] as Person;
    const gig = GIG_WORKERS.has(v.occupation);
    const activityId = gig ? BigInt([1, 2, 4][prng.int(3)] as number) : BigInt([3, 4][prng.int(2)] as number);
    const minutes = 30 * (1 + prng.int(8));
    const day = activityId === 2n ? 156 + prng.int(4) : activityId === 4n ? 151 + prng.int(90) : prng.int(300);
    const d = new Date(Date.UTC(2026, 0, 1 + day));
    const input = {
      externalRef: nextRef("VOL"),
      volunteer: pseudonym("volunteers", `CN-ID:${v.idNumber}`),
      serviceMinutes: minutes,
      points: BigInt(minutes / 30) * 5n, // 5 points per half hour
      serviceDate: d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate(),
    };
    const list = creditsByActivity.get(activityId) ?? [];
    list.push(input);
    creditsByActivity.set(activityId, list);
  }
  const creditLeaves = new Map<Hex, Hex>();
  for (const [activityId, list] of [...creditsByActivity.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (let start = 0; start < list.length; start += CREDIT_BATCH) {
      const batch = list.slice(start, start + CREDIT_BATCH);
      const events = await send(credit.write.issueCredits([activityId, batch], operators.volunteers));
      events.forEach((e, j) => {
        const b = batch[j];
        if (b) {
          creditLeaves.set(b.externalRef, e.args.leaf);
          issued.push({ activityId, input: b });
        }
      });
      count("credits", batch.length);
    }
  }
  // Two sessions logged with the wrong minutes: reversed and issued again.
  const points = new Map<Hex, bigint>();
  for (const { input } of issued) points.set(input.volunteer, (points.get(input.volunteer) ?? 0n) + input.points);
  const corrected = new Set<Hex>();
  for (const { activityId, input } of issued.slice(-2)) {
    const leaf = creditLeaves.get(input.externalRef) as Hex;
    await send(credit.write.reverseCredit([input.externalRef, REASON.wrongAmount, leaf], operators.volunteers));
    count("creditCorrections");
    const fixed = { ...input, externalRef: nextRef("VOL"), serviceMinutes: 60, points: 10n };
    await send(credit.write.issueCredits([activityId, [fixed]], operators.volunteers));
    points.set(input.volunteer, (points.get(input.volunteer) ?? 0n) - input.points + fixed.points);
    corrected.add(input.externalRef);
    count("credits");
  }
  onStep(
    `issued ${counts.credits} volunteer credits to ${new Set(issued.map((c) => c.input.volunteer)).size} volunteers and corrected two`,
  );

  // Volunteers redeem points at the barber's, consenting with a key in their phone wallet that
  // the association enrolled by showing one of its own credits to them.
  const redeemers = [
    ...new Map(
      issued.filter((c) => !corrected.has(c.input.externalRef)).map((c) => [c.input.volunteer, c.input]),
    ).values(),
  ]
    .filter((c) => (points.get(c.volunteer) ?? 0n) >= 20n)
    .slice(0, 4);
  const services = ["理发服务一次", "洗剪吹一次", "老人上门理发一次", "理发服务一次"];
  for (const [i, c] of redeemers.entries()) {
    const consent = privateKeyToAccount(bytesToHex(sha256Bytes(new TextEncoder().encode(`consent ${seed} ${i}`))));
    await send(
      credit.write.setConsentKey(
        [c.volunteer, consent.address, c.externalRef, creditLeaves.get(c.externalRef) as Hex],
        operators.volunteers,
      ),
    );
    count("consentKeys");
    for (let r = 0; r < (i === 0 ? 2 : 1); r++) {
      const input = {
        volunteer: c.volunteer,
        points: 10n,
        externalRef: nextRef("RDM"),
        serviceHash: document(`${services[(i + r) % services.length]}（积分兑换单 ${ref}）`),
        deadline: 4_102_444_800n, // 2100-01-01
      };
      const digest = await credit.read.redeemDigest([input, orgIds.merchant]);
      await send(credit.write.redeem([input, await consent.sign({ hash: digest })], operators.merchant));
      count("redemptions");
    }
  }
  // Certificates (志愿服务证明): the document names the volunteer; only its hash is on chain.
  for (const [i, c] of redeemers.entries()) {
    const v = volunteers.find((p) => pseudonym("volunteers", `CN-ID:${p.idNumber}`) === c.volunteer);
    const minutes = issued
      .filter((x) => x.input.volunteer === c.volunteer)
      .reduce((n, x) => n + x.input.serviceMinutes, 0);
    const certificate = document(
      `志愿服务证明 编号 2026-${String(i + 1).padStart(4, "0")}\n兹证明 ${v?.name}（身份证 ${v?.idNumber}，${v?.occupation}）于 2026 年参加朝阳区志愿者协会组织的志愿服务，累计 ${minutes / 60} 小时。\n朝阳区志愿者协会`,
      true,
    );
    await send(credit.write.issueCertificate([c.volunteer, certificate, BigInt(minutes)], operators.volunteers));
    count("certificates");
  }
  onStep(
    `${counts.redemptions ?? 0} redemptions at the merchant with the volunteers' consent; ${counts.certificates ?? 0} certificates`,
  );

  // The enterprise's employee volunteer hours come last (no points: a CSR record).
  const staff = persons.filter((p) => p.occupation === "企业员工").slice(0, 12);
  const employees = staff.length > 0 ? staff : persons.slice(0, 4);
  const hours = employees.map((p) => ({
    externalRef: nextRef("CSRVOL"),
    volunteer: pseudonym("enterprise", `CN-ID:${p.idNumber}`),
    serviceMinutes: 240,
    points: 0n,
    serviceDate: 20260401,
  }));
  await send(credit.write.issueCredits([enterpriseActivity, hours], operators.enterprise));
  count("credits", hours.length);
  onStep("the enterprise recorded its employees' volunteer hours");

  return {
    orgs: ORGS.map((o) => ({ orgId: orgIds[o.key], name: o.name, creditCode: o.code })),
    campaigns,
    counts,
    receipts,
    documents,
    restrictedDocuments: [...restrictedDocuments],
    persons,
  };
}
