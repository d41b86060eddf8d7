/**
 * Answers of the domain routes as the portal reads them. Written by hand from the routes' TypeBox
 * schemas (packages/api/src/routes/*.ts), which declare them inline rather than export them; when
 * they are exported, these become `Static<typeof …>` like types.ts.
 */
import type { LedgerMeta } from "./types.ts";

export type Proof = { index: string; treeSize: string; root: string; inclusion: string[]; blockNumber: string };
export type Proven = { leaf: string; proof: Proof };
export type EvidenceLink = { sha256: string; url: string };
export type Category = "program" | "administration" | "fundraising";

export type CampaignSummary = {
  campaignId: string;
  orgId: string;
  orgName: string | null;
  currency: string;
  target: string;
  startTime: string;
  endTime: string | null;
  filingNumber: string | null;
  description: EvidenceLink;
  status: "open" | "closed";
  openedIndex: string;
  closedIndex: string | null;
  closedAt: string | null;
  raised: string;
  balance: string;
  entryCount: string;
};

export type TraceStep = Proven & {
  depth: number;
  campaignId: string;
  orgId: string | null;
  orgName: string | null;
  sourceIndex: string;
  entryIndex: string;
  kind: "disbursement" | "grant" | "reversal" | "unspent";
  amount: string;
  category?: Category;
  evidence: EvidenceLink[];
};

export type Donation = Proven & {
  index: string;
  time: string;
  campaignId: string;
  orgId: string;
  orgName: string | null;
  amount: string;
  currency: string;
  channel: string;
  earmark: string | null;
  inKind: EvidenceLink | null;
  reversal: (Proven & { index: string; time: string; reason: number }) | null;
  trace: TraceStep[];
};

export type DonationLookup = { commitment: string; donations: Donation[]; ledger: LedgerMeta };

export type OrgSummary = {
  orgId: string;
  kind: string;
  name: string;
  creditCode: string;
  status: string;
};

export type ManagementCost = {
  administration: string;
  total: string;
  ratio: string | null;
  limit: string;
  exemptBelow: string | null;
  policySource: "org" | "orgKind" | "foundation" | "default";
  exceedsLimit: boolean;
};

export type CampaignDetail = CampaignSummary & {
  purposeTags: string[];
  totals: {
    received: string;
    grantsIn: string;
    reversedDonations: string;
    reversedGrantsIn: string;
    spent: { program: string; administration: string; fundraising: string };
    reversedDisbursements: string;
    balance: string;
  };
  managementCost: ManagementCost;
  disclosures: {
    asOf: string;
    overdue: boolean;
    timeline: {
      index: string;
      time: string;
      kind: string;
      report: EvidenceLink;
      periodStart: string;
      periodEnd: string;
    }[];
    obligations: {
      obligation: "progress" | "final";
      dueAt: string;
      status: "met" | "late" | "overdue" | "pending";
      disclosedAt: string | null;
      disclosureIndex: string | null;
    }[];
  };
  attestations: {
    index: string;
    time: string;
    orgId: string;
    orgName: string | null;
    opinion: string;
    report: EvidenceLink;
    coversToIndex: string;
  }[];
  ledger: LedgerMeta;
};

export type CampaignEntry = {
  index: string;
  time: string;
  kind: string;
  actorOrg: string;
  entry: Record<string, unknown> & { type: string };
  reversedBy: { index: string; time: string; reason: number } | null;
};

export type Page<T> = { items: T[]; nextCursor: string | null; ledger: LedgerMeta };

export type FlowNode = {
  id: string;
  kind: "donors" | "orgDonor" | "grantSource" | "campaign" | "spending" | "unspent" | "reversed";
  label: string;
  depth: number;
  campaignId?: string;
  orgId?: string;
  category?: Category;
};

export type CampaignFlow = {
  campaignId: string;
  currency: string;
  nodes: FlowNode[];
  links: { source: string; target: string; amount: string }[];
  truncated: boolean;
  ledger: LedgerMeta;
};
