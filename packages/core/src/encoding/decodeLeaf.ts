/**
 * Decodes canonical leaf data (as emitted by the TransparencyLog's EntryAppended event) into an
 * Entry. Strict: an unknown version or kind, a truncated leaf or trailing bytes throw a
 * LeafEncodingError — a verifier must never accept bytes it cannot account for. Text is the one
 * field the contracts do not check, so its bytes are shown rather than refused (decodeText: U+FFFD
 * for bytes that are not UTF-8 and for NUL).
 */
import { type Hex, hexToBytes } from "viem";
import { createReader, LeafEncodingError } from "./_bytes.ts";
import type { Entry, EntryStream } from "./entry.ts";
import { type EntryKindName, entryKind, LEAF_VERSION, NO_PREVIOUS } from "./kinds.ts";
import { type EntryRecord, payloadSchemas } from "./schemas.ts";

export type DecodeLeafParameters = Uint8Array | Hex;
export type DecodeLeafReturnType = Entry;

const kindNames = new Map<number, EntryKindName>(
  Object.entries(entryKind).map(([name, kind]) => [kind, name as EntryKindName]),
);

export function decodeLeaf(leaf: DecodeLeafParameters): DecodeLeafReturnType {
  const data = typeof leaf === "string" ? hexToBytes(leaf) : leaf;
  const r = createReader(data);
  const version = r.smallUint(1, "version");
  if (version !== LEAF_VERSION) throw new LeafEncodingError(`Unknown leaf version ${version}.`);
  const kind = r.smallUint(1, "kind");
  const type = kindNames.get(kind);
  if (type === undefined) throw new LeafEncodingError(`Unknown entry kind ${kind}.`);
  const index = r.bigUint(8, "index");
  const timestamp = r.bigUint(8, "timestamp");
  const actorOrg = r.bigUint(8, "actorOrg");
  const operator = r.address("operator");
  const streamCount = r.smallUint(1, "streams.length");
  const streams: EntryStream[] = [];
  for (let i = 0; i < streamCount; i++) {
    const id = r.hex(32, `streams[${i}].id`);
    const prev = r.bigUint(8, `streams[${i}].prevIndex`);
    streams.push({ id, prevIndex: prev === NO_PREVIOUS ? null : prev });
  }
  const record: Record<string, unknown> = { type };
  for (const [name, fieldType] of payloadSchemas[type]) {
    record[name] = r.field(fieldType, name);
  }
  if (r.remaining() !== 0) {
    throw new LeafEncodingError(`Leaf has ${r.remaining()} trailing bytes after a ${type} payload.`);
  }
  return { version, kind, index, timestamp, actorOrg, operator, streams, record: record as EntryRecord };
}
