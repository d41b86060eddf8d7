/**
 * A volunteer's record, by the pseudonym their organisation gave them (志愿者编号 → keyed
 * pseudonym on chain): service hours and points, each service record with its correction if one
 * was reversed, redemptions at merchants, and certificates (志愿服务证明). Names and ID numbers
 * never reach the ledger; the pseudonym is what a volunteer can look themselves up by. The totals
 * cover the whole record; the records come a page at a time, oldest first (a courier's years of
 * daily service would otherwise make one answer of megabytes).
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { volunteerStream } from "@shanji/core";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { type Hex, hexToBytes } from "viem";
import { decodeCursor, encodeCursor, isDecimalString } from "../cursor.ts";
import { hoursText } from "../domain/hours.ts";
import { orgNames } from "../domain/orgNames.ts";
import { reversalsOf } from "../domain/reversals.ts";
import { EvidenceLink, evidenceLink, Reversal, reversalJson, Time } from "../domain/schemas.ts";
import { isoTime } from "../domain/time.ts";
import { notFound, problemResponses } from "../problem.ts";
import { Bytes32, Decimal, LedgerMeta, PageQuery } from "../schemas.ts";

const Credit = Type.Object(
  {
    index: Decimal(),
    time: Time(),
    orgId: Decimal("The organisation that recorded the service."),
    orgName: Type.Union([Type.String(), Type.Null()]),
    activityId: Decimal(),
    minutes: Type.Integer(),
    points: Decimal(),
    serviceDate: Type.String({ description: "YYYY-MM-DD, as the organisation recorded it." }),
    reversedBy: Type.Union([Reversal, Type.Null()], { description: "A correction that took this record back." }),
  },
  { additionalProperties: false },
);

const Redemption = Type.Object(
  {
    index: Decimal(),
    time: Time(),
    merchantOrgId: Decimal(),
    merchantName: Type.Union([Type.String(), Type.Null()]),
    points: Decimal(),
    service: EvidenceLink,
  },
  { additionalProperties: false },
);

const Certificate = Type.Object(
  {
    index: Decimal(),
    time: Time(),
    issuerOrgId: Decimal(),
    issuerName: Type.Union([Type.String(), Type.Null()]),
    certificate: EvidenceLink,
    minutesCovered: Decimal(),
    hoursCovered: Type.String(),
  },
  { additionalProperties: false },
);

type Row = { idx: bigint; ts: bigint; kind: number; actor_org: bigint; record: Record<string, string | number> };

const serviceDateText = (yyyymmdd: number) => {
  const s = String(yyyymmdd).padStart(8, "0");
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
};

export const volunteers: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/v1/volunteers/lookup",
    {
      schema: {
        tags: ["volunteers"],
        summary: "A volunteer's hours, points, redemptions and certificates",
        querystring: Type.Object(
          {
            code: Type.String({
              pattern: "^(0[xX])?[0-9a-fA-F]{64}$",
              description: "The volunteer's pseudonym: 0x + 64 hex digits (without 0x or in upper case also accepted).",
            }),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            {
              volunteer: Bytes32("The pseudonym."),
              minutes: Decimal("Service minutes, net of reversed records."),
              hours: Type.String({ description: "minutes ÷ 60, two decimal places." }),
              points: Type.Object(
                {
                  issued: Decimal(),
                  reversed: Decimal(),
                  redeemed: Decimal(),
                  balance: Decimal("issued − reversed − redeemed: never negative (the contract refuses)."),
                },
                { additionalProperties: false },
              ),
              credits: Type.Array(Credit),
              redemptions: Type.Array(Redemption),
              certificates: Type.Array(Certificate),
              nextCursor: Type.Union([Type.String(), Type.Null()], {
                description:
                  "The page holds `limit` records (credits, redemptions and certificates together, oldest first): " +
                  "pass this as `cursor` for the next; null on the last page. The totals are the same on every page.",
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
      const volunteer = `0x${request.query.code.replace(/^0[xX]/, "").toLowerCase()}` as Hex;
      const { limit = 50, cursor } = request.query;
      const after = decodeCursor(cursor, isDecimalString);
      const { store } = app.shanji;
      const snapshot = await app.shanji.snapshot();
      const [totals] = await store.query<{
        minutes: bigint;
        points_issued: string;
        points_reversed: string;
        points_redeemed: string;
        points: string;
      }>(
        "select minutes, points_issued::text, points_reversed::text, points_redeemed::text, points::text from volunteers where volunteer = $1",
        [hexToBytes(volunteer)],
      );
      if (!totals) throw notFound("no volunteer has this code");
      // Credits, redemptions and certificates; a correction (kind 62) is shown on the credit it took back.
      const found = await store.query<Row>(
        `select e.idx, e.ts, e.kind, e.actor_org, e.record from entry_streams s join entries e on e.idx = s.idx
         where s.stream_id = $1 and s.idx < $2 and s.idx > $3 and e.kind in (61, 63, 64) order by s.idx limit $4`,
        [
          hexToBytes(volunteerStream(volunteer)),
          snapshot.logSize,
          after === undefined ? -1n : BigInt(after),
          limit + 1,
        ],
      );
      const rows = found.slice(0, limit);
      const reversals = await reversalsOf(
        store,
        rows.filter((r) => r.kind === 61).map((r) => r.idx),
        snapshot.logSize,
      );
      const names = await orgNames(
        store,
        rows.map((r) => r.actor_org),
      );
      const of = (kind: number) => rows.filter((r) => r.kind === kind);
      return {
        volunteer,
        minutes: totals.minutes.toString(),
        hours: hoursText(totals.minutes),
        points: {
          issued: totals.points_issued,
          reversed: totals.points_reversed,
          redeemed: totals.points_redeemed,
          balance: totals.points,
        },
        credits: of(61).map((r) => ({
          index: r.idx.toString(),
          time: isoTime(r.ts),
          orgId: r.actor_org.toString(),
          orgName: names.get(r.actor_org) ?? null,
          activityId: String(r.record.activityId),
          minutes: Number(r.record.minutes),
          points: String(r.record.points),
          serviceDate: serviceDateText(Number(r.record.serviceDate)),
          reversedBy: reversalJson(reversals.get(r.idx)),
        })),
        redemptions: of(63).map((r) => ({
          index: r.idx.toString(),
          time: isoTime(r.ts),
          merchantOrgId: r.actor_org.toString(),
          merchantName: names.get(r.actor_org) ?? null,
          points: String(r.record.points),
          service: evidenceLink(String(r.record.serviceHash).toLowerCase()),
        })),
        certificates: of(64).map((r) => ({
          index: r.idx.toString(),
          time: isoTime(r.ts),
          issuerOrgId: r.actor_org.toString(),
          issuerName: names.get(r.actor_org) ?? null,
          certificate: evidenceLink(String(r.record.certificateHash).toLowerCase()),
          minutesCovered: String(r.record.minutesCovered),
          hoursCovered: hoursText(BigInt(String(r.record.minutesCovered))),
        })),
        nextCursor: found.length > limit ? encodeCursor(String(rows.at(-1)?.idx)) : null,
        ledger: await app.shanji.ledgerMeta(snapshot),
      };
    },
  );
};
