/**
 * A campaign's fund flow as a graph of nodes and weighted links, ready for a Sankey chart
 * (ECharts: `series.data` = nodes with `name: id`, `series.links` = links with `value: Number(amount)`).
 *
 * - Into the campaign: donations from people (receipts), from each donor organisation, and grants
 *   from each paying campaign, net of reversals.
 * - Out of it: spending by category (program, administration, fundraising) to external payees,
 *   grants to each receiving campaign, and what it still holds ("unspent"), net of reversals. What
 *   comes in equals what goes out plus what is left.
 * - Each grant is followed into the campaign that received it, through the indexer's fund-flow
 *   allocation (views/allocateFunds.ts): exactly what the grant paid for there, and on through the
 *   grants it paid for, splitting each share as the donor trace does (apportion.ts). Money that a
 *   grant's lot used to cover a reversed donation goes to a "reversed" node.
 *
 * Node ids carry the hop depth (`campaign:4@1`), so a grant back to a campaign already in the graph
 * is a new node one hop further, and the graph never has a cycle (Sankey charts refuse cycles).
 * Allocation targets always come after their lots, so following them always ends; a bound on hops
 * and on lots followed keeps the answer small, and `truncated` says when it cut the graph.
 */
import type { Queryable } from "@shanji/indexer";
import { Type } from "typebox";
import { Decimal } from "../schemas.ts";
import { apportion } from "./apportion.ts";
import type { CampaignRow } from "./campaigns.ts";
import { orgNames } from "./orgNames.ts";
import { reversalsOf } from "./reversals.ts";
import { type CategoryAmounts, netSpending, reversedSpending } from "./spending.ts";

export const MAX_FLOW_DEPTH = 16;
export const MAX_FLOW_LOTS = 2_000;

const NodeKind = Type.Union([
  Type.Literal("donors"),
  Type.Literal("orgDonor"),
  Type.Literal("grantSource"),
  Type.Literal("campaign"),
  Type.Literal("spending"),
  Type.Literal("unspent"),
  Type.Literal("reversed"),
]);

export const FlowNode = Type.Object(
  {
    id: Type.String({ description: "Unique in the graph; links name nodes by it." }),
    kind: NodeKind,
    label: Type.String({ description: "A short English label; the portal localises from kind and ids." }),
    depth: Type.Integer({ description: "Grant hops from the campaign asked about (-1 for its sources)." }),
    campaignId: Type.Optional(Decimal()),
    orgId: Type.Optional(Decimal()),
    category: Type.Optional(
      Type.Union([Type.Literal("program"), Type.Literal("administration"), Type.Literal("fundraising")]),
    ),
  },
  { additionalProperties: false },
);

export const FlowLink = Type.Object(
  {
    source: Type.String(),
    target: Type.String(),
    amount: Decimal("Minor units of the graph's currency."),
  },
  { additionalProperties: false },
);

type Node = {
  id: string;
  kind: "donors" | "orgDonor" | "grantSource" | "campaign" | "spending" | "unspent" | "reversed";
  label: string;
  depth: number;
  campaignId?: string;
  orgId?: string;
  category?: keyof CategoryAmounts;
};

type Lot = { campaignId: bigint; lotIndex: bigint; lotAmount: bigint; share: bigint; depth: number };

const CATEGORY: Record<string, keyof CategoryAmounts> = { "1": "program", "2": "administration", "3": "fundraising" };

export async function campaignFlow(q: Queryable, root: CampaignRow, logSize: bigint) {
  const nodes = new Map<string, Node>();
  const links = new Map<string, bigint>();
  const campaignOrgs = new Map<bigint, bigint>([[root.campaign_id, root.org_id]]);
  const node = (n: Node) => {
    if (!nodes.has(n.id)) nodes.set(n.id, n);
    return n.id;
  };
  const link = (source: string, target: string, amount: bigint) => {
    if (amount <= 0n) return;
    const key = `${source}\u0000${target}`;
    links.set(key, (links.get(key) ?? 0n) + amount);
  };
  const campaignNode = (campaignId: bigint, depth: number) =>
    node({
      id: `campaign:${campaignId}@${depth}`,
      kind: "campaign",
      label: `Campaign ${campaignId}`,
      depth,
      campaignId: campaignId.toString(),
    });

  const rootId = campaignNode(root.campaign_id, 0);

  // ---------------------------------------------------------------- the campaign itself
  const grants = await q.query<{
    idx: bigint;
    campaign_id: string;
    payee_campaign_id: string;
    payee: string;
    category: string;
    amount: string;
  }>(
    `select idx, record->>'campaignId' as campaign_id, record->>'payeeCampaignId' as payee_campaign_id,
            record->>'payee' as payee, record->>'category' as category, record->>'amount' as amount
     from entries where kind = 34 and record->>'payeeKind' = '1' and idx < $1
       and (record->>'campaignId' = $2 or record->>'payeeCampaignId' = $2)
     order by idx`,
    [logSize, root.campaign_id.toString()],
  );
  const orgDonations = await q.query<{ idx: bigint; donor: string; amount: string }>(
    `select idx, record->>'donor' as donor, record->>'amount' as amount
     from entries where kind = 33 and record->>'donorKind' = '1' and idx < $1 and record->>'campaignId' = $2
     order by idx`,
    [logSize, root.campaign_id.toString()],
  );
  const reversed = await reversalsOf(q, [...grants.map((g) => g.idx), ...orgDonations.map((d) => d.idx)], logSize);

  let orgGross = 0n;
  let orgReversed = 0n;
  const byDonorOrg = new Map<bigint, bigint>();
  for (const d of orgDonations) {
    const amount = BigInt(d.amount);
    orgGross += amount;
    if (reversed.has(d.idx)) {
      orgReversed += amount;
      continue;
    }
    const donor = BigInt(d.donor);
    byDonorOrg.set(donor, (byDonorOrg.get(donor) ?? 0n) + amount);
  }
  const people = BigInt(root.received) - orgGross - (BigInt(root.reversed_donations) - orgReversed);
  link(node({ id: "donors", kind: "donors", label: "Donors (receipts)", depth: -1 }), rootId, people);
  const names = await orgNames(q, byDonorOrg.keys());
  for (const [orgId, amount] of byDonorOrg) {
    const id = node({
      id: `org:${orgId}`,
      kind: "orgDonor",
      label: names.get(orgId) ?? `Organisation ${orgId}`,
      depth: -1,
      orgId: orgId.toString(),
    });
    link(id, rootId, amount);
  }

  const grantsOutByCategory: CategoryAmounts = { program: 0n, administration: 0n, fundraising: 0n };
  const next: Lot[] = [];
  for (const g of grants) {
    if (reversed.has(g.idx)) continue;
    const amount = BigInt(g.amount);
    if (g.payee_campaign_id === root.campaign_id.toString()) {
      const from = BigInt(g.campaign_id);
      const id = node({
        id: `from:campaign:${from}`,
        kind: "grantSource",
        label: `Grant from campaign ${from}`,
        depth: -1,
        campaignId: from.toString(),
      });
      link(id, rootId, amount);
    }
    if (g.campaign_id === root.campaign_id.toString()) {
      const to = BigInt(g.payee_campaign_id);
      campaignOrgs.set(to, BigInt(g.payee));
      link(rootId, campaignNode(to, 1), amount);
      const category = CATEGORY[g.category];
      if (category) grantsOutByCategory[category] += amount;
      next.push({ campaignId: to, lotIndex: g.idx, lotAmount: amount, share: amount, depth: 1 });
    }
  }
  const spent = netSpending(root, (await reversedSpending(q, [root.campaign_id], logSize)).get(root.campaign_id));
  for (const category of ["program", "administration", "fundraising"] as const) {
    link(rootId, spendingNode(node, root.campaign_id, 0, category), spent[category] - grantsOutByCategory[category]);
  }
  link(
    rootId,
    node({
      id: `unspent:${root.campaign_id}@0`,
      kind: "unspent",
      label: "Unspent",
      depth: 0,
      campaignId: root.campaign_id.toString(),
    }),
    BigInt(root.balance),
  );

  // ---------------------------------------------------------------- grants, hop by hop
  let followed = 0;
  let truncated = false;
  let level = next;
  while (level.length > 0) {
    if (followed + level.length > MAX_FLOW_LOTS || (level[0]?.depth ?? 0) > MAX_FLOW_DEPTH) {
      truncated = true;
      break;
    }
    followed += level.length;
    const lotIndexes = [...new Set(level.map((l) => l.lotIndex))];
    const rows = await q.query<{
      source_idx: bigint;
      target_idx: bigint;
      amount: string;
      kind: number;
      category: string | null;
      payee_kind: string | null;
      payee: string | null;
      payee_campaign_id: string | null;
      target_amount: string | null;
    }>(
      `select a.source_idx, a.target_idx, sum(a.amount)::text as amount, t.kind,
              t.record->>'category' as category, t.record->>'payeeKind' as payee_kind, t.record->>'payee' as payee,
              t.record->>'payeeCampaignId' as payee_campaign_id, t.record->>'amount' as target_amount
       from allocations a join entries t on t.idx = a.target_idx
       where a.source_idx = any($1::bigint[]) and a.reversed_by_idx is null
       group by a.source_idx, a.target_idx, t.idx
       order by a.source_idx, a.target_idx`,
      [lotIndexes],
    );
    const lotReversed = await reversalsOf(q, lotIndexes, logSize);
    const bySource = new Map<bigint, typeof rows>();
    for (const row of rows) bySource.set(row.source_idx, [...(bySource.get(row.source_idx) ?? []), row]);

    const following: Lot[] = [];
    for (const lot of level) {
      const from = campaignNode(lot.campaignId, lot.depth);
      const items = bySource.get(lot.lotIndex) ?? [];
      const weights = items.map((i) => BigInt(i.amount));
      const spentFromLot = weights.reduce((sum, w) => sum + w, 0n);
      const unspent =
        !lotReversed.has(lot.lotIndex) && spentFromLot < lot.lotAmount ? lot.lotAmount - spentFromLot : 0n;
      const parts = apportion(lot.share, lot.lotAmount, [...weights, unspent]);
      items.forEach((item, i) => {
        const part = parts[i] ?? 0n;
        if (part === 0n) return;
        if (item.kind !== 34) {
          link(
            from,
            node({
              id: `reversed:${lot.campaignId}@${lot.depth}`,
              kind: "reversed",
              label: "Reversed (refunded)",
              depth: lot.depth,
              campaignId: lot.campaignId.toString(),
            }),
            part,
          );
          return;
        }
        if (item.payee_kind === "1" && item.payee_campaign_id !== null) {
          const to = BigInt(item.payee_campaign_id);
          if (item.payee !== null) campaignOrgs.set(to, BigInt(item.payee));
          link(from, campaignNode(to, lot.depth + 1), part);
          following.push({
            campaignId: to,
            lotIndex: item.target_idx,
            lotAmount: BigInt(item.target_amount ?? "0"),
            share: part,
            depth: lot.depth + 1,
          });
          return;
        }
        link(from, spendingNode(node, lot.campaignId, lot.depth, CATEGORY[item.category ?? ""] ?? "program"), part);
      });
      const left = parts[items.length] ?? 0n;
      if (left > 0n)
        link(
          from,
          node({
            id: `unspent:${lot.campaignId}@${lot.depth}`,
            kind: "unspent",
            label: "Unspent",
            depth: lot.depth,
            campaignId: lot.campaignId.toString(),
          }),
          left,
        );
    }
    level = following;
  }

  // Labels of campaign nodes name their organisation.
  const orgOf = await orgNames(q, campaignOrgs.values());
  for (const n of nodes.values()) {
    if (n.kind !== "campaign" || n.campaignId === undefined) continue;
    const orgId = campaignOrgs.get(BigInt(n.campaignId));
    if (orgId === undefined) continue;
    n.orgId = orgId.toString();
    const name = orgOf.get(orgId);
    if (name) n.label = `Campaign ${n.campaignId} (${name})`;
  }

  const linked = new Set<string>([rootId]);
  const linkList = [...links.entries()].map(([key, amount]) => {
    const [source = "", target = ""] = key.split("\u0000");
    linked.add(source);
    linked.add(target);
    return { source, target, amount: amount.toString() };
  });
  return {
    nodes: [...nodes.values()].filter((n) => linked.has(n.id)),
    links: linkList,
    truncated,
  };
}

function spendingNode(node: (n: Node) => string, campaignId: bigint, depth: number, category: keyof CategoryAmounts) {
  return node({
    id: `spending:${campaignId}@${depth}:${category}`,
    kind: "spending",
    label:
      category === "program"
        ? "Program spending"
        : category === "administration"
          ? "Administration"
          : "Fundraising costs",
    depth,
    campaignId: campaignId.toString(),
    category,
  });
}
