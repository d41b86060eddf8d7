/**
 * What the validation of an import asks the chain (once per id, cached): campaigns, activities,
 * organisations and campaign purposes, read with eth_call at one pinned block.
 */
import { charityLedgerAbi, registryAbi, volunteerCreditAbi } from "@shanji/core";
import { type Hex, hexToString } from "viem";
import type { ChainConnection } from "../common/deployment.ts";

export type CampaignFacts = { orgId: bigint; balance: bigint; currency: string; open: boolean } | null;
export type OrgFacts = { kind: number; active: boolean } | null;

export type LedgerFacts = {
  campaign: (id: bigint) => Promise<CampaignFacts>;
  hasPurpose: (campaignId: bigint, tag: Hex) => Promise<boolean>;
  activityOrg: (id: bigint) => Promise<bigint>;
  org: (id: bigint) => Promise<OrgFacts>;
};

export function createLedgerFacts(c: ChainConnection, blockNumber: bigint): LedgerFacts {
  const { addresses } = c.deployment;
  const memo = <K, V>(read: (key: K) => Promise<V>) => {
    const cache = new Map<string, Promise<V>>();
    return (key: K, keyText = String(key)) => {
      let value = cache.get(keyText);
      if (!value) {
        value = read(key);
        cache.set(keyText, value);
      }
      return value;
    };
  };
  const campaign = memo(async (id: bigint): Promise<CampaignFacts> => {
    const value = await c.client.readContract({
      address: addresses.charityLedger,
      abi: charityLedgerAbi,
      functionName: "campaign",
      args: [id],
      blockNumber,
    });
    if (value.status === 0) return null;
    return {
      orgId: value.orgId,
      balance: value.balance,
      currency: hexToString(value.currency),
      open: value.status === 1,
    };
  });
  const purpose = memo(async ([campaignId, tag]: [bigint, Hex]) =>
    c.client.readContract({
      address: addresses.charityLedger,
      abi: charityLedgerAbi,
      functionName: "hasPurpose",
      args: [campaignId, tag],
      blockNumber,
    }),
  );
  const activityOrg = memo(async (id: bigint) =>
    c.client.readContract({
      address: addresses.volunteerCredit,
      abi: volunteerCreditAbi,
      functionName: "activityOrg",
      args: [id],
      blockNumber,
    }),
  );
  const org = memo(async (id: bigint): Promise<OrgFacts> => {
    const value = await c.client.readContract({
      address: addresses.registry,
      abi: registryAbi,
      functionName: "org",
      args: [id],
      blockNumber,
    });
    return value.kind === 0 ? null : { kind: value.kind, active: value.status === 1 };
  });
  return {
    campaign: (id) => campaign(id),
    hasPurpose: (campaignId, tag) => purpose([campaignId, tag], `${campaignId}:${tag}`),
    activityOrg: (id) => activityOrg(id),
    org: (id) => org(id),
  };
}
