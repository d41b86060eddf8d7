import fc from "fast-check";
import { hexToBytes } from "viem";
import { describe, expect, test } from "vitest";
import { MerkleArgumentError } from "../errors.ts";
import { makeLeaves, referenceConsistency, toHex } from "./_test/reference.ts";
import { consistencyProofs, leaves, roots } from "./_test/rfc6962Vectors.ts";
import { consistencyProof } from "./consistencyProof.ts";
import { merkleRoot } from "./merkleRoot.ts";
import { verifyConsistency } from "./verifyConsistency.ts";

const vectorLeaves = leaves.map((leaf) => hexToBytes(leaf));

describe("consistencyProof", () => {
  test.each(consistencyProofs)(
    "behavior: matches the published RFC 6962 proof from $oldSize to $newSize leaves",
    ({ oldSize, newSize, proof }) => {
      expect(consistencyProof(vectorLeaves.slice(0, newSize), oldSize)).toEqual(proof);
      expect(
        verifyConsistency({
          oldSize,
          newSize,
          oldRoot: roots[oldSize] as `0x${string}`,
          newRoot: roots[newSize] as `0x${string}`,
          proof,
        }),
      ).toBe(true);
    },
  );

  test("behavior: equals the naive RFC SUBPROOF and verifies, for every pair of sizes up to 64", {
    timeout: 60_000,
  }, () => {
    const all = makeLeaves(64);
    const rootOf = Array.from({ length: 65 }, (_, size) => merkleRoot(all.slice(0, size)));
    for (let newSize = 1; newSize <= 64; newSize++) {
      const subset = all.slice(0, newSize);
      for (let oldSize = 1; oldSize <= newSize; oldSize++) {
        const proof = consistencyProof(subset, oldSize);
        expect(proof).toEqual(referenceConsistency(oldSize, subset).map(toHex));
        const oldRoot = rootOf[oldSize] as `0x${string}`;
        const newRoot = rootOf[newSize] as `0x${string}`;
        expect(verifyConsistency({ oldSize, newSize, oldRoot, newRoot, proof })).toBe(true);
      }
    }
  });

  test("behavior: equals the naive RFC SUBPROOF and verifies, for random trees up to 2,000 leaves", {
    timeout: 60_000,
  }, () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 2000 })
          .chain((newSize) => fc.tuple(fc.constant(newSize), fc.integer({ min: 1, max: newSize }), fc.nat(255))),
        ([newSize, oldSize, salt]) => {
          const subset = makeLeaves(newSize, salt);
          const proof = consistencyProof(subset, oldSize);
          expect(proof).toEqual(referenceConsistency(oldSize, subset).map(toHex));
          const oldRoot = merkleRoot(subset.slice(0, oldSize));
          const newRoot = merkleRoot(subset);
          expect(verifyConsistency({ oldSize, newSize, oldRoot, newRoot, proof })).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("behavior: a tree is consistent with itself by an empty proof", () => {
    expect(consistencyProof(makeLeaves(5), 5)).toEqual([]);
  });

  test("error: an empty tree has no older tree", () => {
    expect(() => consistencyProof([], 0)).toThrow(MerkleArgumentError);
  });

  test.each([0, -1, 4, 2.5, Number.NaN])("error: rejects old size %s for a tree of 3", (oldSize) => {
    expect(() => consistencyProof(makeLeaves(3), oldSize)).toThrow("oldSize must be an integer from 1 to 3");
  });
});
