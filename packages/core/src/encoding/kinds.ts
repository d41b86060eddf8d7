/**
 * The numbers that name entry kinds and stream kinds in the canonical leaf encoding. They mirror
 * contracts/libraries/Entries.sol; a test checks that both agree. Never renumber, only add.
 */

export const LEAF_VERSION = 1;

/** `prevIndex` of the first entry of a stream (2^64 - 1 on chain), decoded as `null`. */
export const NO_PREVIOUS = 0xffff_ffff_ffff_ffffn;

export const entryKind = {
  writerSet: 1,
  governanceChanged: 2,
  orgAccredited: 10,
  orgSuspended: 11,
  orgReinstated: 12,
  operatorAdded: 13,
  operatorRevoked: 14,
  adminTransferStarted: 15,
  adminTransferCancelled: 16,
  adminChanged: 17,
  campaignOpened: 30,
  campaignClosed: 31,
  disclosurePublished: 32,
  donationRecorded: 33,
  disbursementRecorded: 34,
  recordReversed: 35,
  attestationRecorded: 36,
  contributionClaimed: 37,
  activityRegistered: 60,
  creditIssued: 61,
  creditReversed: 62,
  creditRedeemed: 63,
  certificateIssued: 64,
  consentKeySet: 65,
} as const;

export type EntryKindName = keyof typeof entryKind;

export const streamKind = {
  governance: 0,
  org: 1,
  campaign: 2,
  record: 3,
  volunteer: 4,
  activity: 5,
} as const;

export type StreamKindName = keyof typeof streamKind;

/** Actions of a governanceChanged entry (contracts/base/RecordedAdminRules.sol). */
export const governanceAction = {
  roleGranted: 1,
  roleRevoked: 2,
  adminTransferBegun: 3,
  adminTransferCancelled: 4,
  delayChangeBegun: 5,
  delayChangeRolledBack: 6,
} as const;

/** IRegistry.OrgKind */
export const orgKind = {
  charity: 1,
  enterprise: 2,
  volunteerOrg: 3,
  merchant: 4,
  auditor: 5,
  regulator: 6,
} as const;

/** ICharityLedger.Category */
export const disbursementCategory = { program: 1, administration: 2, fundraising: 3 } as const;

/** ICharityLedger.DonorKind */
export const donorKind = { receipt: 0, organisation: 1 } as const;

/** ICharityLedger.PayeeKind */
export const payeeKind = { external: 0, organisation: 1 } as const;

/** Donation channels, 0..CHANNEL_COUNT-1 in CharityLedger. */
export const donationChannel = {
  unspecified: 0,
  bankTransfer: 1,
  onlinePlatform: 2,
  wechatPay: 3,
  alipay: 4,
  cash: 5,
  cheque: 6,
  other: 7,
} as const;

/** Disclosure kinds, 1..DISCLOSURE_KIND_COUNT in CharityLedger. */
export const disclosureKind = {
  progress: 1,
  final: 2,
  annualWorkReport: 3,
  annualFinancialReport: 4,
  majorAssetChange: 5,
  relatedPartyTransaction: 6,
  leftoverFunds: 7,
  correctionNotice: 8,
} as const;

/** Attestation opinions, 1..OPINION_COUNT in CharityLedger. */
export const attestationOpinion = { unqualified: 1, qualified: 2, adverse: 3, disclaimer: 4 } as const;
