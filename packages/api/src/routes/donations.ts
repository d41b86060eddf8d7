/**
 * A donor's view: the donation behind a receipt code, and where its money went — each disbursement
 * it paid for, hop by hop through grants into other organisations' campaigns, with the evidence of
 * each and a proof of every entry named, so the donor can check it all against the chain.
 *
 * The receipt code is the random secret printed on the receipt; the ledger holds only its SHA-256
 * (the donor commitment), so the code is never stored or logged here. A malformed code, a code of
 * no donation and a wrong code get the same answer, so that the API tells nothing about codes.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { decodeLeaf, donationChannel, type Entry } from "@shanji/core";
import type { TraceStep } from "@shanji/indexer";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { type Hex, hexToBytes, sha256 } from "viem";
import { campaignsById } from "../domain/campaignsById.ts";
import { donationTrace } from "../domain/donationTrace.ts";
import { entryProofs, type ProvenEntry } from "../domain/entryProofs.ts";
import { EvidenceLink, evidenceLink, ProvenLeaf, Time } from "../domain/schemas.ts";
import { maxOf, snapshotCovering } from "../domain/snapshotCovering.ts";
import { isoTime } from "../domain/time.ts";
import { notFound, problemResponses } from "../problem.ts";
import { Bytes32, Decimal, LedgerMeta } from "../schemas.ts";

const Category = Type.Union([Type.Literal("program"), Type.Literal("administration"), Type.Literal("fundraising")]);

const TraceStepSchema = Type.Object(
  {
    depth: Type.Integer({ description: "0 in the donation's campaign, one more for each grant followed." }),
    campaignId: Decimal(),
    orgId: Type.Union([Decimal(), Type.Null()]),
    orgName: Type.Union([Type.String(), Type.Null()]),
    sourceIndex: Decimal("The lot the money was in at this hop: the donation, or the grant that carried it here."),
    entryIndex: Decimal("The outflow (disbursement, grant, reversal), or for `unspent` the lot itself."),
    kind: Type.Union(
      [Type.Literal("disbursement"), Type.Literal("grant"), Type.Literal("reversal"), Type.Literal("unspent")],
      {
        description:
          "grant: paid into another organisation's campaign, followed by the steps one level deeper whose sourceIndex is this entry; reversal: used to cover a reversed donation; unspent: still held.",
      },
    ),
    amount: Decimal("The donor's part, in minor units (see the rounding rule in the indexer's traceDonation)."),
    category: Type.Optional(Category),
    evidence: Type.Array(EvidenceLink),
    ...ProvenLeaf,
  },
  { additionalProperties: false },
);

const DonationSchema = Type.Object(
  {
    index: Decimal(),
    time: Time(),
    campaignId: Decimal(),
    orgId: Decimal("The organisation that received it (the campaign's)."),
    orgName: Type.Union([Type.String(), Type.Null()]),
    amount: Decimal("Minor units; for an in-kind donation, its valuation."),
    currency: Type.String({ pattern: "^[A-Z]{3}$" }),
    channel: Type.String({ description: "How the money came: wechatPay, alipay, bankTransfer, …" }),
    earmark: Type.Union([Bytes32(), Type.Null()], {
      description: "The purpose tag it is restricted to (定向), or null.",
    }),
    inKind: Type.Union([EvidenceLink, Type.Null()], { description: "For an in-kind donation: the item description." }),
    ...ProvenLeaf,
    reversal: Type.Union(
      [
        Type.Object(
          { index: Decimal(), time: Time(), reason: Type.Integer(), ...ProvenLeaf },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: "The correction that reversed this donation; its trace then shows only what it paid before." },
    ),
    trace: Type.Array(TraceStepSchema, {
      description:
        "Depth first: each grant is followed by the steps of the hop it leads to. The steps of depth 0 add up to the donation (less a refund, if reversed).",
    }),
  },
  { additionalProperties: false },
);

const channelNames = new Map<number, string>(Object.entries(donationChannel).map(([k, v]) => [v, k]));

/** The donor commitment of a receipt code: SHA-256 of its 32 bytes; undefined if it is not a code. */
export function receiptCommitment(code: string): Hex | undefined {
  const match = /^(?:0[xX])?([0-9a-fA-F]{64})$/.exec(code.trim());
  if (!match?.[1]) return undefined;
  return sha256(hexToBytes(`0x${match[1].toLowerCase()}`));
}

/**
 * The donations a receipt commitment names, before a log size. Its donor condition is the expression
 * of the index entries_receipt_donor, collation included (migration 0007: byte by byte), so that the
 * index serves it; a test checks the plan.
 */
export const RECEIPT_DONATIONS = `select leaf from entries
  where kind = 33 and record->>'donorKind' = '0' and (record->>'donor') collate "C" = $1 and idx < $2
  order by idx`;

const NOT_FOUND = "no donation has this receipt code (a donation just made shows once the indexer reaches its block)";

export const donations: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/v1/donations/lookup",
    {
      schema: {
        tags: ["donations"],
        summary: "The donation of a receipt code, and where its money went, with proofs",
        description:
          "`receipt`: the code on the donation receipt, 0x + 64 hex digits (without 0x or in upper case also accepted). " +
          "A malformed, unknown or wrong code gets the same 404.",
        querystring: Type.Object(
          {
            receipt: Type.String({
              maxLength: 2048,
              description: "The receipt code (a secret: send it only over HTTPS).",
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            {
              commitment: Bytes32("SHA-256 of the code: the donor field of the donation entries."),
              donations: Type.Array(DonationSchema, {
                description: "Usually one; a donation corrected by reversal and re-entry gives two, in entry order.",
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
      const commitment = receiptCommitment(request.query.receipt);
      let snapshot = await app.shanji.snapshot();
      if (commitment === undefined) throw notFound(NOT_FOUND);
      const { store } = app.shanji;
      const rows = await store.query<{ leaf: Uint8Array }>(RECEIPT_DONATIONS, [commitment, snapshot.logSize]);
      if (rows.length === 0) throw notFound(NOT_FOUND);
      const found = rows.map(({ leaf }) => decodeLeaf(leaf));

      const traces = new Map<bigint, TraceStep[]>();
      for (const donation of found) traces.set(donation.index, await donationTrace(store, donation));
      const reversals = await store.query<{ leaf: Uint8Array }>(
        "select leaf from entries where kind = 35 and (record->>'targetIndex') = any($1::text[]) order by idx",
        [found.map((d) => d.index.toString())],
      );
      const reversalOf = new Map<bigint, Entry>();
      for (const { leaf } of reversals) {
        const entry = decodeLeaf(leaf);
        if (entry.record.type === "recordReversed" && !reversalOf.has(entry.record.targetIndex))
          reversalOf.set(entry.record.targetIndex, entry);
      }

      const indexes = [
        ...found.map((d) => d.index),
        ...[...reversalOf.values()].map((r) => r.index),
        ...[...traces.values()].flat().map((s) => s.entryIndex),
      ];
      snapshot = await snapshotCovering(app.shanji, snapshot, maxOf(indexes));
      const proofs = await entryProofs(store, snapshot, indexes);
      const campaigns = await campaignsById(store, [
        ...[...traces.values()].flat().map((s) => s.campaignId),
        ...found.flatMap((d) => (d.record.type === "donationRecorded" ? [d.record.campaignId] : [])),
      ]);
      const proven = (index: bigint): ProvenEntry => {
        const p = proofs.get(index);
        if (!p) throw new Error(`no proof of entry ${index}`);
        return p;
      };

      return {
        commitment,
        donations: found.flatMap((d) => {
          if (d.record.type !== "donationRecorded") return [];
          const r = d.record;
          const reversal = reversalOf.get(d.index);
          const campaign = campaigns.get(r.campaignId);
          return [
            {
              index: d.index.toString(),
              time: isoTime(d.timestamp),
              campaignId: r.campaignId.toString(),
              orgId: d.actorOrg.toString(),
              orgName: campaign?.orgName ?? null,
              amount: r.amount.toString(),
              currency: r.currency,
              channel: channelNames.get(r.channel) ?? `unknown(${r.channel})`,
              earmark: /^0x0*$/.test(r.purposeTag) ? null : r.purposeTag,
              inKind: /^0x0*$/.test(r.inKindHash) ? null : evidenceLink(r.inKindHash),
              ...proven(d.index),
              reversal:
                reversal?.record.type === "recordReversed"
                  ? {
                      index: reversal.index.toString(),
                      time: isoTime(reversal.timestamp),
                      reason: reversal.record.reason,
                      ...proven(reversal.index),
                    }
                  : null,
              trace: (traces.get(d.index) ?? []).map((s) => {
                const c = campaigns.get(s.campaignId);
                return {
                  depth: s.depth,
                  campaignId: s.campaignId.toString(),
                  orgId: c ? c.orgId.toString() : null,
                  orgName: c?.orgName ?? null,
                  sourceIndex: s.sourceIndex.toString(),
                  entryIndex: s.entryIndex.toString(),
                  kind: s.kind,
                  amount: s.amount.toString(),
                  ...(s.category === undefined ? {} : { category: s.category }),
                  evidence: (s.evidence ?? []).map((h) => evidenceLink(h.toLowerCase())),
                  ...proven(s.entryIndex),
                };
              }),
            },
          ];
        }),
        ledger: await app.shanji.ledgerMeta(snapshot),
      };
    },
  );
};
