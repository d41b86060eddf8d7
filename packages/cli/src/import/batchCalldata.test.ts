// The import's own encoder of its static batches against viem's encodeFunctionData: the same bytes
// for random batches of donations and credits, and the same refusals of values that do not fit.
import { charityLedgerAbi, registryAbi, volunteerCreditAbi } from "@shanji/core";
import fc from "fast-check";
import { type Abi, encodeFunctionData, type Hex } from "viem";
import { describe, expect, test } from "vitest";
import { batchEncoder } from "./batchCalldata.ts";

const word = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Hex);
const uint = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
// Small values too: a run of random 128-bit numbers would almost never meet 0 or 1.
const anyUint = (bits: number) => fc.oneof(uint(bits), fc.bigInt({ min: 0n, max: bits > 8 ? 300n : 3n }));

const donation = fc.record({
  externalRef: word,
  donorKind: anyUint(8).map(Number),
  donor: word,
  amount: anyUint(128),
  channel: anyUint(8).map(Number),
  purposeTag: fc.oneof(word, fc.constant(`0x${"00".repeat(32)}` as Hex)),
  inKindHash: word,
  claimId: anyUint(64),
});
const credit = fc.record({
  externalRef: word,
  volunteer: word,
  serviceMinutes: anyUint(32).map(Number),
  points: anyUint(64),
  serviceDate: anyUint(32).map(Number),
});

describe("batchEncoder", () => {
  const donations = batchEncoder(charityLedgerAbi, "recordDonations");
  const credits = batchEncoder(volunteerCreditAbi, "issueCredits");

  const cases = [
    { name: "donation", abi: charityLedgerAbi, functionName: "recordDonations", encode: donations, row: donation },
    { name: "credit", abi: volunteerCreditAbi, functionName: "issueCredits", encode: credits, row: credit },
  ] as const;
  for (const c of cases) {
    test(`property: ${c.name} batches are byte for byte viem's`, () => {
      fc.assert(
        fc.property(
          anyUint(64),
          fc.array(c.row as fc.Arbitrary<Record<string, bigint | number | Hex>>, { maxLength: 12 }),
          (target, rows) => {
            const viem = encodeFunctionData({ abi: c.abi as Abi, functionName: c.functionName, args: [target, rows] });
            expect(c.encode(target, rows)).toBe(viem);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  test("errors: a value that does not fit its type is refused, naming the field", () => {
    const row = {
      externalRef: `0x${"11".repeat(32)}` as Hex,
      donorKind: 0,
      donor: `0x${"22".repeat(32)}` as Hex,
      amount: 1n,
      channel: 3,
      purposeTag: `0x${"00".repeat(32)}` as Hex,
      inKindHash: `0x${"00".repeat(32)}` as Hex,
      claimId: 0n,
    };
    expect(() => donations(1n, [{ ...row, amount: 1n << 128n }])).toThrow(/amount: .* does not fit uint128/);
    expect(() => donations(1n, [{ ...row, channel: -1 }])).toThrow(/channel: -1 does not fit uint8/);
    expect(() => donations(1n << 64n, [row])).toThrow(/target: .* does not fit uint64/);
    expect(() => donations(1n, [{ ...row, donor: "0x1234" as Hex }])).toThrow(/donor: 0x1234 is not 32 bytes of hex/);
    const { claimId: _missing, ...withoutClaim } = row;
    expect(() => donations(1n, [withoutClaim as typeof row])).toThrow(/claimId: undefined is not an integer/);
  });

  test("errors: a function whose arguments are not (uintN, tuple[] of static words) is refused", () => {
    expect(() => batchEncoder(charityLedgerAbi, "recordDisbursements")).toThrow(/field evidence is bytes32\[\]/);
    expect(() => batchEncoder(registryAbi, "accredit")).toThrow(/does not take \(uintN, tuple\[\]\)/);
    expect(() => batchEncoder(charityLedgerAbi, "noSuchFunction")).toThrow(/noSuchFunction is not in the ABI/);
  });
});
