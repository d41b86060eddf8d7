import fc from "fast-check";
import type { Hex } from "viem";
import { describe, expect, test } from "vitest";
import { bitFlippedProofs, flipBit, someHash, zeroHash } from "./_test/corrupt.ts";
import { makeLeaves } from "./_test/reference.ts";
import { inclusionProofs, nodeHashes, roots } from "./_test/rfc6962Vectors.ts";
import { inclusionProof } from "./inclusionProof.ts";
import { leafHash } from "./leafHash.ts";
import { merkleRoot } from "./merkleRoot.ts";
import { type VerifyInclusionParameters, verifyInclusion } from "./verifyInclusion.ts";

const emptyRoot = roots[0] as Hex;

/** Every damaged variant of a valid proof that must be rejected, with a label. */
function corruptions(valid: VerifyInclusionParameters): [string, VerifyInclusionParameters][] {
  const { index, treeSize, leafHash: leaf, proof, root } = valid;
  const i = Number(index);
  const n = Number(treeSize);
  const probes: [string, VerifyInclusionParameters][] = [
    ["index - 1", { ...valid, index: i - 1 }],
    ["index + 1", { ...valid, index: i + 1 }],
    ["index ^ 2", { ...valid, index: i ^ 2 }],
    ["treeSize * 2", { ...valid, treeSize: n * 2 }],
    ["treeSize / 2", { ...valid, treeSize: Math.floor(n / 2) }],
    ["leaf hash with a flipped bit", { ...valid, leafHash: flipBit(leaf, 31, 0) }],
    ["root with a flipped bit", { ...valid, root: flipBit(root, 5, 7) }],
    ["empty-tree root", { ...valid, root: emptyRoot }],
    ["some other root", { ...valid, root: someHash }],
    ["trailing root", { ...valid, proof: [...proof, root] }],
    ["trailing zero hash", { ...valid, proof: [...proof, zeroHash] }],
    ["preceding root", { ...valid, proof: [root, ...proof] }],
    ["preceding leaf hash", { ...valid, proof: [leaf, ...proof] }],
  ];
  // In a one-leaf tree the root is the leaf hash.
  if (root !== leaf) probes.push(["root in place of the leaf", { ...valid, leafHash: root }]);
  for (const flipped of bitFlippedProofs(proof)) probes.push(["flipped proof bit", { ...valid, proof: flipped }]);
  if (proof.length > 0) {
    probes.push(["last hash removed", { ...valid, proof: proof.slice(0, -1) }]);
    probes.push(["first hash removed", { ...valid, proof: proof.slice(1) }]);
  }
  if (proof.length > 1) {
    const [first, second, ...rest] = proof as [Hex, Hex, ...Hex[]];
    probes.push(["inserted hash", { ...valid, proof: [first, someHash, second, ...rest] }]);
    probes.push(["first two swapped", { ...valid, proof: [second, first, ...rest] }]);
    probes.push(["proof reversed", { ...valid, proof: [...proof].reverse() }]);
  }
  return probes;
}

describe("verifyInclusion", () => {
  test.each(inclusionProofs)(
    "behavior: accepts the published RFC 6962 proof for leaf $index of $size",
    ({ index, size, proof }) => {
      const valid = {
        index,
        treeSize: size,
        leafHash: nodeHashes[0]?.[index] as Hex,
        proof,
        root: roots[size] as Hex,
      };
      expect(verifyInclusion(valid)).toBe(true);
      for (const [label, probe] of corruptions(valid)) {
        expect(verifyInclusion(probe), label).toBe(false);
      }
    },
  );

  test("behavior: rejects every corruption of every proof in every tree up to 64", { timeout: 60_000 }, () => {
    const all = makeLeaves(64);
    for (let size = 1; size <= 64; size++) {
      const subset = all.slice(0, size);
      const root = merkleRoot(subset);
      for (let index = 0; index < size; index++) {
        const valid = {
          index,
          treeSize: size,
          leafHash: leafHash(subset[index] as Uint8Array),
          proof: inclusionProof(subset, index),
          root,
        };
        expect(verifyInclusion(valid)).toBe(true);
        for (const [label, probe] of corruptions(valid)) {
          expect(verifyInclusion(probe), `${label} (leaf ${index} of ${size})`).toBe(false);
        }
      }
    }
  });

  test("behavior: rejects the proof of another leaf in the same tree", () => {
    const leaves = makeLeaves(13);
    const root = merkleRoot(leaves);
    for (let index = 0; index < 13; index++) {
      for (let other = 0; other < 13; other++) {
        if (other === index) continue;
        const proof = inclusionProof(leaves, other);
        const leaf = leafHash(leaves[index] as Uint8Array);
        expect(verifyInclusion({ index, treeSize: 13, leafHash: leaf, proof, root })).toBe(false);
      }
    }
  });

  test("behavior: binds the tree size only through the root, as RFC 9162 does", () => {
    // Leaf 5's path has the same shape in trees of 7 and 8 leaves, so the size-8 proof and
    // root also pass as "size 7". No real 7-leaf tree has that root (its leaf 6 would need a
    // leaf hash equal to a node hash), which is why callers must take root and size together
    // from one signed checkpoint.
    const { index, size, proof } = inclusionProofs[2] as (typeof inclusionProofs)[number];
    const leaf = nodeHashes[0]?.[index] as Hex;
    const root = roots[size] as Hex;
    expect(verifyInclusion({ index, treeSize: 8, leafHash: leaf, proof, root })).toBe(true);
    expect(verifyInclusion({ index, treeSize: 7, leafHash: leaf, proof, root })).toBe(true);
    expect(verifyInclusion({ index, treeSize: 6, leafHash: leaf, proof, root })).toBe(false);
  });

  test("args: accepts bigint index and tree size", () => {
    const { index, size, proof } = inclusionProofs[2] as (typeof inclusionProofs)[number];
    const valid = {
      index: BigInt(index),
      treeSize: BigInt(size),
      leafHash: nodeHashes[0]?.[index] as Hex,
      proof,
      root: roots[size] as Hex,
    };
    expect(verifyInclusion(valid)).toBe(true);
  });

  test("args: accepts upper-case hex digits", () => {
    const { index, size, proof } = inclusionProofs[2] as (typeof inclusionProofs)[number];
    const upper = (hash: Hex): Hex => `0x${hash.slice(2).toUpperCase()}`;
    const valid = {
      index,
      treeSize: size,
      leafHash: upper(nodeHashes[0]?.[index] as Hex),
      proof: proof.map(upper),
      root: upper(roots[size] as Hex),
    };
    expect(verifyInclusion(valid)).toBe(true);
  });

  test("behavior: nothing is included in the empty tree", () => {
    for (const index of [0, 1]) {
      expect(verifyInclusion({ index, treeSize: 0, leafHash: emptyRoot, proof: [], root: emptyRoot })).toBe(false);
    }
  });

  const { index, size, proof } = inclusionProofs[2] as (typeof inclusionProofs)[number];
  const valid: VerifyInclusionParameters = {
    index,
    treeSize: size,
    leafHash: nodeHashes[0]?.[index] as Hex,
    proof,
    root: roots[size] as Hex,
  };
  test.each<[string, Partial<Record<keyof VerifyInclusionParameters, unknown>>]>([
    ["a negative index", { index: -1 }],
    ["a negative bigint index", { index: -1n }],
    ["a fractional index", { index: 5.5 }],
    ["a NaN index", { index: Number.NaN }],
    ["an index equal to the tree size", { index: size }],
    ["an index given as a string", { index: "5" }],
    ["an unsafe integer tree size", { treeSize: 2 ** 53 }],
    ["a tree size beyond uint64", { treeSize: 2n ** 64n }],
    ["a leaf hash without 0x", { leafHash: (valid.leafHash as string).slice(2) }],
    ["a 31-byte leaf hash", { leafHash: (valid.leafHash as string).slice(0, -2) }],
    ["a non-hex root", { root: `0x${"g".repeat(64)}` }],
    ["a 33-byte root", { root: `${valid.root}00` }],
    ["a proof hash of the wrong length", { proof: [...proof.slice(0, 2), `${proof[2]}00`] }],
    ["a proof hash that is a number", { proof: [...proof.slice(0, 2), 42] }],
    ["a proof that is not an array", { proof: proof[0] }],
    ["a proof of 65 hashes", { proof: Array(65).fill(zeroHash) }],
    ["a missing root", { root: undefined }],
  ])("error: returns false for %s", (_, change) => {
    expect(verifyInclusion({ ...valid, ...change } as VerifyInclusionParameters)).toBe(false);
  });

  test("error: returns false, and never throws, for arbitrary input", () => {
    expect(verifyInclusion(undefined as unknown as VerifyInclusionParameters)).toBe(false);
    expect(verifyInclusion(null as unknown as VerifyInclusionParameters)).toBe(false);
    fc.assert(
      fc.property(
        fc.record({
          index: fc.oneof(fc.anything(), fc.bigInt(), fc.integer()),
          treeSize: fc.oneof(fc.anything(), fc.bigInt(), fc.integer()),
          leafHash: fc.oneof(fc.anything(), fc.constant(valid.leafHash)),
          proof: fc.oneof(fc.anything(), fc.array(fc.anything()), fc.constant(proof)),
          root: fc.oneof(fc.anything(), fc.constant(valid.root)),
        }),
        (parameters) => {
          expect(verifyInclusion(parameters as VerifyInclusionParameters)).toBeTypeOf("boolean");
        },
      ),
    );
  });
});
