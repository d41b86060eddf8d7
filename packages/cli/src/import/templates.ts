/**
 * The CSV templates of `shanji import`: for each kind of file, its columns with an English and a
 * Chinese header (either is accepted, in any order, with or without a UTF-8 BOM), whether the column
 * is required, and what it holds. `shanji import template KIND` prints a template; README.md shows
 * the same tables.
 */

export type ImportKind = "donations" | "disbursements" | "credits";

export type ColumnSpec = {
  key: string;
  /** English header (also the JSON name of the column in reports). */
  en: string;
  zh: string;
  /** Other headers seen in exports of finance and volunteer systems. */
  aliases?: readonly string[];
  required: boolean;
  help: string;
  example: string;
};

const rowId = (zh: string, example: string): ColumnSpec => ({
  key: "rowId",
  en: "row_id",
  zh,
  aliases: ["ref", "id", "voucher", "voucher_no", "凭证编号", "单据号", "流水号", "编号"],
  required: true,
  help: "the row's own id in your finance or volunteer system (voucher number); unique in the file. It makes a re-run record nothing twice",
  example,
});

export const templates: Record<ImportKind, readonly ColumnSpec[]> = {
  donations: [
    rowId("凭证号", "2026-DON-000123"),
    {
      key: "campaign",
      en: "campaign",
      zh: "项目编号",
      aliases: ["campaign_id"],
      required: true,
      help: "the campaign's id on the ledger (or give --campaign ID for the whole file)",
      example: "1",
    },
    {
      key: "amount",
      en: "amount",
      zh: "金额",
      required: true,
      help: "in major units: 1234.56 or 1,234.56 (for an in-kind donation, its valuation)",
      example: "1,234.56",
    },
    {
      key: "currency",
      en: "currency",
      zh: "币种",
      required: false,
      help: "ISO 4217 code; must be the campaign's (default: the campaign's)",
      example: "CNY",
    },
    {
      key: "date",
      en: "date",
      zh: "日期",
      aliases: ["捐赠日期"],
      required: false,
      help: "the day of the gift, 2026-11-26 or 2026/11/26 (kept in the receipt file, not on chain)",
      example: "2026/11/26",
    },
    {
      key: "channel",
      en: "channel",
      zh: "渠道",
      aliases: ["支付方式"],
      required: false,
      help: "bank_transfer 银行转账, online_platform 网络平台, wechat_pay 微信支付, alipay 支付宝, cash 现金, cheque 支票, other 其他",
      example: "wechat_pay",
    },
    {
      key: "purpose",
      en: "purpose",
      zh: "定向用途",
      required: false,
      help: "for an earmarked (定向) gift: one of the campaign's purposes (its label, or its 0x tag)",
      example: "elderly",
    },
    {
      key: "donorOrg",
      en: "donor_org",
      zh: "捐赠机构",
      required: false,
      help: "the donor organisation's id on the ledger, for a gift from a registered organisation (then no receipt code)",
      example: "5",
    },
    {
      key: "donorName",
      en: "donor_name",
      zh: "捐赠人",
      aliases: ["姓名"],
      required: false,
      help: "the donor's name: written only to the receipt file, never on chain",
      example: "张三",
    },
    {
      key: "inKind",
      en: "in_kind_description",
      zh: "物资说明",
      aliases: ["in_kind"],
      required: false,
      help: "for an in-kind gift (物资捐赠): path of the file describing the items; its SHA-256 is recorded and the file uploaded",
      example: "items/2026-DON-000123.txt",
    },
    {
      key: "claim",
      en: "claim",
      zh: "认领编号",
      aliases: ["claim_id"],
      required: false,
      help: "the enterprise contribution claim this gift confirms",
      example: "",
    },
  ],
  disbursements: [
    rowId("凭证号", "2026-PAY-000045"),
    {
      key: "campaign",
      en: "campaign",
      zh: "项目编号",
      aliases: ["campaign_id"],
      required: true,
      help: "the paying campaign's id (or --campaign ID)",
      example: "1",
    },
    { key: "amount", en: "amount", zh: "金额", required: true, help: "1234.56 or 1,234.56", example: "12,800.00" },
    {
      key: "currency",
      en: "currency",
      zh: "币种",
      required: false,
      help: "must be the campaign's (default: the campaign's)",
      example: "CNY",
    },
    {
      key: "date",
      en: "date",
      zh: "日期",
      aliases: ["支出日期"],
      required: false,
      help: "the day of payment (checked, not on chain)",
      example: "2026-11-26",
    },
    {
      key: "category",
      en: "category",
      zh: "支出类别",
      aliases: ["类别"],
      required: true,
      help: "program 项目支出, administration 管理费用, fundraising 募捐成本",
      example: "program",
    },
    {
      key: "payee",
      en: "payee",
      zh: "收款方",
      required: false,
      help: "an external payee's identity (company name, or a person's ID): recorded only as a keyed pseudonym",
      example: "北京暖冬商贸有限公司",
    },
    {
      key: "payeeOrg",
      en: "payee_org",
      zh: "收款机构",
      required: false,
      help: "instead of payee: a registered organisation's id (a grant)",
      example: "",
    },
    {
      key: "payeeCampaign",
      en: "payee_campaign",
      zh: "收款项目",
      required: false,
      help: "for a grant: the payee's campaign that receives it",
      example: "",
    },
    {
      key: "purpose",
      en: "purpose",
      zh: "用途",
      aliases: ["定向用途"],
      required: false,
      help: "the restricted purpose this spending serves (label or 0x tag)",
      example: "elderly",
    },
    {
      key: "evidence",
      en: "evidence",
      zh: "凭证文件",
      aliases: ["附件"],
      required: false,
      help: "paths of invoices, contracts, photos, separated by ';' (at least one for program spending); uploaded, their SHA-256 recorded",
      example: "invoices/0045.pdf;photos/0045.jpg",
    },
  ],
  credits: [
    rowId("记录号", "VS-2026-0001"),
    {
      key: "activity",
      en: "activity",
      zh: "活动编号",
      aliases: ["activity_id"],
      required: true,
      help: "the activity's id on the ledger (or --activity ID)",
      example: "1",
    },
    {
      key: "volunteer",
      en: "volunteer",
      zh: "志愿者",
      aliases: ["志愿者编号", "volunteer_id"],
      required: true,
      help: "the volunteer's identity in your system (e.g. CN-ID:110105…): recorded only as a keyed pseudonym",
      example: "CN-ID:110105199001011234",
    },
    {
      key: "minutes",
      en: "minutes",
      zh: "服务时长（分钟）",
      aliases: ["服务时长(分钟)", "服务时长", "service_minutes"],
      required: false,
      help: "actual service time in whole minutes",
      example: "120",
    },
    { key: "points", en: "points", zh: "积分", required: false, help: "points earned (whole number)", example: "20" },
    {
      key: "date",
      en: "date",
      zh: "服务日期",
      aliases: ["日期"],
      required: true,
      help: "the day of service, 2026-11-26 or 2026/11/26",
      example: "2026/11/26",
    },
  ],
};

/** A template file: the header row (English or Chinese) and one example row. */
export function templateCsv(kind: ImportKind, language: "en" | "zh"): string {
  const columns = templates[kind];
  const cell = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  return `${columns.map((c) => cell(language === "en" ? c.en : c.zh)).join(",")}\n${columns.map((c) => cell(c.example)).join(",")}\n`;
}

export function normalizeHeader(text: string): string {
  return text
    .replace(/^\uFEFF/, "")
    .trim()
    .toLowerCase()
    .replace(/[\s_\-（）()]+/g, "");
}

/** "amount (金额)", as reports name a column. */
export function columnLabel(spec: ColumnSpec): string {
  return `${spec.en} (${spec.zh})`;
}
