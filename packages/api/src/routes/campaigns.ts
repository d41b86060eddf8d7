/**
 * Campaigns (募捐项目): the list, one campaign's figures (balance, spending by category, the
 * management-cost ratio against the organisation's policy, the disclosure timeline and whether a
 * disclosure is overdue), its entries page by page, and its fund flow as a Sankey graph that
 * follows grants into other organisations' campaigns.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { attestationOpinion, campaignStream, disclosureKind, entryKind } from "@shanji/core";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { hexToBytes } from "viem";
import { decodeCursor, encodeCursor, isDecimalString } from "../cursor.ts";
import { campaignFlow, FlowLink, FlowNode } from "../domain/campaignFlow.ts";
import {
  type CampaignRow,
  CampaignSummary,
  campaignEnd,
  campaignSummaryJson,
  loadCampaigns,
} from "../domain/campaigns.ts";
import { chainTime } from "../domain/chainTime.ts";
import { disclosureSchedule } from "../domain/disclosureSchedule.ts";
import { ID_PATTERN, parseId } from "../domain/ids.ts";
import { orgNames } from "../domain/orgNames.ts";
import { reversalsOf } from "../domain/reversals.ts";
import {
  EntryRecord,
  EvidenceLink,
  entryKindName,
  evidenceLink,
  Reversal,
  reversalJson,
  Time,
} from "../domain/schemas.ts";
import { ManagementCost, managementCost, netSpending, reversedSpending } from "../domain/spending.ts";
import { isoTime } from "../domain/time.ts";
import { notFound, problemResponses } from "../problem.ts";
import { Bytes32, Decimal, LedgerMeta, Page, PageQuery } from "../schemas.ts";

const nameOf = (table: Record<string, number>) => {
  const names = new Map<number, string>(Object.entries(table).map(([k, v]) => [v, k]));
  return (value: number) => names.get(value) ?? `unknown(${value})`;
};
const disclosureName = nameOf(disclosureKind);
const opinionName = nameOf(attestationOpinion);

const CampaignParams = Type.Object(
  { campaignId: Type.String({ pattern: ID_PATTERN, description: "The campaign id." }) },
  { additionalProperties: false },
);

const Obligation = Type.Object(
  {
    obligation: Type.Union([Type.Literal("progress"), Type.Literal("final")]),
    dueAt: Time(),
    status: Type.Union([Type.Literal("met"), Type.Literal("late"), Type.Literal("overdue"), Type.Literal("pending")], {
      description: "met: on time; late: published after the due date; overdue: missing after it; pending: not due yet.",
    }),
    disclosedAt: Type.Union([Time(), Type.Null()]),
    disclosureIndex: Type.Union([Decimal(), Type.Null()]),
  },
  { additionalProperties: false },
);

const CampaignDetail = Type.Object(
  {
    ...CampaignSummary.properties,
    purposeTags: Type.Array(Bytes32(), { description: "Restricted purposes (定向) that donations may name." }),
    totals: Type.Object(
      {
        received: Decimal("Donations recorded (gross)."),
        grantsIn: Decimal("Grants received from other campaigns (gross)."),
        reversedDonations: Decimal(),
        reversedGrantsIn: Decimal(),
        spent: Type.Object(
          { program: Decimal(), administration: Decimal(), fundraising: Decimal() },
          {
            additionalProperties: false,
            description: "Disbursements by category net of reversed ones; grants paid count under their category.",
          },
        ),
        reversedDisbursements: Decimal(),
        balance: Decimal("= received + grantsIn − reversedDonations − reversedGrantsIn − Σ spent."),
      },
      { additionalProperties: false, description: "Minor units of the campaign's currency." },
    ),
    managementCost: ManagementCost,
    disclosures: Type.Object(
      {
        asOf: Time("The chain's time at the indexed head, at which `overdue` is judged (not the wall clock)."),
        overdue: Type.Boolean({ description: "An obligation is overdue now (3-month rule)." }),
        timeline: Type.Array(
          Type.Object(
            {
              index: Decimal(),
              time: Time(),
              kind: Type.String({ description: "progress, final, leftoverFunds, correctionNotice, …" }),
              report: EvidenceLink,
              periodStart: Time(),
              periodEnd: Time(),
            },
            { additionalProperties: false },
          ),
        ),
        obligations: Type.Array(Obligation),
      },
      { additionalProperties: false },
    ),
    attestations: Type.Array(
      Type.Object(
        {
          index: Decimal(),
          time: Time(),
          orgId: Decimal("The auditor or regulator."),
          orgName: Type.Union([Type.String(), Type.Null()]),
          opinion: Type.String(),
          report: EvidenceLink,
          coversToIndex: Decimal("The report covers the ledger up to this entry."),
        },
        { additionalProperties: false },
      ),
    ),
    ledger: LedgerMeta,
  },
  { additionalProperties: false },
);

const CampaignEntry = Type.Object(
  {
    index: Decimal(),
    time: Time(),
    kind: Type.String(),
    actorOrg: Decimal("The organisation that wrote it."),
    entry: EntryRecord,
    reversedBy: Type.Union([Reversal, Type.Null()], { description: "For a donation or disbursement later reversed." }),
  },
  { additionalProperties: false },
);

const KindName = Type.Union(Object.keys(entryKind).map((k) => Type.Literal(k)));

async function campaignOr404(store: Parameters<typeof loadCampaigns>[0], id: bigint): Promise<CampaignRow> {
  const [row] = await loadCampaigns(store, { campaignIds: [id] });
  if (!row) throw notFound(`no campaign ${id} (a campaign just opened shows once the indexer has caught up)`);
  return row;
}

export const campaigns: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/v1/campaigns",
    {
      schema: {
        tags: ["campaigns"],
        summary: "Campaigns, by id",
        querystring: Type.Object(
          {
            org: Type.Optional(Type.String({ pattern: ID_PATTERN, description: "Only this organisation's." })),
            status: Type.Optional(Type.Union([Type.Literal("open"), Type.Literal("closed")])),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(CampaignSummary), ...problemResponses },
      },
    },
    async (request) => {
      const { org, status, limit = 50, cursor } = request.query;
      const after = decodeCursor(cursor, isDecimalString);
      const snapshot = await app.shanji.snapshot();
      const rows = await loadCampaigns(app.shanji.store, {
        ...(org === undefined ? {} : { orgId: parseId(org, "querystring.org") }),
        ...(status === undefined ? {} : { status }),
        ...(after === undefined ? {} : { after: BigInt(after) }),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(campaignSummaryJson),
        nextCursor: rows.length > limit && last ? encodeCursor(last.campaign_id.toString()) : null,
        ledger: await app.shanji.ledgerMeta(snapshot),
      };
    },
  );

  app.get(
    "/v1/campaigns/:campaignId",
    {
      schema: {
        tags: ["campaigns"],
        summary: "A campaign: balance, spending by category, management-cost ratio, disclosures",
        description:
          "The management-cost limit is the API's configured policy for the organisation (a default per kind, " +
          "replaceable per organisation), not a figure from the chain. Disclosure deadlines follow the 3-month rule " +
          "of the Charity Law, judged at the chain's time.",
        params: CampaignParams,
        response: { 200: CampaignDetail, ...problemResponses },
      },
    },
    async (request) => {
      const id = parseId(request.params.campaignId, "params.campaignId");
      const { store } = app.shanji;
      const snapshot = await app.shanji.snapshot();
      const row = await campaignOr404(store, id);
      const [opened] = await store.query<{ tags: string[] | null }>(
        "select record->'purposeTags' as tags from entries where idx = $1",
        [row.opened_idx],
      );
      const reversed = (await reversedSpending(store, [id], snapshot.logSize)).get(id);
      const spent = netSpending(row, reversed);
      const policy = app.shanjiRules.policyFor({
        orgId: row.org_id,
        kind: row.org_kind ?? 0,
        creditCode: row.credit_code ?? "",
      });
      const disclosures = await store.query<{ idx: bigint; ts: bigint; record: Record<string, string | number> }>(
        "select idx, ts, record from entries where kind = 32 and record->>'campaignId' = $1 and idx < $2 order by idx",
        [id.toString(), snapshot.logSize],
      );
      const attestations = await store.query<{
        idx: bigint;
        ts: bigint;
        actor_org: bigint;
        record: Record<string, string | number>;
      }>(
        "select idx, ts, actor_org, record from entries where kind = 36 and record->>'campaignId' = $1 and idx < $2 order by idx",
        [id.toString(), snapshot.logSize],
      );
      const attesters = await orgNames(
        store,
        attestations.map((a) => a.actor_org),
      );
      const now = await chainTime(store, snapshot);
      const obligations = disclosureSchedule({
        start: Number(row.start_time),
        end: campaignEnd(row),
        disclosures: disclosures.map((d) => ({
          index: d.idx,
          time: Number(d.ts),
          kind: Number(d.record.disclosureKind),
        })),
        now,
      });
      return {
        ...campaignSummaryJson(row),
        purposeTags: (opened?.tags ?? []).map((t) => t.toLowerCase()),
        totals: {
          received: row.received,
          grantsIn: row.grants_in,
          reversedDonations: row.reversed_donations,
          reversedGrantsIn: row.reversed_grants_in,
          spent: {
            program: spent.program.toString(),
            administration: spent.administration.toString(),
            fundraising: spent.fundraising.toString(),
          },
          reversedDisbursements: row.reversed_disbursements,
          balance: row.balance,
        },
        managementCost: managementCost(spent, policy, row.currency),
        disclosures: {
          asOf: isoTime(now),
          overdue: obligations.some((o) => o.status === "overdue"),
          timeline: disclosures.map((d) => ({
            index: d.idx.toString(),
            time: isoTime(d.ts),
            kind: disclosureName(Number(d.record.disclosureKind)),
            report: evidenceLink(String(d.record.reportHash).toLowerCase()),
            periodStart: isoTime(BigInt(d.record.periodStart ?? 0)),
            periodEnd: isoTime(BigInt(d.record.periodEnd ?? 0)),
          })),
          obligations: obligations.map((o) => ({
            obligation: o.obligation,
            dueAt: isoTime(o.dueAt),
            status: o.status,
            disclosedAt: o.disclosedAt === null ? null : isoTime(o.disclosedAt),
            disclosureIndex: o.disclosureIndex === null ? null : o.disclosureIndex.toString(),
          })),
        },
        attestations: attestations.map((a) => ({
          index: a.idx.toString(),
          time: isoTime(a.ts),
          orgId: a.actor_org.toString(),
          orgName: attesters.get(a.actor_org) ?? null,
          opinion: opinionName(Number(a.record.opinion)),
          report: evidenceLink(String(a.record.reportHash).toLowerCase()),
          coversToIndex: String(a.record.coversToIndex),
        })),
        ledger: await app.shanji.ledgerMeta(snapshot),
      };
    },
  );

  app.get(
    "/v1/campaigns/:campaignId/entries",
    {
      schema: {
        tags: ["campaigns"],
        summary: "A campaign's entries (its stream), newest first by default",
        description:
          "Every entry of the campaign's stream: opening and closing, donations, disbursements, grants it received, " +
          "reversals, disclosures, attestations. Pages stay stable while new entries arrive. For the proofs that the " +
          "history is complete, see /v1/streams/:stream/history.",
        params: CampaignParams,
        querystring: Type.Object(
          {
            kind: Type.Optional(
              Type.Array(KindName, { description: "Only entries of these kinds (repeat the field)." }),
            ),
            order: Type.Optional(Type.Union([Type.Literal("desc"), Type.Literal("asc")], { default: "desc" })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(CampaignEntry, { campaignId: Decimal(), stream: Bytes32() }), ...problemResponses },
      },
    },
    async (request) => {
      const id = parseId(request.params.campaignId, "params.campaignId");
      const { kind, order = "desc", limit = 50, cursor } = request.query;
      const after = decodeCursor(
        cursor,
        (v): v is [string, string] => Array.isArray(v) && v.length === 2 && v[0] === order && isDecimalString(v[1]),
      );
      const { store } = app.shanji;
      const snapshot = await app.shanji.snapshot();
      await campaignOr404(store, id);
      const stream = campaignStream(id);
      const params: unknown[] = [hexToBytes(stream), snapshot.logSize, limit + 1];
      let where = "s.stream_id = $1 and s.idx < $2";
      if (after) {
        params.push(BigInt(after[1]));
        where += ` and s.idx ${order === "desc" ? "<" : ">"} $${params.length}`;
      }
      if (kind && kind.length > 0) {
        params.push(kind.map((k) => entryKind[k as keyof typeof entryKind]));
        where += ` and e.kind = any($${params.length}::smallint[])`;
      }
      const rows = await store.query<{
        idx: bigint;
        ts: bigint;
        kind: number;
        actor_org: bigint;
        record: { type: string };
      }>(
        `select e.idx, e.ts, e.kind, e.actor_org, e.record from entry_streams s join entries e on e.idx = s.idx
         where ${where} order by s.idx ${order} limit $3`,
        params,
      );
      const page = rows.slice(0, limit);
      const reversals = await reversalsOf(
        store,
        page
          .filter((r) => r.kind === entryKind.donationRecorded || r.kind === entryKind.disbursementRecorded)
          .map((r) => r.idx),
        snapshot.logSize,
      );
      const last = page.at(-1);
      return {
        campaignId: id.toString(),
        stream,
        items: page.map((r) => ({
          index: r.idx.toString(),
          time: isoTime(r.ts),
          kind: entryKindName(r.kind),
          actorOrg: r.actor_org.toString(),
          entry: r.record,
          reversedBy: reversalJson(reversals.get(r.idx)),
        })),
        nextCursor: rows.length > limit && last ? encodeCursor([order, last.idx.toString()]) : null,
        ledger: await app.shanji.ledgerMeta(snapshot),
      };
    },
  );

  app.get(
    "/v1/campaigns/:campaignId/flow",
    {
      schema: {
        tags: ["campaigns"],
        summary: "Where a campaign's money came from and went, following grants: nodes and links for a Sankey chart",
        description:
          "Links carry amounts (minor units, decimal strings) and name nodes by id. Into the campaign: donors, donor " +
          "organisations, paying campaigns; out: spending by category, grants (followed into the receiving campaigns, " +
          "hop by hop, through the fund-flow allocation), and what is unspent. Node ids carry the hop depth, so the " +
          "graph has no cycles.",
        params: CampaignParams,
        response: {
          200: Type.Object(
            {
              campaignId: Decimal(),
              currency: Type.String({ pattern: "^[A-Z]{3}$" }),
              nodes: Type.Array(FlowNode),
              links: Type.Array(FlowLink),
              truncated: Type.Boolean({
                description: "True when the graph was cut at its bound of hops or grants followed.",
              }),
              ledger: LedgerMeta,
            },
            { additionalProperties: false },
          ),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const id = parseId(request.params.campaignId, "params.campaignId");
      const { store } = app.shanji;
      const snapshot = await app.shanji.snapshot();
      const row = await campaignOr404(store, id);
      const flow = await campaignFlow(store, row, snapshot.logSize);
      return {
        campaignId: id.toString(),
        currency: row.currency,
        ...flow,
        ledger: await app.shanji.ledgerMeta(snapshot),
      };
    },
  );
};
