/** Names of entry kinds, categories, channels and organisation kinds in both languages. */
import type { Lang } from "./messages.ts";

const KINDS: Record<string, [zh: string, en: string]> = {
  writerSet: ["写入模块变更", "Writer module changed"],
  governanceChanged: ["治理变更", "Governance change"],
  orgAccredited: ["机构认证", "Organisation accredited"],
  orgSuspended: ["机构暂停", "Organisation suspended"],
  orgReinstated: ["机构恢复", "Organisation reinstated"],
  operatorAdded: ["新增操作密钥", "Operator key added"],
  operatorRevoked: ["撤销操作密钥", "Operator key revoked"],
  adminTransferStarted: ["管理员移交开始", "Admin transfer started"],
  adminTransferCancelled: ["管理员移交取消", "Admin transfer cancelled"],
  adminChanged: ["管理员变更", "Admin changed"],
  campaignOpened: ["募捐项目开启", "Campaign opened"],
  campaignClosed: ["募捐项目结束", "Campaign closed"],
  disclosurePublished: ["信息公开", "Disclosure published"],
  donationRecorded: ["捐赠", "Donation"],
  disbursementRecorded: ["拨付", "Disbursement"],
  recordReversed: ["更正（冲销）", "Correction (reversal)"],
  attestationRecorded: ["审计鉴证", "Attestation"],
  contributionClaimed: ["企业捐赠申报", "Contribution claimed"],
  activityRegistered: ["志愿活动登记", "Volunteer activity registered"],
  creditIssued: ["志愿服务记录", "Volunteer service recorded"],
  creditReversed: ["志愿记录更正", "Volunteer record corrected"],
  creditRedeemed: ["积分兑换", "Points redeemed"],
  certificateIssued: ["志愿服务证明", "Volunteer certificate"],
  consentKeySet: ["志愿者授权密钥", "Volunteer consent key"],
};

const CATEGORIES: Record<string, [string, string]> = {
  program: ["项目支出", "Programme"],
  administration: ["管理费用", "Administration"],
  fundraising: ["募捐成本", "Fundraising"],
  grant: ["资助其他机构", "Grants to organisations"],
  reversal: ["退款/冲销", "Refunds and reversals"],
  unspent: ["尚未使用", "Not yet spent"],
  disbursement: ["拨付", "Disbursement"],
};

const CHANNELS: Record<string, [string, string]> = {
  unspecified: ["未说明", "Unspecified"],
  bankTransfer: ["银行转账", "Bank transfer"],
  onlinePlatform: ["互联网募捐平台", "Online platform"],
  wechatPay: ["微信支付", "WeChat Pay"],
  alipay: ["支付宝", "Alipay"],
  cash: ["现金", "Cash"],
  cheque: ["支票", "Cheque"],
  other: ["其他", "Other"],
};

const ORG_KINDS: Record<string, [string, string]> = {
  charity: ["慈善组织", "Charity"],
  enterprise: ["企业", "Enterprise"],
  volunteerOrg: ["志愿服务组织", "Volunteer organisation"],
  merchant: ["商户/服务方", "Merchant"],
  auditor: ["审计机构", "Auditor"],
  regulator: ["监管部门", "Regulator"],
};

const DISCLOSURES: Record<string, [string, string]> = {
  progress: ["进展公开", "Progress report"],
  final: ["结项公开", "Final report"],
  annualWorkReport: ["年度工作报告", "Annual work report"],
  annualFinancialReport: ["年度财务报告", "Annual financial report"],
  majorAssetChange: ["重大资产变动", "Major asset change"],
  relatedPartyTransaction: ["关联交易", "Related-party transaction"],
  leftoverFunds: ["剩余财产处理", "Leftover funds"],
  correctionNotice: ["更正公告", "Correction notice"],
};

const OPINIONS: Record<string, [string, string]> = {
  unqualified: ["无保留意见", "Unqualified opinion"],
  qualified: ["保留意见", "Qualified opinion"],
  adverse: ["否定意见", "Adverse opinion"],
  disclaimer: ["无法表示意见", "Disclaimer of opinion"],
};

const pick = (table: Record<string, [string, string]>, key: string, lang: Lang) => {
  const pair = table[key];
  return pair ? pair[lang === "zh" ? 0 : 1] : key;
};

export const kindLabel = (kind: string, lang: Lang) => pick(KINDS, kind, lang);
export const categoryLabel = (category: string, lang: Lang) => pick(CATEGORIES, category, lang);
export const channelLabel = (channel: string, lang: Lang) => pick(CHANNELS, channel, lang);
export const orgKindLabel = (kind: string, lang: Lang) => pick(ORG_KINDS, kind, lang);
export const disclosureLabel = (kind: string, lang: Lang) => pick(DISCLOSURES, kind, lang);
export const opinionLabel = (opinion: string, lang: Lang) => pick(OPINIONS, opinion, lang);
