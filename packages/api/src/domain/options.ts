/**
 * The rules the domain routes judge the ledger by, which differ from one organisation to another
 * and are not on chain: the management-cost policy and the threshold of a "large" donation. Each
 * has a documented default and can be replaced per organisation kind or per organisation with
 * createApp's `domain` option. The defaults are *configurable* defaults, not the law: the real
 * limit of an organisation depends on its status and net assets (DOMAIN.md).
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { orgKind } from "@shanji/core";
import type { Hex } from "viem";
import { type Fraction, parseFraction } from "./ratio.ts";

/** How much of an organisation's spending may go to administration (管理费用). */
export type ManagementCostPolicy = {
  /** The largest share of administration in total spending, as a decimal fraction: "0.10". */
  limit: string;
  /**
   * Per currency, in minor units: a year whose administration spending stays below this is exempt
   * from the limit (the rules exempt management costs under ¥200,000 for most kinds).
   */
  exemptBelow?: Partial<Record<string, bigint>>;
};

export type ManagementCostPolicies = {
  /** Every organisation no other entry names. Default: 13%, exempt below ¥200,000 a year. */
  default?: ManagementCostPolicy;
  /** Foundations (基金会: credit code starting "53"). Default: 10%, no exemption. */
  foundation?: ManagementCostPolicy;
  /** Per organisation kind ("charity", "volunteerOrg", …): before the two above. */
  byOrgKind?: Partial<Record<OrgKindName, ManagementCostPolicy>>;
  /** Per organisation id (decimal string): before everything else. */
  byOrg?: Record<string, ManagementCostPolicy>;
};

export type DomainOptions = {
  managementCost?: ManagementCostPolicies;
  /**
   * A donation at or above this amount (per currency, minor units) is a "large donation" alert.
   * Replaces the default as a whole: { CNY: ¥500,000, USD: $100,000 }, the thresholds above which
   * banks report a person's transfer as a large-value transaction to the PBOC (中国人民银行令〔2016〕
   * 第3号): money of that size from one donor is what a regulator checks for its source.
   * Currencies without a threshold are never flagged.
   */
  largeDonation?: Partial<Record<string, bigint>>;
  /**
   * Whether the evidence store holds the file with this SHA-256 (0x-hex). Default: a file named
   * after the hash (hex, no 0x) in `<dataDir>/evidence`, where uploads and the demo's documents go.
   */
  evidenceExists?: (sha256: Hex) => Promise<boolean>;
};

export type OrgKindName = keyof typeof orgKind;

/** A policy ready to compare with: the limit as an exact fraction. */
export type ResolvedPolicy = {
  limit: string;
  fraction: Fraction;
  exemptBelow: Partial<Record<string, bigint>>;
  /** Which setting chose it. */
  source: "org" | "orgKind" | "foundation" | "default";
};

export type DomainRules = {
  policyFor(org: { orgId: bigint; kind: number; creditCode: string }): ResolvedPolicy;
  largeDonation: ReadonlyMap<string, bigint>;
  evidenceExists(sha256: Hex): Promise<boolean>;
};

export const DEFAULT_MANAGEMENT_COST: Required<Pick<ManagementCostPolicies, "default" | "foundation">> = {
  // The strictest tier for social organisations and foundations without public fundraising.
  default: { limit: "0.13", exemptBelow: { CNY: 20_000_000n } },
  // Foundations with public-fundraising status: at most 10% of the year's total spending.
  foundation: { limit: "0.10" },
};

export const DEFAULT_LARGE_DONATION: Readonly<Record<string, bigint>> = { CNY: 50_000_000n, USD: 10_000_000n };

declare module "fastify" {
  interface FastifyInstance {
    /** The domain routes' rules (createApp's `domain` option over the defaults). */
    shanjiRules: DomainRules;
  }
}

const kindNames = new Map<number, OrgKindName>(
  Object.entries(orgKind).map(([name, value]) => [value, name as OrgKindName]),
);

export const orgKindName = (kind: number): OrgKindName | undefined => kindNames.get(kind);

/** Checks the options once, at startup: a malformed limit fails createApp, not a request. */
export function createDomainRules(options: DomainOptions = {}, dataDir: string): DomainRules {
  const resolve = (policy: ManagementCostPolicy, source: ResolvedPolicy["source"], where: string): ResolvedPolicy => {
    const fraction = parseFraction(policy.limit);
    if (!fraction) throw new Error(`domain.managementCost.${where}.limit: "${policy.limit}" is not a decimal fraction`);
    return { limit: policy.limit, fraction, exemptBelow: { ...(policy.exemptBelow ?? {}) }, source };
  };
  const m = options.managementCost ?? {};
  const byDefault = resolve(m.default ?? DEFAULT_MANAGEMENT_COST.default, "default", "default");
  const foundation = resolve(m.foundation ?? DEFAULT_MANAGEMENT_COST.foundation, "foundation", "foundation");
  const byKind = new Map<string, ResolvedPolicy>(
    Object.entries(m.byOrgKind ?? {}).map(([k, p]) => [k, resolve(p as ManagementCostPolicy, "orgKind", k)]),
  );
  const byOrg = new Map<string, ResolvedPolicy>(
    Object.entries(m.byOrg ?? {}).map(([id, p]) => [id, resolve(p, "org", `byOrg.${id}`)]),
  );
  const evidenceDir = join(dataDir, "evidence");
  return {
    policyFor({ orgId, kind, creditCode }) {
      const name = orgKindName(kind);
      return (
        byOrg.get(orgId.toString()) ??
        (name === undefined ? undefined : byKind.get(name)) ??
        (creditCode.startsWith("53") ? foundation : byDefault)
      );
    },
    largeDonation: new Map(Object.entries(options.largeDonation ?? DEFAULT_LARGE_DONATION) as [string, bigint][]),
    evidenceExists:
      options.evidenceExists ??
      ((sha256) =>
        access(join(evidenceDir, sha256.slice(2).toLowerCase())).then(
          () => true,
          () => false,
        )),
  };
}
