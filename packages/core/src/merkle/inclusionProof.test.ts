import fc from "fast-check";
import { hexToBytes } from "viem";
import { describe, expect, test } from "vitest";
import { MerkleArgumentError } from "../errors.ts";
import { makeLeaves, referencePath, referenceRoot, toHex } from "./_test/reference.ts";
import { inclusionProofs, leaves, roots } from "./_test/rfc6962Vectors.ts";
import { inclusionProof } from "./inclusionProof.ts";
import { leafHash } from "./leafHash.ts";
import { merkleRoot } from "./merkleRoot.ts";
import { verifyInclusion } from "./verifyInclusion.ts";

const vectorLeaves = leaves.map((leaf) => hexToBytes(leaf));

describe("inclusionProof", () => {
  test.each(inclusionProofs)(
    "behavior: matches the published RFC 6962 proof for leaf $index of $size",
    ({ index, size, proof }) => {
      const subset = vectorLeaves.slice(0, size);
      expect(inclusionProof(subset, index)).toEqual(proof);
      expect(
        verifyInclusion({
          index,
          treeSize: size,
          leafHash: leafHash(subset[index] as Uint8Array),
          proof,
          root: roots[size] as `0x${string}`,
        }),
      ).toBe(true);
    },
  );

  test("behavior: equals the naive RFC PATH and verifies, for every leaf of every tree up to 64", {
    timeout: 60_000,
  }, () => {
    const all = makeLeaves(64);
    for (let size = 1; size <= 64; size++) {
      const subset = all.slice(0, size);
      const root = merkleRoot(subset);
      expect(root).toBe(toHex(referenceRoot(subset)));
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(subset, index);
        expect(proof).toEqual(referencePath(index, subset).map(toHex));
        const leaf = leafHash(subset[index] as Uint8Array);
        expect(verifyInclusion({ index, treeSize: size, leafHash: leaf, proof, root })).toBe(true);
      }
    }
  });

  test("behavior: equals the naive RFC PATH and verifies, for random trees up to 2,000 leaves", {
    timeout: 60_000,
  }, () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 2000 })
          .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }), fc.nat(255))),
        ([size, index, salt]) => {
          const subset = makeLeaves(size, salt);
          const proof = inclusionProof(subset, index);
          expect(proof).toEqual(referencePath(index, subset).map(toHex));
          const root = merkleRoot(subset);
          const leaf = leafHash(subset[index] as Uint8Array);
          expect(verifyInclusion({ index, treeSize: size, leafHash: leaf, proof, root })).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("behavior: a tree of one leaf has an empty proof", () => {
    expect(inclusionProof([Uint8Array.of(7)], 0)).toEqual([]);
  });

  test("error: an empty tree has nothing to prove", () => {
    expect(() => inclusionProof([], 0)).toThrow(MerkleArgumentError);
  });

  test.each([-1, 3, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("error: rejects index %s in a tree of 3", (index) => {
    expect(() => inclusionProof(makeLeaves(3), index)).toThrow("index must be an integer from 0 to 2");
  });

  test("error: rejects a leaf that is not a Uint8Array", () => {
    const bad = [new Uint8Array(1), null] as unknown as Uint8Array[];
    expect(() => inclusionProof(bad, 0)).toThrow(MerkleArgumentError);
  });
});
