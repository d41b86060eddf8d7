import { describe, expect, test } from "vitest";
import { MerkleArgumentError } from "../errors.ts";
import { makeLeaves } from "./_test/reference.ts";
import { inclusionProofs, nodeHashes } from "./_test/rfc6962Vectors.ts";
import { inclusionProof } from "./inclusionProof.ts";
import { inclusionProofFromLeafHashes } from "./inclusionProofFromLeafHashes.ts";
import { leafHash } from "./leafHash.ts";

const vectorLeafHashes = nodeHashes[0] ?? [];

describe("inclusionProofFromLeafHashes", () => {
  test.each(inclusionProofs)(
    "behavior: matches the published RFC 6962 proof for leaf $index of $size",
    ({ index, size, proof }) => {
      expect(inclusionProofFromLeafHashes(vectorLeafHashes.slice(0, size), index)).toEqual(proof);
    },
  );

  test("behavior: equals inclusionProof over the leaf data, for every leaf of every tree up to 64", {
    timeout: 60_000,
  }, () => {
    const leaves = makeLeaves(64);
    const hashes = leaves.map((leaf) => leafHash(leaf));
    for (let size = 1; size <= 64; size++) {
      for (let index = 0; index < size; index++) {
        expect(inclusionProofFromLeafHashes(hashes.slice(0, size), index)).toEqual(
          inclusionProof(leaves.slice(0, size), index),
        );
      }
    }
  });

  test("error: an empty tree has nothing to prove", () => {
    expect(() => inclusionProofFromLeafHashes([], 0)).toThrow(MerkleArgumentError);
  });

  test("error: rejects an index outside the tree", () => {
    expect(() => inclusionProofFromLeafHashes(vectorLeafHashes, 8)).toThrow(
      "index must be an integer from 0 to 7, got 8.",
    );
  });

  test("error: rejects a malformed leaf hash", () => {
    const hashes = [...vectorLeafHashes.slice(0, 2), "0x1234" as const];
    expect(() => inclusionProofFromLeafHashes(hashes, 0)).toThrow(/^Leaf hash 2 is not/);
  });
});
