/**
 * decodeLeaf for readers that decode many leaves and do not show the operator: the same Entry, read
 * straight from the bytes, except that `operator` is in lower case. decodeLeaf writes the operator
 * with its EIP-55 checksum, a keccak-256 per leaf that the indexer (which never stores it) and the
 * API (which lower-cases it again) only throw away. Addresses inside the record keep their checksum,
 * exactly as decodeLeaf writes them: they are rare (governance and key entries), and stored records
 * are compared with checksummed addresses. Just as strict: whatever decodeLeaf refuses, this refuses
 * with the same LeafEncodingError; a test checks both agree on every entry kind. For Node only (it
 * writes hex with Buffer), which is why it stays out of the package's entry point, read by browsers.
 */
import { getAddress, type Hex } from "viem";
import { decodeText, LeafEncodingError } from "./_bytes.ts";
import type { Entry } from "./entry.ts";
import { type EntryKindName, entryKind, LEAF_VERSION, NO_PREVIOUS } from "./kinds.ts";
import { type EntryRecord, type FieldType, payloadSchemas } from "./schemas.ts";

export type DecodeLeafFastParameters = Uint8Array;
/** decodeLeaf's Entry, with the operator address in lower case (no EIP-55 checksum). */
export type DecodeLeafFastReturnType = Omit<Entry, "operator"> & { operator: Hex };

const kindNames: (EntryKindName | undefined)[] = [];
for (const [name, kind] of Object.entries(entryKind)) kindNames[kind] = name as EntryKindName;
/** Each kind's fields as two arrays, so that decoding does not destructure a tuple per field. */
const schemas = new Map<EntryKindName, { names: string[]; types: FieldType[] }>(
  Object.entries(payloadSchemas).map(([name, schema]) => [
    name as EntryKindName,
    { names: schema.map(([field]) => field), types: schema.map(([, type]) => type) },
  ]),
);

export function decodeLeafFast(leaf: DecodeLeafFastParameters): DecodeLeafFastReturnType {
  const view = new DataView(leaf.buffer, leaf.byteOffset, leaf.byteLength);
  const bytes = Buffer.from(leaf.buffer, leaf.byteOffset, leaf.byteLength);
  const length = leaf.length;
  let o = 0;
  const need = (size: number, field: string) => {
    if (o + size > length) {
      throw new LeafEncodingError(
        `Leaf is truncated: ${field} needs ${size} bytes at offset ${o}, leaf has ${length}.`,
      );
    }
  };
  const u8 = (field: string): number => {
    need(1, field);
    return leaf[o++] as number;
  };
  const u64 = (field: string): bigint => {
    need(8, field);
    const value = view.getBigUint64(o);
    o += 8;
    return value;
  };
  const hex = (size: number, field: string): Hex => {
    need(size, field);
    // One flat string from Node's hex encoder: a string grown by a byte's digits at a time is a
    // rope of 33 pieces, flattened again by whatever reads it (1.2 µs a donation, with its JSON).
    const out = `0x${bytes.toString("hex", o, o + size)}`;
    o += size;
    return out as Hex;
  };

  const version = u8("version");
  if (version !== LEAF_VERSION) throw new LeafEncodingError(`Unknown leaf version ${version}.`);
  const kind = u8("kind");
  const type = kindNames[kind];
  if (type === undefined) throw new LeafEncodingError(`Unknown entry kind ${kind}.`);
  const index = u64("index");
  const timestamp = u64("timestamp");
  const actorOrg = u64("actorOrg");
  const operator = hex(20, "operator");
  const streamCount = u8("streams.length");
  const streams: Entry["streams"] = [];
  for (let i = 0; i < streamCount; i++) {
    const id = hex(32, `streams[${i}].id`);
    const prev = u64(`streams[${i}].prevIndex`);
    streams.push({ id, prevIndex: prev === NO_PREVIOUS ? null : prev });
  }

  const record: Record<string, unknown> = { type };
  const { names, types } = schemas.get(type) as { names: string[]; types: FieldType[] };
  for (let f = 0; f < names.length; f++) {
    const name = names[f] as string;
    switch (types[f]) {
      case "u8":
        record[name] = u8(name);
        break;
      case "u16":
        need(2, name);
        record[name] = view.getUint16(o);
        o += 2;
        break;
      case "u32":
        need(4, name);
        record[name] = view.getUint32(o);
        o += 4;
        break;
      case "u64":
        record[name] = u64(name);
        break;
      case "u128": {
        need(16, name);
        const high = u64(name);
        record[name] = (high << 64n) | u64(name);
        break;
      }
      case "bool": {
        const b = u8(name);
        if (b > 1) throw new LeafEncodingError(`${name}: a bool must be 0 or 1, got ${b}.`);
        record[name] = b === 1;
        break;
      }
      case "address":
        record[name] = getAddress(hex(20, name));
        break;
      case "bytes3":
      case "bytes18": {
        const size = types[f] === "bytes3" ? 3 : 18;
        need(size, name);
        record[name] = String.fromCharCode(...leaf.subarray(o, o + size));
        o += size;
        break;
      }
      case "bytes32":
        record[name] = hex(32, name);
        break;
      case "bytes32[]": {
        const n = u8(`${name}.length`);
        const items: Hex[] = [];
        for (let i = 0; i < n; i++) items.push(hex(32, `${name}[${i}]`));
        record[name] = items;
        break;
      }
      case "string16": {
        need(2, `${name}.length`);
        const n = view.getUint16(o);
        o += 2;
        need(n, name);
        record[name] = decodeText(leaf.subarray(o, o + n));
        o += n;
        break;
      }
    }
  }
  if (o !== length) {
    throw new LeafEncodingError(`Leaf has ${length - o} trailing bytes after a ${type} payload.`);
  }
  return { version, kind, index, timestamp, actorOrg, operator, streams, record: record as EntryRecord };
}
