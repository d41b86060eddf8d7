/**
 * The canonical leaf data of an entry: the exact bytes the TransparencyLog contract builds and
 * emits, whose SHA-256(0x00 ‖ leaf) is the entry's Merkle leaf hash.
 */
import { createWriter, LeafEncodingError } from "./_bytes.ts";
import type { Entry } from "./entry.ts";
import { entryKind, NO_PREVIOUS } from "./kinds.ts";
import { payloadSchemas } from "./schemas.ts";

export type EncodeLeafParameters = Entry;
export type EncodeLeafReturnType = Uint8Array;

export function encodeLeaf(entry: EncodeLeafParameters): EncodeLeafReturnType {
  const { record } = entry;
  if (entryKind[record.type] !== entry.kind) {
    throw new LeafEncodingError(
      `kind: ${entry.kind} does not match record type ${record.type} (${entryKind[record.type]}).`,
    );
  }
  const w = createWriter();
  w.uint(entry.version, 1, "version");
  w.uint(entry.kind, 1, "kind");
  w.uint(entry.index, 8, "index");
  w.uint(entry.timestamp, 8, "timestamp");
  w.uint(entry.actorOrg, 8, "actorOrg");
  w.fixed(entry.operator, 20, "operator");
  w.uint(entry.streams.length, 1, "streams.length");
  entry.streams.forEach((s, i) => {
    w.fixed(s.id, 32, `streams[${i}].id`);
    w.uint(s.prevIndex ?? NO_PREVIOUS, 8, `streams[${i}].prevIndex`);
  });
  const fields = record as unknown as Record<string, unknown>;
  for (const [name, type] of payloadSchemas[record.type]) {
    w.field(type, fields[name], name);
  }
  return w.finish();
}
