/**
 * Schemas of the ledger routes' answers: an entry as the log holds it (leaf bytes, decoded fields,
 * where it was emitted) with its inclusion proof, generated for every entry kind from
 * @shanji/core's payload table, so that the OpenAPI document lists each kind's fields.
 */
import { type EntryKindName, entryKind } from "@shanji/core";
import { type TSchema, Type } from "typebox";
// The payload table is not (yet) exported by @shanji/core's entry point; it is the one source of
// every kind's fields, so the schemas are generated from it rather than copied.
import { type FieldType, payloadSchemas } from "../../../../core/src/encoding/schemas.ts";
import { Address, Bytes32, Decimal, Hex, HexBytes, InclusionProof } from "../../schemas.ts";

/** How each packed field type of a payload travels in JSON. */
function fieldSchema(type: FieldType): TSchema {
  switch (type) {
    case "u8":
    case "u16":
    case "u32":
      return Type.Integer({ minimum: 0 });
    case "u64":
    case "u128":
      return Decimal();
    case "bool":
      return Type.Boolean();
    case "address":
      return Address;
    case "bytes3":
      return Type.String({ description: "ASCII, 3 bytes (an ISO 4217 currency code)." });
    case "bytes18":
      return Type.String({ description: "ASCII, 18 bytes (a Unified Social Credit Code)." });
    case "bytes32":
      return Bytes32();
    case "bytes32[]":
      return Type.Array(Bytes32());
    case "string16":
      return Type.String();
  }
}

/** The payload of one entry kind: `type` names the kind, then its fields in leaf order. */
function recordSchema(kind: EntryKindName): TSchema {
  const fields: Record<string, TSchema> = { type: Type.Literal(kind) };
  for (const [name, type] of payloadSchemas[kind]) fields[name] = fieldSchema(type);
  return Type.Object(fields, { additionalProperties: false, title: kind });
}

const kindNames = Object.keys(entryKind) as EntryKindName[];

export const EntryRecord = Type.Union(kindNames.map(recordSchema), {
  description: "The kind-specific payload, decoded from the leaf (packages/core/src/encoding/schemas.ts).",
});

/** The decoded leaf: header, streams with back-pointers, payload. */
export const DecodedEntry = Type.Object(
  {
    version: Type.Integer(),
    kind: Type.Integer(),
    index: Decimal(),
    timestamp: Decimal("Block timestamp, unix seconds."),
    actorOrg: Decimal("The organisation the entry was written for; 0 for governance or a volunteer's own act."),
    operator: Address,
    streams: Type.Array(
      Type.Object(
        {
          id: Bytes32("Stream id: keccak256(u8 streamKind ‖ bytes32 key)."),
          prevIndex: Type.Union([Decimal(), Type.Null()], {
            description: "The stream's previous entry; null for its first.",
          }),
        },
        { additionalProperties: false },
      ),
    ),
    record: EntryRecord,
  },
  { additionalProperties: false },
);

/** An entry with where the chain emitted it and its inclusion proof. */
export const entryFields = {
  index: Decimal(),
  blockNumber: Decimal("The block whose transaction appended the entry."),
  txHash: Bytes32(),
  logIndex: Type.Integer({ minimum: 0 }),
  kind: Type.Integer(),
  kindName: Type.Union(kindNames.map((k) => Type.Literal(k))),
  leaf: Hex("The canonical leaf data, as the contract emitted it: SHA-256(0x00 ‖ leaf) = leafHash."),
  leafHash: Bytes32(),
  entry: DecodedEntry,
  proof: InclusionProof,
};

/** A checkpoint: a size of the log, its root, and the block at whose end the chain reported it. */
export const checkpointFields = {
  size: Decimal("Entries in the log."),
  root: Bytes32("RFC 9162 Merkle root of the first `size` entries."),
  blockNumber: Type.Union([Decimal(), Type.Null()], {
    description:
      "A block at whose end the chain's log had exactly `size` entries (root() there is `root`); null if none.",
  }),
};

export const StreamId = HexBytes(32, "A stream id: 0x and 64 hex digits.");
