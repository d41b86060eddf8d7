/**
 * GET /v1/alerts: the regulator's dashboard — overdue disclosures, management costs above policy,
 * program spending without its evidence files, large donations, failed indexer self-checks. Each
 * alert names its organisation and campaign and the entries that justify it. What each kind means
 * and the order they come in: ../domain/alerts.ts; the policy and thresholds: ../domain/options.ts.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { ALERT_KINDS, ALERT_SOURCES, type Keyed } from "../domain/alerts.ts";
import { chainTime } from "../domain/chainTime.ts";
import { ID_PATTERN, parseId } from "../domain/ids.ts";
import { orgNames } from "../domain/orgNames.ts";
import { EvidenceLink, Reversal, Time } from "../domain/schemas.ts";
import { ManagementCost } from "../domain/spending.ts";
import { isoTime } from "../domain/time.ts";
import { problemResponses } from "../problem.ts";
import { Bytes32, Decimal, Page, PageQuery } from "../schemas.ts";

const base = {
  id: Type.String({ description: "Stable: the same condition keeps its id." }),
  orgId: Type.Union([Decimal(), Type.Null()]),
  orgName: Type.Union([Type.String(), Type.Null()]),
  campaignId: Type.Union([Decimal(), Type.Null()]),
  at: Time("When the condition arose: the entry's time, the due date, the failure's time."),
  entries: Type.Array(Decimal(), { description: "Entry indexes that justify the alert (see /v1/entries/:index)." }),
  detail: Type.String(),
};

const Alert = Type.Union([
  Type.Object(
    {
      kind: Type.Literal("selfCheckFailed"),
      ...base,
      fromBlock: Decimal(),
      toBlock: Decimal(),
      expectedRoot: Bytes32("The chain's root() the batch had to rebuild."),
      computedRoot: Bytes32(),
      message: Type.String(),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal("disclosureOverdue"),
      ...base,
      obligation: Type.Union([Type.Literal("progress"), Type.Literal("final")]),
      status: Type.Union([Type.Literal("overdue"), Type.Literal("late")], {
        description: "overdue: still missing; late: published after the due date.",
      }),
      dueAt: Time(),
      disclosedAt: Type.Union([Time(), Type.Null()]),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal("managementCostRatio"),
      ...base,
      year: Type.Integer({ description: "Calendar year, China Standard Time." }),
      currency: Type.String(),
      ...ManagementCost.properties,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal("programWithoutEvidence"),
      ...base,
      amount: Decimal(),
      currency: Type.String(),
      status: Type.Union([Type.Literal("none"), Type.Literal("partial")], {
        description: "none: no evidence file is in the store; partial: some are missing.",
      }),
      evidence: Type.Array(
        Type.Object({ ...EvidenceLink.properties, available: Type.Boolean() }, { additionalProperties: false }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal("largeDonation"),
      ...base,
      amount: Decimal(),
      currency: Type.String(),
      threshold: Decimal("The configured threshold of the currency, minor units."),
      donorKind: Type.Union([Type.Literal("receipt"), Type.Literal("organisation")]),
      reversedBy: Type.Union([Reversal, Type.Null()]),
    },
    { additionalProperties: false },
  ),
]);

const KindName = Type.Union(ALERT_KINDS.map((k) => Type.Literal(k)));

const isAlertCursor = (v: unknown): v is [number, string] =>
  Array.isArray(v) &&
  v.length === 2 &&
  Number.isInteger(v[0]) &&
  v[0] >= 0 &&
  v[0] < ALERT_KINDS.length &&
  typeof v[1] === "string" &&
  /^[0-9A-Z:a-z]{1,120}$/.test(v[1]);

export const alerts: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/v1/alerts",
    {
      schema: {
        tags: ["alerts"],
        summary:
          "Alerts for regulators: overdue disclosures, management costs, missing evidence, large donations, self-checks",
        description:
          "Listed kind by kind (selfCheckFailed, disclosureOverdue, managementCostRatio, programWithoutEvidence, " +
          "largeDonation), each in a stable order. A page may hold fewer than `limit` alerts while the scan of " +
          "records goes on: continue while `nextCursor` is not null. The management-cost policy and the " +
          "large-donation thresholds are the API's configuration (defaults documented in the README), not the chain's.",
        querystring: Type.Object(
          {
            kind: Type.Optional(Type.Array(KindName, { description: "Only these kinds (repeat the field)." })),
            org: Type.Optional(Type.String({ pattern: ID_PATTERN, description: "Only this organisation's." })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Page(Alert, { asOf: Time("The chain's time at the indexed head, at which deadlines are judged.") }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { kind, org, limit = 50, cursor } = request.query;
      const orgId = org === undefined ? undefined : parseId(org, "querystring.org");
      const from = decodeCursor(cursor, isAlertCursor);
      const selected = new Set(kind ?? ALERT_KINDS);
      const { store } = app.shanji;
      const snapshot = await app.shanji.snapshot();
      const now = await chainTime(store, snapshot);

      const found: { position: number; item: Keyed }[] = [];
      let resume: [number, string] | null = null;
      for (const [position, name] of ALERT_KINDS.entries()) {
        if (!selected.has(name) || (from && position < from[0])) continue;
        const { items, resumeAfter } = await ALERT_SOURCES[name]({
          store,
          rules: app.shanjiRules,
          logSize: snapshot.logSize,
          now,
          orgId,
          after: from && position === from[0] ? from[1] : undefined,
          limit: limit + 1 - found.length,
        });
        found.push(...items.map((item) => ({ position, item })));
        if (found.length > limit) break;
        if (resumeAfter !== undefined) {
          resume = [position, resumeAfter];
          break;
        }
      }
      const page = found.slice(0, limit);
      const last = page.at(-1);
      const nextCursor =
        found.length > limit && last
          ? encodeCursor([last.position, last.item.key])
          : resume
            ? encodeCursor(resume)
            : null;
      const names = await orgNames(
        store,
        page.flatMap(({ item }) => (item.alert.orgId === null ? [] : [BigInt(item.alert.orgId)])),
      );
      return {
        asOf: isoTime(now),
        items: page.map(({ item }) => ({
          ...item.alert,
          orgName: item.alert.orgId === null ? null : (names.get(BigInt(item.alert.orgId)) ?? null),
        })),
        nextCursor,
        ledger: await app.shanji.ledgerMeta(snapshot),
      };
    },
  );
};
