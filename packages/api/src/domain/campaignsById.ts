/** The organisation of each campaign, for answers that name campaigns (one query for all). */
import type { Queryable } from "@shanji/indexer";

export type CampaignOwner = { orgId: bigint; orgName: string | null; currency: string };

export async function campaignsById(q: Queryable, ids: Iterable<bigint>): Promise<Map<bigint, CampaignOwner>> {
  const unique = [...new Set([...ids].map(String))];
  const owners = new Map<bigint, CampaignOwner>();
  if (unique.length === 0) return owners;
  const rows = await q.query<{ campaign_id: bigint; org_id: bigint; name: string | null; currency: string }>(
    `select c.campaign_id, c.org_id, o.name, c.currency from campaigns c left join orgs o on o.org_id = c.org_id
     where c.campaign_id = any($1::bigint[])`,
    [unique],
  );
  for (const r of rows) owners.set(r.campaign_id, { orgId: r.org_id, orgName: r.name, currency: r.currency });
  return owners;
}
