import fc from "fast-check";
import { bytesToHex } from "viem";
import { describe, expect, test } from "vitest";
import { decodeLeaf } from "./decodeLeaf.ts";
import { decodeLeafFast } from "./decodeLeafFast.ts";
import { encodeLeaf } from "./encodeLeaf.ts";
import type { Entry } from "./entry.ts";
import { type EntryKindName, entryKind } from "./kinds.ts";
import { type EntryRecord, type FieldType, payloadSchemas } from "./schemas.ts";

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => bytesToHex(b));
const ascii = (n: number) =>
  fc.array(fc.integer({ min: 0x20, max: 0x7e }), { minLength: n, maxLength: n }).map((c) => String.fromCharCode(...c));

const fieldValue: Record<FieldType, fc.Arbitrary<unknown>> = {
  u8: fc.integer({ min: 0, max: 0xff }),
  u16: fc.integer({ min: 0, max: 0xffff }),
  u32: fc.integer({ min: 0, max: 0xffff_ffff }),
  u64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  u128: fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }),
  bool: fc.boolean(),
  // decodeLeaf answers addresses checksummed; the encoder takes any case.
  address: bytes(20),
  bytes3: ascii(3),
  bytes18: ascii(18),
  bytes32: bytes(32),
  "bytes32[]": fc.array(bytes(32), { maxLength: 4 }),
  string16: fc.string({ unit: "binary", maxLength: 40 }),
};

/** Random entries of one kind. */
function entriesOf(type: EntryKindName): fc.Arbitrary<Entry> {
  const record = fc.record(
    Object.fromEntries(payloadSchemas[type].map(([name, fieldType]) => [name, fieldValue[fieldType]])),
  );
  const stream = fc.record({
    id: bytes(32),
    prevIndex: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 2n }), { nil: null }),
  });
  return fc
    .record({
      index: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      timestamp: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      actorOrg: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      operator: bytes(20),
      streams: fc.array(stream, { maxLength: 3 }),
      record,
    })
    .map((e) => ({
      version: 1,
      kind: entryKind[type],
      ...e,
      operator: e.operator as Entry["operator"],
      record: { type, ...e.record } as EntryRecord,
    }));
}

/** What decodeLeaf answers or throws, with the operator in lower case. */
function reference(leaf: Uint8Array) {
  try {
    const entry = decodeLeaf(leaf);
    return { entry: { ...entry, operator: entry.operator.toLowerCase() } };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

function fast(leaf: Uint8Array) {
  try {
    return { entry: decodeLeafFast(leaf) };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

const kinds = Object.keys(entryKind) as EntryKindName[];

describe("decodeLeafFast", () => {
  test.each(kinds)("behavior: agrees with decodeLeaf on random %s entries", (type) => {
    fc.assert(
      fc.property(entriesOf(type), (entry) => {
        const leaf = encodeLeaf(entry);
        const expected = reference(leaf);
        expect(expected.entry).toBeDefined();
        expect(fast(leaf)).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  test.each(kinds)("error: refuses a truncated, lengthened or altered %s leaf as decodeLeaf does", (type) => {
    fc.assert(
      fc.property(
        entriesOf(type),
        fc.nat(),
        fc.nat({ max: 255 }),
        fc.constantFrom("cut", "extend", "alter"),
        (entry, at, byte, how) => {
          const leaf = encodeLeaf(entry);
          const i = at % leaf.length;
          let bad: Uint8Array;
          if (how === "cut") bad = leaf.subarray(0, i);
          else if (how === "extend") bad = Uint8Array.of(...leaf, byte);
          else {
            bad = Uint8Array.from(leaf);
            bad[i] = byte;
          }
          expect(fast(bad)).toEqual(reference(bad));
        },
      ),
      { numRuns: 60 },
    );
  });

  test("behavior: agrees with decodeLeaf on names of any bytes (not UTF-8, NUL, byte-order marks)", () => {
    const bytesOrText = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.array(fc.constantFrom(0x00, 0x41, 0x80, 0xbf, 0xc0, 0xe6, 0xef, 0xbb, 0xf0, 0xff), { maxLength: 12 }),
    );
    fc.assert(
      fc.property(entriesOf("orgAccredited"), bytesOrText, (entry, bytes) => {
        const name = "x".repeat(bytes.length);
        const leaf = encodeLeaf({ ...entry, record: { ...entry.record, name } as EntryRecord });
        leaf.set(bytes, leaf.length - bytes.length);
        const expected = reference(leaf);
        expect(expected.entry).toBeDefined();
        expect(fast(leaf)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  test("behavior: reads a leaf in the middle of a larger buffer", () => {
    const [entry] = fc.sample(entriesOf("donationRecorded"), { numRuns: 1, seed: 1 });
    const leaf = encodeLeaf(entry as Entry);
    const padded = new Uint8Array(leaf.length + 7);
    padded.set(leaf, 3);
    expect(decodeLeafFast(padded.subarray(3, 3 + leaf.length))).toEqual(reference(leaf).entry);
  });
});
