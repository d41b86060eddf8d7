/**
 * Schemas the domain routes share: times, evidence links, proven entries, decoded records.
 */
import { entryKind } from "@shanji/core";
import { Type } from "typebox";
import { Bytes32, Decimal, Hex, InclusionProof } from "../schemas.ts";
import { isoTime } from "./time.ts";

/** ISO 8601 UTC, seconds precision. */
export const Time = (description?: string) =>
  Type.String({ format: "date-time", ...(description ? { description } : {}) });

/** A SHA-256 of an off-chain file and where to fetch it. */
export const EvidenceLink = Type.Object(
  {
    sha256: Bytes32("SHA-256 of the file, as on chain."),
    url: Type.String({ description: "`/v1/evidence/<sha256 hex>`: the file (restricted ones only for regulators)." }),
  },
  { additionalProperties: false },
);

export const evidenceLink = (sha256: string) => ({ sha256, url: `/v1/evidence/${sha256.slice(2)}` });

/** An entry with what is needed to check it against the chain. */
export const ProvenLeaf = {
  leaf: Hex(
    "The entry's leaf data: decode it with @shanji/core decodeLeaf; SHA-256(0x00 ‖ leaf) proves into proof.root.",
  ),
  proof: InclusionProof,
};

/** A decoded record as the indexer stores it: u64/u128 as decimal strings, bytes as 0x-hex. */
export const EntryRecord = Type.Object(
  { type: Type.String({ description: "The entry kind's name, e.g. donationRecorded." }) },
  {
    additionalProperties: true,
    description: "The decoded payload; fields per kind in packages/core/src/encoding/schemas.ts.",
  },
);

const kindNames = new Map<number, string>(Object.entries(entryKind).map(([name, value]) => [value, name]));
export const entryKindName = (kind: number): string => kindNames.get(kind) ?? `unknown(${kind})`;

export const Reversal = Type.Object(
  {
    index: Decimal("The reversal entry."),
    time: Time(),
    reason: Type.Integer({ description: "The organisation's reason code." }),
  },
  { additionalProperties: false },
);

export const reversalJson = (r: { index: bigint; time: bigint; reason: number } | undefined) =>
  r === undefined ? null : { index: r.index.toString(), time: isoTime(r.time), reason: r.reason };
