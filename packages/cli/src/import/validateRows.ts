/**
 * Validates every row of an import before anything is sent, and turns the valid ones into the
 * records the contracts take. Every problem is reported, not just the first: the row (as a
 * spreadsheet numbers it), the column, the value and the reason in plain words. Checks that need
 * the chain (the campaign exists, is yours, is open, has that purpose; the activity is yours; a
 * donor or payee organisation is accredited) read it at one pinned block.
 */
import { hash } from "node:crypto";
import { setImmediate } from "node:timers/promises";
import { donationChannel, isCurrencyCode, parseAmount, toDecimalString } from "@shanji/core";
import type { Hex } from "viem";
import {
  dateNumber,
  formatDate,
  type Parsed,
  parseCount,
  parseDate,
  parseId,
  pseudonym,
  purposeTag,
} from "../common/parse.ts";
import { type EvidenceFile, loadEvidenceFile } from "./evidenceFile.ts";
import type { LedgerFacts } from "./ledgerFacts.ts";
import type { CsvRow } from "./readCsv.ts";
import { type ColumnSpec, type ImportKind, templates } from "./templates.ts";

/** An ISO 4217 code that @shanji/core knows. */
type CurrencyCode = Parameters<typeof parseAmount>[1];

export type RowError = { row: number; column: string; header: string; value: string; reason: string };

type Base = { row: number; rowId: string; externalRef: Hex };
export type DonationRecord = Base & {
  kind: "donations";
  campaignId: bigint;
  currency: CurrencyCode;
  amount: bigint;
  channel: number;
  purposeTag: Hex;
  donorOrg: bigint;
  inKind: EvidenceFile | undefined;
  claimId: bigint;
  date: string;
  donorName: string;
};
export type DisbursementRecord = Base & {
  kind: "disbursements";
  campaignId: bigint;
  currency: CurrencyCode;
  amount: bigint;
  category: number;
  payeeKind: 0 | 1;
  payee: Hex;
  payeeCampaignId: bigint;
  purposeTag: Hex;
  evidence: EvidenceFile[];
};
export type CreditRecord = Base & {
  kind: "credits";
  activityId: bigint;
  volunteer: Hex;
  minutes: number;
  points: bigint;
  serviceDate: number;
};
export type ImportRecord = DonationRecord | DisbursementRecord | CreditRecord;

export type ValidateRowsParameters = {
  kind: ImportKind;
  rows: CsvRow[];
  /** externalRefOf(kind, row id) of the row ids, where the caller has them already. */
  refs?: ReadonlyMap<string, Hex>;
  /** The importing organisation (the operator key's). */
  orgId: bigint;
  facts: LedgerFacts;
  /** Relative evidence paths are relative to this folder (the CSV's). */
  baseDir: string;
  /** Needed when rows name people (credits, external payees). */
  pseudonymKey: () => Promise<Uint8Array>;
  /** Today as YYYYMMDD, for refusing service dates in the future. */
  today: number;
};

export type ValidateRowsReturnType = { records: ImportRecord[]; errors: RowError[] };

const ZERO32 = `0x${"00".repeat(32)}` as Hex;

/** externalRef of a row: SHA-256 of the kind and the organisation's own row id, so a re-run sends the same refs. */
export function externalRefOf(kind: ImportKind, rowId: string): Hex {
  // crypto.hash, Node's one-shot digest: half the time of createHash().update().digest() per row.
  return `0x${hash("sha256", `shanji-import/v1\u0000${kind}\u0000${rowId}`, "hex")}`;
}

const CHANNELS: Record<string, number> = {
  unspecified: donationChannel.unspecified,
  bank_transfer: donationChannel.bankTransfer,
  bank: donationChannel.bankTransfer,
  银行转账: donationChannel.bankTransfer,
  online_platform: donationChannel.onlinePlatform,
  网络平台: donationChannel.onlinePlatform,
  互联网募捐平台: donationChannel.onlinePlatform,
  wechat_pay: donationChannel.wechatPay,
  wechat: donationChannel.wechatPay,
  微信: donationChannel.wechatPay,
  微信支付: donationChannel.wechatPay,
  alipay: donationChannel.alipay,
  支付宝: donationChannel.alipay,
  cash: donationChannel.cash,
  现金: donationChannel.cash,
  cheque: donationChannel.cheque,
  check: donationChannel.cheque,
  支票: donationChannel.cheque,
  other: donationChannel.other,
  其他: donationChannel.other,
};

const CATEGORIES: Record<string, number> = {
  program: 1,
  项目支出: 1,
  administration: 2,
  admin: 2,
  管理费用: 2,
  fundraising: 3,
  募捐成本: 3,
};

const MAX_U128 = 2n ** 128n - 1n;
/** Rows validated between two turns of the event loop (a few milliseconds' work). */
const YIELD_EVERY = 500;
const MAX_EVIDENCE = 16;

export async function validateRows(p: ValidateRowsParameters): Promise<ValidateRowsReturnType> {
  const specs = new Map(templates[p.kind].map((s) => [s.key, s] as const));
  const errors: RowError[] = [];
  const records: ImportRecord[] = [];
  const seen = new Map<string, number>();
  const evidenceCache = new Map<string, Parsed<EvidenceFile>>();
  // What most rows repeat, kept here once known: a campaign's facts (which then need no await,
  // each a promise and a turn of the microtask queue) and a date's reading.
  const campaigns = new Map<bigint, Awaited<ReturnType<LedgerFacts["campaign"]>>>();
  const dates = new Map<string, ReturnType<typeof parseDate>>();
  const dateOf = (text: string) => {
    let date = dates.get(text);
    if (date === undefined) {
      date = parseDate(text);
      dates.set(text, date);
    }
    return date;
  };
  let key: Uint8Array | undefined;
  const pseudonymKey = async () => {
    key ??= await p.pseudonymKey();
    return key;
  };

  for (const [i, { row, cells }] of p.rows.entries()) {
    // Most rows await nothing, or facts already read, which resolve as microtasks and never let the
    // event loop run: without a turn now and then, what runs beside the validation (the check of
    // which rows are recorded, the key's unlocking) would wait for all of it to end.
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await setImmediate();
    let bad = false;
    const fail = (column: string, reason: string) => {
      const spec = specs.get(column) as ColumnSpec;
      errors.push({ row, column: spec.en, header: spec.zh, value: cells[column] ?? "", reason });
      bad = true;
    };
    const rowId = cells.rowId ?? "";
    if (rowId === "") fail("rowId", "the row id is empty; every row needs the id it has in your system");
    else if (rowId.length > 200) fail("rowId", "the row id is longer than 200 characters");
    else if (seen.has(rowId)) fail("rowId", `row id ${rowId} already appears in row ${seen.get(rowId)}`);
    else seen.set(rowId, row);
    const externalRef = p.refs?.get(rowId) ?? externalRefOf(p.kind, rowId);

    if (p.kind === "credits") {
      const activity = parseId(cells.activity ?? "", "activity id");
      let activityId = 0n;
      if (!activity.ok) fail("activity", activity.reason);
      else {
        activityId = activity.value;
        const owner = await p.facts.activityOrg(activityId);
        if (owner === 0n) fail("activity", `activity ${activityId} does not exist`);
        else if (owner !== p.orgId)
          fail("activity", `activity ${activityId} belongs to organisation ${owner}, not to yours (${p.orgId})`);
      }
      const identity = cells.volunteer ?? "";
      if (identity === "") fail("volunteer", "the volunteer is empty");
      const minutes = parseCount(cells.minutes ?? "", "minutes", 4_294_967_295n);
      if (!minutes.ok) fail("minutes", minutes.reason);
      const points = parseCount(cells.points ?? "", "points", 2n ** 64n - 1n);
      if (!points.ok) fail("points", points.reason);
      if (minutes.ok && points.ok && minutes.value === 0n && points.value === 0n) {
        fail("minutes", "a credit needs minutes of service or points (both are empty or 0)");
      }
      const date = dateOf(cells.date ?? "");
      let serviceDate = 0;
      if (!date.ok) fail("date", date.reason);
      else {
        serviceDate = dateNumber(date.value);
        if (serviceDate > p.today) fail("date", `${formatDate(date.value)} is in the future`);
      }
      if (bad || !minutes.ok || !points.ok) continue;
      records.push({
        kind: "credits",
        row,
        rowId,
        externalRef,
        activityId,
        volunteer: pseudonym(await pseudonymKey(), identity),
        minutes: Number(minutes.value),
        points: points.value,
        serviceDate,
      });
      continue;
    }

    // Donations and disbursements: a campaign of this organisation, an amount in its currency.
    const campaign = parseId(cells.campaign ?? "", "campaign id");
    let campaignId = 0n;
    let currency: CurrencyCode | undefined;
    if (!campaign.ok) fail("campaign", campaign.reason);
    else {
      campaignId = campaign.value;
      let c = campaigns.get(campaignId);
      if (c === undefined) {
        c = await p.facts.campaign(campaignId);
        campaigns.set(campaignId, c);
      }
      if (!c) fail("campaign", `campaign ${campaignId} does not exist`);
      else if (c.orgId !== p.orgId)
        fail("campaign", `campaign ${campaignId} belongs to organisation ${c.orgId}, not to yours (${p.orgId})`);
      else if (p.kind === "donations" && !c.open) fail("campaign", `campaign ${campaignId} is closed to donations`);
      else if (isCurrencyCode(c.currency)) currency = c.currency;
    }
    const currencyCell = (cells.currency ?? "").toUpperCase();
    if (currencyCell !== "") {
      if (!isCurrencyCode(currencyCell))
        fail("currency", `"${cells.currency}" is not an ISO 4217 currency code such as CNY`);
      else if (currency && currencyCell !== currency)
        fail("currency", `campaign ${campaignId} is in ${currency}, not ${currencyCell}`);
      else currency ??= currencyCell;
    }
    let amount = 0n;
    try {
      amount = parseAmount(cells.amount ?? "", currency ?? "CNY");
      if (amount === 0n) fail("amount", "the amount is zero");
      else if (amount > MAX_U128) fail("amount", "the amount is too large");
    } catch (error) {
      fail("amount", (error as Error).message.replace(/\.$/, ""));
    }
    const date = cells.date ? dateOf(cells.date) : undefined;
    if (date && !date.ok) fail("date", date.reason);

    let tag = ZERO32;
    if (cells.purpose) {
      tag = purposeTag(cells.purpose);
      if (campaign.ok && currency && !(await p.facts.hasPurpose(campaignId, tag))) {
        fail("purpose", `"${cells.purpose}" is not a purpose of campaign ${campaignId}`);
      }
    }

    if (p.kind === "donations") {
      let channel: number = donationChannel.unspecified;
      if (cells.channel) {
        const c = CHANNELS[cells.channel.toLowerCase().replace(/[\s-]+/g, "_")];
        if (c === undefined)
          fail(
            "channel",
            `"${cells.channel}" is not a channel; use bank_transfer, online_platform, wechat_pay, alipay, cash, cheque or other`,
          );
        else channel = c;
      }
      let donorOrg = 0n;
      if (cells.donorOrg) {
        const id = parseId(cells.donorOrg, "organisation id");
        if (!id.ok) fail("donorOrg", id.reason);
        else if (id.value === p.orgId) fail("donorOrg", "an organisation cannot donate to itself");
        else if (!(await p.facts.org(id.value))) fail("donorOrg", `organisation ${id.value} is not accredited`);
        else donorOrg = id.value;
      }
      let claimId = 0n;
      if (cells.claim) {
        const id = parseId(cells.claim, "claim id");
        if (!id.ok) fail("claim", id.reason);
        else if (!cells.donorOrg)
          fail("claim", "a claim is confirmed by a donation from the claiming organisation: fill donor_org too");
        else claimId = id.value;
      }
      let inKind: EvidenceFile | undefined;
      if (cells.inKind) {
        const file = await loadEvidenceFile(cells.inKind, p.baseDir, evidenceCache);
        if (!file.ok) fail("inKind", file.reason);
        else inKind = file.value;
      }
      if (bad || !currency) continue;
      records.push({
        kind: "donations",
        row,
        rowId,
        externalRef,
        campaignId,
        currency,
        amount,
        channel,
        purposeTag: tag,
        donorOrg,
        inKind,
        claimId,
        date: date?.ok ? formatDate(date.value) : "",
        donorName: cells.donorName ?? "",
      });
      continue;
    }

    // Disbursements.
    const category = CATEGORIES[(cells.category ?? "").toLowerCase()];
    if (category === undefined) {
      fail(
        "category",
        cells.category
          ? `"${cells.category}" is not a category; use program, administration or fundraising (项目支出, 管理费用, 募捐成本)`
          : "the category is empty; use program, administration or fundraising",
      );
    }
    let payeeKind: 0 | 1 = 0;
    let payee = ZERO32;
    let payeeCampaignId = 0n;
    if (cells.payee && cells.payeeOrg)
      fail("payeeOrg", "fill either payee (an external payee) or payee_org (a registered organisation), not both");
    else if (cells.payeeOrg) {
      payeeKind = 1;
      const id = parseId(cells.payeeOrg, "organisation id");
      const target = parseId(cells.payeeCampaign ?? "", "campaign id");
      if (!id.ok) fail("payeeOrg", id.reason);
      else {
        const o = await p.facts.org(id.value);
        if (!o) fail("payeeOrg", `organisation ${id.value} is not accredited`);
        else if (!o.active) fail("payeeOrg", `organisation ${id.value} is suspended and cannot receive a grant`);
        payee = `0x${id.value.toString(16).padStart(64, "0")}`;
      }
      if (!cells.payeeCampaign) fail("payeeCampaign", "a grant names the payee's campaign that receives it");
      else if (!target.ok) fail("payeeCampaign", target.reason);
      else if (id.ok) {
        payeeCampaignId = target.value;
        const c = await p.facts.campaign(target.value);
        if (!c) fail("payeeCampaign", `campaign ${target.value} does not exist`);
        else if (c.orgId !== id.value)
          fail("payeeCampaign", `campaign ${target.value} belongs to organisation ${c.orgId}, not to ${id.value}`);
        else if (!c.open) fail("payeeCampaign", `campaign ${target.value} is closed`);
        else if (currency && c.currency !== currency)
          fail("payeeCampaign", `campaign ${target.value} is in ${c.currency}, not ${currency}`);
        else if (target.value === campaignId) fail("payeeCampaign", "a campaign cannot pay a grant to itself");
      }
    } else if (cells.payee) {
      payee = pseudonym(await pseudonymKey(), cells.payee);
    } else {
      fail("payee", "the payee is empty; fill payee (an external payee) or payee_org (a registered organisation)");
    }
    const evidence: EvidenceFile[] = [];
    const names = (cells.evidence ?? "")
      .split(/[;；|]/)
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (names.length > MAX_EVIDENCE)
      fail("evidence", `${names.length} evidence files; at most ${MAX_EVIDENCE} per disbursement`);
    for (const name of names) {
      const file = await loadEvidenceFile(name, p.baseDir, evidenceCache);
      if (!file.ok) fail("evidence", file.reason);
      else if (!evidence.some((e) => e.sha256 === file.value.sha256)) evidence.push(file.value);
    }
    if (category === 1 && names.length === 0)
      fail("evidence", "program spending (项目支出) needs at least one evidence file");
    if (bad || !currency || category === undefined) continue;
    records.push({
      kind: "disbursements",
      row,
      rowId,
      externalRef,
      campaignId,
      currency,
      amount,
      category,
      payeeKind,
      payee,
      payeeCampaignId,
      purposeTag: tag,
      evidence,
    });
  }
  return { records, errors };
}

/**
 * Disbursements must not take a campaign below zero: checked over the rows still to send, in file
 * order, against the balance read from the chain (grants into a campaign in the same file are not
 * counted as income, to stay on the safe side).
 */
export async function checkBalances(records: DisbursementRecord[], facts: LedgerFacts): Promise<RowError[]> {
  const spent = new Map<bigint, bigint>();
  const errors: RowError[] = [];
  const spec = templates.disbursements.find((s) => s.key === "amount") as ColumnSpec;
  for (const r of records) {
    const c = await facts.campaign(r.campaignId);
    if (!c) continue;
    const total = (spent.get(r.campaignId) ?? 0n) + r.amount;
    spent.set(r.campaignId, total);
    if (total > c.balance) {
      errors.push({
        row: r.row,
        column: spec.en,
        header: spec.zh,
        value: toDecimalString(r.amount, r.currency),
        reason: `campaign ${r.campaignId} holds ${toDecimalString(c.balance, r.currency)} ${r.currency}; with this row its disbursements in the file come to ${toDecimalString(total, r.currency)} ${r.currency}`,
      });
    }
  }
  return errors;
}
