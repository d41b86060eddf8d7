/**
 * CSV exports for accountants and auditors: donations, disbursements and volunteer credits,
 * filtered by organisation, campaign (or activity) and date range, with no row limit. Rows are
 * streamed from a database cursor, so memory stays flat however many there are. Amounts are
 * decimal strings in major units ("1234.56", @shanji/core toDecimalString) with the currency, and
 * the exact minor units beside them; never a float.
 *
 * Dates filter on the entry's time (its block's timestamp) in UTC, the time column's zone: `from`
 * and `to` are whole days, both included. A reversed record stays in its export, marked reversed
 * with the reversal's index and time, as the ledger keeps it; the reversal itself is not a row.
 */
import { Readable } from "node:stream";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  activityStream,
  campaignStream,
  disbursementCategory,
  donationChannel,
  isCurrencyCode,
  toDecimalString,
} from "@shanji/core";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { type TSchema, Type } from "typebox";
import { bytesToHex, hexToBytes } from "viem";
import { BOM, csvCell, csvLine, csvText } from "../domain/csv.ts";
import { firstIndexAtOrAfter } from "../domain/firstIndexAtOrAfter.ts";
import { ID_PATTERN, parseId } from "../domain/ids.ts";
import { isoTime, parseDay } from "../domain/time.ts";
import { badRequest, problemResponses } from "../problem.ts";

type ExportRow = {
  idx: bigint;
  ts: bigint;
  block_number: bigint;
  tx_hash: Uint8Array;
  actor_org: bigint;
  org_name: string | null;
  record: Record<string, string | number | string[]>;
  rev_idx: bigint | null;
  rev_ts: bigint | null;
};

const ZERO = /^0x0*$/;
const names = (table: Record<string, number>) => new Map(Object.entries(table).map(([k, v]) => [v, k]));
const channelNames = names(donationChannel);
const categoryNames = names(disbursementCategory);

const amountCells = (minor: string, currency: string) => [
  isCurrencyCode(currency) ? toDecimalString(BigInt(minor), currency) : "",
  currency,
  minor,
];

const common = (r: ExportRow) => [
  r.idx.toString(),
  isoTime(r.ts),
  r.block_number.toString(),
  bytesToHex(r.tx_hash),
  r.actor_org.toString(),
];
const reversalCells = (r: ExportRow) => [
  r.rev_idx === null ? "false" : "true",
  r.rev_idx === null ? "" : r.rev_idx.toString(),
  r.rev_ts === null ? "" : isoTime(r.rev_ts),
];
const COMMON_HEADER = ["index", "time", "block_number", "tx_hash", "org_id", "org_name"];
const REVERSAL_HEADER = ["reversed", "reversed_by_index", "reversal_time"];

/** One export: its entry kind, the stream a `campaign`/`activity` filter follows, its columns. */
type ExportSpec = {
  kind: number;
  scopeField: "campaign" | "activity";
  scopeStream: (id: bigint) => `0x${string}`;
  scopeRecordField: string;
  header: string[];
  cells: (r: ExportRow) => string[];
};

const SPECS = {
  donations: {
    kind: 33,
    scopeField: "campaign",
    scopeStream: campaignStream,
    scopeRecordField: "campaignId",
    header: [
      ...COMMON_HEADER,
      "campaign_id",
      "donor_kind",
      "donor",
      "amount",
      "currency",
      "amount_minor",
      "channel",
      "purpose_tag",
      "in_kind_hash",
      "claim_id",
      "external_ref",
      ...REVERSAL_HEADER,
    ],
    cells: (r) => {
      const d = r.record;
      const organisation = Number(d.donorKind) === 1;
      return [
        String(d.campaignId),
        organisation ? "organisation" : "receipt",
        organisation ? BigInt(String(d.donor)).toString() : String(d.donor),
        ...amountCells(String(d.amount), String(d.currency)),
        channelNames.get(Number(d.channel)) ?? String(d.channel),
        ZERO.test(String(d.purposeTag)) ? "" : String(d.purposeTag),
        ZERO.test(String(d.inKindHash)) ? "" : String(d.inKindHash),
        String(d.claimId) === "0" ? "" : String(d.claimId),
        String(d.externalRef),
      ];
    },
  },
  disbursements: {
    kind: 34,
    scopeField: "campaign",
    scopeStream: campaignStream,
    scopeRecordField: "campaignId",
    header: [
      ...COMMON_HEADER,
      "campaign_id",
      "category",
      "amount",
      "currency",
      "amount_minor",
      "payee_kind",
      "payee",
      "payee_campaign_id",
      "purpose_tag",
      "evidence",
      "external_ref",
      ...REVERSAL_HEADER,
    ],
    cells: (r) => {
      const d = r.record;
      const grant = Number(d.payeeKind) === 1;
      return [
        String(d.campaignId),
        categoryNames.get(Number(d.category)) ?? String(d.category),
        ...amountCells(String(d.amount), String(d.currency)),
        grant ? "organisation" : "external",
        grant ? BigInt(String(d.payee)).toString() : String(d.payee),
        grant ? String(d.payeeCampaignId) : "",
        ZERO.test(String(d.purposeTag)) ? "" : String(d.purposeTag),
        (Array.isArray(d.evidence) ? d.evidence : []).map((h) => h.toLowerCase()).join(";"),
        String(d.externalRef),
      ];
    },
  },
  credits: {
    kind: 61,
    scopeField: "activity",
    scopeStream: activityStream,
    scopeRecordField: "activityId",
    header: [
      ...COMMON_HEADER,
      "activity_id",
      "volunteer",
      "minutes",
      "points",
      "service_date",
      "external_ref",
      ...REVERSAL_HEADER,
    ],
    cells: (r) => {
      const d = r.record;
      const date = String(d.serviceDate).padStart(8, "0");
      return [
        String(d.activityId),
        String(d.volunteer),
        String(d.minutes),
        String(d.points),
        `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`,
        String(d.externalRef),
      ];
    },
  },
} satisfies Record<string, ExportSpec>;

const Day = (description: string) =>
  Type.Optional(Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description }));

const filterSchema = (scope: "campaign" | "activity") =>
  Type.Object(
    {
      org: Type.Optional(Type.String({ pattern: ID_PATTERN, description: "Only records of this organisation." })),
      [scope]: Type.Optional(Type.String({ pattern: ID_PATTERN, description: `Only records of this ${scope}.` })),
      from: Day("First day (YYYY-MM-DD, UTC, included)."),
      to: Day("Last day (YYYY-MM-DD, UTC, included)."),
    },
    { additionalProperties: false },
  );

type Filters = { org?: string; campaign?: string; activity?: string; from?: string; to?: string };

const LEDGER_HEADERS = ["x-shanji-indexed-block", "x-shanji-chain-head", "x-shanji-lag", "x-shanji-log-size"];

/** Rows go out in batches of about this many, one write each. */
const ROWS_PER_WRITE = 500;
const CURSOR_PAGE = 1_000;

export const csvExports: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  for (const [name, spec] of Object.entries(SPECS) as [keyof typeof SPECS, ExportSpec][]) {
    app.get(
      `/v1/exports/${name}.csv`,
      {
        schema: {
          tags: ["exports"],
          summary: `All ${name} as CSV (UTF-8 with BOM), streamed, no row limit`,
          description:
            `Columns: ${spec.header.join(", ")}. Amounts in major units as decimal strings, with the currency and the ` +
            "exact minor units. Times ISO 8601 UTC. `from`/`to` are UTC days, both included. The ledger's state is in " +
            "the X-Shanji-Indexed-Block, X-Shanji-Log-Size, X-Shanji-Chain-Head and X-Shanji-Lag headers.",
          querystring: filterSchema(spec.scopeField),
          response: {
            200: {
              description: "The CSV file.",
              content: { "text/csv": { schema: Type.String() } },
            } as unknown as TSchema,
            ...problemResponses,
          },
        },
      },
      async (request, reply) => stream(reply, name, spec, request.query as Filters),
    );
  }

  async function stream(reply: FastifyReply, name: string, spec: ExportSpec, filters: Filters) {
    const org = filters.org === undefined ? undefined : parseId(filters.org, "querystring.org");
    const scopeValue = filters[spec.scopeField];
    const scope = scopeValue === undefined ? undefined : parseId(scopeValue, `querystring.${spec.scopeField}`);
    const from = filters.from === undefined ? undefined : parseDay(filters.from);
    const to = filters.to === undefined ? undefined : parseDay(filters.to);
    if (filters.from !== undefined && from === undefined) throw badRequest("querystring.from", "is not a calendar day");
    if (filters.to !== undefined && to === undefined) throw badRequest("querystring.to", "is not a calendar day");
    if (from !== undefined && to !== undefined && to < from)
      throw badRequest("querystring.to", "is before querystring.from");

    const { store } = app.shanji;
    const snapshot = await app.shanji.snapshot();
    const low = from === undefined ? 0n : await firstIndexAtOrAfter(store, from, snapshot.logSize);
    const high = to === undefined ? snapshot.logSize : await firstIndexAtOrAfter(store, to + 86_400, snapshot.logSize);

    const params: unknown[] = [low, high, snapshot.logSize, spec.kind];
    const where = ["e.kind = $4", "e.idx >= $1", "e.idx < $2"];
    let source = "entries e";
    if (org !== undefined) {
      params.push(org);
      where.push(`e.actor_org = $${params.length}`);
    }
    if (scope !== undefined) {
      // The campaign's (activity's) stream lists its records; a grant it received is in it too, so
      // the record's own field decides.
      params.push(hexToBytes(spec.scopeStream(scope)), scope.toString());
      source = `entry_streams s join entries e on e.idx = s.idx and s.stream_id = $${params.length - 1}`;
      where.push(`e.record->>'${spec.scopeRecordField}' = $${params.length}`);
    }
    const sql = `select e.idx, e.ts, e.block_number, e.tx_hash, e.actor_org, o.name as org_name, e.record,
                        r.idx as rev_idx, r.ts as rev_ts
                 from ${source}
                 left join orgs o on o.org_id = e.actor_org
                 left join entries r on r.kind in (35, 62) and (r.record->>'targetIndex') = e.idx::text and r.idx < $3
                 where ${where.join(" and ")}
                 order by e.idx`;

    const ledger = await app.shanji.ledgerMeta(snapshot);
    const parts = [name];
    if (org !== undefined) parts.push(`org-${org}`);
    if (scope !== undefined) parts.push(`${spec.scopeField}-${scope}`);
    if (filters.from) parts.push(`from-${filters.from}`);
    if (filters.to) parts.push(`to-${filters.to}`);
    reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="shanji-${parts.join("-")}.csv"`)
      .header("x-shanji-indexed-block", ledger.indexedBlock)
      .header("x-shanji-log-size", ledger.logSize)
      .header("access-control-expose-headers", ["content-disposition", ...LEDGER_HEADERS].join(", "));
    if (ledger.chainHead !== null) reply.header("x-shanji-chain-head", ledger.chainHead);
    if (ledger.lag !== null) reply.header("x-shanji-lag", ledger.lag);

    async function* lines(): AsyncGenerator<Buffer> {
      yield Buffer.from(BOM + csvLine(spec.header), "utf8");
      let batch = "";
      let count = 0;
      for await (const row of store.stream<ExportRow>(sql, params, CURSOR_PAGE)) {
        const [idx = "", ts = "", block = "", tx = "", orgId = ""] = common(row);
        batch += csvLine([
          idx,
          ts,
          block,
          tx,
          orgId,
          csvText(row.org_name ?? ""),
          ...spec.cells(row).map(csvCell),
          ...reversalCells(row),
        ]);
        if (++count % ROWS_PER_WRITE === 0) {
          yield Buffer.from(batch, "utf8");
          batch = "";
        }
      }
      if (batch) yield Buffer.from(batch, "utf8");
    }
    return reply.send(Readable.from(lines(), { objectMode: false }));
  }
};
