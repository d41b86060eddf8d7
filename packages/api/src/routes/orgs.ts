/**
 * Organisations: the list, and one organisation with its campaigns, volunteer activities, yearly
 * management costs against its policy, and for an enterprise (企业) its CSR summary — the
 * contributions it claims, which recipients confirmed them by recording the donation, and its
 * employees' volunteer hours.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { activityStream, orgKind, orgStream } from "@shanji/core";
import type { Queryable } from "@shanji/indexer";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { bytesToHex, hexToBytes } from "viem";
import { decodeCursor, encodeCursor, isDecimalString } from "../cursor.ts";
import { CampaignSummary, campaignSummaryJson, loadCampaigns } from "../domain/campaigns.ts";
import { hoursText } from "../domain/hours.ts";
import { ID_PATTERN, parseId } from "../domain/ids.ts";
import { orgKindName } from "../domain/options.ts";
import { orgNames } from "../domain/orgNames.ts";
import { reversalsOf } from "../domain/reversals.ts";
import { EvidenceLink, evidenceLink, Reversal, reversalJson, Time } from "../domain/schemas.ts";
import { ManagementCost, managementCost, spendingByYear } from "../domain/spending.ts";
import { isoTime } from "../domain/time.ts";
import { notFound, problemResponses } from "../problem.ts";
import { Address, Decimal, LedgerMeta, Page, PageQuery } from "../schemas.ts";

const KindName = Type.Union(Object.keys(orgKind).map((k) => Type.Literal(k)));

const Totals = Type.Array(
  Type.Object(
    {
      currency: Type.String({ pattern: "^[A-Z]{3}$" }),
      given: Decimal("Donations to others as a donor organisation, and grants paid, net of reversals."),
      received: Decimal("Donations and grants into its campaigns, net of reversals."),
      spent: Decimal("Disbursements of its campaigns, net of reversals."),
    },
    { additionalProperties: false },
  ),
  { description: "Minor units, per currency." },
);

const OrgSummary = Type.Object(
  {
    orgId: Decimal(),
    kind: Type.String({ description: "charity, enterprise, volunteerOrg, merchant, auditor, regulator." }),
    creditCode: Type.String({ description: "Unified Social Credit Code (统一社会信用代码)." }),
    checkOverridden: Type.Boolean({
      description: "Accredited although the check character failed (a regulator's override).",
    }),
    name: Type.String(),
    metadata: EvidenceLink,
    status: Type.Union([Type.Literal("active"), Type.Literal("suspended")]),
    suspensionReason: Type.Union([Type.Integer(), Type.Null()]),
    accreditedIndex: Decimal(),
    lastIndex: Decimal("The latest entry of its stream."),
    totals: Totals,
  },
  { additionalProperties: false },
);

const Csr = Type.Object(
  {
    contributions: Type.Array(
      Type.Object(
        {
          claimId: Decimal(),
          index: Decimal("The claim entry."),
          time: Time(),
          recipientOrgId: Decimal(),
          recipientName: Type.Union([Type.String(), Type.Null()]),
          amount: Decimal(),
          currency: Type.String({ pattern: "^[A-Z]{3}$" }),
          evidence: EvidenceLink,
          confirmation: Type.Union(
            [
              Type.Object(
                {
                  index: Decimal("The recipient's donation entry that names the claim."),
                  time: Time(),
                  campaignId: Decimal(),
                  reversedBy: Type.Union([Reversal, Type.Null()]),
                },
                { additionalProperties: false },
              ),
              Type.Null(),
            ],
            { description: "null until the recipient records the donation." },
          ),
        },
        { additionalProperties: false },
      ),
    ),
    totals: Type.Array(
      Type.Object(
        {
          currency: Type.String({ pattern: "^[A-Z]{3}$" }),
          claimed: Decimal(),
          confirmed: Decimal("Claims whose confirming donation stands (not reversed)."),
        },
        { additionalProperties: false },
      ),
    ),
    volunteering: Type.Object(
      {
        activities: Type.Integer(),
        credits: Decimal("Service records issued."),
        volunteers: Decimal("Distinct volunteer pseudonyms credited."),
        minutes: Decimal("Service minutes, net of reversed records."),
        hours: Type.String({ description: "minutes ÷ 60, two decimal places." }),
      },
      {
        additionalProperties: false,
        description: "Employee volunteer hours: credits of the enterprise's own activities.",
      },
    ),
  },
  { additionalProperties: false },
);

const OrgDetail = Type.Object(
  {
    ...OrgSummary.properties,
    admin: Address,
    campaigns: Type.Array(CampaignSummary),
    activities: Type.Array(
      Type.Object(
        {
          activityId: Decimal(),
          index: Decimal(),
          time: Time(),
          startTime: Time(),
          endTime: Type.Union([Time(), Type.Null()]),
          description: EvidenceLink,
        },
        { additionalProperties: false },
      ),
    ),
    managementCost: Type.Array(
      Type.Object(
        {
          year: Type.Integer({ description: "Calendar year, China Standard Time." }),
          currency: Type.String(),
          ...ManagementCost.properties,
        },
        { additionalProperties: false },
      ),
      {
        description:
          "Per year and currency: administration ÷ total spending against the organisation's (configurable) policy.",
      },
    ),
    csr: Type.Union([Csr, Type.Null()], { description: "For an enterprise; null for other kinds." }),
    ledger: LedgerMeta,
  },
  { additionalProperties: false },
);

type OrgRow = {
  org_id: bigint;
  kind: number;
  credit_code: string;
  check_overridden: boolean;
  name: string;
  admin: Uint8Array;
  metadata_hash: Uint8Array;
  status: string;
  suspension_reason: number | null;
  accredited_idx: bigint;
  last_idx: bigint;
};

async function totalsOf(q: Queryable, ids: bigint[]) {
  const rows = await q.query<{ org_id: bigint; currency: string; given: string; received: string; spent: string }>(
    "select org_id, currency, given::text, received::text, spent::text from org_totals where org_id = any($1::bigint[]) order by org_id, currency",
    [ids.map(String)],
  );
  const byOrg = new Map<bigint, { currency: string; given: string; received: string; spent: string }[]>();
  for (const r of rows) {
    byOrg.set(r.org_id, [
      ...(byOrg.get(r.org_id) ?? []),
      { currency: r.currency, given: r.given, received: r.received, spent: r.spent },
    ]);
  }
  return byOrg;
}

function summaryJson(
  row: OrgRow,
  totals: Map<bigint, { currency: string; given: string; received: string; spent: string }[]>,
) {
  return {
    orgId: row.org_id.toString(),
    kind: orgKindName(row.kind) ?? `unknown(${row.kind})`,
    creditCode: row.credit_code,
    checkOverridden: row.check_overridden,
    name: row.name,
    metadata: evidenceLink(bytesToHex(row.metadata_hash)),
    status: row.status === "suspended" ? ("suspended" as const) : ("active" as const),
    suspensionReason: row.suspension_reason,
    accreditedIndex: row.accredited_idx.toString(),
    lastIndex: row.last_idx.toString(),
    totals: totals.get(row.org_id) ?? [],
  };
}

type StreamRow = { idx: bigint; ts: bigint; kind: number; actor_org: bigint; record: Record<string, string | number> };

async function enterpriseCsr(
  q: Queryable,
  orgId: bigint,
  entries: StreamRow[],
  activityIds: bigint[],
  logSize: bigint,
) {
  const claims = entries.filter((e) => e.kind === 37 && e.actor_org === orgId);
  const confirmations = new Map<string, StreamRow>();
  for (const e of entries) {
    if (e.kind !== 33 || Number(e.record.donorKind) !== 1 || BigInt(String(e.record.donor)) !== orgId) continue;
    const claimId = String(e.record.claimId);
    if (claimId !== "0" && !confirmations.has(claimId)) confirmations.set(claimId, e);
  }
  const reversed = await reversalsOf(
    q,
    [...confirmations.values()].map((c) => c.idx),
    logSize,
  );
  const recipients = await orgNames(
    q,
    claims.map((c) => BigInt(String(c.record.recipientOrg))),
  );
  const totals = new Map<string, { claimed: bigint; confirmed: bigint }>();
  const contributions = claims.map((c) => {
    const r = c.record;
    const currency = String(r.currency);
    const amount = BigInt(String(r.amount));
    const confirmation = confirmations.get(String(r.claimId));
    const reversal = confirmation ? reversed.get(confirmation.idx) : undefined;
    const t = totals.get(currency) ?? { claimed: 0n, confirmed: 0n };
    t.claimed += amount;
    if (confirmation && !reversal) t.confirmed += amount;
    totals.set(currency, t);
    const recipientOrgId = BigInt(String(r.recipientOrg));
    return {
      claimId: String(r.claimId),
      index: c.idx.toString(),
      time: isoTime(c.ts),
      recipientOrgId: recipientOrgId.toString(),
      recipientName: recipients.get(recipientOrgId) ?? null,
      amount: amount.toString(),
      currency,
      evidence: evidenceLink(String(r.evidenceHash).toLowerCase()),
      confirmation: confirmation
        ? {
            index: confirmation.idx.toString(),
            time: isoTime(confirmation.ts),
            campaignId: String(confirmation.record.campaignId),
            reversedBy: reversalJson(reversal),
          }
        : null,
    };
  });
  const [volunteering] = await q.query<{ credits: bigint; minutes: string; volunteers: bigint }>(
    `select count(*) filter (where e.kind = 61) as credits,
            coalesce(sum(case when e.kind = 61 then (e.record->>'minutes')::bigint else -(e.record->>'minutes')::bigint end), 0)::text as minutes,
            count(distinct e.record->>'volunteer') filter (where e.kind = 61) as volunteers
     from entry_streams s join entries e on e.idx = s.idx
     where s.stream_id = any(select decode(x, 'hex') from unnest($1::text[]) as x) and s.idx < $2 and e.kind in (61, 62)`,
    [activityIds.map((id) => activityStream(id).slice(2)), logSize],
  );
  const minutes = BigInt(volunteering?.minutes ?? "0");
  return {
    contributions,
    totals: [...totals.entries()].map(([currency, t]) => ({
      currency,
      claimed: t.claimed.toString(),
      confirmed: t.confirmed.toString(),
    })),
    volunteering: {
      activities: activityIds.length,
      credits: (volunteering?.credits ?? 0n).toString(),
      volunteers: (volunteering?.volunteers ?? 0n).toString(),
      minutes: minutes.toString(),
      hours: hoursText(minutes),
    },
  };
}

export const orgs: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/v1/orgs",
    {
      schema: {
        tags: ["organisations"],
        summary: "Accredited organisations, by id",
        querystring: Type.Object(
          {
            kind: Type.Optional(KindName),
            status: Type.Optional(Type.Union([Type.Literal("active"), Type.Literal("suspended")])),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(OrgSummary), ...problemResponses },
      },
    },
    async (request) => {
      const { kind, status, limit = 50, cursor } = request.query;
      const after = decodeCursor(cursor, isDecimalString);
      const snapshot = await app.shanji.snapshot();
      const params: unknown[] = [limit + 1];
      const where: string[] = [];
      if (after !== undefined) {
        params.push(BigInt(after));
        where.push(`org_id > $${params.length}`);
      }
      if (kind !== undefined) {
        params.push(orgKind[kind as keyof typeof orgKind]);
        where.push(`kind = $${params.length}`);
      }
      if (status !== undefined) {
        params.push(status);
        where.push(`status = $${params.length}`);
      }
      const rows = await app.shanji.store.query<OrgRow>(
        `select * from orgs ${where.length ? `where ${where.join(" and ")}` : ""} order by org_id limit $1`,
        params,
      );
      const page = rows.slice(0, limit);
      const totals = await totalsOf(
        app.shanji.store,
        page.map((r) => r.org_id),
      );
      const last = page.at(-1);
      return {
        items: page.map((r) => summaryJson(r, totals)),
        nextCursor: rows.length > limit && last ? encodeCursor(last.org_id.toString()) : null,
        ledger: await app.shanji.ledgerMeta(snapshot),
      };
    },
  );

  app.get(
    "/v1/orgs/:orgId",
    {
      schema: {
        tags: ["organisations"],
        summary: "An organisation: campaigns, activities, management costs, and for an enterprise its CSR summary",
        params: Type.Object({ orgId: Type.String({ pattern: ID_PATTERN }) }, { additionalProperties: false }),
        response: { 200: OrgDetail, ...problemResponses },
      },
    },
    async (request) => {
      const orgId = parseId(request.params.orgId, "params.orgId");
      const { store } = app.shanji;
      const snapshot = await app.shanji.snapshot();
      const [row] = await store.query<OrgRow>("select * from orgs where org_id = $1", [orgId]);
      if (!row) throw notFound(`no organisation ${orgId}`);
      const totals = await totalsOf(store, [orgId]);
      const campaignRows = await loadCampaigns(store, { orgId });
      const entries = await store.query<StreamRow>(
        `select e.idx, e.ts, e.kind, e.actor_org, e.record from entry_streams s join entries e on e.idx = s.idx
         where s.stream_id = $1 and s.idx < $2 and e.kind = any($3::smallint[]) order by s.idx`,
        [hexToBytes(orgStream(orgId)), snapshot.logSize, [33, 37, 60]],
      );
      const activities = entries.filter((e) => e.kind === 60 && e.actor_org === orgId);
      const policy = app.shanjiRules.policyFor({ orgId, kind: row.kind, creditCode: row.credit_code });
      const years = await spendingByYear(store, { orgId, logSize: snapshot.logSize });
      return {
        ...summaryJson(row, totals),
        admin: bytesToHex(row.admin),
        campaigns: campaignRows.map(campaignSummaryJson),
        activities: activities.map((a) => ({
          activityId: String(a.record.activityId),
          index: a.idx.toString(),
          time: isoTime(a.ts),
          startTime: isoTime(BigInt(a.record.startTime ?? 0)),
          endTime: String(a.record.endTime) === "0" ? null : isoTime(BigInt(a.record.endTime ?? 0)),
          description: evidenceLink(String(a.record.descriptionHash).toLowerCase()),
        })),
        managementCost: years.map((y) => ({
          year: y.year,
          currency: y.currency,
          ...managementCost(y.spending, policy, y.currency),
        })),
        csr:
          row.kind === orgKind.enterprise
            ? await enterpriseCsr(
                store,
                orgId,
                entries,
                activities.map((a) => BigInt(String(a.record.activityId))),
                snapshot.logSize,
              )
            : null,
        ledger: await app.shanji.ledgerMeta(snapshot),
      };
    },
  );
};
