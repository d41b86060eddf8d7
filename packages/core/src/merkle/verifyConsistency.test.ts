import fc from "fast-check";
import type { Hex } from "viem";
import { describe, expect, test } from "vitest";
import { bitFlippedProofs, flipBit, someHash } from "./_test/corrupt.ts";
import { makeLeaves } from "./_test/reference.ts";
import { consistencyProofs, roots } from "./_test/rfc6962Vectors.ts";
import { consistencyProof } from "./consistencyProof.ts";
import { merkleRoot } from "./merkleRoot.ts";
import { type VerifyConsistencyParameters, verifyConsistency } from "./verifyConsistency.ts";

const emptyRoot = roots[0] as Hex;

/** Every damaged variant of a valid, non-trivial proof that must be rejected. */
function corruptions(valid: VerifyConsistencyParameters): [string, VerifyConsistencyParameters][] {
  const { oldSize, newSize, oldRoot, newRoot, proof } = valid;
  const m = Number(oldSize);
  const n = Number(newSize);
  const probes: [string, VerifyConsistencyParameters][] = [
    ["oldSize - 1", { ...valid, oldSize: m - 1 }],
    ["oldSize + 1", { ...valid, oldSize: m + 1 }],
    ["oldSize ^ 2", { ...valid, oldSize: m ^ 2 }],
    ["newSize * 2", { ...valid, newSize: n * 2 }],
    ["newSize / 2", { ...valid, newSize: Math.floor(n / 2) }],
    ["old root with a flipped bit", { ...valid, oldRoot: flipBit(oldRoot, 0, 3) }],
    ["new root with a flipped bit", { ...valid, newRoot: flipBit(newRoot, 31, 7) }],
    ["swapped roots", { ...valid, oldRoot: newRoot, newRoot: oldRoot }],
    ["new root for both", { ...valid, oldRoot: newRoot }],
    ["some other old root", { ...valid, oldRoot: someHash }],
    ["empty-tree old root", { ...valid, oldRoot: emptyRoot }],
    ["empty proof", { ...valid, proof: [] }],
    ["truncated proof", { ...valid, proof: proof.slice(0, -1) }],
    ["first hash removed", { ...valid, proof: proof.slice(1) }],
    ["trailing old root", { ...valid, proof: [...proof, oldRoot] }],
    ["trailing new root", { ...valid, proof: [...proof, newRoot] }],
    ["preceding old root", { ...valid, proof: [oldRoot, ...proof] }],
    ["preceding new root", { ...valid, proof: [newRoot, ...proof] }],
    ["preceding proof[0]", { ...valid, proof: [proof[0] as Hex, ...proof] }],
    ["proof reversed", { ...valid, proof: [...proof].reverse() }],
  ];
  for (const flipped of bitFlippedProofs(proof)) {
    probes.push(["flipped proof bit", { ...valid, proof: flipped }]);
  }
  // A one-hash proof reversed is itself.
  return probes.filter(([label]) => !(label === "proof reversed" && proof.length === 1));
}

describe("verifyConsistency", () => {
  test.each(consistencyProofs.filter(({ proof }) => proof.length > 0))(
    "behavior: accepts the published RFC 6962 proof from $oldSize to $newSize and no corruption of it",
    ({ oldSize, newSize, proof }) => {
      const valid = {
        oldSize,
        newSize,
        oldRoot: roots[oldSize] as Hex,
        newRoot: roots[newSize] as Hex,
        proof,
      };
      expect(verifyConsistency(valid)).toBe(true);
      for (const [label, probe] of corruptions(valid)) {
        expect(verifyConsistency(probe), label).toBe(false);
      }
    },
  );

  test("behavior: rejects every corruption of every proof between trees up to 64", { timeout: 60_000 }, () => {
    const all = makeLeaves(64);
    const rootOf = Array.from({ length: 65 }, (_, size) => merkleRoot(all.slice(0, size)));
    for (let newSize = 2; newSize <= 64; newSize++) {
      const subset = all.slice(0, newSize);
      for (let oldSize = 1; oldSize < newSize; oldSize++) {
        const valid = {
          oldSize,
          newSize,
          oldRoot: rootOf[oldSize] as Hex,
          newRoot: rootOf[newSize] as Hex,
          proof: consistencyProof(subset, oldSize),
        };
        expect(verifyConsistency(valid)).toBe(true);
        for (const [label, probe] of corruptions(valid)) {
          expect(verifyConsistency(probe), `${label} (${oldSize} to ${newSize})`).toBe(false);
        }
      }
    }
  });

  test("behavior: rejects a proof between trees that do not share their prefix", () => {
    const before = makeLeaves(20, 1);
    const after = makeLeaves(30, 2);
    for (const oldSize of [1, 7, 8, 19]) {
      const proof = consistencyProof(after, oldSize);
      const oldRoot = merkleRoot(before.slice(0, oldSize));
      const newRoot = merkleRoot(after);
      expect(verifyConsistency({ oldSize, newSize: 30, oldRoot, newRoot, proof })).toBe(false);
    }
  });

  test("behavior: equal sizes need an empty proof and equal roots", () => {
    const root = roots[5] as Hex;
    expect(verifyConsistency({ oldSize: 5, newSize: 5, oldRoot: root, newRoot: root, proof: [] })).toBe(true);
    expect(verifyConsistency({ oldSize: 5, newSize: 5, oldRoot: root, newRoot: roots[6] as Hex, proof: [] })).toBe(
      false,
    );
    expect(verifyConsistency({ oldSize: 5, newSize: 5, oldRoot: root, newRoot: root, proof: [root] })).toBe(false);
  });

  test("behavior: an old size of 0 is rejected, even against the empty-tree root", () => {
    for (const newSize of [0, 1, 8]) {
      expect(
        verifyConsistency({
          oldSize: 0,
          newSize,
          oldRoot: emptyRoot,
          newRoot: roots[newSize] as Hex,
          proof: [],
        }),
      ).toBe(false);
    }
  });

  test("behavior: the tree cannot shrink", () => {
    const { oldSize, newSize, proof } = consistencyProofs[1] as (typeof consistencyProofs)[number];
    expect(
      verifyConsistency({
        oldSize: newSize,
        newSize: oldSize,
        oldRoot: roots[newSize] as Hex,
        newRoot: roots[oldSize] as Hex,
        proof,
      }),
    ).toBe(false);
  });

  test("args: accepts bigint sizes", () => {
    const { oldSize, newSize, proof } = consistencyProofs[2] as (typeof consistencyProofs)[number];
    expect(
      verifyConsistency({
        oldSize: BigInt(oldSize),
        newSize: BigInt(newSize),
        oldRoot: roots[oldSize] as Hex,
        newRoot: roots[newSize] as Hex,
        proof,
      }),
    ).toBe(true);
  });

  const { oldSize, newSize, proof } = consistencyProofs[2] as (typeof consistencyProofs)[number];
  const valid: VerifyConsistencyParameters = {
    oldSize,
    newSize,
    oldRoot: roots[oldSize] as Hex,
    newRoot: roots[newSize] as Hex,
    proof,
  };
  test.each<[string, Partial<Record<keyof VerifyConsistencyParameters, unknown>>]>([
    ["a negative old size", { oldSize: -6 }],
    ["a fractional old size", { oldSize: 6.5 }],
    ["an old size given as a string", { oldSize: "6" }],
    ["a new size beyond uint64", { newSize: 2n ** 64n }],
    ["an infinite new size", { newSize: Number.POSITIVE_INFINITY }],
    ["an old root without 0x", { oldRoot: (valid.oldRoot as string).slice(2) }],
    ["a 31-byte new root", { newRoot: (valid.newRoot as string).slice(0, -2) }],
    ["a proof hash with a non-hex digit", { proof: [...proof.slice(0, 2), `${proof[2]?.slice(0, -1)}x`] }],
    ["a proof hash that is null", { proof: [null, ...proof.slice(1)] }],
    ["a proof that is a string", { proof: proof[0] }],
    ["a proof of 66 hashes", { proof: Array(66).fill(proof[0]) }],
  ])("error: returns false for %s", (_, change) => {
    expect(verifyConsistency({ ...valid, ...change } as VerifyConsistencyParameters)).toBe(false);
  });

  test("error: returns false, and never throws, for arbitrary input", () => {
    expect(verifyConsistency(undefined as unknown as VerifyConsistencyParameters)).toBe(false);
    fc.assert(
      fc.property(
        fc.record({
          oldSize: fc.oneof(fc.anything(), fc.bigInt(), fc.integer()),
          newSize: fc.oneof(fc.anything(), fc.bigInt(), fc.integer()),
          oldRoot: fc.oneof(fc.anything(), fc.constant(valid.oldRoot)),
          newRoot: fc.oneof(fc.anything(), fc.constant(valid.newRoot)),
          proof: fc.oneof(fc.anything(), fc.array(fc.anything()), fc.constant(proof)),
        }),
        (parameters) => {
          expect(verifyConsistency(parameters as VerifyConsistencyParameters)).toBeTypeOf("boolean");
        },
      ),
    );
  });
});
