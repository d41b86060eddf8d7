/**
 * An entry as the ledger routes answer it: decoded from the stored leaf bytes (the exact bytes the
 * contract emitted, so the answer never depends on a derived column), JSON-safe — integers that
 * can pass 2^53 as decimal strings, addresses in lower case — with where it was emitted and its
 * inclusion proof.
 */
import { decodeLeaf, type Entry } from "@shanji/core";
import { payloadSchemas } from "../../../../core/src/encoding/schemas.ts";
import type { InclusionProof } from "../../schemas.ts";
import { type EntryRow, type InclusionProofOf, toHex } from "./inclusionProofs.ts";

export type EntryView = ReturnType<typeof entryView>;

/** The decoded entry, JSON-safe. */
export function decodedEntryJson(entry: Entry) {
  const record: Record<string, unknown> = { type: entry.record.type };
  const fields = entry.record as unknown as Record<string, unknown>;
  for (const [name, type] of payloadSchemas[entry.record.type]) {
    const value = fields[name];
    record[name] =
      typeof value === "bigint" ? value.toString() : type === "address" ? (value as string).toLowerCase() : value;
  }
  return {
    version: entry.version,
    kind: entry.kind,
    index: entry.index.toString(),
    timestamp: entry.timestamp.toString(),
    actorOrg: entry.actorOrg.toString(),
    operator: entry.operator.toLowerCase(),
    streams: entry.streams.map((s) => ({ id: s.id, prevIndex: s.prevIndex === null ? null : s.prevIndex.toString() })),
    // The generated union schema checks each kind's fields; TypeScript only sees a record here.
    record: record as never,
  };
}

/** The answer's entry fields: the row, its decoded leaf and its proof into `treeSize` at `blockNumber`. */
export function entryView(
  row: EntryRow,
  proof: InclusionProofOf,
  at: { treeSize: bigint; blockNumber: bigint },
): {
  index: string;
  blockNumber: string;
  txHash: string;
  logIndex: number;
  kind: number;
  kindName: never;
  leaf: string;
  leafHash: string;
  entry: ReturnType<typeof decodedEntryJson>;
  proof: InclusionProof;
} {
  const entry = decodeLeaf(row.leaf);
  return {
    index: row.idx.toString(),
    blockNumber: row.block_number.toString(),
    txHash: toHex(row.tx_hash),
    logIndex: row.log_index,
    kind: row.kind,
    kindName: entry.record.type as never,
    leaf: toHex(row.leaf),
    leafHash: proof.leafHash,
    entry: decodedEntryJson(entry),
    proof: {
      index: row.idx.toString(),
      treeSize: at.treeSize.toString(),
      root: proof.root,
      inclusion: proof.inclusion,
      blockNumber: at.blockNumber.toString(),
    },
  };
}
