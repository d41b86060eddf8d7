import fc from "fast-check";
import { bytesToHex, type Hex, hexToBytes } from "viem";
import { describe, expect, test } from "vitest";
import { LeafEncodingError } from "./_bytes.ts";
import { decodeLeaf } from "./decodeLeaf.ts";
import { encodeLeaf } from "./encodeLeaf.ts";
import type { Entry } from "./entry.ts";
import { entryKind } from "./kinds.ts";
import { campaignStream, recordStream } from "./streamId.ts";

const hash = (byte: number): Hex => `0x${byte.toString(16).padStart(2, "0").repeat(32)}`;

const donation: Entry = {
  version: 1,
  kind: entryKind.donationRecorded,
  index: 41n,
  timestamp: 1_790_000_000n,
  actorOrg: 2n,
  operator: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  streams: [
    { id: campaignStream(1n), prevIndex: 40n },
    { id: recordStream(2n, hash(7)), prevIndex: null },
  ],
  record: {
    type: "donationRecorded",
    campaignId: 1n,
    externalRef: hash(7),
    donorKind: 0,
    donor: hash(9),
    currency: "CNY",
    amount: 123_456n,
    channel: 3,
    purposeTag: hash(0),
    inKindHash: hash(0),
    claimId: 0n,
  },
};

const accreditation: Entry = {
  ...donation,
  kind: entryKind.orgAccredited,
  streams: [{ id: hash(1), prevIndex: null }],
  record: {
    type: "orgAccredited",
    orgId: 3n,
    orgKind: 1,
    creditCode: "53100000500021676K",
    checkOverridden: false,
    admin: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    metadataHash: hash(5),
    name: "朝阳区慈善基金会",
  },
};

describe("decodeLeaf", () => {
  test("behavior: decodes what encodeLeaf wrote, field for field", () => {
    expect(decodeLeaf(encodeLeaf(donation))).toEqual(donation);
    expect(decodeLeaf(bytesToHex(encodeLeaf(accreditation)))).toEqual(accreditation);
  });

  test("behavior: the header layout is the contract's (47 bytes, then 40 per stream)", () => {
    const leaf = encodeLeaf(donation);
    expect(leaf[0]).toBe(1);
    expect(leaf[1]).toBe(entryKind.donationRecorded);
    expect(leaf[46]).toBe(2);
    // donation payload: 8+32+1+32+3+16+1+32+32+8 bytes
    expect(leaf.length).toBe(47 + 2 * 40 + 165);
    // the first stream of a stream-less history is marked with 2^64-1
    expect(bytesToHex(leaf.subarray(47 + 40 + 32, 47 + 80))).toBe("0xffffffffffffffff");
  });

  test("behavior: round-trips random donations", () => {
    const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b));
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 1n, max: 2n ** 128n - 1n }),
        hex32,
        fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 2n }), { nil: null }),
        (index, amount, donor, prevIndex) => {
          const entry: Entry = {
            ...donation,
            index,
            streams: [{ id: hash(3), prevIndex }],
            record: { ...(donation.record as Extract<Entry["record"], { type: "donationRecorded" }>), amount, donor },
          };
          expect(decodeLeaf(encodeLeaf(entry))).toEqual(entry);
        },
      ),
    );
  });

  test("error: unknown version or kind", () => {
    const leaf = encodeLeaf(donation);
    expect(() => decodeLeaf(Uint8Array.of(2, ...leaf.subarray(1)))).toThrow(/Unknown leaf version 2/);
    expect(() => decodeLeaf(Uint8Array.of(1, 99, ...leaf.subarray(2)))).toThrow(/Unknown entry kind 99/);
  });

  test("error: a truncated leaf or trailing bytes", () => {
    const leaf = encodeLeaf(donation);
    expect(() => decodeLeaf(leaf.subarray(0, leaf.length - 1))).toThrow(LeafEncodingError);
    expect(() => decodeLeaf(leaf.subarray(0, 30))).toThrow(/truncated: operator needs 20 bytes at offset 26/);
    expect(() => decodeLeaf(Uint8Array.of(...leaf, 0))).toThrow(/1 trailing bytes after a donationRecorded payload/);
  });

  test("error: a bool that is not 0 or 1", () => {
    const leaf = encodeLeaf(accreditation);
    const overrideAt = 47 + 40 + 8 + 1 + 18;
    const badBool = Uint8Array.from(leaf);
    badBool[overrideAt] = 2;
    expect(() => decodeLeaf(badBool)).toThrow(/checkOverridden: a bool must be 0 or 1/);
  });

  test("behavior: a name of bytes that are not UTF-8, or with a NUL, decodes with U+FFFD for each; a byte-order mark stays", () => {
    // The contracts take any bytes for a name: a leaf the chain holds must decode, whatever they are.
    const withName = (bytes: number[]) => {
      const record = accreditation.record as Extract<Entry["record"], { type: "orgAccredited" }>;
      const leaf = encodeLeaf({ ...accreditation, record: { ...record, name: "x".repeat(bytes.length) } });
      leaf.set(bytes, leaf.length - bytes.length);
      return leaf;
    };
    const name = (bytes: number[]) => (decodeLeaf(withName(bytes)).record as { name: string }).name;
    // "A", a byte no UTF-8 starts with, "B", NUL, "C", the first two bytes of "朝" cut short, "D".
    expect(name([0x41, 0xff, 0x42, 0x00, 0x43, 0xe6, 0x9c, 0x44])).toBe("A\uFFFDB\uFFFDC\uFFFDD");
    expect(name([0xef, 0xbb, 0xbf, 0xe6, 0x9c, 0x9d])).toBe("\uFEFF朝");
    // Everything else about the entry is read as before.
    const { record, ...rest } = decodeLeaf(withName([0xff]));
    const { record: expected, ...expectedRest } = accreditation;
    expect(rest).toEqual(expectedRest);
    expect(record).toEqual({ ...expected, name: "\uFFFD" });
  });
});

describe("encodeLeaf", () => {
  test("error: kind and record type disagree", () => {
    expect(() => encodeLeaf({ ...donation, kind: entryKind.orgAccredited })).toThrow(/does not match record type/);
  });

  test("error: a value that does not fit its field", () => {
    expect(() => encodeLeaf({ ...donation, index: 2n ** 64n })).toThrow(/index: .* does not fit in 64 bits/);
    const record = { ...(donation.record as Extract<Entry["record"], { type: "donationRecorded" }>) };
    expect(() => encodeLeaf({ ...donation, record: { ...record, currency: "RMB¥" } })).toThrow(/currency/);
    expect(() => encodeLeaf({ ...donation, record: { ...record, donor: "0x1234" } })).toThrow(
      /donor: expected 32 bytes, got 2/,
    );
  });

  test("behavior: hexToBytes of the encoding is stable (no hidden state between calls)", () => {
    expect(bytesToHex(encodeLeaf(donation))).toBe(bytesToHex(encodeLeaf(donation)));
    expect(hexToBytes(bytesToHex(encodeLeaf(donation)))).toEqual(encodeLeaf(donation));
  });
});
